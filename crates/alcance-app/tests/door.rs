//! `alcance-app` is the only door: the desktop shell (`alcance-desktop`) and the CLI
//! (`alcance-cli`) depend on it and on no other crate of the workspace, as `cargo metadata`
//! reports their `[dependencies]` and `[dev-dependencies]`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use std::collections::BTreeSet;
use std::process::Command;

/// The adapters: they reach the workspace crates only through `alcance-app`.
const ADAPTERS: [&str; 2] = ["alcance-desktop", "alcance-cli"];

#[test]
fn the_shell_and_the_cli_depend_on_alcance_app_alone() {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml");
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
            "--manifest-path",
            manifest,
        ])
        .output()
        .unwrap_or_else(|e| panic!("running cargo metadata: {e}"));
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("reading cargo metadata: {e}"));
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    let workspace: BTreeSet<String> = packages
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    assert!(workspace.contains("alcance-app"), "{workspace:?}");
    for adapter in ADAPTERS {
        let package = packages
            .iter()
            .find(|p| p["name"] == adapter)
            .unwrap_or_else(|| panic!("{adapter} is not in the workspace"));
        let reached: BTreeSet<String> = package["dependencies"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|d| d["name"].as_str())
            .filter(|name| workspace.contains(*name))
            .map(str::to_string)
            .collect();
        assert_eq!(
            reached,
            BTreeSet::from(["alcance-app".to_string()]),
            "{adapter} must reach the workspace crates through alcance-app only"
        );
    }
}
