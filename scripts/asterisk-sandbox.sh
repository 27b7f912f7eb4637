#!/usr/bin/env bash
# Local Asterisk 22 for development and tests, running from a cached Debian sid chroot.
#
#   scripts/asterisk-sandbox.sh build          build the chroot if missing/incomplete (~1 min)
#   scripts/asterisk-sandbox.sh render         render config/asterisk/* + dialplan/* into the instance
#   scripts/asterisk-sandbox.sh start          build if needed, render, start, wait until fully booted
#   scripts/asterisk-sandbox.sh stop           stop the instance (graceful, then TERM, then KILL)
#   scripts/asterisk-sandbox.sh destroy        stop, then remove the instance's folder (tests do this)
#   scripts/asterisk-sandbox.sh status         running/stopped + ports (exit 0 running, 3 stopped)
#   scripts/asterisk-sandbox.sh cli ARGS...    run one CLI command, e.g. `cli pjsip show endpoints`
#   scripts/asterisk-sandbox.sh paths          print the instance's host paths (for tests)
#
# Several instances can run at once from the same chroot: AST_INSTANCE names one (default
# "default"); each has its own /srv/cti110/<instance>/{etc,run,spool,log,lib-db,recordings}
# inside the chroot, and must use its own ports (AST_SIP_PORT, AST_HTTP_PORT, ...).
# See docs/asterisk.md for the environment variables.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/sandbox-common.sh
. "$ROOT_DIR/scripts/lib/sandbox-common.sh"

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  build)  sb_build ;;
  render) sb_render ;;
  start)  sb_start ;;
  stop)   sb_stop ;;
  destroy) sb_destroy ;;
  status) sb_status ;;
  cli)    [ $# -gt 0 ] || sb_die "usage: $0 cli COMMAND..."; sb_cli "$*" ;;
  paths)  sb_paths ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
