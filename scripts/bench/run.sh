#!/usr/bin/env bash
# The benchmark in one command (issue #8; nailed seats of #10). Run as root:
#   scripts/bench/run.sh            full run (~15 min), results in bench-results/
#   scripts/bench/run.sh --quick    small counts (~2 min), results in var/bench-quick/
#   scripts/bench/run.sh --soak 60 a soak of cti110 alone (60 min), results in var/bench-soak/
#   options: --out DIR (results folder), --profile (node --cpu-prof of the service)
# Sets up what is missing (tools, npm packages, build, Asterisk chroot, gnuplot for the chart),
# then runs dist/scripts/bench/main.js. Exit 1 if any call was lost or answered without a stored
# recording, 2 if the bench itself failed.
#   --only PART: one part (steady, capacity, burst, overload, permanent, two-node)
# Everything it starts (Asterisk instances, service, SIPp, the two-node run's Kamailio) is stopped
# at the end, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

bash scripts/setup.sh >/dev/null
# The chart is drawn by gnuplot (a plotting program from Debian, no prebuilt npm binaries).
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "bench: installing gnuplot-nox"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gnuplot-nox >/dev/null ||
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gnuplot-nox >/dev/null; }
fi
exec node dist/scripts/bench/main.js "$@"
