#!/usr/bin/env bash
# One command to set up and run every test: unit tests, then end-to-end tests through a real
# Asterisk 22 (one sandbox instance per test file) driven by SIPp. Leaves nothing running.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
status=0
out=$(mktemp)
npx tap 'dist/test/unit/**/*.test.js' 'dist/test/e2e/**/*.test.js' "$@" 2>&1 | tee "$out" || status=$?

# Anything a test started and did not stop is a bug in that test: fail loudly.
left=$(pgrep -a -f 'sipp 127\.0\.0\.1|asterisk -C /srv/cti110/' || true)
if [ -n "$left" ]; then
  echo "test: processes left behind:"; echo "$left"
  pkill -9 -f 'sipp 127\.0\.0\.1' || true
  status=1
fi

# The plain closing line CI reads: "N passed, N failed".
summary=$(grep -E '^# \{ total: [0-9]+' "$out" | tail -1 || true)
pass=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary")
fail=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary")
rm -f "$out"
echo "${pass:-0} passed, ${fail:-0} failed"
exit $status
