//! The posts' pictures kept in the workspace (issue 13 point 3; docs/media.md): after a
//! collection, [`keep_media`] downloads each pending thumbnail or image URL of
//! `post_media` once into `<workspace>/media/<sha256 hex>.<ext>`, so screens and reports
//! show the content the numbers belong to even after the platform's CDN URL expired.
//!
//! The rules:
//! - **Once.** A kept row is never downloaded again; a file already in the folder (the same
//!   picture under another URL) is not written twice (content-addressed names).
//! - **Pictures only.** http and https URLs only, redirects only to http(s) (at most 5); the
//!   answer must say `image/png`, `image/jpeg`, `image/gif` or `image/webp` *and* its bytes
//!   must start like one; anything else is `failed`, nothing kept.
//! - **Capped.** At most [`MediaOptions::max_bytes`] per file (2 MiB by default): a larger
//!   `Content-Length`, or a body that grows past it, is `too_large`, nothing kept.
//! - **Expired URLs are not retried forever.** HTTP 403, 404 and 410 (a signed CDN URL past
//!   its expiry) are tried [`MediaOptions::max_attempts`] times with backoff
//!   ([`MediaOptions::backoff`], doubling), then `expired`. Other failures (5xx, a broken
//!   connection) the same, then `failed`. A later collection serving a new URL for the row
//!   starts it again (the store's batch rule).
//! - **Nothing lost on a full disk.** A file is written to a temporary name, synced and
//!   renamed; a write error stops the run with [`crate::AppError::Io`] naming the folder, and
//!   leaves the row pending.
//!
//! A workspace whose platform endpoints are all on the loopback (the sandbox, a replay)
//! downloads only loopback URLs: recorded payloads that name real CDNs are never fetched
//! ([`Workspace::keep_media`]).

use crate::error::{Context, Result};
use crate::Workspace;
use alcance_core::MediaStatus;
use alcance_store::media::MediaDue;
use alcance_store::Store;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::task::JoinSet;

/// The folder of a workspace's kept media: `<workspace>/media`.
pub fn media_dir(workspace_dir: &Path) -> PathBuf {
    workspace_dir.join("media")
}

/// How [`keep_media`] downloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaOptions {
    /// The size cap per file, bytes (2 MiB by default).
    pub max_bytes: u64,
    /// Downloads in flight at once (4 by default).
    pub concurrency: usize,
    /// Attempts per URL before it is given up as `expired` or `failed` (3 by default).
    pub max_attempts: u32,
    /// The wait after the first failed attempt; doubled after each further one (1 hour by
    /// default: a CDN URL that refuses now rarely comes back within minutes).
    pub backoff: Duration,
    /// One request's time limit, from sending to the last byte (20 s by default).
    pub timeout: std::time::Duration,
    /// Download only URLs whose host is on the loopback (127.0.0.1, ::1, localhost).
    pub loopback_only: bool,
    /// Rows taken per pass (500 by default); a run loops until none is due.
    pub batch: u32,
}

impl Default for MediaOptions {
    fn default() -> Self {
        MediaOptions {
            max_bytes: 2 * 1024 * 1024,
            concurrency: 4,
            max_attempts: 3,
            backoff: Duration::hours(1),
            timeout: std::time::Duration::from_secs(20),
            loopback_only: false,
            batch: 500,
        }
    }
}

/// What one [`keep_media`] run did, in rows of `post_media`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MediaSummary {
    /// Downloaded and kept.
    pub kept: u32,
    /// Larger than the cap: given up, nothing kept.
    pub too_large: u32,
    /// Refused (403/404/410) on the last allowed attempt: given up.
    pub expired: u32,
    /// Not a picture, or failing on the last allowed attempt: given up.
    pub failed: u32,
    /// Failed, to be tried again later (backoff).
    pub retry_later: u32,
    /// Not downloaded: the URL is not allowed (not on the loopback while
    /// [`MediaOptions::loopback_only`]); left pending.
    pub skipped: u32,
}

/// The outcome of one download.
#[derive(Debug)]
enum Outcome {
    Kept {
        file_name: String,
        bytes: u64,
        content_type: &'static str,
    },
    TooLarge(String),
    /// A refusal that may be an expired URL (403, 404, 410).
    Refused(String),
    /// A failure worth another attempt (5xx, 429, a broken connection).
    Transient(String),
    /// Not a picture: given up at once.
    NotImage(String),
    Skipped,
}

/// A kept picture format: content type, file extension, and a check of the first bytes.
type Format = (&'static str, &'static str, fn(&[u8]) -> bool);

/// The picture formats kept.
const FORMATS: &[Format] = &[
    ("image/png", "png", |b| b.starts_with(b"\x89PNG\r\n\x1a\n")),
    ("image/jpeg", "jpg", |b| b.starts_with(&[0xFF, 0xD8, 0xFF])),
    ("image/gif", "gif", |b| {
        b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a")
    }),
    ("image/webp", "webp", |b| {
        b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP"
    }),
];

/// The kept format of a `Content-Type` header value (parameters and case ignored).
fn format_of(content_type: &str) -> Option<&'static Format> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let essence = if essence == "image/jpg" {
        "image/jpeg".to_string()
    } else {
        essence
    };
    FORMATS.iter().find(|(ct, _, _)| *ct == essence)
}

/// `true` for a URL whose host is on the loopback.
fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The HTTP client of the fetcher: its own time limit, at most 5 redirects and only to
/// http(s) URLs (and to loopback ones when `loopback_only`).
fn client(options: &MediaOptions) -> Result<reqwest::Client> {
    let loopback_only = options.loopback_only;
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        let url = attempt.url();
        if attempt.previous().len() >= 5 {
            attempt.error("more than 5 redirects")
        } else if !matches!(url.scheme(), "http" | "https") {
            attempt.error("a redirect to a non-http URL")
        } else if loopback_only && !is_loopback(url) {
            attempt.error("a redirect off the loopback")
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .redirect(policy)
        .timeout(options.timeout)
        .connect_timeout(std::time::Duration::from_secs(10))
        .user_agent(concat!("Alcance/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the media HTTP client")
}

/// Downloads `url` into `dir` (see the module's rules). `Err` only for a local write
/// failure (a full disk): the caller stops.
async fn download(http: &reqwest::Client, dir: &Path, url: &str, options: &MediaOptions) -> Result<Outcome> {
    let parsed = match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        _ => return Ok(Outcome::NotImage("not an http(s) URL".into())),
    };
    if options.loopback_only && !is_loopback(&parsed) {
        return Ok(Outcome::Skipped);
    }
    let mut response = match http.get(parsed).send().await {
        Ok(r) => r,
        // A refused redirect (to a non-http URL, off the loopback, more than 5): not a picture.
        Err(e) if e.is_redirect() || e.is_builder() => {
            return Ok(Outcome::NotImage(format!("request failed: {}", without_url(&e))))
        }
        Err(e) => return Ok(Outcome::Transient(format!("request failed: {}", without_url(&e)))),
    };
    let status = response.status();
    if matches!(status.as_u16(), 403 | 404 | 410) {
        return Ok(Outcome::Refused(format!("HTTP {}", status.as_u16())));
    }
    if status.is_redirection() {
        return Ok(Outcome::NotImage(format!(
            "HTTP {}: a redirect not followed",
            status.as_u16()
        )));
    }
    if !status.is_success() {
        return Ok(Outcome::Transient(format!("HTTP {}", status.as_u16())));
    }
    let declared = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let Some(&(content_type, ext, looks_like)) = format_of(&declared) else {
        return Ok(Outcome::NotImage(format!(
            "content type {declared:?} is not a picture (png, jpeg, gif, webp)"
        )));
    };
    if response.content_length().is_some_and(|n| n > options.max_bytes) {
        return Ok(Outcome::TooLarge(format!(
            "{} bytes, over the {} bytes cap",
            response.content_length().unwrap_or_default(),
            options.max_bytes
        )));
    }
    let mut body: Vec<u8> = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if (body.len() + chunk.len()) as u64 > options.max_bytes {
                    return Ok(Outcome::TooLarge(format!("over the {} bytes cap", options.max_bytes)));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return Ok(Outcome::Transient(format!("reading the body: {}", without_url(&e)))),
        }
    }
    if !looks_like(&body) {
        return Ok(Outcome::NotImage(format!("the body is not a {content_type} file")));
    }
    let file_name = format!("{}.{ext}", hex::encode(Sha256::digest(&body)));
    let path = dir.join(&file_name);
    if !path.exists() {
        let dir = dir.to_path_buf();
        let bytes = body.clone();
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating the media folder {}", dir.display()))?;
            crate::atomic::write_bytes_atomically(&path, &bytes)
                .with_context(|| format!("keeping a picture in {} (is the disk full?)", dir.display()))
        })
        .await
        .context("the media writer stopped")??;
    }
    Ok(Outcome::Kept {
        file_name,
        bytes: body.len() as u64,
        content_type,
    })
}

/// A reqwest error without its URL (a signed CDN URL carries its signature in the query).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "redirect refused"
    } else if e.is_body() || e.is_decode() {
        "broken body"
    } else {
        "transport error"
    };
    kind.to_string()
}

/// The wait before attempt `attempts + 1` after `attempts` failed ones: `backoff` doubled
/// per earlier failure (1×, 2×, 4×, …, at most 64×).
fn wait_after(options: &MediaOptions, attempts: i64) -> Duration {
    let doublings = attempts.clamp(1, 7) - 1;
    options.backoff * (1i32 << doublings)
}

/// Records `outcome` of row `due` at `now` and counts it in `summary`.
async fn record(
    store: &Store,
    due: &MediaDue,
    outcome: Outcome,
    now: DateTime<Utc>,
    options: &MediaOptions,
    summary: &mut MediaSummary,
) -> Result<()> {
    let last = due.attempts + 1 >= i64::from(options.max_attempts);
    match outcome {
        Outcome::Kept {
            file_name,
            bytes,
            content_type,
        } => {
            store
                .media_kept(due.id, &due.source_url, &file_name, bytes, content_type, now)
                .await?;
            summary.kept += 1;
        }
        Outcome::TooLarge(why) => {
            store
                .media_given_up(due.id, &due.source_url, MediaStatus::TooLarge, &why)
                .await?;
            summary.too_large += 1;
        }
        Outcome::NotImage(why) => {
            store
                .media_given_up(due.id, &due.source_url, MediaStatus::Failed, &why)
                .await?;
            summary.failed += 1;
        }
        Outcome::Refused(why) | Outcome::Transient(why) if !last => {
            let next = now + wait_after(options, due.attempts + 1);
            store.media_retry_at(due.id, &due.source_url, &why, next).await?;
            summary.retry_later += 1;
        }
        Outcome::Refused(why) => {
            store
                .media_given_up(due.id, &due.source_url, MediaStatus::Expired, &why)
                .await?;
            summary.expired += 1;
        }
        Outcome::Transient(why) => {
            store
                .media_given_up(due.id, &due.source_url, MediaStatus::Failed, &why)
                .await?;
            summary.failed += 1;
        }
        Outcome::Skipped => summary.skipped += 1,
    }
    Ok(())
}

/// Downloads every media URL of `store` due at `now` (UTC) into `dir` (see the module's
/// rules), [`MediaOptions::concurrency`] at a time, and records each outcome in
/// `post_media`. Returns what it did.
///
/// Errors: the HTTP client cannot be built; the store fails; a picture cannot be written
/// into `dir` (a full disk: the error names the folder; rows not yet recorded stay
/// pending, nothing stored is lost).
pub async fn keep_media(store: &Store, dir: &Path, now: DateTime<Utc>, options: &MediaOptions) -> Result<MediaSummary> {
    let http = client(options)?;
    let options = Arc::new(options.clone());
    let dir: Arc<Path> = Arc::from(dir);
    let mut summary = MediaSummary::default();
    let mut after = 0;
    loop {
        let due: Vec<MediaDue> = store.media_due(now, after, options.batch).await?;
        let Some(last) = due.last() else { break };
        after = last.id;
        let mut queue = due.into_iter();
        let mut running: JoinSet<(MediaDue, Result<Outcome>)> = JoinSet::new();
        let mut stop: Option<crate::AppError> = None;
        loop {
            while stop.is_none() && running.len() < options.concurrency.max(1) {
                let Some(d) = queue.next() else { break };
                let (http, dir, options) = (http.clone(), dir.clone(), options.clone());
                running.spawn(async move {
                    let r = download(&http, &dir, &d.source_url, &options).await;
                    (d, r)
                });
            }
            let Some(joined) = running.join_next().await else { break };
            let (d, outcome) = joined.context("a media download stopped")?;
            match outcome {
                Ok(o) => record(store, &d, o, now, &options, &mut summary).await?,
                Err(e) => {
                    stop.get_or_insert(e);
                }
            }
        }
        if let Some(e) = stop {
            return Err(e);
        }
    }
    if summary != MediaSummary::default() {
        tracing::info!(?summary, "media kept");
    }
    Ok(summary)
}

/// The media step of a collection ([`Workspace::collect`], the scheduler's runs): keeps the
/// new pictures as of `now` (UTC). A failure does not fail the collection (its data is
/// stored): it is logged, and the rows stay pending for the next collection.
pub(crate) async fn after_collection(ws: &Workspace, now: DateTime<Utc>) {
    if let Err(e) = ws.keep_media(now).await {
        tracing::warn!(error = %e, "the posts' pictures were not all kept; the next collection tries again");
    }
}

/// `true` when a platform endpoint of the workspace is on the loopback (the sandbox, a
/// replay, a test's stand-in API): such a workspace never downloads from the Internet.
fn endpoints_on_loopback(ws: &Workspace) -> bool {
    let Ok(value) = serde_json::to_value(ws.endpoints()) else {
        return true;
    };
    let Some(map) = value.as_object() else { return true };
    map.values()
        .filter_map(|v| v.as_str())
        .filter_map(|s| url::Url::parse(s).ok())
        .any(|u| is_loopback(&u))
}

impl Workspace {
    /// Downloads the posts' pending pictures into `<workspace>/media/` (see [`keep_media`]),
    /// with the default [`MediaOptions`]; a workspace with an endpoint on the loopback
    /// (the sandbox) downloads only loopback URLs. Run after each collection.
    ///
    /// Errors: as [`keep_media`].
    pub async fn keep_media(&self, now: DateTime<Utc>) -> Result<MediaSummary> {
        let options = MediaOptions {
            loopback_only: endpoints_on_loopback(self),
            ..MediaOptions::default()
        };
        keep_media(self.store(), &media_dir(self.dir()), now, &options).await
    }

    /// The kept picture of post `post_id` (`posts.id`) as `(content type, bytes)`; `None`
    /// when it has none (never downloaded, expired, too large).
    ///
    /// Errors: the store fails; the file is listed but cannot be read.
    pub async fn post_picture(&self, post_id: i64) -> Result<Option<(String, Vec<u8>)>> {
        let kept = self.store().kept_pictures(&[post_id]).await?;
        let Some(k) = kept.get(&post_id) else { return Ok(None) };
        read_kept(&media_dir(self.dir()), &k.file_name, &k.content_type).map(|b| b.map(|b| (k.content_type.clone(), b)))
    }
}

/// Gives the top [`alcance_report::campaign::TOP_PICTURES`] posts of `report` (the most
/// interactions first) their kept picture, embedded as a `data:` URL. `posts` are the
/// campaign's posts (`posts.id` by platform post id; an id two accounts share is left
/// without a picture). A file listed but unreadable is logged and left out.
///
/// Errors: the store fails.
pub(crate) async fn attach_pictures(
    ws: &Workspace,
    report: &mut alcance_report::campaign::CampaignReport,
    posts: &[alcance_store::PostRow],
) -> Result<()> {
    let mut ids: std::collections::HashMap<&str, Option<i64>> = std::collections::HashMap::new();
    for p in posts {
        ids.entry(p.external_id.as_str())
            .and_modify(|id| *id = None)
            .or_insert(Some(p.id));
    }
    let mut order: Vec<usize> = (0..report.posts.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (report.posts[a].interactions, report.posts[b].interactions);
        y.unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&x.unwrap_or(f64::NEG_INFINITY))
    });
    let top: Vec<(usize, i64)> = order
        .into_iter()
        .filter_map(|i| {
            ids.get(report.posts[i].post_id.as_str())
                .copied()
                .flatten()
                .map(|id| (i, id))
        })
        .take(alcance_report::campaign::TOP_PICTURES)
        .collect();
    let wanted: Vec<i64> = top.iter().map(|&(_, id)| id).collect();
    let kept = ws.store().kept_pictures(&wanted).await?;
    let dir = media_dir(ws.dir());
    for (i, id) in top {
        let Some(k) = kept.get(&id) else { continue };
        match read_kept(&dir, &k.file_name, &k.content_type) {
            Ok(Some(bytes)) => {
                report.posts[i].picture = Some(alcance_report::campaign::PostPicture {
                    content_type: k.content_type.clone(),
                    source_url: k.source_url.clone(),
                    fetched_at: k.fetched_at,
                    data_url: data_url(&k.content_type, &bytes),
                });
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(post = id, error = %e, "a kept picture could not be read; the report shows none"),
        }
    }
    Ok(())
}

/// The bytes of kept file `file_name` in `dir`, or `None` when the name is not one the
/// fetcher writes (`<64 hex>.<ext>`) or the file is gone. Never reads outside `dir`.
///
/// Errors: the file exists but cannot be read.
pub fn read_kept(dir: &Path, file_name: &str, content_type: &str) -> Result<Option<Vec<u8>>> {
    let Some((hash, ext)) = file_name.split_once('.') else {
        return Ok(None);
    };
    let known = format_of(content_type).is_some_and(|(_, e, _)| *e == ext);
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) || !known {
        return Ok(None);
    }
    match std::fs::read(dir.join(file_name)) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {file_name} in {}", dir.display())),
    }
}

/// A `data:` URL of a kept picture (`data:image/png;base64,…`), for an `<img>` of the
/// webview or a self-contained HTML report.
pub fn data_url(content_type: &str, bytes: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        "data:{content_type};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_and_names() {
        assert_eq!(format_of("image/PNG; charset=x").map(|f| f.1), Some("png"));
        assert_eq!(format_of("image/jpg").map(|f| f.1), Some("jpg"));
        assert!(format_of("image/svg+xml").is_none());
        assert!(format_of("text/html").is_none());
        let dir = Path::new("/nonexistent");
        assert_eq!(read_kept(dir, "../etc/passwd", "image/png").ok().flatten(), None);
        assert_eq!(
            read_kept(dir, &format!("{}.png", "a".repeat(64)), "image/png")
                .ok()
                .flatten(),
            None
        );
        assert_eq!(
            read_kept(dir, &format!("{}.jpg", "a".repeat(64)), "image/png")
                .ok()
                .flatten(),
            None
        );
    }

    #[test]
    fn backoff_doubles_and_is_bounded() {
        let o = MediaOptions::default();
        assert_eq!(wait_after(&o, 1), Duration::hours(1));
        assert_eq!(wait_after(&o, 2), Duration::hours(2));
        assert_eq!(wait_after(&o, 3), Duration::hours(4));
        assert_eq!(wait_after(&o, 100), Duration::hours(64));
    }
}
