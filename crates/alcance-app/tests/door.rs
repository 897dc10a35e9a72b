//! `alcance-app` is the only door: the desktop shell (`alcance-desktop`), the server
//! (`alcance-server`) and the CLI (`alcance-cli`) depend on it and on no other crate of the
//! workspace below it, as `cargo metadata` reports their `[dependencies]` and
//! `[dev-dependencies]`. The CLI also runs the server (`alcance serve`), another adapter.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use std::collections::BTreeSet;
use std::process::Command;

/// The adapters and the workspace crates each may depend on: `alcance-app`, and for the CLI
/// also the server it runs as `alcance serve`; the desktop runs it as its local API.
const ADAPTERS: [(&str, &[&str]); 3] = [
    ("alcance-desktop", &["alcance-app", "alcance-server"]),
    ("alcance-server", &["alcance-app"]),
    ("alcance-cli", &["alcance-app", "alcance-server"]),
];

#[test]
fn the_shell_the_server_and_the_cli_depend_on_alcance_app_alone() {
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
    for (adapter, allowed) in ADAPTERS {
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
            allowed
                .iter()
                .map(|name| name.to_string())
                .collect::<BTreeSet<String>>(),
            "{adapter} must reach the workspace crates through alcance-app only"
        );
    }
}
