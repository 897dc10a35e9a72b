//! The parsers of platform exports: pure functions from a file's bytes to an
//! [`ImportData`] (posts with lifetime totals, daily account metrics, line-numbered errors).
//! No database, no clock (the day an export without years is read on is an argument), no
//! panic whatever the bytes: the `imports` fuzz target ([`crate::fuzzing::imports`]) runs
//! [`parse`] on every kind.
//!
//! The shapes each parser reads, and where they were taken from, are in docs/imports.md.
//! Common to the CSV kinds:
//! - text: UTF-8 (a BOM is dropped), or UTF-16 LE/BE with its BOM (Meta's insights exports);
//! - delimiter: a leading `sep=X` line (Excel's hint, Meta), else `;`, tab or `,`, whichever
//!   the header line holds most of;
//! - headers: matched case-insensitively, trimmed, English or Brazilian Portuguese;
//! - numbers: `1,520` / `1.520` thousands and `12,5` decimal commas by the file's language
//!   (a `;` delimiter or pt-BR headers mean decimal commas); `%` and spaces dropped; an empty
//!   cell, `-` or `—` is "no value" (nothing is written, never 0);
//! - a bad line is an error with its line number; the other lines are kept.

use alcance_store::campaigns::ImportRowError;
use alcance_store::imports::{ImportData, ImportKind, ImportedDay, ImportedPost};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Files larger than this are refused (bytes): 64 MiB holds a tweets.js of ~100 000 tweets.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// The fields a generic CSV's columns can be mapped to, besides metric keys.
pub const GENERIC_FIELDS: [&str; 5] = ["post_id", "date", "published_at", "caption", "permalink"];

/// A generic CSV's column mapping: `(column header as written, field)` where field is one of
/// [`GENERIC_FIELDS`] or a catalog metric key (`likes`, `views`, ...). With a `post_id`
/// column each line is a post with lifetime totals; without one, a `date` column makes each
/// line one day of account metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMap {
    /// `(column, field)` pairs.
    pub columns: Vec<(String, String)>,
}

impl ColumnMap {
    /// Parses `col=field` arguments (the CLI's `--map`); the last `=` splits, so a column
    /// name may hold `=`. Errors: an argument without `=`, an unknown field.
    pub fn from_args<S: AsRef<str>>(args: &[S]) -> Result<ColumnMap, String> {
        let mut columns = Vec::new();
        for a in args {
            let a = a.as_ref();
            let Some((col, field)) = a.rsplit_once('=') else {
                return Err(format!("--map {a:?} is not column=field"));
            };
            let field = field.trim().to_ascii_lowercase();
            check_field(&field)?;
            columns.push((col.trim().to_string(), field));
        }
        Ok(ColumnMap { columns })
    }
}

/// `Ok` when `field` is a generic field or a catalog metric key.
fn check_field(field: &str) -> Result<(), String> {
    if GENERIC_FIELDS.contains(&field) || alcance_core::catalog::lookup(field).is_some() {
        Ok(())
    } else {
        Err(format!(
            "unknown field {field:?}: use {} or a metric key of docs/metrics.md (likes, views, reach, ...)",
            GENERIC_FIELDS.join(", ")
        ))
    }
}

/// Reads `bytes` as an export of `kind` (`map` is used by [`ImportKind::GenericCsv`] only).
/// `today` (UTC) dates exports that omit the year (TikTok Studio's `August 31`): the latest
/// such day not after `today`. Never panics; problems are in [`ImportData::errors`].
pub fn parse(kind: ImportKind, bytes: &[u8], map: &ColumnMap, today: NaiveDate) -> ImportData {
    if bytes.len() > MAX_IMPORT_BYTES {
        return whole_file_error(format!(
            "the file is {} MiB; at most {} MiB can be imported",
            bytes.len() / (1024 * 1024),
            MAX_IMPORT_BYTES / (1024 * 1024)
        ));
    }
    let text = decode_text(bytes);
    match kind {
        ImportKind::XArchive => parse_tweets_js(&text),
        ImportKind::MetaDaily => parse_meta_daily(&text),
        ImportKind::GenericCsv => parse_generic(&text, map, today),
        _ => parse_known_csv(kind, &text, today),
    }
}

/// An [`ImportData`] with one error on line 1.
fn whole_file_error(reason: String) -> ImportData {
    ImportData {
        errors: vec![ImportRowError { line: 1, reason }],
        ..ImportData::default()
    }
}

/// The file as text: UTF-16 with a BOM decoded, a UTF-8 BOM dropped, invalid UTF-8
/// replaced by U+FFFD.
pub fn decode_text(bytes: &[u8]) -> String {
    let utf16 = |le: bool| -> String {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// X archive: tweets.js

/// The tweets of an X archive's `data/tweets.js` (or `tweets-partN.js`): the
/// `window.YTD.tweets.partN = ` wrapper, then a JSON array of `{"tweet": {...}}` (older
/// archives: the tweet object itself). Each tweet gives `id_str` (the post id), `created_at`
/// (`Wed Oct 10 20:19:24 +0000 2018`), `full_text` (the caption), `favorite_count` → `likes`,
/// `retweet_count` → `reposts` (counts as strings or numbers). Retweets of others (`full_text`
/// starting `RT @`) are skipped: their counts are the original's. An element that is not a
/// readable tweet is an error on the line it starts on; the others are kept.
fn parse_tweets_js(text: &str) -> ImportData {
    let mut data = ImportData::default();
    let trimmed = text.trim_start();
    let start = if trimmed.starts_with('[') {
        text.len() - trimmed.len()
    } else {
        match text.find('=').and_then(|eq| text[eq..].find('[').map(|b| eq + b)) {
            Some(i) if text[..i].contains("YTD") || text[..i].trim_end().ends_with('=') => i,
            _ => {
                return whole_file_error(
                    "not an X archive tweets.js: expected `window.YTD.tweets.part0 = [` and a JSON array".into(),
                )
            }
        }
    };
    let (elements, tail_error) = split_json_array(text, start);
    // Line numbers counted forward once (not from the start for each tweet: quadratic).
    let (mut line, mut at) = (1u64, 0usize);
    for (offset, element) in elements {
        line += text
            .as_bytes()
            .get(at..offset)
            .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count()) as u64;
        at = offset;
        data.rows_read += 1;
        match tweet_from(element) {
            Ok(Some(post)) => data.posts.push(ImportedPost { line, ..post }),
            Ok(None) => {}
            Err(reason) => data.errors.push(ImportRowError { line, reason }),
        }
    }
    if let Some((offset, reason)) = tail_error {
        data.errors.push(ImportRowError {
            line: line_of(text, offset),
            reason,
        });
    }
    data
}

/// 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> u64 {
    let upto = text.get(..offset).unwrap_or(text);
    upto.bytes().filter(|b| *b == b'\n').count() as u64 + 1
}

/// A problem at a byte offset of the file.
type Problem = (usize, String);

/// The top-level elements of the JSON array opening at byte `open` (a `[`), each as its
/// byte offset and text, found by bracket depth outside strings; and the problem at the end
/// (an unterminated array or element), if any. The elements are not validated here.
fn split_json_array(text: &str, open: usize) -> (Vec<(usize, &str)>, Option<Problem>) {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = open + 1;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            i += 1;
        }
        if i >= bytes.len() {
            return (
                out,
                Some((open, "the array is not closed with `]`: the file is cut short".into())),
            );
        }
        if bytes[i] == b']' {
            return (out, None);
        }
        let start = i;
        let (mut depth, mut in_string, mut escaped) = (0i64, false, false);
        while i < bytes.len() {
            let b = bytes[i];
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
            } else {
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => depth -= 1,
                    b']' => break,
                    b',' if depth == 0 => break,
                    _ => {}
                }
            }
            i += 1;
            if depth == 0 && !in_string && matches!(b, b'}' | b']') {
                break;
            }
        }
        if depth > 0 || in_string {
            return (
                out,
                Some((start, "this tweet is cut short (unbalanced braces or quotes)".into())),
            );
        }
        out.push((start, &text[start..i]));
    }
}

/// One tweet element: `Ok(None)` for a retweet of another account.
fn tweet_from(element: &str) -> Result<Option<ImportedPost>, String> {
    let value: serde_json::Value = serde_json::from_str(element).map_err(|e| format!("not valid JSON: {e}"))?;
    let tweet = value.get("tweet").unwrap_or(&value);
    if !tweet.is_object() {
        return Err("not a tweet object (expected {\"tweet\": {...}})".into());
    }
    let text_field = |k: &str| tweet.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let id = text_field("id_str")
        .or_else(|| text_field("id"))
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .ok_or("id_str is missing or not a tweet id")?;
    let created = text_field("created_at").ok_or("created_at is missing")?;
    let published = DateTime::parse_from_str(&created, "%a %b %d %H:%M:%S %z %Y")
        .map_err(|_| format!("created_at {created:?} is not like \"Wed Oct 10 20:19:24 +0000 2018\""))?
        .with_timezone(&Utc);
    let full_text = text_field("full_text").or_else(|| text_field("text"));
    if full_text.as_deref().is_some_and(|t| t.starts_with("RT @")) {
        return Ok(None);
    }
    let count = |k: &str| -> Result<Option<f64>, String> {
        match tweet.get(k) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::Number(n)) => n
                .as_f64()
                .filter(|v| *v >= 0.0)
                .map(Some)
                .ok_or(format!("{k} is not a count")),
            Some(serde_json::Value::String(s)) => s
                .trim()
                .parse::<u64>()
                .map(|v| Some(v as f64))
                .map_err(|_| format!("{k} {s:?} is not a count")),
            Some(_) => Err(format!("{k} is not a count")),
        }
    };
    let mut metrics = Vec::new();
    for (field, key) in [("favorite_count", "likes"), ("retweet_count", "reposts")] {
        if let Some(v) = count(field)? {
            metrics.push((key.to_string(), v));
        }
    }
    Ok(Some(ImportedPost {
        line: 0,
        external_id: id.clone(),
        published_at: Some(published),
        content_type: Some("text".into()),
        permalink: Some(format!("https://x.com/i/web/status/{id}")),
        caption: full_text,
        metrics,
    }))
}

// ---------------------------------------------------------------------------------------
// CSV tables

/// A CSV file read into a header and records, with line numbers.
struct Table {
    header: Vec<String>,
    /// `(line, fields)`, blank lines dropped.
    rows: Vec<(u64, Vec<String>)>,
    errors: Vec<ImportRowError>,
    /// Decimal commas (`;` delimiter, or set later from pt-BR headers).
    decimal_comma: bool,
}

/// Reads `text` as CSV after skipping its first `skip` lines (a `sep=` line is always
/// skipped and sets the delimiter).
fn read_table(text: &str, skip: usize) -> Result<Table, ImportData> {
    let mut offset_lines = 0u64;
    let mut body = text;
    let mut delimiter = None;
    let first = body.lines().next().unwrap_or("");
    if let Some(sep) = first.trim().trim_matches('"').strip_prefix("sep=") {
        delimiter = sep.bytes().next();
        body = body.split_once('\n').map_or("", |(_, r)| r);
        offset_lines += 1;
    }
    for _ in 0..skip {
        body = body.split_once('\n').map_or("", |(_, r)| r);
        offset_lines += 1;
    }
    let header_line = body.lines().next().unwrap_or("");
    let delimiter = delimiter.unwrap_or_else(|| alcance_store::campaigns::sniff_delimiter(header_line.as_bytes()));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(body.as_bytes());
    let mut header = None;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut last_line = offset_lines;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(last_line + 1, |p| p.line() + offset_lines);
                errors.push(ImportRowError {
                    line,
                    reason: format!("not readable as CSV: {e}"),
                });
                last_line = line;
                continue;
            }
        }
        let line = record
            .position()
            .map_or(last_line + 1, |p| record_line(body.as_bytes(), p) + offset_lines);
        last_line = line;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let fields: Vec<String> = record.iter().map(|f| f.trim().to_string()).collect();
        if header.is_none() {
            header = Some(fields);
        } else {
            rows.push((line, fields));
        }
    }
    let Some(header) = header else {
        return Err(whole_file_error("the file has no header line".into()));
    };
    Ok(Table {
        header,
        rows,
        errors,
        decimal_comma: delimiter == b';',
    })
}

/// The line a record starts on: the reader positions a record at the start of the empty
/// lines it skipped before it, so those are stepped over.
fn record_line(bytes: &[u8], pos: &csv::Position) -> u64 {
    let mut line = pos.line();
    let start = usize::try_from(pos.byte()).unwrap_or(usize::MAX);
    for b in bytes.iter().skip(start) {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

/// A header as compared: BOM and quotes dropped, trimmed, lower case, inner spaces single.
fn norm(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .trim()
        .trim_matches('"')
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a known column means.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Col {
    PostId,
    /// A link whose last number or `v=` parameter is the post id (TikTok, YouTube).
    Link,
    Date,
    Published,
    Caption,
    Permalink,
    ContentType,
    /// A metric key, with a factor (hours → seconds).
    Metric(&'static str, f64),
    /// `h:mm:ss` durations → seconds.
    Duration(&'static str),
}

/// One known header: its names (English first, then pt-BR) and meaning.
struct Known {
    names: &'static [&'static str],
    col: Col,
    /// A pt-BR name: the file's numbers use decimal commas.
    pt: &'static [&'static str],
}

const fn k(names: &'static [&'static str], pt: &'static [&'static str], col: Col) -> Known {
    Known { names, col, pt }
}

/// Meta Business Suite content export (Instagram and Facebook posts).
const META_POSTS: &[Known] = &[
    k(&["post id"], &["identificação do post", "id do post"], Col::PostId),
    k(&["publish time"], &["horário de publicação"], Col::Published),
    k(&["description", "title"], &["descrição", "título"], Col::Caption),
    k(&["permalink"], &["link permanente"], Col::Permalink),
    k(
        &["post type"],
        &["tipo de post", "tipo de publicação"],
        Col::ContentType,
    ),
    k(&["views"], &["visualizações"], Col::Metric("views", 1.0)),
    k(&["reach"], &["alcance"], Col::Metric("reach", 1.0)),
    k(&["impressions"], &["impressões"], Col::Metric("impressions", 1.0)),
    k(&["likes"], &["curtidas"], Col::Metric("likes", 1.0)),
    k(&["reactions"], &["reações"], Col::Metric("reactions", 1.0)),
    k(&["comments"], &["comentários"], Col::Metric("comments", 1.0)),
    k(&["shares"], &["compartilhamentos"], Col::Metric("shares", 1.0)),
    k(&["saves"], &["salvamentos"], Col::Metric("saves", 1.0)),
    k(&["follows"], &["seguimentos"], Col::Metric("follows", 1.0)),
    k(&["total clicks"], &["total de cliques"], Col::Metric("clicks", 1.0)),
    k(&["link clicks"], &["cliques no link"], Col::Metric("link_clicks", 1.0)),
    k(
        &["seconds viewed"],
        &["segundos visualizados"],
        Col::Metric("watch_time_seconds", 1.0),
    ),
    k(
        &["average seconds viewed"],
        &["média de segundos visualizados"],
        Col::Metric("watch_time_avg_seconds", 1.0),
    ),
];

/// TikTok Studio's Overview.csv and FollowerHistory.csv.
const TIKTOK_DAILY: &[Known] = &[
    k(&["date"], &["data"], Col::Date),
    k(
        &["video views"],
        &["visualizações de vídeo", "visualizações do vídeo"],
        Col::Metric("video_views", 1.0),
    ),
    k(
        &["profile views"],
        &["visualizações do perfil"],
        Col::Metric("profile_views", 1.0),
    ),
    k(&["likes"], &["curtidas"], Col::Metric("likes", 1.0)),
    k(&["comments"], &["comentários"], Col::Metric("comments", 1.0)),
    k(&["shares"], &["compartilhamentos"], Col::Metric("shares", 1.0)),
    k(&["followers"], &["seguidores"], Col::Metric("followers", 1.0)),
];

/// TikTok Studio's content export (one row per video).
const TIKTOK_VIDEOS: &[Known] = &[
    k(&["video link"], &["link do vídeo"], Col::Link),
    k(&["video title"], &["título do vídeo"], Col::Caption),
    k(
        &["post time"],
        &["horário da publicação", "horário de publicação"],
        Col::Published,
    ),
    k(
        &["total views"],
        &["total de visualizações"],
        Col::Metric("video_views", 1.0),
    ),
    k(&["total likes"], &["total de curtidas"], Col::Metric("likes", 1.0)),
    k(
        &["total comments"],
        &["total de comentários"],
        Col::Metric("comments", 1.0),
    ),
    k(
        &["total shares"],
        &["total de compartilhamentos"],
        Col::Metric("shares", 1.0),
    ),
    k(
        &["total play time"],
        &["tempo total de reprodução"],
        Col::Metric("watch_time_seconds", 1.0),
    ),
    k(
        &["average watch time"],
        &["tempo médio de exibição", "tempo médio de visualização"],
        Col::Metric("watch_time_avg_seconds", 1.0),
    ),
];

/// YouTube Studio's advanced-mode `Table data.csv` by video, and its daily tables.
const YOUTUBE: &[Known] = &[
    k(&["content", "video"], &["conteúdo", "vídeo"], Col::PostId),
    k(&["date"], &["data"], Col::Date),
    k(&["video title"], &["título do vídeo"], Col::Caption),
    k(
        &["video publish time"],
        &["horário de publicação do vídeo"],
        Col::Published,
    ),
    k(&["views"], &["visualizações"], Col::Metric("video_views", 1.0)),
    k(
        &["watch time (hours)"],
        &["tempo de exibição (horas)"],
        Col::Metric("watch_time_seconds", 3600.0),
    ),
    k(
        &["average view duration"],
        &["duração média da visualização"],
        Col::Duration("watch_time_avg_seconds"),
    ),
    k(&["duration"], &["duração"], Col::Duration("video_duration")),
    k(
        &["likes"],
        &["marcações \"gostei\"", "marcações gostei"],
        Col::Metric("likes", 1.0),
    ),
    k(
        &["comments added"],
        &["comentários adicionados"],
        Col::Metric("comments", 1.0),
    ),
    k(&["shares"], &["compartilhamentos"], Col::Metric("shares", 1.0)),
    k(&["impressions"], &["impressões"], Col::Metric("impressions", 1.0)),
    k(
        &["subscribers gained"],
        &["inscritos ganhos"],
        Col::Metric("followers_gained", 1.0),
    ),
    k(
        &["subscribers lost"],
        &["inscritos perdidos"],
        Col::Metric("followers_lost", 1.0),
    ),
];

/// The known columns of `table`'s header: `(index, meaning)`, the ignored headers, and
/// whether a pt-BR name was seen.
fn match_columns(header: &[String], known: &[Known]) -> (Vec<(usize, Col)>, Vec<String>, bool) {
    let mut cols = Vec::new();
    let mut ignored = Vec::new();
    let mut pt = false;
    for (i, h) in header.iter().enumerate() {
        let n = norm(h);
        let found = known.iter().find_map(|kn| {
            if kn.names.contains(&n.as_str()) {
                Some((kn.col, false))
            } else if kn.pt.contains(&n.as_str()) {
                Some((kn.col, true))
            } else {
                None
            }
        });
        match found {
            Some((col, is_pt)) if !cols.iter().any(|(_, c)| *c == col) => {
                pt |= is_pt;
                cols.push((i, col));
            }
            _ if n.is_empty() => {}
            _ => ignored.push(h.trim().to_string()),
        }
    }
    (cols, ignored, pt)
}

/// The known CSV kinds (everything but tweets.js, Meta daily and generic).
fn parse_known_csv(kind: ImportKind, text: &str, today: NaiveDate) -> ImportData {
    let known = match kind {
        ImportKind::MetaPosts => META_POSTS,
        ImportKind::TiktokDaily => TIKTOK_DAILY,
        ImportKind::TiktokVideos => TIKTOK_VIDEOS,
        _ => YOUTUBE,
    };
    let mut table = match read_table(text, 0) {
        Ok(t) => t,
        Err(d) => return d,
    };
    let (mut cols, ignored, pt) = match_columns(&table.header, known);
    table.decimal_comma |= pt;
    let has = |cols: &[(usize, Col)], c: Col| cols.iter().any(|(_, x)| *x == c);
    let (has_post, has_date, has_link) = (has(&cols, Col::PostId), has(&cols, Col::Date), has(&cols, Col::Link));
    let by_day = match kind {
        ImportKind::TiktokDaily | ImportKind::YoutubeDaily => true,
        ImportKind::YoutubeVideos => !has_post && has_date,
        _ => false,
    };
    if by_day {
        cols.retain(|(_, c)| !matches!(c, Col::PostId | Col::Caption | Col::Published));
        if !has_date {
            return header_error(&table, "a Date column (Data)");
        }
    } else if !has_post && !has_link {
        return header_error(
            &table,
            match kind {
                ImportKind::TiktokVideos => "a Video link column (Link do vídeo)",
                ImportKind::MetaPosts => "a Post ID column (Identificação do post)",
                _ => "a Content column (the video id; Conteúdo)",
            },
        );
    }
    if !cols
        .iter()
        .any(|(_, c)| matches!(c, Col::Metric(..) | Col::Duration(_)))
    {
        return header_error(&table, "at least one metric column");
    }
    let mut data = ImportData {
        errors: std::mem::take(&mut table.errors),
        ignored_columns: ignored,
        ..ImportData::default()
    };
    read_rows(&table, &cols, by_day, today, &mut data);
    data.errors.sort_by_key(|e| e.line);
    data
}

/// The error of a header that lacks what the kind needs.
fn header_error(table: &Table, needed: &str) -> ImportData {
    whole_file_error(format!(
        "the header has no {needed}; it has: {} (is this the right kind of export?)",
        table.header.join(", ")
    ))
}

/// Reads every row of `table` with the meaning `cols`: a day of account metrics when
/// `by_day`, else a post.
fn read_rows(table: &Table, cols: &[(usize, Col)], by_day: bool, today: NaiveDate, data: &mut ImportData) {
    for (line, fields) in &table.rows {
        let line = *line;
        let cell = |i: usize| fields.get(i).map(String::as_str).unwrap_or("");
        // YouTube Studio puts a "Total" row first.
        if fields.first().is_some_and(|f| f.eq_ignore_ascii_case("total")) {
            continue;
        }
        data.rows_read += 1;
        if fields.len() > table.header.len() {
            data.errors.push(ImportRowError {
                line,
                reason: format!(
                    "{} fields but the header has {} (a value with the delimiter in it needs quotes)",
                    fields.len(),
                    table.header.len()
                ),
            });
            continue;
        }
        let mut problems = Vec::new();
        let mut metrics = Vec::new();
        let mut post = ImportedPost {
            line,
            external_id: String::new(),
            published_at: None,
            content_type: None,
            permalink: None,
            caption: None,
            metrics: Vec::new(),
        };
        let mut day = None;
        for &(i, col) in cols {
            let v = cell(i);
            let name = table.header.get(i).map(String::as_str).unwrap_or("");
            match col {
                Col::PostId => {
                    if !v.is_empty() {
                        post.external_id = v.to_string();
                    }
                }
                Col::Link => {
                    if !v.is_empty() {
                        post.permalink = Some(v.to_string());
                        match id_from_link(v) {
                            Some(id) if post.external_id.is_empty() => post.external_id = id,
                            Some(_) => {}
                            None => problems.push(format!("{name} {v:?} holds no video id")),
                        }
                    }
                }
                Col::Caption => post.caption = Some(v.to_string()).filter(|s| !s.is_empty()),
                Col::Permalink => post.permalink = Some(v.to_string()).filter(|s| !s.is_empty()),
                Col::ContentType => post.content_type = content_type(v),
                Col::Published => {
                    if !v.is_empty() {
                        match parse_when(v, table.decimal_comma, today) {
                            Some(t) => post.published_at = Some(t),
                            None => problems.push(format!("{name} {v:?} is not a date and time this export uses")),
                        }
                    }
                }
                Col::Date => match parse_when(v, table.decimal_comma, today) {
                    Some(t) => day = Some(t.date_naive()),
                    None => problems.push(format!("{name} {v:?} is not a date")),
                },
                Col::Metric(key, factor) => match parse_number(v, table.decimal_comma) {
                    Ok(Some(n)) => metrics.push((key.to_string(), n * factor)),
                    Ok(None) => {}
                    Err(e) => problems.push(format!("{name} {v:?} {e}")),
                },
                Col::Duration(key) => match parse_duration(v) {
                    Ok(Some(n)) => metrics.push((key.to_string(), n)),
                    Ok(None) => {}
                    Err(e) => problems.push(format!("{name} {v:?} {e}")),
                },
            }
        }
        if by_day {
            if day.is_none() && problems.is_empty() {
                problems.push("the date is empty".into());
            }
        } else if post.external_id.is_empty() && problems.is_empty() {
            problems.push("the post id is empty".into());
        }
        if !problems.is_empty() {
            data.errors.push(ImportRowError {
                line,
                reason: problems.join("; "),
            });
            continue;
        }
        match day {
            Some(day) if by_day => {
                for (metric, value) in metrics {
                    data.days.push(ImportedDay {
                        line,
                        day,
                        metric,
                        value,
                    });
                }
            }
            _ => {
                post.metrics = metrics;
                data.posts.push(post);
            }
        }
    }
}

/// The post id in a TikTok (`.../video/7300000000000000003`) or YouTube
/// (`watch?v=ID`, `youtu.be/ID`, `/shorts/ID`) link.
fn id_from_link(link: &str) -> Option<String> {
    let link = link.trim();
    if let Some((_, q)) = link.split_once("v=") {
        let id: String = q
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        return Some(id).filter(|s| !s.is_empty());
    }
    let path = link.split(['?', '#']).next().unwrap_or(link).trim_end_matches('/');
    let last = path.rsplit('/').next()?;
    let video_marker = path.contains("/video/") || path.contains("/shorts/") || path.contains("youtu.be/");
    (video_marker && !last.is_empty() && last.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .then(|| last.to_string())
}

/// A content type from an export's post type (`IG reel`, `Photo`, `Vídeo`, ...).
fn content_type(v: &str) -> Option<String> {
    let n = norm(v);
    let n = n
        .strip_prefix("ig ")
        .or_else(|| n.strip_prefix("fb "))
        .unwrap_or(n.as_str());
    let t = match n {
        "" => return None,
        "reel" | "reels" => "reel",
        "image" | "photo" | "foto" | "imagem" => "image",
        "video" | "vídeo" => "video",
        "carousel" | "carrossel" | "album" | "álbum" => "carousel",
        "story" | "stories" => "story",
        "text" | "status" | "texto" => "text",
        "link" => "link",
        other => return Some(other.replace(' ', "_")),
    };
    Some(t.to_string())
}

/// A count or amount: `Ok(None)` for an empty cell, `-` or `—`. With `decimal_comma`,
/// `1.520,5` is 1520.5; otherwise `1,520.5`. A lone separator followed by exactly three
/// digits is a thousands separator (`1,520` or `1.520`) unless it is the file's decimal
/// one. Errors complete `<column> "<value>" ...`.
pub fn parse_number(v: &str, decimal_comma: bool) -> Result<Option<f64>, &'static str> {
    let s: String = v
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}' && *c != '%')
        .collect();
    if s.is_empty() || s == "-" || s == "—" || s == "–" {
        return Ok(None);
    }
    let (thousands, decimal) = if decimal_comma { ('.', ',') } else { (',', '.') };
    let mut t = String::with_capacity(s.len());
    let mut decimals = 0;
    for c in s.chars() {
        if c == thousands {
            continue;
        } else if c == decimal {
            decimals += 1;
            t.push('.');
        } else {
            t.push(c);
        }
    }
    if decimals > 1 {
        return Err("has more than one decimal separator");
    }
    if !t
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && c == '-'))
        || !t.chars().any(|c| c.is_ascii_digit())
    {
        return Err("is not a number");
    }
    match t.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(Some(n)),
        _ => Err("is not a number"),
    }
}

/// `h:mm:ss` or `m:ss` or plain seconds → seconds; `Ok(None)` when empty.
fn parse_duration(v: &str) -> Result<Option<f64>, &'static str> {
    let v = v.trim();
    if v.is_empty() || v == "-" || v == "—" {
        return Ok(None);
    }
    if !v.contains(':') {
        return parse_number(v, false);
    }
    let mut total = 0.0;
    for part in v.split(':') {
        let n: f64 = part.trim().parse().map_err(|_| "is not a duration (h:mm:ss)")?;
        if !n.is_finite() || n < 0.0 {
            return Err("is not a duration (h:mm:ss)");
        }
        total = total * 60.0 + n;
    }
    Ok(Some(total))
}

/// English and Portuguese month names (and their first three letters), 1-based.
fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [[&str; 2]; 12] = [
        ["january", "janeiro"],
        ["february", "fevereiro"],
        ["march", "março"],
        ["april", "abril"],
        ["may", "maio"],
        ["june", "junho"],
        ["july", "julho"],
        ["august", "agosto"],
        ["september", "setembro"],
        ["october", "outubro"],
        ["november", "novembro"],
        ["december", "dezembro"],
    ];
    let n = name.trim().trim_end_matches('.').to_lowercase();
    if n.chars().count() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|names| {
            names
                .iter()
                .any(|m| *m == n || (m.starts_with(&n) && n.chars().count() <= 4))
        })
        .map(|i| i as u32 + 1)
}

/// A date or date-time of the exports, as UTC (times without a zone are taken as UTC; the
/// exports use the account's zone, see docs/imports.md). Accepts RFC 3339,
/// `YYYY-MM-DD[ T]HH:MM[:SS]`, `YYYY-MM-DD`, `MM/DD/YYYY[ HH:MM]` (or `DD/MM/YYYY` when
/// `day_first`, the pt-BR order), `Sep 22, 2026`, `22 de set. de 2026`, and a month and day
/// without a year (`August 31`, `31 de agosto`): the latest such day not after `today`.
pub fn parse_when(v: &str, day_first: bool, today: NaiveDate) -> Option<DateTime<Utc>> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    let slash = if day_first { "%d/%m/%Y" } else { "%m/%d/%Y" };
    let (slash_hm, slash_hms) = (format!("{slash} %H:%M"), format!("{slash} %H:%M:%S"));
    let datetime_formats = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        slash_hm.as_str(),
        slash_hms.as_str(),
    ];
    for f in datetime_formats {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, f) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    for f in ["%Y-%m-%d", slash, "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(v, f) {
            return midnight(d);
        }
    }
    // Words: "Sep 22, 2026", "September 22 2026", "22 de setembro de 2026", "August 31".
    let words: Vec<&str> = v
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty() && *w != "de")
        .collect();
    let (month, day, year): (u32, u32, Option<i32>) = match words.as_slice() {
        [m, d, y] if month_number(m).is_some() => (month_number(m)?, d.parse().ok()?, Some(y.parse().ok()?)),
        [d, m, y] if month_number(m).is_some() => (month_number(m)?, d.parse().ok()?, Some(y.parse().ok()?)),
        [m, d] if month_number(m).is_some() => (month_number(m)?, d.parse().ok()?, None),
        [d, m] if month_number(m).is_some() => (month_number(m)?, d.parse().ok()?, None),
        _ => return None,
    };
    let date = match year {
        Some(y) => NaiveDate::from_ymd_opt(y, month, day)?,
        None => {
            let this = NaiveDate::from_ymd_opt(today.year(), month, day);
            match this {
                Some(d) if d <= today => d,
                _ => NaiveDate::from_ymd_opt(today.year() - 1, month, day)?,
            }
        }
    };
    midnight(date)
}

fn midnight(d: NaiveDate) -> Option<DateTime<Utc>> {
    d.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t))
}

// ---------------------------------------------------------------------------------------
// Meta Business Suite: one metric per day

/// The metric a Meta insights export's title line names (English or pt-BR).
fn meta_metric(title: &str) -> Option<&'static str> {
    Some(match norm(title).as_str() {
        "views" | "visualizações" => "views",
        "reach" | "viewers" | "accounts reached" | "alcance" | "contas alcançadas" | "espectadores" => "reach",
        "content interactions" | "interactions" | "interações com o conteúdo" | "interações" => {
            "total_interactions"
        }
        "follows"
        | "facebook follows"
        | "instagram follows"
        | "seguimentos"
        | "seguidores no facebook"
        | "seguidores no instagram" => "follows",
        "followers" | "seguidores" => "followers",
        "profile visits"
        | "facebook visits"
        | "instagram profile visits"
        | "visitas ao perfil"
        | "visitas ao facebook"
        | "visitas ao perfil do instagram" => "profile_views",
        "link clicks" | "facebook link clicks" | "cliques no link" | "cliques no link do facebook" => "link_clicks",
        "impressions" | "impressões" => "impressions",
        _ => return None,
    })
}

/// A Meta Business Suite insights export of one metric: (`sep=,`), a title line naming the
/// metric (`"Views"`), the header `"Date","Primary"` (`Data`, `Principal`), then one line
/// per day (`"2026-08-22T00:00:00","8226"`).
fn parse_meta_daily(text: &str) -> ImportData {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    if lines
        .first()
        .is_some_and(|l| l.trim().trim_matches('"').starts_with("sep="))
    {
        i += 1;
    }
    let Some(title) = lines.get(i) else {
        return whole_file_error("the file is empty".into());
    };
    let title_text = title.trim().trim_matches('"');
    let Some(metric) = meta_metric(title_text) else {
        return whole_file_error(format!(
            "line {}: {title_text:?} is not a metric this import knows (Views, Reach, Viewers, Content interactions, Follows, Profile visits, Link clicks; or their pt-BR names)",
            i + 1
        ));
    };
    let mut table = match read_table(text, 1) {
        Ok(t) => t,
        Err(d) => return d,
    };
    let header: Vec<String> = table.header.iter().map(|h| norm(h)).collect();
    let date_col = header.iter().position(|h| h == "date" || h == "data");
    let value_col = header
        .iter()
        .position(|h| h == "primary" || h == "principal" || h == "value" || h == "valor");
    let (Some(date_col), Some(value_col)) = (date_col, value_col) else {
        return header_error(&table, "Date and Primary columns (Data, Principal)");
    };
    table.decimal_comma |= header.iter().any(|h| h == "data" || h == "principal");
    let cols = [(date_col, Col::Date), (value_col, Col::Metric(metric, 1.0))];
    let mut data = ImportData {
        errors: std::mem::take(&mut table.errors),
        ignored_columns: table
            .header
            .iter()
            .enumerate()
            .filter(|(j, h)| *j != date_col && *j != value_col && !h.is_empty())
            .map(|(_, h)| h.clone())
            .collect(),
        ..ImportData::default()
    };
    // The day is read in ISO order whatever the language: no year-less dates here.
    read_rows(&table, &cols, true, NaiveDate::MAX, &mut data);
    data.errors.sort_by_key(|e| e.line);
    data
}

// ---------------------------------------------------------------------------------------
// Generic CSV

/// A CSV with a [`ColumnMap`].
fn parse_generic(text: &str, map: &ColumnMap, today: NaiveDate) -> ImportData {
    let table = match read_table(text, 0) {
        Ok(t) => t,
        Err(d) => return d,
    };
    let mut cols = Vec::new();
    let mut problems = Vec::new();
    for (column, field) in &map.columns {
        if let Err(e) = check_field(field) {
            problems.push(e);
            continue;
        }
        let Some(i) = table.header.iter().position(|h| norm(h) == norm(column)) else {
            problems.push(format!("the mapped column {column:?} is not in the header"));
            continue;
        };
        let col = match field.as_str() {
            "post_id" => Col::PostId,
            "date" => Col::Date,
            "published_at" => Col::Published,
            "caption" => Col::Caption,
            "permalink" => Col::Permalink,
            metric => match alcance_core::catalog::lookup(metric) {
                Some(m) => Col::Metric(m.key, 1.0),
                None => continue,
            },
        };
        cols.push((i, col));
    }
    let has = |c: Col| cols.iter().any(|(_, x)| *x == c);
    if !has(Col::PostId) && !has(Col::Date) {
        problems.push("map a column to post_id (one post per line) or to date (one day per line)".into());
    }
    if !cols.iter().any(|(_, c)| matches!(c, Col::Metric(..))) {
        problems.push("map at least one column to a metric key (likes, views, reach, ...)".into());
    }
    if !problems.is_empty() {
        return whole_file_error(format!(
            "{} (the header: {})",
            problems.join("; "),
            table.header.join(", ")
        ));
    }
    let by_day = !has(Col::PostId);
    let mapped: Vec<usize> = cols.iter().map(|(i, _)| *i).collect();
    let mut data = ImportData {
        errors: table.errors.clone(),
        ignored_columns: table
            .header
            .iter()
            .enumerate()
            .filter(|(i, h)| !mapped.contains(i) && !h.is_empty())
            .map(|(_, h)| h.clone())
            .collect(),
        ..ImportData::default()
    };
    read_rows(&table, &cols, by_day, today, &mut data);
    data.errors.sort_by_key(|e| e.line);
    data
}

/// The header and first `n` data lines of a CSV (for the UI's mapping step), with the
/// delimiter sniffed and the text decoded as [`parse`] does. `None` for a file with no
/// header line.
pub fn preview_csv(bytes: &[u8], n: usize) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let text = decode_text(bytes);
    let table = read_table(&text, 0).ok()?;
    let rows = table.rows.into_iter().take(n).map(|(_, r)| r).collect();
    Some((table.header, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 9, 20).unwrap_or_default()
    }

    #[test]
    fn numbers_follow_the_files_language() {
        assert_eq!(parse_number("1,520", false), Ok(Some(1520.0)));
        assert_eq!(parse_number("1.520", true), Ok(Some(1520.0)));
        assert_eq!(parse_number("12,5", true), Ok(Some(12.5)));
        assert_eq!(parse_number("1.234,5", true), Ok(Some(1234.5)));
        assert_eq!(parse_number("1,234.5", false), Ok(Some(1234.5)));
        assert_eq!(parse_number("4.7%", false), Ok(Some(4.7)));
        assert_eq!(parse_number("", false), Ok(None));
        assert_eq!(parse_number("—", false), Ok(None));
        assert!(parse_number("12x", false).is_err());
        assert!(parse_number("1,2,3", true).is_err());
    }

    #[test]
    fn dates_of_every_export() {
        let at = |s: &str, dmy| parse_when(s, dmy, today()).map(|t| t.format("%Y-%m-%d %H:%M").to_string());
        assert_eq!(at("09/16/2026 14:05", false).as_deref(), Some("2026-09-16 14:05"));
        assert_eq!(at("16/09/2026 14:05", true).as_deref(), Some("2026-09-16 14:05"));
        assert_eq!(at("2026-08-22T00:00:00", false).as_deref(), Some("2026-08-22 00:00"));
        assert_eq!(at("Sep 5, 2026", false).as_deref(), Some("2026-09-05 00:00"));
        assert_eq!(at("5 de set. de 2026", true).as_deref(), Some("2026-09-05 00:00"));
        assert_eq!(at("August 31", false).as_deref(), Some("2026-08-31 00:00"));
        // A day after `today` in the year is last year's.
        assert_eq!(at("December 30", false).as_deref(), Some("2025-12-30 00:00"));
        assert_eq!(at("31 de agosto", true).as_deref(), Some("2026-08-31 00:00"));
        assert_eq!(at("yesterday", false), None);
        assert_eq!(at("02/30/2026", false), None);
    }

    #[test]
    fn links_give_video_ids() {
        assert_eq!(
            id_from_link("https://www.tiktok.com/@marca/video/7300000000000000003").as_deref(),
            Some("7300000000000000003")
        );
        assert_eq!(
            id_from_link("https://www.youtube.com/watch?v=abcDEF12345&t=3").as_deref(),
            Some("abcDEF12345")
        );
        assert_eq!(
            id_from_link("https://youtu.be/abcDEF12345").as_deref(),
            Some("abcDEF12345")
        );
        assert_eq!(id_from_link("https://example.com/about"), None);
    }

    #[test]
    fn utf16_and_bom_are_decoded() {
        let text = "sep=,\n\"Views\"";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode_text(&le), text);
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(decode_text(&be), text);
        assert_eq!(decode_text(b"\xEF\xBB\xBFa,b"), "a,b");
    }

    #[test]
    fn column_maps_parse_and_refuse_unknown_fields() {
        let map = ColumnMap::from_args(&["Post=post_id", "Gostei=likes", "a=b=date"]).expect("valid");
        assert_eq!(map.columns[1], ("Gostei".to_string(), "likes".to_string()));
        assert_eq!(map.columns[2], ("a=b".to_string(), "date".to_string()));
        assert!(ColumnMap::from_args(&["Post"]).is_err());
        assert!(ColumnMap::from_args(&["x=hearts"]).is_err());
    }

    #[test]
    fn a_cut_short_tweets_js_keeps_the_complete_tweets() {
        let js = "window.YTD.tweets.part0 = [\n{\"tweet\":{\"id_str\":\"1\",\"created_at\":\"Wed Oct 10 20:19:24 +0000 2018\",\"full_text\":\"a } [\",\"favorite_count\":\"3\"}},\n{\"tweet\":{\"id_str\":\"2\"";
        let data = parse(ImportKind::XArchive, js.as_bytes(), &ColumnMap::default(), today());
        assert_eq!(data.posts.len(), 1);
        assert_eq!(data.posts[0].metrics, vec![("likes".to_string(), 3.0)]);
        assert_eq!(data.errors.len(), 1);
        assert_eq!(data.errors[0].line, 3);
    }
}
