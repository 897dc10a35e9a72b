#!/usr/bin/env bash
# The main job: builds Alcance and runs the demo workspace
# (sandbox → OAuth → 90 days of collection → SQLite → charts → CSV / JSON / XLSX).
# Usage: scripts/demo.sh [OUT_DIR] [extra `alcance demo` flags]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
out="${1:-alcance-demo}"
shift || true
cargo build --locked -p alcance-cli
exec target/debug/alcance demo --out "$out" "$@"
