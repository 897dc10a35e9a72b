#!/usr/bin/env bash
# Duplicate pairs over production code only (issue 10, point 8): crates/*/src and src-tauri/src,
# without test-only files (tests.rs, */tests/*). Prints the `duplicates` summary line and the
# top pairs (MOST=200 for more). Usage: scripts/duplicates-prod.sh [REPO_DIR]
repo=$(cd "${1:-.}" && pwd)
tmp=$(mktemp -d)
cd "$repo"
git ls-files -co --exclude-standard -- 'crates/*/src/**' 'src-tauri/src/**' | grep -vE '(^|/)tests?(\.rs|/)' | while read -r f; do
  [ -f "$f" ] && mkdir -p "$tmp/$(dirname "$f")" && cp "$f" "$tmp/$f"
done
duplicates --repo "$tmp" --most ${MOST:-8} --seconds 200
rm -rf "$tmp"
