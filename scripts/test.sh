#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, formatting, lints, every crate's tests
# (unit, integration, recorded fixtures replayed through the sandbox, the demo end to end;
# the store's on SQLite and on a throwaway PostgreSQL, see scripts/pg-cluster.sh)
# the desktop UI (type check, unit tests, build), the desktop app end to end in a real
# webview under Xvfb, the web UI end to end in headless Chromium against `alcance serve`;
# and the supply chain, offline (scripts/supply-chain.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# No incremental caches: a one-off build does not reuse them, and they doubled the target
# directory (5 of 14 GB) until a CI machine ran out of disk (docs/adr/0015).
export CARGO_INCREMENTAL=0
scripts/setup.sh
echo "== disk: $(df -h --output=avail . | tail -1 | tr -d ' ') free before the build"
echo "== UI: svelte-check, vitest, vite build (ui/dist is embedded in the desktop app)"
(cd ui && npm run --silent check && npm run --silent test && npm run --silent build)
echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy (-D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== supply chain: cargo deny (advisories from the RustSec snapshot, licences, bans, sources), npm audit"
scripts/supply-chain.sh
echo "== cargo nextest (beside a throwaway PostgreSQL cluster and an SMTP sink: the store tests run on both engines, the emails are received)"
scripts/pg-cluster.sh scripts/smtp-sink.sh cargo nextest run --workspace --locked --no-fail-fast --profile ci
echo "== doc tests"
cargo test --workspace --locked --doc
echo "== desktop E2E (tauri-driver + WebKitWebDriver under Xvfb; the team-server step runs alcance serve)"
cargo build --locked -p alcance-desktop -p alcance-cli
tests/e2e/run.sh
echo "== web E2E (alcance serve --collect + headless Chromium through chromedriver)"
tests/e2e/web.sh
echo "== disk: target/ holds $(du -sh target | cut -f1); $(df -h --output=avail . | tail -1 | tr -d ' ') free"
