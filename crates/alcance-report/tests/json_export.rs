//! The JSON bundle: shape, round trip, refusal of foreign input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

mod common;

use alcance_core::CATALOG;
use alcance_report::export::{read_json, write_json, SCHEMA_VERSION};
use alcance_report::ReportError;
use common::bundle;
use serde_json::Value;

#[test]
fn json_round_trips() {
    let b = bundle();
    let mut out = Vec::new();
    write_json(&b, &mut out).expect("json");
    assert_eq!(out.last(), Some(&b'\n'));
    let back = read_json(out.as_slice()).expect("read back");
    assert_eq!(back, b);
}

#[test]
fn json_has_the_documented_shape() {
    let b = bundle();
    let mut out = Vec::new();
    write_json(&b, &mut out).expect("json");
    let text = String::from_utf8(out).expect("utf-8");
    let keys = [
        "\"generated_at\"",
        "\"schema_version\"",
        "\"accounts\"",
        "\"account_metrics\"",
        "\"post_metrics\"",
        "\"posts\"",
        "\"audience\"",
        "\"metric_catalog\"",
    ];
    let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap_or(usize::MAX)).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "top-level keys out of order: {positions:?}"
    );

    let v: Value = serde_json::from_str(&text).expect("valid json");
    assert_eq!(v["generated_at"], "2026-03-02T09:15:00Z");
    assert_eq!(v["schema_version"], SCHEMA_VERSION);
    assert_eq!(v["accounts"][0]["platform"], "x");
    assert_eq!(v["accounts"][1]["status"], "needs_reauth");
    assert_eq!(v["account_metrics"][0]["value"], 1_234_567.0);
    assert_eq!(v["account_metrics"][0]["period"], "snapshot");
    assert!(v["account_metrics"][2]["value"].is_null(), "None must be null, not 0");
    assert!(v["post_metrics"][0]["published_at"].is_null());
    assert_eq!(v["audience"][0]["key"], "18-24,F");
    let catalog = v["metric_catalog"].as_array().expect("catalog array");
    assert_eq!(catalog.len(), CATALOG.len());
    let followers = catalog
        .iter()
        .find(|m| m["key"] == "followers")
        .expect("followers in catalog");
    assert_eq!(followers["unit"], "count");
    assert!(followers["sources"].as_array().is_some_and(|s| !s.is_empty()));
}

#[test]
fn nan_values_become_null() {
    let mut b = bundle();
    b.account_metrics[0].value = Some(f64::NAN);
    let mut out = Vec::new();
    write_json(&b, &mut out).expect("json");
    let v: Value = serde_json::from_slice(&out).expect("valid json");
    assert!(v["account_metrics"][0]["value"].is_null());
}

#[test]
fn foreign_or_broken_input_is_a_json_error() {
    let b = bundle();
    let mut out = Vec::new();
    write_json(&b, &mut out).expect("json");
    let text = String::from_utf8(out).expect("utf-8");

    let newer = text.replacen("\"schema_version\":1", "\"schema_version\":2", 1);
    let err = read_json(newer.as_bytes()).expect_err("schema 2 refused");
    assert!(matches!(err, ReportError::Json(_)), "{err:?}");
    assert!(err.to_string().contains("schema_version 2"), "{err}");

    let truncated = &text[..text.len() / 2];
    assert!(matches!(read_json(truncated.as_bytes()), Err(ReportError::Json(_))));
    let html = "<html><body>502 Bad Gateway</body></html>";
    assert!(matches!(read_json(html.as_bytes()), Err(ReportError::Json(_))));
    assert!(matches!(read_json("{}".as_bytes()), Err(ReportError::Json(_))));
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_reported_as_such() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: /dev/full is not available");
        return;
    };
    let err = write_json(&bundle(), full).expect_err("must fail");
    assert!(matches!(err, ReportError::DiskFull { .. }), "{err:?}");
}
