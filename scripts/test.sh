#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, formatting, lints, every crate's tests
# (unit, integration, recorded fixtures replayed through the sandbox, the demo end to end)
# and the desktop shell's build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy (-D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo nextest"
cargo nextest run --workspace --locked --no-fail-fast --profile ci
echo "== doc tests"
cargo test --workspace --locked --doc
