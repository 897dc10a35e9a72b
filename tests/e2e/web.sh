#!/usr/bin/env bash
# The web UI's E2E test: `alcance serve --collect` on a demo workspace and headless
# Chromium through chromedriver (Debian's chromium + chromium-driver), all on 127.0.0.1.
# Needs: target/debug/alcance (cargo build -p alcance-cli) and ui/dist (npm --prefix ui run
# build). Installs chromium and chromium-driver when missing, as scripts/setup.sh installs
# the rest (they are only needed here).
# Usage: tests/e2e/web.sh            (E2E_SCREENSHOTS=DIR saves the sign-in and dashboard screenshots)
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
for p in chromium chromium-driver; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})) && command -v apt-get >/dev/null 2>&1; then
  echo "web e2e: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
exec node tests/e2e/web.mjs
