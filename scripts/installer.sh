#!/usr/bin/env bash
# Builds the desktop installers (.deb and .rpm; AppImage needs a download these machines
# cannot make) and writes beside them the CycloneDX SBOM of what they ship: every crate
# compiled into the `alcance-desktop` binary, with versions, licences and hashes
# (issue 15 point 8). Not part of the test command (a release build takes ~10 min).
#
#   scripts/installer.sh            # → target/release/bundle/{deb,rpm,sbom}/
#
# Needs: the set-up of scripts/setup.sh (Tauri's system packages, ui/node_modules);
# installs cargo-cyclonedx once (`cargo install --locked`).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo cyclonedx --version >/dev/null 2>&1; then
  echo "installing cargo-cyclonedx (once)…"
  cargo install cargo-cyclonedx --locked
fi

(cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb,rpm)

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
target=$(rustc -vV | sed -n 's/^host: //p')
out=target/release/bundle/sbom
mkdir -p "$out"
# The SBOM of the binary the installers carry: its crate, the host target's dependencies
# only (what is compiled in), JSON.
cargo cyclonedx --manifest-path src-tauri/Cargo.toml --format json --target "$target" \
  --override-filename "alcance-desktop-sbom" -q
mv src-tauri/alcance-desktop-sbom.json "$out/alcance-desktop_${version}_${target}.cdx.json"
components=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["components"]))' \
  "$out/alcance-desktop_${version}_${target}.cdx.json")
echo "installers:"
ls -l target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm 2>/dev/null || true
echo "SBOM: $out/alcance-desktop_${version}_${target}.cdx.json ($components components)"
