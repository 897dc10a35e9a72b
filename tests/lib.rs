//! Shared helpers for Alcance's end-to-end tests.

use alcance_app::{Workspace, WorkspaceOptions};
use alcance_core::Platform;
use alcance_platforms::oauth::HeadlessBrowser;
use alcance_platforms::vault::MemoryVault;
use alcance_platforms::Endpoints;
use alcance_sandbox::{Mode, Sandbox, SandboxConfig};
use std::path::Path;
use std::time::Duration;

/// Starts a seeded sandbox on 127.0.0.1 (seed 42).
pub async fn seeded_sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        mode: Mode::Seeded { seed: 42 },
        bind: "127.0.0.1:0".parse().expect("loopback"),
    })
    .await
    .expect("sandbox starts")
}

/// Opens a workspace in `dir` against `sandbox`, with an in-memory vault, and connects the
/// sandbox's X and Instagram accounts through the real OAuth flow (headless browser).
pub async fn connected_workspace(dir: &Path, sandbox: &Sandbox) -> Workspace {
    let ws = Workspace::open(
        dir,
        WorkspaceOptions {
            endpoints: Endpoints::sandbox(&sandbox.base_url()),
            vault: Box::new(MemoryVault::new()),
        },
    )
    .await
    .expect("workspace opens");
    for platform in [Platform::X, Platform::Instagram] {
        ws.connect(
            &alcance_app::demo::demo_app(platform),
            &HeadlessBrowser::new(),
            Duration::from_secs(20),
        )
        .await
        .expect("OAuth against the sandbox");
    }
    ws
}

/// Arms a sandbox fault (`POST /__alcance/faults`).
pub async fn arm_fault(sandbox: &Sandbox, path_prefix: &str, kind: &str, times: u32) {
    let url = sandbox.base_url().join("__alcance/faults").expect("url");
    reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({ "path_prefix": path_prefix, "kind": kind, "times": times }))
        .send()
        .await
        .expect("fault endpoint")
        .error_for_status()
        .expect("fault accepted");
}

/// Disarms every sandbox fault.
pub async fn clear_faults(sandbox: &Sandbox) {
    let url = sandbox.base_url().join("__alcance/faults").expect("url");
    reqwest::Client::new().delete(url).send().await.expect("fault endpoint");
}

/// Sets the seeded sandbox's clock.
pub async fn set_clock(sandbox: &Sandbox, now: chrono::DateTime<chrono::Utc>) {
    let url = sandbox.base_url().join("__alcance/clock").expect("url");
    reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({ "now": now.to_rfc3339() }))
        .send()
        .await
        .expect("clock endpoint")
        .error_for_status()
        .expect("clock accepted");
}
