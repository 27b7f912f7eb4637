#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and the local multi-node sandbox (issue #16): its own
# data folder, its own port, loopback only, trust auth (nothing but this machine can reach it).
# The Debian cluster tools (pg_ctlcluster) are left alone: they manage system clusters under
# /etc/postgresql, and a test must not touch those.
#
#   pg-sandbox.sh install            apt-get install postgresql if it is missing
#   pg-sandbox.sh start DIR PORT     create the cluster in DIR if it is empty, start it; prints the URL
#   pg-sandbox.sh stop DIR           stop it (fast: open sessions are cut, committed data is kept)
#   pg-sandbox.sh destroy DIR        stop it and delete DIR
#
# Root-safe: PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user
# the Debian package creates, and DIR is handed to that user.
set -euo pipefail

say() { echo "pg-sandbox: $*" >&2; }
die() { echo "pg-sandbox: ERROR: $*" >&2; exit 1; }

install() {
  if dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q 'install ok installed'; then return 0; fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install postgresql"
    sudo="sudo"
  fi
  say "installing postgresql"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update >&2
  $sudo apt-get install -y --no-install-recommends postgresql >&2
}

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql (run: $0 install)"
  echo "$dir"
}

# Runs a server binary as the user that owns the cluster.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local dir="${1:?DIR}" port="${2:?PORT}" bin
  [[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$port'"
  install
  bin=$(bindir)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    # --no-sync: a throwaway cluster need not wait for the disk at creation.
    as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >/dev/null \
      || die "initdb into $dir failed"
  fi
  # Loopback TCP only; the socket lives in DIR, so two clusters (or the system one) never meet.
  as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=50" start >/dev/null \
    || { tail -20 "$dir/server.log" >&2 || true; die "the server in $dir did not start"; }
  if ! as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = 'cti110'" | grep -q 1; then
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres cti110
  fi
  echo "postgres://postgres@127.0.0.1:$port/cti110"
}

stop() {
  local dir="${1:?DIR}" bin
  [ -f "$dir/postmaster.pid" ] || return 0
  bin=$(bindir)
  as_owner "$bin/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null
}

destroy() {
  local dir="${1:?DIR}"
  [ -d "$dir" ] || return 0
  stop "$dir"
  rm -rf "$dir"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:-}" "${3:-}" ;;
  stop) stop "${2:-}" ;;
  destroy) destroy "${2:-}" ;;
  *) echo "usage: $0 install | start DIR PORT | stop DIR | destroy DIR" >&2; exit 2 ;;
esac
