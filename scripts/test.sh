#!/usr/bin/env bash
# One command to set up and run every test: unit tests, then end-to-end tests through a real
# Asterisk 22 (one sandbox instance per test file) driven by SIPp. Leaves nothing running.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
status=0
out=$(mktemp)
# Every process the tests start inherits this: the leftover check below looks only at this run's
# own processes, so another run on the same machine (a second clone, a benchmark) is left alone.
export CTI110_TEST_RUN="run-$$-$(date +%s)"
npx tap 'dist/test/unit/**/*.test.js' 'dist/test/e2e/**/*.test.js' "$@" 2>&1 | tee "$out" || status=$?

# Anything a test started and did not stop is a bug in that test: fail loudly.
ours() {
  local pid
  for pid in $(pgrep -f 'sipp 127\.0\.0\.1|asterisk -C /srv/cti110/|kamailio -f /run/cti110-edge/' || true); do
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "CTI110_TEST_RUN=$CTI110_TEST_RUN" && echo "$pid"
  done
  return 0
}
left=$(ours)
if [ -n "$left" ]; then
  echo "test: processes left behind:"; ps -o pid,args -p "$(tr '\n' ',' <<<"$left" | sed 's/,$//')" || true
  kill -9 $left 2>/dev/null || true
  status=1
fi

# The plain closing line CI reads: "N passed, N failed".
# -a: a test's output may hold a byte that is not text (a hostile caller ID); grep would then say
# only "binary file matches" and the line would read 0 passed, 0 failed.
summary=$(grep -a -E '^# \{ total: [0-9]+' "$out" | tail -1 || true)
pass=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary")
fail=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary")
rm -f "$out"
echo "${pass:-0} passed, ${fail:-0} failed"
exit $status
