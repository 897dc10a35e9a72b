#!/usr/bin/env bash
# Builds the desktop installers (.deb and .rpm; AppImage needs a download these machines
# cannot make) and writes beside them the CycloneDX SBOM of what they ship: every crate
# compiled into the `alcance-desktop` binary, with versions, licences and hashes
# (issue 15 point 8). Not part of the test command (the build takes 30–45 min on 2 cores).
#
#   scripts/installer.sh            # → target/dist/bundle/{deb,rpm,sbom}/
#
# The binary is built with Cargo's `dist` profile (Cargo.toml: the release profile with fat
# LTO, one codegen unit, opt-level "z"; `[profile.release]` itself stays as the benches
# use it), through `tauri build -- --profile dist` (Tauri's CLI passes the arguments after
# `--` to cargo and bundles from target/dist/). Tauri writes the .deb's payload as gzip
# (level 6); it is then repacked as xz -9 (dpkg reads xz since 1.15.6, Debian 7 / Ubuntu
# 12.04), which makes the .deb about 30 % smaller (docs/PERFORMANCE.md, issue 16).
#
# Needs: the set-up of scripts/setup.sh (Tauri's system packages, ui/node_modules), dpkg-deb
# and xz; installs cargo-cyclonedx once (`cargo install --locked`).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo cyclonedx --version >/dev/null 2>&1; then
  echo "installing cargo-cyclonedx (once)…"
  cargo install cargo-cyclonedx --locked
fi

(cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb,rpm -- --profile dist)

# The .deb again, its payload xz-compressed instead of gzip; files, modes and control
# fields unchanged (`--root-owner-group`: owned by root, as Tauri writes them).
for deb in target/dist/bundle/deb/*.deb; do
  tree=$(mktemp -d)
  dpkg-deb --raw-extract "$deb" "$tree/pkg"
  dpkg-deb --root-owner-group -Zxz -z9 --build "$tree/pkg" "$deb" >/dev/null
  rm -rf "$tree"
done

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
target=$(rustc -vV | sed -n 's/^host: //p')
out=target/dist/bundle/sbom
mkdir -p "$out"
# The SBOM of the binary the installers carry: its crate, the host target's dependencies
# only (what is compiled in), JSON.
cargo cyclonedx --manifest-path src-tauri/Cargo.toml --format json --target "$target" \
  --override-filename "alcance-desktop-sbom" -q
mv src-tauri/alcance-desktop-sbom.json "$out/alcance-desktop_${version}_${target}.cdx.json"
components=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["components"]))' \
  "$out/alcance-desktop_${version}_${target}.cdx.json")
echo "installers:"
ls -l target/dist/bundle/deb/*.deb target/dist/bundle/rpm/*.rpm 2>/dev/null || true
echo "SBOM: $out/alcance-desktop_${version}_${target}.cdx.json ($components components)"
