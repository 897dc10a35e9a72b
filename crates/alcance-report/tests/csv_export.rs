//! The CSV long formats: exact headers and cell formats.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;

use alcance_core::{Period, Platform};
use alcance_report::export::{write_account_csv, write_post_csv};
use alcance_report::ReportError;
use common::{account_row, bundle, post_row, t};
use std::io::{self, Write};

#[test]
fn account_csv_has_the_exact_header_and_cells() {
    let b = bundle();
    let mut out = Vec::new();
    let n = write_account_csv(&b.account_metrics, &mut out).expect("csv");
    assert_eq!(n, 3);
    let text = String::from_utf8(out).expect("utf-8");
    let expected = "\
user_id,platform,metric_type,value,collected_at,period_start,period_end
2244994945,x,followers,1234567,2026-03-02T06:00:00Z,2026-03-02T06:00:00Z,2026-03-02T06:00:00Z
17841400000000001,instagram,reach,5321,2026-03-02T06:00:00Z,2026-03-01T00:00:00Z,2026-03-02T00:00:00Z
17841400000000001,instagram,views,,2026-03-02T06:00:00Z,2026-03-01T00:00:00Z,2026-03-02T00:00:00Z
";
    assert_eq!(text, expected);
}

#[test]
fn post_csv_has_the_exact_header_and_cells() {
    let b = bundle();
    let mut out = Vec::new();
    let n = write_post_csv(&b.post_metrics, &mut out).expect("csv");
    assert_eq!(n, 2);
    let text = String::from_utf8(out).expect("utf-8");
    let expected = "\
user_id,platform,post_id,published_at,metric_type,value,collected_at
2244994945,x,1900000000000000003,,likes,1204,2026-03-02T06:00:00Z
17841400000000001,instagram,18000000000000002,2026-03-01T07:30:00Z,watch_time_avg_seconds,7.25,2026-03-02T06:00:00Z
";
    assert_eq!(text, expected);
}

#[test]
fn empty_exports_are_just_the_header() {
    let mut out = Vec::new();
    assert_eq!(write_account_csv(&[], &mut out).expect("csv"), 0);
    assert_eq!(
        out,
        b"user_id,platform,metric_type,value,collected_at,period_start,period_end\n"
    );
    let mut out = Vec::new();
    assert_eq!(write_post_csv(&[], &mut out).expect("csv"), 0);
    assert_eq!(
        out,
        b"user_id,platform,post_id,published_at,metric_type,value,collected_at\n"
    );
}

#[test]
fn odd_values_never_break_the_format() {
    let mut nan = post_row(Platform::X, "1", "p,1", "likes", Some(f64::NAN), t(3, 0, 0));
    nan.user_id = "id \"quoted\"".to_string();
    let rows = vec![
        nan,
        post_row(Platform::X, "1", "p2", "likes", Some(f64::INFINITY), t(3, 0, 0)),
        post_row(Platform::X, "1", "p3", "likes", Some(-0.0), t(3, 0, 0)),
        post_row(Platform::X, "1", "p4", "reels_skip_rate", Some(0.1), t(3, 0, 0)),
        post_row(Platform::X, "1", "p5", "likes", Some(1e16), t(3, 0, 0)),
    ];
    let mut out = Vec::new();
    write_post_csv(&rows, &mut out).expect("csv");
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let values: Vec<(String, String, String)> = reader
        .records()
        .map(|r| {
            let r = r.expect("valid csv");
            (r[0].to_string(), r[2].to_string(), r[5].to_string())
        })
        .collect();
    assert_eq!(
        values,
        vec![
            ("id \"quoted\"".to_string(), "p,1".to_string(), String::new()),
            ("1".to_string(), "p2".to_string(), String::new()),
            ("1".to_string(), "p3".to_string(), "0".to_string()),
            ("1".to_string(), "p4".to_string(), "0.1".to_string()),
            ("1".to_string(), "p5".to_string(), "10000000000000000".to_string()),
        ]
    );
}

#[test]
fn subsecond_times_are_written_in_whole_seconds_with_z() {
    let at = t(4, 12, 0) + chrono::Duration::milliseconds(987);
    let rows = vec![account_row(
        Platform::Tiktok,
        "u",
        None,
        "followers",
        Period::Snapshot,
        Some(3.0),
        at,
    )];
    let mut out = Vec::new();
    write_account_csv(&rows, &mut out).expect("csv");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(
        text.ends_with("u,tiktok,followers,3,2026-03-04T12:00:00Z,2026-03-04T12:00:00Z,2026-03-04T12:00:00Z\n"),
        "{text}"
    );
}

/// A writer that fails like a broken pipe after a few bytes.
struct Broken(usize);

impl Write for Broken {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.0 == 0 {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "pipe closed"));
        }
        let n = buf.len().min(self.0);
        self.0 -= n;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_writer_is_an_io_error() {
    let b = bundle();
    let err = write_account_csv(&b.account_metrics, Broken(10)).expect_err("must fail");
    assert!(matches!(err, ReportError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("account metrics CSV"), "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_reported_as_such() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: /dev/full is not available");
        return;
    };
    let b = bundle();
    let err = write_post_csv(&b.post_metrics, full).expect_err("must fail");
    assert!(matches!(err, ReportError::DiskFull { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("disk full while writing the post metrics CSV"),
        "{err}"
    );
}

#[test]
fn paged_rows_write_the_same_csv() {
    use alcance_report::export::{ExportPart, ExportSource};
    let b = common::bundle();
    let mut whole = Vec::new();
    write_account_csv(&b.account_metrics, &mut whole).expect("csv");
    let mut whole_posts = Vec::new();
    write_post_csv(&b.post_metrics, &mut whole_posts).expect("csv");
    for rows in [1, 2, 5] {
        let paged = common::Paged(b.clone(), rows);
        let mut out = Vec::new();
        let counts = ExportPart::AccountCsv.write_to(&paged, &mut out).expect("csv");
        assert_eq!(out, whole, "{rows} rows a page");
        assert_eq!(counts.account_metrics, b.account_metrics.len());
        let mut out = Vec::new();
        let counts = ExportPart::PostCsv.write_to(&paged, &mut out).expect("csv");
        assert_eq!(out, whole_posts, "{rows} rows a page");
        assert_eq!(counts.post_metrics, b.post_metrics.len());
        assert_eq!(paged.accounts().count(), b.accounts.len().div_ceil(rows));
    }
}
