#!/usr/bin/env bash
# One command to run cti110 locally: sets up what is missing, starts the sandbox Asterisk with the
# project's config and dialplan (demo seats 1001-1005 for SIP phones, 1101-1102 whose console is the
# phone, officers 2001-2004), the SIP edge in front of it (Kamailio: the 110 trunk's entrance, udp
# 127.0.0.1:${EDGE_PORT:-5062}), then the service in the foreground. Ctrl-C stops the service, the
# edge and the Asterisk it started; so does the service ending any other way (scripts/lib/run-cleanup.sh).
# `run.sh --demo [options]` (npm run demo) also starts the simulated centre beside the service:
# phones for the demo seats, officers and a supervisor, call-takers, a trickle of callers
# (src/demo; options: node dist/src/demo/main.js --help). It is stopped first on the way out.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

demo=()
if [ "${1:-}" = "--demo" ]; then
  shift
  case " $* " in *" --help "*|*" -h "*) exec node dist/src/demo/main.js --help ;; esac
  # Where this run's pieces listen (the same variables as below); options given after win.
  demo=(node dist/src/demo/main.js --service "http://127.0.0.1:${CTI110_HTTP_PORT:-8110}" --asterisk "127.0.0.1:${AST_SIP_PORT:-5060}"
    --edge "${EDGE_ADDR:-127.0.0.1}:${EDGE_PORT:-5062}" --trunk12345 "${TRUNK12345_ADDR:-127.0.0.3}:${TRUNK12345_PORT:-5070}" "$@")
elif [ $# -gt 0 ]; then
  echo "run: unknown arguments: $* (only --demo [options])" >&2
  exit 2
fi

bash scripts/setup.sh
# A bad demo option is said now (exit 2), before anything starts.
if [ ${#demo[@]} -gt 0 ]; then "${demo[@]}" --check-options; fi
export AST_INSTANCE="${AST_INSTANCE:-default}"
# shellcheck source=lib/run-cleanup.sh
. scripts/lib/run-cleanup.sh
run_on_exit 'bash scripts/sip-edge.sh stop; bash scripts/asterisk-sandbox.sh stop'
bash scripts/asterisk-sandbox.sh start
bash scripts/sip-edge.sh start
export CTI110_ARI_URL="${CTI110_ARI_URL:-http://127.0.0.1:${AST_HTTP_PORT:-8088}}"
export CTI110_AMI_PORT="${CTI110_AMI_PORT:-${AST_AMI_PORT:-5038}}"
# The sandbox's recordings folder, seen from here: finished recordings are read and removed there
# instead of over ARI (README, ari.recordingsDir).
export CTI110_ARI_RECORDINGS_DIR="${CTI110_ARI_RECORDINGS_DIR-${CTI110_CHROOT:-/var/cache/cti110/asterisk-sid}/srv/cti110/$AST_INSTANCE/spool/recording}"
# The sandbox Asterisk uses the repository's known secrets: the service refuses them without this.
export CTI110_SANDBOX=1
# Demo users to sign in with (added once; a changed password is kept): one call-taker per demo
# seat, a supervisor, an admin, and an officer's terminal per demo officer (REST only, no page).
# Password: <name>-password.
demo_user() { local name=$1; shift; CTI110_NEW_PASSWORD="$name-password" node dist/src/auth/add-user-cli.js --if-missing --name "$name" "$@" >/dev/null; }
for seat in 1001 1002 1003 1004 1005 1101 1102; do demo_user "taker$seat" --role call-taker --seat "$seat"; done
demo_user supervisor --role supervisor
demo_user admin --role admin
for officer in 2001 2002 2003 2004; do demo_user "officer$officer" --role officer --officer "$officer"; done
echo "run: cti110 on http://127.0.0.1:${CTI110_HTTP_PORT:-8110}/ui/ (Ctrl-C to stop); 110 calls enter at sip:110@127.0.0.1:${EDGE_PORT:-5062} (udp); sign in as taker1001..taker1005 (SIP phone seats), taker1101 or taker1102 (the browser is the phone), supervisor or admin, password <name>-password"
if [ ${#demo[@]} -gt 0 ]; then
  echo "run: demo: simulated phones, call-takers and callers start once the service is up; watch http://127.0.0.1:${CTI110_HTTP_PORT:-8110}/ui/ signed in as supervisor (password supervisor-password)"
  run_alongside "${demo[@]}"
fi
run_service node dist/src/main.js
