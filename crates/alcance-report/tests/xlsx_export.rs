//! The XLSX workbook: read back as the zip of XML parts it is.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;

use alcance_core::CATALOG;
use alcance_report::export::write_xlsx;
use alcance_report::ReportError;
use common::bundle;
use std::io::Read;
use std::path::Path;

const SHEETS: [&str; 6] = [
    "Accounts",
    "Account metrics",
    "Post metrics",
    "Posts",
    "Audience",
    "Metrics",
];

fn part(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).expect("open xlsx");
    let mut zip = zip::ZipArchive::new(file).expect("an xlsx is a zip");
    let mut entry = zip.by_name(name).unwrap_or_else(|_| panic!("{name} in the xlsx"));
    let mut text = String::new();
    entry.read_to_string(&mut text).expect("utf-8 xml");
    text
}

/// The XML of one cell (`<c r="F2" ...>...</c>` or `<c r="F2" .../>`), if it exists.
fn cell<'a>(sheet: &'a str, reference: &str) -> Option<&'a str> {
    let start = sheet.find(&format!("<c r=\"{reference}\""))?;
    let rest = &sheet[start..];
    let open_end = rest.find('>')?;
    if rest[..open_end].ends_with('/') {
        return Some(&rest[..=open_end]);
    }
    let end = rest.find("</c>")? + 4;
    Some(&rest[..end])
}

fn attr<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = xml.find(&key)? + key.len();
    let len = xml[start..].find('"')?;
    Some(&xml[start..start + len])
}

/// The number format code of a cell, through styles.xml (built-in ids 2 and 3 resolved).
fn number_format(styles: &str, cell_xml: &str) -> String {
    let s: usize = attr(cell_xml, "s").and_then(|s| s.parse().ok()).unwrap_or(0);
    let xfs_start = styles.find("<cellXfs").expect("cellXfs");
    let xfs = &styles[xfs_start..styles[xfs_start..].find("</cellXfs>").expect("end") + xfs_start];
    let xf = xfs.split("<xf ").nth(s + 1).expect("xf of the cell");
    let id = attr(&format!(" {xf}"), "numFmtId").unwrap_or("0").to_string();
    match id.as_str() {
        "0" => "General".to_string(),
        "2" => "0.00".to_string(),
        "3" => "#,##0".to_string(),
        custom => {
            let key = format!("<numFmt numFmtId=\"{custom}\" formatCode=\"");
            let start = styles.find(&key).expect("custom numFmt") + key.len();
            let len = styles[start..].find('"').expect("end quote");
            styles[start..start + len].to_string()
        }
    }
}

fn value(cell_xml: &str) -> Option<&str> {
    let start = cell_xml.find("<v>")? + 3;
    let len = cell_xml[start..].find("</v>")?;
    Some(&cell_xml[start..start + len])
}

fn write(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("export.xlsx");
    write_xlsx(&bundle(), &path).expect("xlsx");
    path
}

#[test]
fn workbook_has_the_six_sheets_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path());
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(&bytes[..4], b"PK\x03\x04", "zip magic");
    let workbook = part(&path, "xl/workbook.xml");
    let names: Vec<String> = workbook
        .split("<sheet ")
        .skip(1)
        .filter_map(|s| attr(&format!(" {s}"), "name").map(str::to_string))
        .collect();
    assert_eq!(names, SHEETS);
}

#[test]
fn account_metrics_are_typed_cells() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path());
    let sheet = part(&path, "xl/worksheets/sheet2.xml");
    let styles = part(&path, "xl/styles.xml");

    // Header: bold (a non-default style), frozen, filtered.
    assert!(sheet.contains("collected_at (UTC)") && sheet.contains("period_start (UTC)"));
    let header = cell(&sheet, "A1").expect("A1");
    assert!(header.contains(">user_id<"), "{header}");
    assert!(
        attr(header, "s").is_some_and(|s| s != "0"),
        "header has a style: {header}"
    );
    assert!(styles.contains("<b/>"), "a bold font exists");
    assert!(
        sheet.contains("state=\"frozen\"") && sheet.contains("ySplit=\"1\""),
        "frozen header"
    );
    assert!(
        sheet.contains("<autoFilter ref=\"A1:J4\"/>"),
        "autofilter over the table"
    );
    assert!(sheet.contains("<col "), "column widths are set");

    // followers 1,234,567: a number with the count format.
    let followers = cell(&sheet, "F2").expect("F2");
    assert_eq!(value(followers), Some("1234567"));
    assert!(!followers.contains("t=\""), "a number, not text: {followers}");
    assert_eq!(number_format(&styles, followers), "#,##0");
    assert!(cell(&sheet, "G2").is_some_and(|c| c.contains(">count<")));

    // None → no cell at all.
    assert!(cell(&sheet, "F4").is_none(), "a None value is an empty cell");
    assert!(cell(&sheet, "D4").is_some_and(|c| c.contains(">views<")));

    // collected_at 2026-03-02 06:00 UTC → Excel serial 46083.25 with the datetime format.
    let collected = cell(&sheet, "H2").expect("H2");
    assert_eq!(value(collected), Some("46083.25"));
    assert_eq!(number_format(&styles, collected), "yyyy-mm-dd hh:mm");
    // period_start of the reach row: 2026-03-01 00:00.
    assert_eq!(cell(&sheet, "I3").and_then(value), Some("46082"));
}

#[test]
fn post_metrics_use_the_catalog_unit_for_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path());
    let sheet = part(&path, "xl/worksheets/sheet3.xml");
    let styles = part(&path, "xl/styles.xml");
    // Row 2: likes 1204 (count), no published_at.
    assert!(cell(&sheet, "E2").is_none(), "unknown publish time is an empty cell");
    let likes = cell(&sheet, "G2").expect("G2");
    assert_eq!(value(likes), Some("1204"));
    assert_eq!(number_format(&styles, likes), "#,##0");
    // Row 3: watch_time_avg_seconds 7.25 (seconds → 0.00), published 2026-03-01 07:30.
    let watch = cell(&sheet, "G3").expect("G3");
    assert_eq!(value(watch), Some("7.25"));
    assert_eq!(number_format(&styles, watch), "0.00");
    assert_eq!(cell(&sheet, "E3").and_then(value), Some("46082.3125"));
    assert!(sheet.contains("<autoFilter ref=\"A1:I3\"/>"));
}

#[test]
fn text_is_escaped_and_kept_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path());
    let posts = part(&path, "xl/worksheets/sheet4.xml");
    assert!(
        posts.contains("Hello, \"world\"\nsecond line &amp; &lt;b&gt;")
            || posts.contains("Hello, &quot;world&quot;\nsecond line &amp; &lt;b&gt;"),
        "{posts}"
    );
    let accounts = part(&path, "xl/worksheets/sheet1.xml");
    assert!(
        cell(&accounts, "E2").is_some_and(|c| c.contains(">yes<")),
        "owned account"
    );
    assert!(
        cell(&accounts, "E3").is_some_and(|c| c.contains(">no<")),
        "tracked account"
    );
    assert!(cell(&accounts, "D3").is_none(), "no display name is an empty cell");
    let audience = part(&path, "xl/worksheets/sheet5.xml");
    assert_eq!(cell(&audience, "F2").and_then(value), Some("1520"));
}

#[test]
fn the_metrics_sheet_is_the_catalog() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path());
    let sheet = part(&path, "xl/worksheets/sheet6.xml");
    assert!(sheet.contains(&format!("<autoFilter ref=\"A1:F{}\"/>", CATALOG.len() + 1)));
    assert!(sheet.contains("public_metrics.followers_count"));
    assert!(sheet.contains("instagram: ig_reels_avg_watch_time × 0.001"));
}

#[test]
fn over_long_text_is_cut_to_the_excel_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("long.xlsx");
    let mut b = bundle();
    b.posts[0].caption = Some("é".repeat(40_000));
    write_xlsx(&b, &path).expect("long captions do not fail the export");
    let posts = part(&path, "xl/worksheets/sheet4.xml");
    let kept = posts.matches('é').count();
    assert_eq!(kept, 32_766, "cut to 32,767 characters including the ellipsis");
    assert!(posts.contains("é…"));
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".part") || n.starts_with(".tmp"))
        .collect()
}

#[test]
fn an_existing_file_is_replaced_and_nothing_is_left_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("export.xlsx");
    std::fs::write(&path, b"old contents").expect("seed");
    write_xlsx(&bundle(), &path).expect("xlsx");
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
}

#[cfg(unix)]
#[test]
fn a_new_export_is_an_ordinary_readable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path());
    let mode = std::fs::metadata(&path).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
}

#[test]
fn a_failed_export_leaves_no_half_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The destination is a non-empty folder: the final rename fails after the workbook
    // was fully written to the temporary file.
    let target = dir.path().join("export.xlsx");
    std::fs::create_dir(&target).expect("mkdir");
    std::fs::write(target.join("keep.txt"), b"x").expect("seed");
    let err = write_xlsx(&bundle(), &target).expect_err("cannot replace a folder");
    assert!(matches!(err, ReportError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("export.xlsx"), "{err}");
    assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
    assert!(target.join("keep.txt").exists());

    let missing = dir.path().join("no/such/folder/export.xlsx");
    let err = write_xlsx(&bundle(), &missing).expect_err("missing folder");
    assert!(matches!(err, ReportError::Io { .. }), "{err:?}");
    assert!(!missing.exists());
}
