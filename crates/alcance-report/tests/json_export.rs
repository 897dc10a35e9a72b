//! The JSON bundle: shape, round trip, refusal of foreign input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;

use alcance_core::CATALOG;
use alcance_core::{AccountMetricRow, Metric, PostMetricRow};
use alcance_report::export::{
    read_json, write_json, write_json_from, AccountInfo, AudienceInfo, ExportCounts, ExportSource, Pages, PostInfo,
    SCHEMA_VERSION,
};
use alcance_report::ReportError;
use chrono::{DateTime, Utc};
use common::{bundle, Paged};
use serde::Serialize;
use serde_json::Value;

/// The document as the writer built it before it streamed: one struct serialized at once.
fn written_at_once(b: &alcance_report::export::ExportBundle) -> Vec<u8> {
    #[derive(Serialize)]
    struct JsonOut<'a> {
        generated_at: &'a DateTime<Utc>,
        schema_version: u32,
        accounts: &'a [AccountInfo],
        account_metrics: &'a [AccountMetricRow],
        post_metrics: &'a [PostMetricRow],
        posts: &'a [PostInfo],
        audience: &'a [AudienceInfo],
        metric_catalog: &'static [Metric],
    }
    let mut out = serde_json::to_vec(&JsonOut {
        generated_at: &b.generated_at,
        schema_version: SCHEMA_VERSION,
        accounts: &b.accounts,
        account_metrics: &b.account_metrics,
        post_metrics: &b.post_metrics,
        posts: &b.posts,
        audience: &b.audience,
        metric_catalog: alcance_core::CATALOG,
    })
    .expect("serialize");
    out.push(b'\n');
    out
}

#[test]
fn streamed_json_is_the_document_written_at_once_whatever_the_pages() {
    let mut b = bundle();
    b.account_metrics[1].value = Some(f64::INFINITY);
    let expected = written_at_once(&b);
    let mut out = Vec::new();
    write_json(&b, &mut out).expect("json");
    assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&expected));
    for rows in [1, 2, 3, 1000] {
        let mut out = Vec::new();
        let counts = write_json_from(&Paged(b.clone(), rows), &mut out).expect("json");
        assert_eq!(out, expected, "{rows} rows a page");
        assert_eq!(
            counts,
            ExportCounts {
                accounts: b.accounts.len(),
                account_metrics: b.account_metrics.len(),
                post_metrics: b.post_metrics.len(),
                posts: b.posts.len(),
                audience: b.audience.len(),
            }
        );
    }
    // Empty tables are empty arrays.
    let empty = alcance_report::export::ExportBundle {
        accounts: vec![],
        account_metrics: vec![],
        post_metrics: vec![],
        posts: vec![],
        audience: vec![],
        ..b
    };
    let mut out = Vec::new();
    write_json_from(&Paged(empty.clone(), 2), &mut out).expect("json");
    assert_eq!(out, written_at_once(&empty));
}

/// A source whose post metrics fail after a first page, as a database read can.
struct Failing(alcance_report::export::ExportBundle);

impl ExportSource for Failing {
    fn generated_at(&self) -> DateTime<Utc> {
        self.0.generated_at
    }
    fn accounts(&self) -> Pages<'_, AccountInfo> {
        self.0.accounts()
    }
    fn account_metrics(&self) -> Pages<'_, AccountMetricRow> {
        self.0.account_metrics()
    }
    fn post_metrics(&self) -> Pages<'_, PostMetricRow> {
        Box::new(
            self.0
                .post_metrics()
                .chain(std::iter::once(Err(ReportError::Source("connection reset".into())))),
        )
    }
    fn posts(&self) -> Pages<'_, PostInfo> {
        self.0.posts()
    }
    fn audience(&self) -> Pages<'_, AudienceInfo> {
        self.0.audience()
    }
}

#[test]
fn a_failing_source_fails_the_export() {
    let mut out = Vec::new();
    let err = write_json_from(&Failing(bundle()), &mut out).expect_err("must fail");
    assert!(
        matches!(err, ReportError::Source(ref m) if m == "connection reset"),
        "{err:?}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.xlsx");
    let err = alcance_report::export::write_xlsx_from(&Failing(bundle()), &path).expect_err("must fail");
    assert!(matches!(err, ReportError::Source(_)), "{err:?}");
    assert!(!path.exists(), "no half file");
    assert_eq!(
        std::fs::read_dir(dir.path()).map(Iterator::count).unwrap_or(9),
        0,
        "nothing left"
    );
}

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
