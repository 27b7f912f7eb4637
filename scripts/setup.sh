#!/usr/bin/env bash
# Everything cti110 needs on this machine, installed only when missing (safe to run again):
# host tools (debootstrap, sipp, sox, kamailio...), npm packages (npm ci), the TypeScript build, and the
# cached Asterisk 22 chroot.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-tools.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci (sqlite3 compiles its addon: about a minute)"
  npm ci --no-audit --no-fund
fi
echo "setup: building TypeScript"
npm run --silent build
# tap compiles its plugin set from package.json "tap.plugin" (TypeScript's plugin is off: tsc builds
# the tests); a fresh npm ci ships the default set, so rebuild it when it does not match.
built=node_modules/@tapjs/test/test-built/dist/esm/index.js
if [ ! -f "$built" ] || grep -q 'Plugin_typescript' "$built"; then
  echo "setup: rebuilding tap's plugin set"
  npx tap build >/dev/null
fi
bash scripts/asterisk-sandbox.sh build
# The follow-up prompts (zh-CN): recordings, or espeak-ng where there are none.
bash scripts/make-prompts.sh
