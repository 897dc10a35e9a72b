//! Paging by opaque cursor: every list answers at most `limit` items and, when more
//! remain, a `next_cursor` to pass back as `cursor` for the next page. A cursor encodes the
//! sort key of the last item returned (keyset paging), so items added or removed between
//! two pages never make another item appear twice or go missing.

use crate::problem::ApiError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest `limit` a list accepts.
pub const MAX_LIMIT: usize = 1000;

/// `limit` checked against `1..=max`, `default` when absent.
///
/// Errors: 400 when outside the range.
pub fn limit(given: Option<i64>, default: usize, max: usize) -> Result<usize, ApiError> {
    match given {
        None => Ok(default),
        Some(n) if n >= 1 && usize::try_from(n).is_ok_and(|n| n <= max) => Ok(usize::try_from(n).unwrap_or(default)),
        Some(n) => Err(ApiError::invalid(format!(
            "limit {n} is out of range: expected 1 to {max}"
        ))),
    }
}

/// Encodes the sort key `key` of list `list` as an opaque cursor.
fn encode<K: Serialize>(list: &str, key: &K) -> String {
    let json = serde_json::to_string(&(list, key)).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// Decodes a cursor of list `list`.
///
/// Errors: 400 when it is not a cursor of this list.
fn decode<K: DeserializeOwned>(list: &str, cursor: &str) -> Result<K, ApiError> {
    let bad = || {
        ApiError::invalid(format!(
            "cursor {cursor:?} is not a cursor of this list: pass next_cursor as given"
        ))
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
    let (name, key): (String, K) = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if name != list {
        return Err(bad());
    }
    Ok(key)
}

/// The sort key a cursor of list `list` carries (`None` without a cursor), for a list
/// paged by the database; [`next_cursor`] makes the cursor of a page's last item.
///
/// Errors: 400 for a cursor that is not one of list `list`.
pub fn after<K: DeserializeOwned>(list: &str, cursor: Option<&str>) -> Result<Option<K>, ApiError> {
    cursor
        .filter(|c| !c.trim().is_empty())
        .map(|c| decode(list, c))
        .transpose()
}

/// The cursor of the page after the item whose sort key is `key` (list `list`), as
/// [`page`] makes it.
pub fn next_cursor<K: Serialize>(list: &str, key: &K) -> String {
    encode(list, key)
}

/// One page of `items`: sorted by `key` ascending (the list's order), those after the
/// cursor's key, at most `limit`; the cursor of the next page when more remain.
///
/// Errors: 400 for a cursor that is not one of list `list`.
pub fn page<T, K>(
    list: &str,
    mut items: Vec<T>,
    key: impl Fn(&T) -> K,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<T>, Option<String>), ApiError>
where
    K: Ord + Serialize + DeserializeOwned,
{
    let after: Option<K> = cursor
        .filter(|c| !c.trim().is_empty())
        .map(|c| decode(list, c))
        .transpose()?;
    items.sort_by_cached_key(|item| key(item));
    let mut rest: Vec<T> = match &after {
        Some(after) => items.into_iter().filter(|item| key(item) > *after).collect(),
        None => items,
    };
    let more = rest.len() > limit;
    rest.truncate(limit);
    let next = if more {
        rest.last().map(|last| encode(list, &key(last)))
    } else {
        None
    };
    Ok((rest, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_item_once_and_refuse_foreign_cursors() {
        let items: Vec<i64> = (1..=25).rev().collect();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let (got, next) = page("n", items.clone(), |n| *n, cursor.as_deref(), 10).unwrap();
            seen.extend(got);
            match next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, (1..=25).collect::<Vec<_>>());
        let (_, next) = page("n", items.clone(), |n| *n, None, 10).unwrap();
        assert!(page("other", items.clone(), |n| *n, next.as_deref(), 10).is_err());
        assert!(page("n", items, |n| *n, Some("not a cursor"), 10).is_err());
        assert!(limit(Some(0), 100, 1000).is_err());
        assert!(limit(Some(1001), 100, 1000).is_err());
        assert_eq!(limit(Some(1000), 100, 1000).unwrap(), 1000);
        assert_eq!(limit(None, 100, 1000).unwrap(), 100);
    }
}
