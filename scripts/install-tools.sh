#!/usr/bin/env bash
# Install the host tools the Asterisk sandbox and the SIPp tests need.
# Idempotent: installs only what is missing; runs `apt-get update` at most once.
#   debootstrap  builds the Debian sid chroot that holds Asterisk 22
#   sip-tester   provides `sipp` (SIP/RTP traffic generator for tests)
#   sox          checks that recordings contain sound
#   tcpdump      captures the RTP each SIPp phone receives (who hears whom, in the monitoring e2e)
#   chromium     the headless browser of the console tests (driven by playwright-core, never
#                a downloaded browser build)
#   fonts-noto-cjk  Chinese glyphs for the pages' screenshots (zh-CN labels)
#   kamailio     the SIP edge in front of Asterisk (scripts/sip-edge.sh): trunks enter through it
#   gnuplot-nox  the benchmark's chart (bench-results/latency.png; its smoke run is a test)
#   espeak-ng    speaks the follow-up prompts (zh-CN) when the centre has no recordings (scripts/make-prompts.sh)
set -euo pipefail

# package -> command it provides
declare -A CMD=([debootstrap]=debootstrap [sip-tester]=sipp [sox]=sox [tcpdump]=tcpdump [chromium]=chromium [fonts-noto-cjk]=fonts-noto-cjk-has-no-command [kamailio]=kamailio [gnuplot-nox]=gnuplot [espeak-ng]=espeak-ng)

missing=()
for pkg in debootstrap sip-tester sox tcpdump chromium fonts-noto-cjk kamailio gnuplot-nox espeak-ng; do
  if command -v "${CMD[$pkg]}" >/dev/null 2>&1 || dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    echo "install-tools: $pkg already installed"
  else
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-tools: nothing to do"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-tools: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi

echo "install-tools: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
# The package enables a system-wide Kamailio on 0.0.0.0:5060 with Debian's sample config: that is
# the sandbox Asterisk's port, and the project runs its own edges (scripts/sip-edge.sh). Disabled
# only when installed here; an admin's existing Kamailio is left alone.
if [[ " ${missing[*]} " == *" kamailio "* ]] && command -v systemctl >/dev/null 2>&1; then
  $SUDO systemctl disable --now kamailio >/dev/null 2>&1 || echo "install-tools: could not disable the kamailio system service; stop it if it holds port 5060" >&2
fi
echo "install-tools: done"
