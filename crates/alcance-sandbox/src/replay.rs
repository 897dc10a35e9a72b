//! Replay of recorded HTTP exchanges: the sandbox's replay mode.
//!
//! [`ReplayEngine::load`] reads a directory of exchange files in the format of
//! `shared/fixtures/README.md` (one JSON file per exchange, searched recursively,
//! `*.webhook.json` skipped) and indexes them by method and path. [`ReplayEngine::respond`]
//! then picks the recording that best fits a request, following the README's
//! "Replay matching rule" exactly:
//!
//! 1. Candidates have the same method (compared case-insensitively) and the same path after
//!    a leading Graph API version segment `/vNN.N` is removed from both paths. The host is
//!    ignored. Paths are percent-decoded before they are compared, so `/%7Bpage-id%7D`
//!    and `/{page-id}` are the same path; a trailing slash is significant.
//! 2. Each candidate is scored from its recorded parameters: the recorded `request.query`
//!    and, when the recorded request has a body, its top-level fields (a JSON object body)
//!    or its pairs (a form-encoded body, `a=1&b=2`). Parameters named `access_token` or
//!    `appsecret_proof` and parameters whose recorded value is `REDACTED` are ignored. For
//!    each remaining recorded parameter: +2 when the request has it with the same value,
//!    +1 when the request has it with another value, −1 when the request lacks it. The
//!    request's parameters are its query pairs plus the top-level fields of its body (JSON
//!    object or form-encoded), whatever the method. Parameters the request has but the
//!    recording lacks do not count.
//! 3. The highest score wins; ties go to the file whose relative path (within the loaded
//!    directory, `/`-separated) sorts first, byte-wise.
//! 4. No candidate: [`ReplayEngine::respond`] returns `None` and the caller answers
//!    [`ReplayEngine::not_found`] (a 404 naming the method and path) and logs it.
//!
//! Parameter values are compared as strings. A recorded value that is a JSON number or
//! boolean counts as its JSON text (`5`, `true`); an array or object as its compact JSON
//! text; `null` is no parameter at all.
//!
//! The engine also derives a manifest of the accounts the recordings are about (the
//! `GET /__alcance/accounts` answer of ADR 0001), see [`ReplayEngine::manifest`].
//!
//! Tests find the recordings with [`fixtures_dir`]: skipped locally when absent, a failure
//! on CI.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use axum::http::{HeaderName, HeaderValue};
use serde_json::{Map, Value};

pub use crate::fixtures::{
    default_fixtures_dir, fixtures_dir, locate_fixtures, on_ci, platform_fixtures_dir, FixturesMissing,
    FIXTURES_DIR_VAR,
};

/// Why a replay directory could not be loaded. Every variant names the file or directory
/// at fault; none carries request or response content, so no secret can leak through it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The directory or one of its files could not be read (missing, not a directory,
    /// permissions, I/O failure).
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The directory or file that failed.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An exchange file is not valid JSON (truncated, HTML, not UTF-8, ...).
    #[error("{}: not valid JSON: {source}", path.display())]
    Json {
        /// The file at fault.
        path: PathBuf,
        /// The parser's error (line and column, no content).
        #[source]
        source: serde_json::Error,
    },
    /// An exchange file is JSON but not a recorded exchange: a required field is missing
    /// or has the wrong type (`request.method`, `request.path`, `response.status` are
    /// required), a header is not a valid HTTP header, or both `response.body` and
    /// `response.body_text` are given.
    #[error("{}: not a recorded exchange: {reason}", path.display())]
    Malformed {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong, naming the field (never its value).
        reason: String,
    },
}

/// The answer to replay for one request: what the matched exchange recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayAnswer {
    /// HTTP status code (`response.status`), 100–999.
    pub status: u16,
    /// Response headers in order, names as recorded (lower-case in the fixtures). A name
    /// whose recorded value is a JSON array appears once per element (`set-cookie`).
    /// Transport headers (`content-length`, `content-encoding`, `transfer-encoding`,
    /// `connection`) are dropped; `content-type: application/json` is added when the
    /// exchange has a JSON body and recorded no content type. Names and values are valid
    /// HTTP header names and values (checked at load).
    pub headers: Vec<(String, String)>,
    /// Response body bytes: `response.body` serialized as compact JSON, or
    /// `response.body_text` byte for byte; empty when the exchange has neither (or a
    /// JSON `null` body).
    pub body: Vec<u8>,
    /// How long the caller waits before answering, in milliseconds
    /// (`response.delay_ms`, 0 when absent).
    pub delay_ms: u64,
}

/// One account of the replay manifest (`GET /__alcance/accounts`, ADR 0001).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub struct ManifestAccount {
    /// Platform key: `x`, `facebook`, `instagram`, `whatsapp` or `tiktok`.
    pub platform: String,
    /// The platform's id of the account: X user id, Facebook Page id, Instagram user id,
    /// WhatsApp Business Account (WABA) id, TikTok `open_id`.
    pub external_id: String,
    /// The account's handle when a recorded body shows it (X `data.username`, Instagram
    /// `username`), without `@`.
    pub username: Option<String>,
    /// `true` for the account the sandbox's OAuth flow logs in as (one per platform);
    /// `false` for tracked accounts.
    pub owned: bool,
}

/// Which recording [`ReplayEngine::select`] picked for a request, and why.
#[derive(Debug, Clone, Copy)]
pub struct ReplayMatch<'a> {
    /// The exchange file's path relative to the loaded directory, `/`-separated
    /// (e.g. `x/tweepy__get-me.json`).
    pub file: &'a str,
    /// The winning score under the matching rule (may be negative).
    pub score: i64,
    /// The answer recorded in that file.
    pub answer: &'a ReplayAnswer,
}

/// Recorded exchanges, indexed by method and version-less path, ready to be replayed.
///
/// Cheap to share behind an `Arc`; all methods take `&self`.
#[derive(Debug, Clone, Default)]
pub struct ReplayEngine {
    /// All exchanges, sorted by relative file name.
    exchanges: Vec<Exchange>,
    /// (upper-case method, normalized path) → indices into `exchanges`, in name order.
    index: HashMap<(String, String), Vec<usize>>,
    /// Accounts derived at load time, in manifest order.
    manifest: Vec<ManifestAccount>,
}

/// One loaded exchange file.
#[derive(Debug, Clone)]
struct Exchange {
    /// Relative path within the loaded directory, `/`-separated.
    name: String,
    /// `platform` field (or the first folder of `name` when absent).
    platform: Option<String>,
    /// Upper-case method.
    method: String,
    /// Percent-decoded path without a leading Graph version segment.
    path: String,
    /// The recorded query, all pairs (used by the manifest).
    query: Vec<(String, String)>,
    /// The parameters that score: query + body fields, without ignored ones.
    params: Vec<(String, String)>,
    /// The recorded response body when it is JSON (used by the manifest).
    body_json: Option<Value>,
    /// What to send back.
    answer: ReplayAnswer,
}

/// Parameter names that never score (credentials).
const IGNORED_PARAMS: [&str; 2] = ["access_token", "appsecret_proof"];
/// Recorded value that marks a redacted credential; never scores.
const REDACTED: &str = "REDACTED";
/// Hop-by-hop / encoding headers that must not be replayed: the body is stored decoded.
const TRANSPORT_HEADERS: [&str; 4] = ["content-length", "content-encoding", "transfer-encoding", "connection"];
/// Manifest platform order (ADR 0001 / `Platform::ALL`).
const PLATFORM_ORDER: [&str; 5] = ["x", "facebook", "instagram", "whatsapp", "tiktok"];

impl ReplayEngine {
    /// Loads every exchange file under `dir`, recursively.
    ///
    /// Only files whose name ends in `.json` are read; `*.webhook.json` files (webhook
    /// payloads) and other files (README.md, FILES.md) are skipped. Symbolic links are
    /// followed, each directory at most once.
    ///
    /// # Errors
    /// [`ReplayError::Io`] when `dir` or a file cannot be read, [`ReplayError::Json`] when a
    /// file is not valid JSON, [`ReplayError::Malformed`] when it is not an exchange; each
    /// names the file.
    pub fn load(dir: &Path) -> Result<ReplayEngine, ReplayError> {
        let mut files = Vec::new();
        let mut visited = HashSet::new();
        collect_files(dir, dir, &mut files, &mut visited)?;
        files.sort_by(|a, b| a.0.cmp(&b.0));

        let mut exchanges = Vec::with_capacity(files.len());
        for (name, path) in files {
            let bytes = fs::read(&path).map_err(|source| ReplayError::Io {
                path: path.clone(),
                source,
            })?;
            let value: Value = serde_json::from_slice(&bytes).map_err(|source| ReplayError::Json {
                path: path.clone(),
                source,
            })?;
            let exchange = parse_exchange(name, &value).map_err(|reason| ReplayError::Malformed { path, reason })?;
            exchanges.push(exchange);
        }
        Ok(Self::from_exchanges(exchanges))
    }

    /// Loads one exchange file from its bytes, as [`ReplayEngine::load`] reads each file;
    /// `name` is its relative path (`x/users_me.json`: its first folder is the platform
    /// when the file names none). Never panics, whatever the bytes: the `replay_exchange`
    /// fuzz target (ADR 0016) runs it.
    ///
    /// # Errors
    /// [`ReplayError::Json`] or [`ReplayError::Malformed`] as [`ReplayEngine::load`],
    /// naming `name`.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<ReplayEngine, ReplayError> {
        let path = PathBuf::from(name);
        let value: Value = serde_json::from_slice(bytes).map_err(|source| ReplayError::Json {
            path: path.clone(),
            source,
        })?;
        let exchange =
            parse_exchange(name.to_string(), &value).map_err(|reason| ReplayError::Malformed { path, reason })?;
        Ok(Self::from_exchanges(vec![exchange]))
    }

    /// Indexes exchanges sorted by name and derives the manifest.
    fn from_exchanges(exchanges: Vec<Exchange>) -> ReplayEngine {
        let mut index: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, ex) in exchanges.iter().enumerate() {
            index.entry((ex.method.clone(), ex.path.clone())).or_default().push(i);
        }
        let manifest = derive_manifest(&exchanges);
        tracing::debug!(
            exchanges = exchanges.len(),
            accounts = manifest.len(),
            "replay exchanges loaded"
        );
        ReplayEngine {
            exchanges,
            index,
            manifest,
        }
    }

    /// The recorded answer for a request, by the matching rule (see the module docs).
    ///
    /// `method` is the HTTP method (any case), `path` the request path (percent-encoded or
    /// not; a `?query` suffix, if present, is parsed as more query pairs), `query` the
    /// decoded query pairs (an `access_token` among them is ignored), `body` the raw
    /// request body (a JSON object's top-level fields or form-encoded pairs count as
    /// parameters). Returns `None` when no exchange has this method and path; the caller
    /// then answers [`ReplayEngine::not_found`].
    pub fn respond(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Option<ReplayAnswer> {
        self.select(method, path, query, body).map(|m| m.answer.clone())
    }

    /// Like [`ReplayEngine::respond`], but also tells which file won and with what score
    /// (for logs and tests). Returns `None` when there is no candidate.
    pub fn select(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Option<ReplayMatch<'_>> {
        let (path_only, inline_query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        let key = (method.to_ascii_uppercase(), normalize_path(path_only));
        let candidates = self.index.get(&key)?;

        let mut request: Vec<(String, String)> = query.to_vec();
        if let Some(q) = inline_query {
            request.extend(url::form_urlencoded::parse(q.as_bytes()).into_owned());
        }
        if let Some(bytes) = body {
            request.extend(body_params_from_bytes(bytes));
        }

        let mut best: Option<(usize, i64)> = None;
        for &i in candidates {
            let score = score(&self.exchanges[i].params, &request);
            // Candidates are in name order, so a strict `>` keeps the first of a tie.
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((i, score));
            }
        }
        let (i, score) = best?;
        let ex = &self.exchanges[i];
        tracing::debug!(file = %ex.name, score, "replay match");
        Some(ReplayMatch {
            file: &ex.name,
            score,
            answer: &ex.answer,
        })
    }

    /// The 404 answer for a request no recording matches: a JSON body
    /// `{"title":"Not Found","status":404,"detail":"…","method":"GET","path":"/…"}` naming
    /// the method and path, with `content-type: application/json`, no delay.
    pub fn not_found(method: &str, path: &str) -> ReplayAnswer {
        let body = serde_json::json!({
            "title": "Not Found",
            "status": 404,
            "detail": format!("alcance sandbox (replay): no recorded exchange for {method} {path}"),
            "method": method,
            "path": path,
        });
        ReplayAnswer {
            status: 404,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: body.to_string().into_bytes(),
            delay_ms: 0,
        }
    }

    /// The accounts the recordings are about (ADR 0001), derived at load time.
    ///
    /// Order: platforms `x`, `facebook`, `instagram`, `whatsapp`, `tiktok`; within a
    /// platform the owned account first, then by `external_id` (string order). Exactly one
    /// account per listed platform is `owned`. Sources, all from recorded exchanges:
    /// - **x**: `GET /2/users/by/username/{u}` and `GET /2/users/me` bodies (`data.id`,
    ///   `data.username`); numeric `{id}` of `GET /2/users/{id}/tweets|mentions|followers`
    ///   (username merged when another recording knows the id). Owned: the first
    ///   `users/me` account (file order), else the first account found.
    /// - **instagram**: numeric ids of `GET /{id}/media`, `GET /{id}/stories`, `GET /{id}`
    ///   whose `fields` list `followers_count` or `business_discovery` at the top level,
    ///   and `GET /{id}/insights` with a `period` (user insights). Usernames from the
    ///   `/{id}` body (`username` when its `id` matches) or the media/stories items'
    ///   `username`. Owned: the first id with `/media` recordings, else the first.
    /// - **facebook**: numeric Page ids of `GET /{id}/posts|videos|insights`, pages in
    ///   `GET /me/accounts` bodies (`data[].id`), and `GET /{id}` whose `fields` list
    ///   `fan_count` or `followers_count`. Owned: the first `me/accounts` page, else the
    ///   first.
    /// - **whatsapp**: WABA ids of `GET /{id}?fields=analytics…|conversation_analytics…|
    ///   pricing_analytics…` and `GET /{id}/template_analytics`. Owned: the first.
    /// - **tiktok**: `open_id` of token bodies (`data.open_id` or top-level `open_id`).
    ///   Owned: the first.
    ///
    /// "First" means in file-name order. Non-numeric placeholders (`id`, `media_id`,
    /// `{page-id}`) are never ids.
    pub fn manifest(&self) -> Vec<ManifestAccount> {
        self.manifest.clone()
    }

    /// Number of exchanges loaded (webhook files not counted).
    pub fn len(&self) -> usize {
        self.exchanges.len()
    }

    /// `true` when no exchange was loaded.
    pub fn is_empty(&self) -> bool {
        self.exchanges.is_empty()
    }
}

// ---------------------------------------------------------------------------------------
// Loading

/// Walks `dir`, pushing `(relative name, full path)` for each exchange file.
fn collect_files(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, PathBuf)>,
    visited: &mut HashSet<PathBuf>,
) -> Result<(), ReplayError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReplayError::Io { path, source }
    };
    let canonical = fs::canonicalize(dir).map_err(io_err(dir))?;
    if !visited.insert(canonical) {
        return Ok(());
    }
    for entry in fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        let path = entry.path();
        // `fs::metadata` follows symbolic links.
        let meta = fs::metadata(&path).map_err(io_err(&path))?;
        if meta.is_dir() {
            collect_files(root, &path, out, visited)?;
            continue;
        }
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        if !meta.is_file() || !file_name.ends_with(".json") || file_name.ends_with(".webhook.json") {
            continue;
        }
        out.push((relative_name(root, &path), path));
    }
    Ok(())
}

/// `path` relative to `root`, components joined by `/`.
fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads one exchange; the error string names the offending field.
fn parse_exchange(name: String, value: &Value) -> Result<Exchange, String> {
    let root = value.as_object().ok_or("the file is not a JSON object")?;
    let platform = match root.get("platform") {
        None | Some(Value::Null) => name
            .split_once('/')
            .map(|(dir, _)| dir)
            .filter(|dir| PLATFORM_ORDER.contains(dir))
            .map(str::to_owned),
        Some(Value::String(p)) => Some(p.clone()),
        Some(_) => return Err("`platform` is not a string".into()),
    };

    let request = root
        .get("request")
        .and_then(Value::as_object)
        .ok_or("`request` is missing or not an object")?;
    let method = request
        .get("method")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .ok_or("`request.method` is missing or not a string")?
        .to_ascii_uppercase();
    let raw_path = request
        .get("path")
        .and_then(Value::as_str)
        .ok_or("`request.path` is missing or not a string")?;
    let query = match request.get("query") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => params_from_object(map),
        Some(_) => return Err("`request.query` is not an object".into()),
    };
    let body_params = match request.get("body") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => params_from_object(map),
        Some(Value::String(text)) => body_params_from_bytes(text.as_bytes()),
        Some(_) => Vec::new(),
    };
    let params = query
        .iter()
        .chain(body_params.iter())
        .filter(|(k, v)| !IGNORED_PARAMS.contains(&k.as_str()) && v != REDACTED)
        .cloned()
        .collect();

    let response = root
        .get("response")
        .and_then(Value::as_object)
        .ok_or("`response` is missing or not an object")?;
    let status = response
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| (100..=999).contains(s))
        .ok_or("`response.status` is missing or not an integer in 100..=999")?;
    let delay_ms = match response.get("delay_ms") {
        None | Some(Value::Null) => 0,
        Some(v) => v.as_u64().ok_or("`response.delay_ms` is not a non-negative integer")?,
    };
    let body_json = match response.get("body") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.clone()),
    };
    let body_text = match response.get("body_text") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(t.as_bytes().to_vec()),
        Some(_) => return Err("`response.body_text` is not a string".into()),
    };
    let body = match (&body_json, body_text) {
        (Some(_), Some(_)) => return Err("both `response.body` and `response.body_text` are given".into()),
        (Some(json), None) => {
            serde_json::to_vec(json).map_err(|e| format!("`response.body` cannot be serialized: {e}"))?
        }
        (None, Some(bytes)) => bytes,
        (None, None) => Vec::new(),
    };
    let mut headers = match response.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => parse_headers(map)?,
        Some(_) => return Err("`response.headers` is not an object".into()),
    };
    if body_json.is_some() && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
        headers.push(("content-type".to_owned(), "application/json".to_owned()));
    }

    Ok(Exchange {
        name,
        platform,
        method,
        path: normalize_path(raw_path),
        query,
        params,
        body_json,
        answer: ReplayAnswer {
            status,
            headers,
            body,
            delay_ms,
        },
    })
}

/// Recorded headers → replayable pairs (arrays expand, transport headers dropped).
fn parse_headers(map: &Map<String, Value>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (name, value) in map {
        if TRANSPORT_HEADERS.iter().any(|t| t.eq_ignore_ascii_case(name)) {
            continue;
        }
        if HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(format!("`response.headers` has an invalid header name {name:?}"));
        }
        let values: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for v in values {
            let text = match v {
                Value::Null => continue,
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Array(_) | Value::Object(_) => {
                    return Err(format!(
                        "`response.headers.{name}` is not a string or an array of strings"
                    ))
                }
            };
            if HeaderValue::from_str(&text).is_err() {
                // The value itself may be a cookie or token: name the header only.
                return Err(format!("`response.headers.{name}` is not a valid header value"));
            }
            out.push((name.clone(), text));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Matching

/// The matching rule's score of one candidate (recorded `params` already filtered).
fn score(recorded: &[(String, String)], request: &[(String, String)]) -> i64 {
    recorded
        .iter()
        .map(|(name, value)| {
            let mut present = false;
            for (k, v) in request {
                if k == name {
                    if v == value {
                        return 2;
                    }
                    present = true;
                }
            }
            if present {
                1
            } else {
                -1
            }
        })
        .sum()
}

/// A JSON scalar or structure as a parameter value; `None` for `null`.
fn param_value(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(_) | Value::Object(_) => Some(v.to_string()),
    }
}

/// An object's top-level fields as parameters (`null` fields skipped).
fn params_from_object(map: &Map<String, Value>) -> Vec<(String, String)> {
    map.iter()
        .filter_map(|(k, v)| param_value(v).map(|v| (k.clone(), v)))
        .collect()
}

/// A request body's parameters: a JSON object's top-level fields, or form-encoded pairs.
/// Any other JSON (array, scalar) or non-UTF-8 bytes give none.
fn body_params_from_bytes(bytes: &[u8]) -> Vec<(String, String)> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Vec::new();
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => params_from_object(&map),
        Ok(_) => Vec::new(),
        Err(_) => match std::str::from_utf8(bytes) {
            Ok(text) => url::form_urlencoded::parse(text.trim().as_bytes())
                .into_owned()
                .collect(),
            Err(_) => Vec::new(),
        },
    }
}

/// Percent-decodes `path`, makes sure it starts with `/` and removes a leading Graph API
/// version segment (`/v18.0/x` → `/x`, `/v25.0` → `/`).
fn normalize_path(path: &str) -> String {
    let decoded = percent_decode(path);
    let path = if decoded.starts_with('/') {
        decoded
    } else {
        format!("/{decoded}")
    };
    let rest = &path[1..];
    let (first, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if is_graph_version(first) {
        if tail.is_empty() {
            "/".to_owned()
        } else {
            tail.to_owned()
        }
    } else {
        path
    }
}

/// `vNN.N`: a `v`, digits, a dot, digits.
fn is_graph_version(segment: &str) -> bool {
    let Some(version) = segment.strip_prefix('v') else {
        return false;
    };
    let Some((major, minor)) = version.split_once('.') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(major) && digits(minor)
}

/// Decodes `%XX` escapes; returns the input unchanged when the result is not UTF-8.
fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                // Both digits are < 16, so the value fits in a byte.
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'%'));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

// ---------------------------------------------------------------------------------------
// Manifest

/// Accounts of one platform, in discovery order.
#[derive(Default)]
struct PlatformAccounts {
    ids: Vec<String>,
    usernames: HashMap<String, Option<String>>,
    owner: Option<String>,
}

impl PlatformAccounts {
    /// Adds `id` (non-empty) and fills its username when one is known now.
    fn add(&mut self, id: &str, username: Option<&str>) {
        if id.is_empty() {
            return;
        }
        let username = username.filter(|u| !u.is_empty()).map(str::to_owned);
        match self.usernames.get_mut(id) {
            Some(known) => {
                if known.is_none() {
                    *known = username;
                }
            }
            None => {
                self.ids.push(id.to_owned());
                self.usernames.insert(id.to_owned(), username);
            }
        }
    }

    /// Marks `id` as the owned account unless one is already marked.
    fn prefer_owner(&mut self, id: &str) {
        if self.owner.is_none() && self.usernames.contains_key(id) {
            self.owner = Some(id.to_owned());
        }
    }

    /// Manifest rows: the owner (or the first) first, then by id.
    fn into_rows(self, platform: &str) -> Vec<ManifestAccount> {
        let Some(owner) = self.owner.or_else(|| self.ids.first().cloned()) else {
            return Vec::new();
        };
        let mut rest: Vec<&String> = self.ids.iter().filter(|id| **id != owner).collect();
        rest.sort();
        std::iter::once(&owner)
            .chain(rest)
            .map(|id| ManifestAccount {
                platform: platform.to_owned(),
                external_id: id.clone(),
                username: self.usernames.get(id).cloned().flatten(),
                owned: *id == owner,
            })
            .collect()
    }
}

/// The manifest of [`ReplayEngine::manifest`], from exchanges in name order.
fn derive_manifest(exchanges: &[Exchange]) -> Vec<ManifestAccount> {
    let mut per_platform: HashMap<&str, PlatformAccounts> = HashMap::new();
    for ex in exchanges {
        let Some(platform) = ex.platform.as_deref() else {
            continue;
        };
        let Some(key) = PLATFORM_ORDER.iter().find(|p| **p == platform) else {
            continue;
        };
        let accounts = per_platform.entry(key).or_default();
        match *key {
            "x" => manifest_x(ex, accounts),
            "instagram" => manifest_instagram(ex, accounts),
            "facebook" => manifest_facebook(ex, accounts),
            "whatsapp" => manifest_whatsapp(ex, accounts),
            "tiktok" => manifest_tiktok(ex, accounts),
            _ => {}
        }
    }
    PLATFORM_ORDER
        .iter()
        .filter_map(|p| per_platform.remove(p).map(|a| a.into_rows(p)))
        .flatten()
        .collect()
}

/// Path segments of a normalized path (`/a/b` → `["a", "b"]`).
fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('/').split('/').collect()
}

/// Non-empty and ASCII digits only: a real id, not a placeholder like `id` or `{page-id}`.
fn is_numeric_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A JSON id that may be a string or a number.
fn json_id(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The value of query parameter `name` in the recorded query.
fn query_value<'a>(ex: &'a Exchange, name: &str) -> Option<&'a str> {
    ex.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Top-level field names of a Graph API `fields` value:
/// `id,business_discovery.username(x){a,b},analytics.start(1)` →
/// `["id", "business_discovery", "analytics"]`.
fn top_level_fields(fields: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in fields.char_indices() {
        match c {
            '{' | '(' | '[' => depth += 1,
            '}' | ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&fields[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&fields[start..]);
    out.into_iter()
        .map(|f| {
            let f = f.trim();
            let end = f.find(['.', '{', '(']).unwrap_or(f.len());
            f[..end].trim()
        })
        .filter(|f| !f.is_empty())
        .collect()
}

/// Whether the recorded `fields` list one of `names` at the top level.
fn fields_include(ex: &Exchange, names: &[&str]) -> bool {
    query_value(ex, "fields")
        .map(|f| top_level_fields(f).iter().any(|t| names.contains(t)))
        .unwrap_or(false)
}

fn manifest_x(ex: &Exchange, accounts: &mut PlatformAccounts) {
    if ex.method != "GET" {
        return;
    }
    let segs = segments(&ex.path);
    let data = ex.body_json.as_ref().and_then(|b| b.get("data"));
    let from_body = |accounts: &mut PlatformAccounts| -> Option<String> {
        let id = json_id(data.and_then(|d| d.get("id")))?;
        let username = data.and_then(|d| d.get("username")).and_then(Value::as_str);
        accounts.add(&id, username);
        Some(id)
    };
    match segs.as_slice() {
        ["2", "users", "by", "username", _] => {
            from_body(accounts);
        }
        ["2", "users", "me"] => {
            if let Some(id) = from_body(accounts) {
                accounts.prefer_owner(&id);
            }
        }
        ["2", "users", id, "tweets" | "mentions" | "followers"] if is_numeric_id(id) => {
            accounts.add(id, None);
        }
        _ => {}
    }
}

fn manifest_instagram(ex: &Exchange, accounts: &mut PlatformAccounts) {
    if ex.method != "GET" {
        return;
    }
    let segs = segments(&ex.path);
    let body = ex.body_json.as_ref();
    match segs.as_slice() {
        [id, edge @ ("media" | "stories")] if is_numeric_id(id) => {
            let username = body
                .and_then(|b| b.get("data"))
                .and_then(Value::as_array)
                .and_then(|items| {
                    items
                        .iter()
                        .find_map(|item| item.get("username").and_then(Value::as_str))
                });
            accounts.add(id, username);
            if *edge == "media" {
                accounts.prefer_owner(id);
            }
        }
        [id] if is_numeric_id(id) && fields_include(ex, &["followers_count", "business_discovery"]) => {
            let username = body
                .filter(|b| json_id(b.get("id")).as_deref() == Some(*id))
                .and_then(|b| b.get("username"))
                .and_then(Value::as_str);
            accounts.add(id, username);
        }
        [id, "insights"] if is_numeric_id(id) && query_value(ex, "period").is_some() => {
            accounts.add(id, None);
        }
        _ => {}
    }
}

fn manifest_facebook(ex: &Exchange, accounts: &mut PlatformAccounts) {
    if ex.method != "GET" {
        return;
    }
    let segs = segments(&ex.path);
    let body = ex.body_json.as_ref();
    match segs.as_slice() {
        [id, "posts" | "videos" | "insights"] if is_numeric_id(id) => accounts.add(id, None),
        ["me", "accounts"] => {
            let pages = body
                .and_then(|b| b.get("data"))
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for page in pages {
                if let Some(id) = json_id(page.get("id")).filter(|id| is_numeric_id(id)) {
                    accounts.add(&id, page.get("username").and_then(Value::as_str));
                    accounts.prefer_owner(&id);
                }
            }
        }
        [id] if is_numeric_id(id) && fields_include(ex, &["fan_count", "followers_count"]) => {
            let username = body
                .filter(|b| json_id(b.get("id")).as_deref() == Some(*id))
                .and_then(|b| b.get("username"))
                .and_then(Value::as_str);
            accounts.add(id, username);
        }
        _ => {}
    }
}

fn manifest_whatsapp(ex: &Exchange, accounts: &mut PlatformAccounts) {
    if ex.method != "GET" {
        return;
    }
    match segments(&ex.path).as_slice() {
        [id] if is_numeric_id(id)
            && fields_include(ex, &["analytics", "conversation_analytics", "pricing_analytics"]) =>
        {
            accounts.add(id, None);
        }
        [id, "template_analytics"] if is_numeric_id(id) => accounts.add(id, None),
        _ => {}
    }
}

fn manifest_tiktok(ex: &Exchange, accounts: &mut PlatformAccounts) {
    let Some(body) = ex.body_json.as_ref() else {
        return;
    };
    let open_id = body
        .get("data")
        .and_then(|d| d.get("open_id"))
        .or_else(|| body.get("open_id"))
        .and_then(Value::as_str);
    if let Some(open_id) = open_id {
        accounts.add(open_id, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_segment_is_stripped_only_at_the_start() {
        assert_eq!(normalize_path("/v18.0/123/insights"), "/123/insights");
        assert_eq!(normalize_path("v25.0/123"), "/123");
        assert_eq!(normalize_path("/v25.0"), "/");
        assert_eq!(normalize_path("/2/users/me"), "/2/users/me");
        assert_eq!(normalize_path("/v2/user/info/"), "/v2/user/info/");
        assert_eq!(
            normalize_path("/open_api/v1.3/tt_user/token_info/get/"),
            "/open_api/v1.3/tt_user/token_info/get/"
        );
        assert_eq!(normalize_path("/v1x.0/a"), "/v1x.0/a");
    }

    #[test]
    fn percent_decoding_is_lenient() {
        assert_eq!(percent_decode("/%7Bpage-id%7D"), "/{page-id}");
        assert_eq!(percent_decode("/a%2"), "/a%2");
        assert_eq!(percent_decode("/a%zz"), "/a%zz");
        assert_eq!(percent_decode("/%ff"), "/%ff");
        assert_eq!(percent_decode("%41"), "A");
    }

    #[test]
    fn top_level_fields_ignore_nested_ones() {
        assert_eq!(
            top_level_fields("business_discovery.username(fb){followers_count,media{id}},id"),
            vec!["business_discovery", "id"]
        );
        assert_eq!(top_level_fields("id, owner{followers_count}"), vec!["id", "owner"]);
        assert_eq!(
            top_level_fields("analytics.start(1).end(2).granularity(DAY)"),
            vec!["analytics"]
        );
    }

    #[test]
    fn score_counts_same_other_and_missing() {
        let rec = vec![
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "2".to_owned()),
            ("c".to_owned(), "3".to_owned()),
        ];
        let req = vec![
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "9".to_owned()),
            ("z".to_owned(), "0".to_owned()),
        ];
        assert_eq!(score(&rec, &req), 2 + 1 - 1);
    }
}
