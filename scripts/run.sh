#!/usr/bin/env bash
# One command to run cti110 locally: sets up what is missing, starts the sandbox Asterisk with the
# project's config and dialplan (demo seats 1001-1005, officers 2001-2004), then the service in the
# foreground. Ctrl-C stops the service and the Asterisk it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
export AST_INSTANCE="${AST_INSTANCE:-default}"
bash scripts/asterisk-sandbox.sh start
trap 'bash scripts/asterisk-sandbox.sh stop' EXIT
export CTI110_ARI_URL="${CTI110_ARI_URL:-http://127.0.0.1:${AST_HTTP_PORT:-8088}}"
export CTI110_AMI_PORT="${CTI110_AMI_PORT:-${AST_AMI_PORT:-5038}}"
echo "run: cti110 on http://127.0.0.1:${CTI110_HTTP_PORT:-8110} (Ctrl-C to stop)"
node dist/src/main.js &
service=$!
trap 'kill -TERM $service 2>/dev/null; wait $service 2>/dev/null; bash scripts/asterisk-sandbox.sh stop' EXIT
trap 'exit 0' INT TERM
wait $service
