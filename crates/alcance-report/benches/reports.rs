//! Export and chart speed: 1,000,000 account metric rows to CSV and to XLSX, and a
//! 10,000-point line chart to SVG and PNG. A plain binary (`harness = false`) that prints a
//! Markdown table for docs/PERFORMANCE.md:
//!
//! ```sh
//! cargo bench -p alcance-report --bench reports
//! ```
//!
//! `ALCANCE_BENCH_ROWS` changes the row count (default 1,000,000). Files go to a temporary
//! folder that is removed at the end. Peak memory is the process's `VmHWM` (Linux only).

use alcance_core::{AccountMetricRow, Period, Platform};
use alcance_report::chart::{render_png, render_svg, LineChart, Series};
use alcance_report::export::{write_account_csv, write_xlsx, AccountInfo, ExportBundle};
use chrono::{Duration, TimeZone, Utc};
use std::io::BufWriter;
use std::time::Instant;

/// The process's peak resident memory, MiB (Linux `VmHWM`); `None` elsewhere.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// `rows` rows: 100 accounts × 10 metrics × days, values that look like counts.
fn rows(n: usize) -> Vec<AccountMetricRow> {
    const METRICS: [&str; 10] = [
        "followers",
        "reach",
        "views",
        "impressions",
        "profile_views",
        "link_clicks",
        "followers_gained",
        "total_interactions",
        "accounts_engaged",
        "video_views",
    ];
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().unwrap_or_default();
    (0..n)
        .map(|i| {
            let account = i % 100;
            let metric = (i / 100) % METRICS.len();
            let day = (i / 1000) as i64;
            let at = start + Duration::days(day);
            let snapshot = METRICS[metric] == "followers";
            AccountMetricRow {
                user_id: format!("1784140000000{account:04}"),
                username: Some(format!("account_{account}")),
                platform: if account % 2 == 0 {
                    Platform::Instagram
                } else {
                    Platform::X
                },
                metric_type: METRICS[metric].to_string(),
                period: if snapshot { Period::Snapshot } else { Period::Day },
                // Every 97th value is "no data" (an empty cell), as platforms serve.
                value: (i % 97 != 0).then(|| ((i * 7919) % 100_000) as f64),
                collected_at: at + Duration::hours(13),
                period_start: at,
                period_end: if snapshot { at } else { at + Duration::days(1) },
            }
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::var("ALCANCE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let mut results: Vec<(String, f64, String)> = Vec::new();

    let t = Instant::now();
    let data = rows(n);
    results.push((
        format!("generate {n} rows in memory"),
        t.elapsed().as_secs_f64(),
        String::new(),
    ));
    let after_rows = peak_rss_mib();

    // CSV: the account long format, through a 1 MiB buffer to a file.
    let csv_path = dir.path().join("account_metrics.csv");
    let t = Instant::now();
    let file = std::fs::File::create(&csv_path)?;
    let written = write_account_csv(&data, BufWriter::with_capacity(1 << 20, file))?;
    let csv_secs = t.elapsed().as_secs_f64();
    let csv_size = std::fs::metadata(&csv_path)?.len();
    results.push((
        format!("CSV export, {written} rows"),
        csv_secs,
        format!(
            "{:.1} MiB, {:.0} rows/s",
            mib(csv_size),
            written as f64 / csv_secs.max(1e-9)
        ),
    ));

    // XLSX: the same rows as the "Account metrics" sheet (constant-memory mode).
    let bundle = ExportBundle {
        generated_at: Utc::now(),
        accounts: (0..100)
            .map(|a| AccountInfo {
                platform: if a % 2 == 0 { Platform::Instagram } else { Platform::X },
                user_id: format!("1784140000000{a:04}"),
                username: Some(format!("account_{a}")),
                display_name: None,
                owned: true,
                status: "active".into(),
            })
            .collect(),
        account_metrics: data,
        post_metrics: Vec::new(),
        posts: Vec::new(),
        audience: Vec::new(),
    };
    let before_xlsx = peak_rss_mib();
    let xlsx_path = dir.path().join("export.xlsx");
    let t = Instant::now();
    write_xlsx(&bundle, &xlsx_path)?;
    let xlsx_secs = t.elapsed().as_secs_f64();
    let xlsx_size = std::fs::metadata(&xlsx_path)?.len();
    results.push((
        format!("XLSX export, {n} rows"),
        xlsx_secs,
        format!(
            "{:.1} MiB, {:.0} rows/s",
            mib(xlsx_size),
            n as f64 / xlsx_secs.max(1e-9)
        ),
    ));
    let after_xlsx = peak_rss_mib();
    drop(bundle);

    // A 10,000-point line chart (one series, one point an hour), best of 5.
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single().unwrap_or_default();
    let chart = LineChart {
        title: "10,000 points".into(),
        y_label: "Followers".into(),
        series: vec![Series {
            label: "@bench (Instagram)".into(),
            points: (0..10_000)
                .map(|i| {
                    let x = f64::from(i);
                    (
                        start + Duration::hours(i64::from(i)),
                        50_000.0 + x * 3.0 + (x / 24.0).sin() * 400.0,
                    )
                })
                .collect(),
        }],
        width: 1200,
        height: 600,
    };
    let best = |f: &dyn Fn() -> Result<usize, alcance_report::ReportError>| -> Result<(f64, usize), Box<dyn std::error::Error>> {
        let mut best = f64::INFINITY;
        let mut size = 0;
        for _ in 0..5 {
            let t = Instant::now();
            size = f()?;
            best = best.min(t.elapsed().as_secs_f64());
        }
        Ok((best, size))
    };
    let (svg_secs, svg_size) = best(&|| render_svg(&chart).map(|s| s.len()))?;
    results.push((
        "line chart, 10,000 points → SVG 1200×600".into(),
        svg_secs,
        format!("{:.2} MiB (best of 5)", mib(svg_size as u64)),
    ));
    let (png_secs, png_size) = best(&|| render_png(&chart).map(|p| p.len()))?;
    results.push((
        "line chart, 10,000 points → PNG 1200×600".into(),
        png_secs,
        format!("{:.0} KiB (best of 5)", png_size as f64 / 1024.0),
    ));

    println!("| step | time | notes |");
    println!("|---|---:|---|");
    for (step, secs, notes) in &results {
        let time = if *secs >= 1.0 {
            format!("{secs:.2} s")
        } else {
            format!("{:.1} ms", secs * 1000.0)
        };
        println!("| {step} | {time} | {notes} |");
    }
    if let (Some(a), Some(b), Some(c)) = (after_rows, before_xlsx, after_xlsx) {
        println!();
        println!(
            "Peak RSS: {a:.0} MiB after generating the rows, {b:.0} MiB after the CSV export, {c:.0} MiB after the XLSX export."
        );
    }
    Ok(())
}
