#!/usr/bin/env bash
# One command to run cti110 locally: sets up what is missing, starts the sandbox Asterisk with the
# project's config and dialplan (demo seats 1001-1005, officers 2001-2004), then the service in the
# foreground. Ctrl-C stops the service and the Asterisk it started; so does the service ending
# any other way (scripts/lib/run-cleanup.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
export AST_INSTANCE="${AST_INSTANCE:-default}"
# shellcheck source=lib/run-cleanup.sh
. scripts/lib/run-cleanup.sh
run_on_exit 'bash scripts/asterisk-sandbox.sh stop'
bash scripts/asterisk-sandbox.sh start
export CTI110_ARI_URL="${CTI110_ARI_URL:-http://127.0.0.1:${AST_HTTP_PORT:-8088}}"
export CTI110_AMI_PORT="${CTI110_AMI_PORT:-${AST_AMI_PORT:-5038}}"
# Demo users to sign in with (added once; a changed password is kept): one call-taker per demo
# seat, a supervisor and an admin. Password: <name>-password.
demo_user() { CTI110_NEW_PASSWORD="$1-password" node dist/src/auth/add-user-cli.js --if-missing --name "$1" --role "$2" ${3:+--seat "$3"} >/dev/null; }
for seat in 1001 1002 1003 1004 1005; do demo_user "taker$seat" call-taker "$seat"; done
demo_user supervisor supervisor
demo_user admin admin
echo "run: cti110 on http://127.0.0.1:${CTI110_HTTP_PORT:-8110}/ui/ (Ctrl-C to stop); sign in as taker1001..taker1005, supervisor or admin, password <name>-password"
run_service node dist/src/main.js
