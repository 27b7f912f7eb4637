#!/usr/bin/env bash
# Make the audio files the SIPp scenarios in test/sipp stream (rtp_stream reads them from SIPp's
# current folder): 8 kHz mono G.711 A-law WAVs, 3 s each, looped by SIPp.
#   caller-audio.wav  440 Hz tone  (the 110 caller)
#   seat-audio.wav    1000 Hz tone (the call-taker seat)
# Distinct tones make each direction recognisable in a recording.
# Usage: scripts/lib/make-sipp-audio.sh DIR
set -euo pipefail
dir="${1:?usage: $0 DIR}"
command -v sox >/dev/null || { echo "make-sipp-audio: sox missing (scripts/install-tools.sh)" >&2; exit 1; }
mkdir -p "$dir"
sox -n -r 8000 -c 1 -e a-law "$dir/caller-audio.wav" synth 3 sine 440 vol 0.5
sox -n -r 8000 -c 1 -e a-law "$dir/seat-audio.wav" synth 3 sine 1000 vol 0.5
echo "make-sipp-audio: wrote $dir/caller-audio.wav $dir/seat-audio.wav"
