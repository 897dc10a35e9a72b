#!/usr/bin/env bash
# Installs what building and testing Alcance needs on Debian / Ubuntu, and nothing that is
# already there: Tauri's system libraries (WebKitGTK 4.1, appindicator, rsvg, xdo),
# D-Bus and the Secret Service (keychain), Xvfb, WebKitWebDriver and tauri-driver for the
# desktop tests, cargo-nextest, and the UI's npm packages.
# Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential pkg-config libssl-dev libdbus-1-dev
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb dbus-x11 webkit2gtk-driver gnome-keyring
  # promtool, for the alert-rule checks of crates/alcance-server/tests/ops.rs.
  prometheus
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: Rust is missing: install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "setup: installing cargo-nextest"
  cargo install cargo-nextest --locked
fi
# The desktop E2E test drives the app through tauri-driver (WebDriver → WebKitWebDriver).
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi
if [ -f ui/package.json ] && command -v npm >/dev/null 2>&1; then
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules ]; then
    echo "setup: installing the UI's npm packages"
    # The lock file lists every platform's optional binaries (esbuild, rollup, the Tauri
    # CLI); `npm ci` installs this machine's from it, exactly the locked versions.
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
    touch ui/node_modules
  fi
fi
