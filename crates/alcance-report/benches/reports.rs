//! Export and chart speed: 1,000,000 account metric rows to CSV and to XLSX, streamed from
//! a source that makes them page by page (as the app's database reader hands them over),
//! the peak memory of each export at two row counts, and a 10,000-point line chart to SVG
//! and PNG. A plain binary (`harness = false`) that prints a Markdown table for
//! docs/PERFORMANCE.md:
//!
//! ```sh
//! cargo bench -p alcance-report --bench reports
//! ```
//!
//! `ALCANCE_BENCH_ROWS` changes the row count (default 1,000,000); the memory check also
//! runs a tenth of it. Files go to a temporary folder that is removed at the end. Peak
//! memory is `VmHWM` (Linux only) of a child process (this binary again, with
//! `ALCANCE_BENCH_CHILD=csv|xlsx:ROWS`) that writes one export and nothing else.

use alcance_core::{AccountMetricRow, Period, Platform, PostMetricRow};
use alcance_report::chart::{render_png, render_svg, LineChart, Series};
use alcance_report::export::{
    one_page, write_account_csv_pages, write_xlsx_from, write_xlsx_sequential, AccountInfo, AudienceInfo, ExportSource,
    Pages, PostInfo,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::borrow::Cow;
use std::io::BufWriter;
use std::time::Instant;

/// The process's peak resident memory, MiB (Linux `VmHWM`); `None` elsewhere.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Writes one export of `rows` rows (`csv` or `xlsx`) into `dir` and prints the peak
/// resident memory, MiB (the child process of the memory check).
fn child(what: &str, rows: usize, dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let source = Generated::new(rows);
    if what == "csv" {
        let file = std::fs::File::create(dir.join("account_metrics.csv"))?;
        write_account_csv_pages(source.account_metrics(), BufWriter::with_capacity(1 << 20, file))?;
    } else {
        write_xlsx_from(&source, &dir.join("export.xlsx"))?;
    }
    println!("{}", peak_rss_mib().unwrap_or(f64::NAN));
    Ok(())
}

/// The peak resident memory of a child process writing one export, MiB.
fn child_peak(what: &str, rows: usize) -> Option<f64> {
    let out = std::process::Command::new(std::env::current_exe().ok()?)
        .env("ALCANCE_BENCH_CHILD", format!("{what}:{rows}"))
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Rows per page handed to the writers (the app's database reader uses 4,096).
const PAGE_ROWS: usize = 4096;

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

/// Row `i` of the bench: 100 accounts × 10 metrics × days, values that look like counts.
fn row(i: usize, start: DateTime<Utc>) -> AccountMetricRow {
    let account = i % 100;
    let metric = (i / 100) % METRICS.len();
    let day = (i / 1000) as i64;
    let at = start + Duration::days(day);
    let snapshot = METRICS[metric] == "followers";
    AccountMetricRow {
        user_id: format!("1784140000000{account:04}"),
        username: Some(format!("account_{account}")),
        platform: if account.is_multiple_of(2) {
            Platform::Instagram
        } else {
            Platform::X
        },
        metric_type: METRICS[metric].to_string(),
        period: if snapshot { Period::Snapshot } else { Period::Day },
        // Every 97th value is "no data" (an empty cell), as platforms serve.
        value: (!i.is_multiple_of(97)).then(|| ((i * 7919) % 100_000) as f64),
        collected_at: at + Duration::hours(13),
        period_start: at,
        period_end: if snapshot { at } else { at + Duration::days(1) },
    }
}

/// `rows` account metric rows made page by page as the writer asks for them (nothing
/// else in the export but the accounts and the catalog).
struct Generated {
    rows: usize,
    /// Post metric rows (0 but in the two-sheet comparison).
    post_rows: usize,
    accounts: Vec<AccountInfo>,
    generated_at: DateTime<Utc>,
}

impl Generated {
    fn new(rows: usize) -> Generated {
        Generated {
            rows,
            post_rows: 0,
            accounts: (0..100_u32)
                .map(|a| AccountInfo {
                    platform: if a.is_multiple_of(2) {
                        Platform::Instagram
                    } else {
                        Platform::X
                    },
                    user_id: format!("1784140000000{a:04}"),
                    username: Some(format!("account_{a}")),
                    display_name: None,
                    owned: true,
                    status: "active".into(),
                })
                .collect(),
            generated_at: Utc::now(),
        }
    }
}

impl ExportSource for Generated {
    fn generated_at(&self) -> DateTime<Utc> {
        self.generated_at
    }

    fn accounts(&self) -> Pages<'_, AccountInfo> {
        one_page(&self.accounts)
    }

    /// Made on a thread of their own and handed over through a channel of two pages, as
    /// the app's database reader does.
    fn account_metrics(&self) -> Pages<'_, AccountMetricRow> {
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().unwrap_or_default();
        let rows = self.rows;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<AccountMetricRow>>(2);
        std::thread::spawn(move || {
            for first in (0..rows).step_by(PAGE_ROWS) {
                let page = (first..(first + PAGE_ROWS).min(rows)).map(|i| row(i, start)).collect();
                if tx.send(page).is_err() {
                    return;
                }
            }
        });
        Box::new(rx.into_iter().map(|page| Ok(Cow::Owned(page))))
    }

    fn post_metrics(&self) -> Pages<'_, PostMetricRow> {
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().unwrap_or_default();
        let rows = self.post_rows;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<PostMetricRow>>(2);
        std::thread::spawn(move || {
            for first in (0..rows).step_by(PAGE_ROWS) {
                let page = (first..(first + PAGE_ROWS).min(rows))
                    .map(|i| {
                        let r = row(i, start);
                        PostMetricRow {
                            user_id: r.user_id,
                            platform: r.platform,
                            post_id: format!("1790000000{:08}", i / 10),
                            content_type: "reel".to_string(),
                            published_at: Some(r.period_start),
                            metric_type: r.metric_type,
                            value: r.value,
                            collected_at: r.collected_at,
                        }
                    })
                    .collect();
                if tx.send(page).is_err() {
                    return;
                }
            }
        });
        Box::new(rx.into_iter().map(|page| Ok(Cow::Owned(page))))
    }

    fn posts(&self) -> Pages<'_, PostInfo> {
        Box::new(std::iter::empty())
    }

    fn audience(&self) -> Pages<'_, AudienceInfo> {
        Box::new(std::iter::empty())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::var("ALCANCE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    if let Ok(job) = std::env::var("ALCANCE_BENCH_CHILD") {
        let (what, rows) = job.split_once(':').ok_or("ALCANCE_BENCH_CHILD is csv|xlsx:ROWS")?;
        return child(what, rows.parse()?, dir.path());
    }
    let mut results: Vec<(String, f64, String)> = Vec::new();
    let mut memory: Vec<(String, Option<f64>)> = Vec::new();
    let start_rss = peak_rss_mib();

    // Making the rows alone (what both exports below include).
    let t = Instant::now();
    let made: usize = Generated::new(n)
        .account_metrics()
        .map(|p| p.map(|p| p.len()).unwrap_or(0))
        .sum();
    results.push((
        format!("make {made} rows, page by page (included below)"),
        t.elapsed().as_secs_f64(),
        String::new(),
    ));

    for rows in [n / 10, n] {
        let source = Generated::new(rows);

        // CSV: the account long format, through a 1 MiB buffer to a file.
        let csv_path = dir.path().join("account_metrics.csv");
        let t = Instant::now();
        let file = std::fs::File::create(&csv_path)?;
        let written = write_account_csv_pages(source.account_metrics(), BufWriter::with_capacity(1 << 20, file))?;
        let csv_secs = t.elapsed().as_secs_f64();
        memory.push((format!("CSV export, {rows} rows"), child_peak("csv", rows)));
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
        let xlsx_path = dir.path().join("export.xlsx");
        let t = Instant::now();
        write_xlsx_from(&source, &xlsx_path)?;
        let xlsx_secs = t.elapsed().as_secs_f64();
        memory.push((format!("XLSX export, {rows} rows"), child_peak("xlsx", rows)));
        let xlsx_size = std::fs::metadata(&xlsx_path)?.len();
        results.push((
            format!("XLSX export, {rows} rows"),
            xlsx_secs,
            format!(
                "{:.1} MiB, {:.0} rows/s",
                mib(xlsx_size),
                rows as f64 / xlsx_secs.max(1e-9)
            ),
        ));
    }

    // Two big sheets (half the rows each): written in parallel, and one after the other.
    let two = Generated {
        rows: n / 2,
        post_rows: n - n / 2,
        ..Generated::new(0)
    };
    for (how, parallel) in [("in parallel", true), ("one after the other", false)] {
        let path = dir.path().join("two.xlsx");
        let t = Instant::now();
        if parallel {
            write_xlsx_from(&two, &path)?;
        } else {
            write_xlsx_sequential(&two, &path)?;
        }
        let secs = t.elapsed().as_secs_f64();
        results.push((
            format!(
                "XLSX export, {} account + {} post metric rows, sheets {how}",
                n / 2,
                n - n / 2
            ),
            secs,
            format!(
                "{:.1} MiB, {:.0} rows/s",
                mib(std::fs::metadata(&path)?.len()),
                n as f64 / secs.max(1e-9)
            ),
        ));
    }

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
    println!();
    if let Some(rss) = start_rss {
        println!("Resident memory before the exports: {rss:.0} MiB.");
    }
    println!("| export (a process of its own) | peak RSS (`VmHWM`) |");
    println!("|---|---:|");
    for (what, rss) in &memory {
        let rss = rss.map_or_else(|| "n/a".to_string(), |r| format!("{r:.1} MiB"));
        println!("| {what} | {rss} |");
    }
    Ok(())
}
