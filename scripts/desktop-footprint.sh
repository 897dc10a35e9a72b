#!/usr/bin/env bash
# The desktop app's start time and memory (scripts/desktop-footprint.mjs), under Xvfb in its
# own D-Bus session with an unlocked throwaway Secret Service (gnome-keyring), as a user's
# desktop would give. Build first: `scripts/installer.sh` (or `cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb -- --profile dist`)
# (or set ALCANCE_APP). Usage: scripts/desktop-footprint.sh [--runs N] [--skip-demo]
set -euo pipefail
cd "$(dirname "$0")/.."
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
exec xvfb-run -a -s "-screen 0 1440x900x24 -nolisten tcp" dbus-run-session -- bash -c '
  export HOME_KEYRING="$1"; shift
  export XDG_DATA_HOME="$HOME_KEYRING"
  eval "$(echo -n footprint | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null | sed "s/^/export /")" || true
  exec node scripts/desktop-footprint.mjs "$@"
' footprint "$keyring_home" "$@"
