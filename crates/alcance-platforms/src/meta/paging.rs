//! Graph paging: the `paging` object, the guard against servers that repeat pages or
//! cursors, next-page parameters for cursor, time-based and offset paging, and
//! [`list_pages`], which reads a whole paged list.

use super::request::{decode, get};
use crate::error::PlatformError;
use crate::http::{Http, Recorder};
use crate::lenient;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;
use url::Url;

/// The `paging` object of a Graph list: `{"cursors":{"before","after"},"next"?,"previous"?}`.
/// `next` is absent on the last page. Fields of an unexpected type read as `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Paging {
    /// Opaque cursors around this page.
    #[serde(default, deserialize_with = "lenient::object")]
    pub cursors: Option<Cursors>,
    /// Full URL of the next page (carries the token: never log or store it).
    #[serde(default, deserialize_with = "lenient::string")]
    pub next: Option<String>,
    /// Full URL of the previous page.
    #[serde(default, deserialize_with = "lenient::string")]
    pub previous: Option<String>,
}

/// `paging.cursors`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Cursors {
    /// Cursor of the first item, sent as `before=`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub before: Option<String>,
    /// Cursor of the last item, sent as `after=` to get the next page.
    #[serde(default, deserialize_with = "lenient::string")]
    pub after: Option<String>,
}

impl Paging {
    /// The `after` cursor to request next, only when `next` says there is a next page.
    pub fn next_after(&self) -> Option<&str> {
        self.next.as_ref()?;
        self.cursors.as_ref()?.after.as_deref().filter(|c| !c.is_empty())
    }
}

/// What to do after a page (see [`PageGuard::advance`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStep {
    /// Request the page with `after=<cursor>`.
    Next(String),
    /// The last page was read (`paging.next` or the `after` cursor absent).
    End,
    /// The guard stopped paging early; report it as a warning.
    Stopped(PageStop),
}

/// Why a [`PageGuard`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStop {
    /// The server sent a cursor already followed (a replaying server repeats pages).
    RepeatedCursor,
    /// The page held no id not seen on an earlier page (empty or repeated page).
    NoNewIds,
    /// The page cap was reached.
    Capped,
}

impl PageStop {
    /// Stable code for a run-event warning: `paging_loop` or `paging_cap`.
    pub fn code(self) -> &'static str {
        match self {
            PageStop::RepeatedCursor | PageStop::NoNewIds => "paging_loop",
            PageStop::Capped => "paging_cap",
        }
    }
}

/// Guards cursor paging against servers that repeat pages or cursors, and caps the number
/// of pages. One guard per listing.
#[derive(Debug, Clone)]
pub struct PageGuard {
    max_pages: usize,
    pages: usize,
    cursors: HashSet<String>,
    ids: HashSet<String>,
}

impl PageGuard {
    /// A guard allowing at most `max_pages` pages (at least 1).
    pub fn new(max_pages: usize) -> Self {
        Self {
            max_pages: max_pages.max(1),
            pages: 0,
            cursors: HashSet::new(),
            ids: HashSet::new(),
        }
    }

    /// Pages read so far.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// `true` when `id` was on an earlier (or the current) page.
    pub fn seen(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// Records a page with `ids` and its `paging`, and decides what comes next: `End` when
    /// there is no next page; `Stopped(NoNewIds)` when the page brought no new id;
    /// `Stopped(RepeatedCursor)` when the next cursor was already followed;
    /// `Stopped(Capped)` after `max_pages` pages; else `Next(cursor)`.
    pub fn advance<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>, paging: Option<&Paging>) -> PageStep {
        self.advance_key(ids, paging.and_then(Paging::next_after))
    }
}

impl PageGuard {
    /// [`PageGuard::advance`] for any kind of paging: `next_key` identifies the next page
    /// (a cursor, or the next-page parameters joined into one string; `None` on the last
    /// page). Returns `End`, `Stopped(NoNewIds)`, `Stopped(RepeatedCursor)` (the same key
    /// twice), `Stopped(Capped)` or `Next(next_key)`, by the same rules.
    pub fn advance_key<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>, next_key: Option<&str>) -> PageStep {
        self.pages += 1;
        let mut new = 0usize;
        for id in ids {
            if self.ids.insert(id.to_string()) {
                new += 1;
            }
        }
        let Some(key) = next_key.filter(|k| !k.is_empty()) else {
            return PageStep::End;
        };
        if new == 0 {
            return PageStep::Stopped(PageStop::NoNewIds);
        }
        if !self.cursors.insert(key.to_string()) {
            return PageStep::Stopped(PageStop::RepeatedCursor);
        }
        if self.pages >= self.max_pages {
            return PageStep::Stopped(PageStop::Capped);
        }
        PageStep::Next(key.to_string())
    }
}

/// Query parameters of a `paging.next` URL that select the next page in time-based paging
/// (Facebook `/posts` and `/feed`: `until`, `since`, `__paging_token`), offset paging
/// (`offset`) or cursor paging (`after`).
const NEXT_PAGE_KEYS: &[&str] = &["after", "until", "since", "__paging_token", "offset"];

/// The query parameters that request the page after this one, or `None` on the last page
/// (no `next` link). Cursor paging gives `[("after", <cursor>)]`; without `cursors.after`
/// (time-based paging of `/posts`) the non-empty `after` / `until` / `since` /
/// `__paging_token` / `offset` parameters of the `next` URL are used, so the caller never
/// follows the URL itself (it carries the token). `None` as well when `next` names none
/// of them.
pub fn next_page_params(paging: &Paging) -> Option<Vec<(String, String)>> {
    if let Some(after) = paging.next_after() {
        return Some(vec![("after".to_string(), after.to_string())]);
    }
    let next = Url::parse(paging.next.as_deref()?).ok()?;
    let params: Vec<(String, String)> = next
        .query_pairs()
        .filter(|(k, v)| NEXT_PAGE_KEYS.contains(&k.as_ref()) && !v.is_empty())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (!params.is_empty()).then_some(params)
}

/// The items read from a paged Graph list (`{"data":[…],"paging":{…}}`), in the order
/// served, plus what went wrong after the first page.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<T> {
    /// Items without repeats, newest first where the edge sorts that way.
    pub items: Vec<T>,
    /// Pages that failed after the first (`http_500`, `decode`, ...), items skipped for
    /// having no id (`decode`), paging guard stops (`paging_loop`, `paging_cap`).
    pub warnings: Vec<alcance_core::CollectWarning>,
    /// Pages read.
    pub pages: usize,
    /// `true` when a later page failed: items the list holds beyond it are missing (a
    /// guard stop does not count: it stops a list that repeats itself).
    pub incomplete: bool,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            warnings: Vec::new(),
            pages: 0,
            incomplete: false,
        }
    }
}

/// What the caller of [`list_pages`] says about one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageVerdict {
    /// Ids of the page's items, for the loop guard (repeated pages stop paging).
    pub ids: Vec<String>,
    /// `true` to read no further page (e.g. the page reached items older than `since`).
    pub stop: bool,
}

/// One page of a Graph list as [`list_pages`] reads it: the raw `data` items (a malformed
/// item does not fail the page) and the `paging` object, both lenient.
#[derive(Deserialize)]
pub(crate) struct RawPage {
    #[serde(default, deserialize_with = "lenient::list")]
    pub(crate) data: Vec<Value>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub(crate) paging: Option<Paging>,
}

/// Reads a paged Graph list: `GET {base}{path}?{params}[&<next-page params>]`, handing each
/// page's raw `data` items to `on_page`, following [`next_page_params`] (cursor or
/// time-based paging) under a [`PageGuard`] of `max_pages`. Returns the pages read and the
/// warnings (a failed later page, a guard stop); a later page failing in a way that stops
/// the account (a refused token, a rate limit, a dropped connection, the deadline) is a
/// warning of level `error` with the error's code. Errors: the first page's error (mapped
/// Graph error, or `Decode` when the body is not a Graph list).
#[allow(clippy::too_many_arguments)]
pub async fn list_pages<F>(
    http: &Http,
    base: &Url,
    path: &str,
    params: &[(&str, &str)],
    token: &SecretString,
    recorder: &Recorder,
    max_pages: usize,
    mut on_page: F,
) -> Result<(usize, Vec<alcance_core::CollectWarning>), PlatformError>
where
    F: FnMut(Vec<Value>) -> PageVerdict,
{
    let warn = |code: &str, message: String| alcance_core::CollectWarning {
        level: alcance_core::EventLevel::Warn,
        code: code.to_string(),
        message,
    };
    let mut guard = PageGuard::new(max_pages);
    let mut warnings = Vec::new();
    let mut next: Vec<(String, String)> = Vec::new();
    let mut pages = 0usize;
    loop {
        let mut all: Vec<(&str, &str)> = params.to_vec();
        all.extend(next.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let page = match get(http, base, path, &all, token, recorder).await {
            Ok(answer) => decode::<RawPage>(&answer, token),
            Err(e) => Err(e),
        };
        let page = match page {
            Ok(p) => p,
            Err(e) if pages == 0 => return Err(e),
            Err(e) => {
                let mut warning = warn(
                    &e.code(),
                    format!(
                        "{path}: page {} failed, keeping what the first {pages} gave: {e}",
                        pages + 1
                    ),
                );
                if e.stops_account() {
                    // A refused token, a rate limit, a dropped connection: the account
                    // stops here (see `CollectionBatch::stopped`).
                    warning.level = alcance_core::EventLevel::Error;
                }
                warnings.push(warning);
                break;
            }
        };
        pages += 1;
        let verdict = on_page(page.data);
        let params_next = page.paging.as_ref().and_then(next_page_params);
        let key = params_next
            .as_ref()
            .map(|p| p.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"));
        let step = guard.advance_key(verdict.ids.iter().map(String::as_str), key.as_deref());
        if verdict.stop {
            break;
        }
        match (step, params_next) {
            (PageStep::Next(_), Some(p)) => next = p,
            (PageStep::Stopped(why), _) => {
                warnings.push(warn(
                    why.code(),
                    format!("{path}: paging stopped after {pages} pages ({why:?})"),
                ));
                break;
            }
            _ => break,
        }
    }
    Ok((pages, warnings))
}
