#!/usr/bin/env bash
# The desktop E2E test: the real app in a real webview (WebKitGTK through tauri-driver and
# WebKitWebDriver), headless under Xvfb inside its own D-Bus session.
# Needs: target/debug/alcance-desktop built with the UI (ui/dist), tauri-driver,
# WebKitWebDriver (webkit2gtk-driver), xvfb-run, dbus-run-session (scripts/setup.sh).
# Usage: tests/e2e/run.sh            (E2E_SCREENSHOTS=DIR saves the dashboard screenshots)
set -euo pipefail
cd "$(dirname "$0")/../.."
exec xvfb-run -a -s "-screen 0 1440x900x24 -nolisten tcp" dbus-run-session -- node tests/e2e/run.mjs
