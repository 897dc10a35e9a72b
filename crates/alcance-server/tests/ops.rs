//! The monitoring files in `ops/`: the Prometheus alert rules pass `promtool check rules`
//! and their unit tests (`promtool test rules`), and the alerts and the Grafana dashboard
//! name only metrics the process exports (`alcance_app::telemetry::METRICS`), the dashboard
//! every one of them.
//!
//! `promtool` comes with the Debian package `prometheus` (scripts/setup.sh installs it).
//! Without it the promtool checks are skipped, except under CI (`CI=true`), where they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::telemetry::METRICS;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn ops() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ops")
}

/// `true` when `promtool` runs; `false` (skip) without it, a failure under CI.
fn promtool_present() -> bool {
    if Command::new("promtool")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "promtool is missing under CI: install the Debian package prometheus (scripts/setup.sh)"
    );
    eprintln!("promtool is missing (Debian package prometheus): skipped");
    false
}

fn promtool(args: &[&str]) {
    let output = Command::new("promtool")
        .args(args)
        .current_dir(ops().join("prometheus"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "promtool {args:?}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_alert_rules_pass_promtool_and_their_unit_tests() {
    if !promtool_present() {
        return;
    }
    promtool(&["check", "rules", "alerts.yml"]);
    promtool(&["test", "rules", "alerts.test.yml"]);
}

/// Every `alcance_*` name in `text`, without the histogram suffixes.
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("alcance_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let base = ["_bucket", "_count", "_sum"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(name);
        names.insert(base.to_string());
        rest = &tail[end..];
    }
    names
}

#[test]
fn the_alerts_and_the_dashboard_name_exported_metrics() {
    let known: BTreeSet<String> = METRICS.iter().map(|m| m.to_string()).collect();
    let alerts = std::fs::read_to_string(ops().join("prometheus/alerts.yml")).unwrap();
    let in_alerts = metric_names(&alerts);
    assert!(
        in_alerts.is_subset(&known),
        "unknown: {:?}",
        in_alerts.difference(&known)
    );

    let dashboard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ops().join("grafana/alcance-dashboard.json")).unwrap()).unwrap();
    let mut in_dashboard = BTreeSet::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        assert!(panel["title"].as_str().is_some_and(|t| !t.is_empty()), "{panel}");
        for target in panel["targets"].as_array().unwrap() {
            in_dashboard.extend(metric_names(target["expr"].as_str().unwrap()));
        }
    }
    assert!(
        in_dashboard.is_subset(&known),
        "unknown: {:?}",
        in_dashboard.difference(&known)
    );
    assert_eq!(in_dashboard, known, "every exported metric has a panel");
}
