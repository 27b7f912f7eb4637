#!/usr/bin/env bash
# The follow-up (回访) prompts, zh-CN, as Asterisk plays them from its sounds folder
# cti110-followup/ (config followUp.prompts): WAV, 8 kHz, mono, 16-bit (Asterisk's slin).
#
#   scripts/make-prompts.sh [OUT_DIR]      default var/sounds/cti110-followup
#
# A recording of the centre's own voice in sounds/followup/<name>.wav is used as it is (converted
# to the format above). Every prompt without one is spoken by espeak-ng (-v cmn, Mandarin) and
# resampled by sox without dither, so the same text and tool versions give the same bytes; the
# texts are below, one per prompt name the service plays (src/followup/survey.ts PROMPTS).
# Run by scripts/setup.sh; the sandbox (scripts/lib/sandbox-common.sh) copies the result into
# the chroot's sounds. In production copy OUT_DIR to Asterisk's sounds folder
# (/usr/share/asterisk/sounds/cti110-followup on Debian).
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT_DIR/var/sounds/cti110-followup}"
RECORDED="$ROOT_DIR/sounds/followup"

declare -A TEXT=(
  [intro]='您好，这里是110报警服务台回访。请对您刚才报警得到的服务进行评价。'
  [speed]='请对接警速度打分，最差按1，最好按5。'
  [attitude]='请对服务态度打分，最差按1，最好按5。'
  [efficiency]='请对处警效率打分，最差按1，最好按5。'
  [invalid]='输入有误，请按1到5。'
  [thanks]='感谢您的评价，再见。'
)

command -v sox >/dev/null || { echo "make-prompts: sox missing: run scripts/install-tools.sh" >&2; exit 1; }
mkdir -p "$OUT"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for name in intro speed attitude efficiency invalid thanks; do
  if [ -f "$RECORDED/$name.wav" ]; then
    src="$RECORDED/$name.wav"
  else
    command -v espeak-ng >/dev/null || { echo "make-prompts: espeak-ng missing (and no recording $RECORDED/$name.wav): run scripts/install-tools.sh" >&2; exit 1; }
    src="$tmp/$name.raw.wav"
    espeak-ng -v cmn -s 150 -w "$src" "${TEXT[$name]}"
  fi
  # -D: no dither, so the output is the same on every run.
  sox -D "$src" -r 8000 -c 1 -b 16 -e signed-integer "$tmp/$name.wav"
  mv -f "$tmp/$name.wav" "$OUT/$name.wav"
done
echo "make-prompts: $(ls "$OUT" | wc -l) prompts in $OUT"
