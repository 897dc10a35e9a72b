#!/usr/bin/env bash
# Supply chain, offline: `cargo deny check` (advisories, licences, bans, sources; see
# deny.toml) against the RustSec advisory database snapshot in
# ${ALCANCE_SHARED:-../shared}/supply-chain/advisory-db.bundle (cloned into a temporary
# folder; the database is not fetched; the locked crates of every target are), then `npm audit --omit=dev` for ui/ where the registry
# answers. Installs cargo-deny from crates.io when missing (about 3 minutes of build).
# Without the snapshot the advisories check is skipped locally and fails under CI.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${ALCANCE_SHARED:-../shared}"
bundle="$shared/supply-chain/advisory-db.bundle"

if ! cargo deny --version 2>/dev/null | grep -q '^cargo-deny 0\.20\.'; then
    echo "supply-chain: installing cargo-deny 0.20 (crates.io)"
    cargo install cargo-deny --locked --version '^0.20' --quiet
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
checks=(licenses bans sources)
if [ -f "$bundle" ]; then
    # cargo-deny looks for the database of db-urls[0] under this name in db-path.
    git -c init.defaultBranch=main clone --quiet "$bundle" "$tmp/db/advisory-db-3157b0e258782691"
    echo "supply-chain: RustSec snapshot of $(git -C "$tmp/db/advisory-db-3157b0e258782691" log -1 --format=%cs)"
    checks+=(advisories)
elif [ "${CI:-}" = "true" ]; then
    echo "supply-chain: no advisory database snapshot at $bundle" >&2
    exit 1
else
    echo "supply-chain: no advisory database snapshot at $bundle; skipping the advisories check"
fi
# cargo-deny reads the metadata of every target's crates (windows-sys, android…), and a
# build downloads only this machine's: fetch the rest from crates.io first (the lock file's
# exact versions), so the offline check below finds them on a fresh machine too.
cargo fetch --locked --quiet
sed "s#^db-path = .*#db-path = \"$tmp/db\"#" deny.toml > "$tmp/deny.toml"
cargo deny --offline --log-level error --config "$tmp/deny.toml" check "${checks[@]}"
echo "supply-chain: cargo deny ok (${checks[*]})"

# npm's audit endpoint, where this machine's registry answers it.
if out="$(cd ui && npm audit --omit=dev --audit-level=high 2>&1)"; then
    echo "supply-chain: npm audit ok"
elif grep -qiE "audit endpoint returned an error|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT" <<<"$out"; then
    echo "supply-chain: the npm registry does not answer audits here; skipped"
else
    echo "$out" >&2
    exit 1
fi
