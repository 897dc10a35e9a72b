//! When to stop following a next-page token (X's `next_token`, YouTube's `nextPageToken`,
//! Bluesky's feed `cursor`): the guards those listings share.

use std::collections::HashSet;

/// How a listing names its token and items in its warnings.
pub(crate) struct CursorWalk {
    /// The token, as in "page 3 repeated {token} already followed" (`"a cursor"`).
    pub token: &'static str,
    /// What a page brings, as in "page 3 brought no new {items}" (`"posts"`).
    pub items: &'static str,
    /// What a capped walk leaves unread, as in "older {older} were not read".
    pub older: &'static str,
    /// Pages read at most.
    pub max_pages: u32,
}

impl CursorWalk {
    /// Whether to stop before following `next` after page number `pages` (1-based), which
    /// brought `fresh` items not seen before; `seen` holds the tokens already followed
    /// (`next` is added). `Some((code, why))` for the warning: `pagination_loop` (a token
    /// followed before), `pagination_stalled` (nothing new), `page_cap` (`max_pages` read);
    /// checked in that order.
    pub(crate) fn stop(
        &self,
        seen: &mut HashSet<String>,
        next: &str,
        fresh: usize,
        pages: u32,
    ) -> Option<(&'static str, String)> {
        if !seen.insert(next.to_string()) {
            Some((
                "pagination_loop",
                format!("page {pages} repeated {} already followed", self.token),
            ))
        } else if fresh == 0 {
            Some((
                "pagination_stalled",
                format!("page {pages} brought no new {}", self.items),
            ))
        } else if pages >= self.max_pages {
            Some((
                "page_cap",
                format!(
                    "stopped after {} pages; older {} were not read",
                    self.max_pages, self.older
                ),
            ))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_token_then_an_empty_page_then_the_cap_stop_the_walk() {
        let walk = CursorWalk {
            token: "a cursor",
            items: "posts",
            older: "posts",
            max_pages: 3,
        };
        let mut seen = HashSet::new();
        assert_eq!(walk.stop(&mut seen, "a", 5, 1), None);
        assert_eq!(
            walk.stop(&mut seen, "a", 5, 2),
            Some((
                "pagination_loop",
                "page 2 repeated a cursor already followed".to_string()
            ))
        );
        assert_eq!(
            walk.stop(&mut seen, "b", 0, 2),
            Some(("pagination_stalled", "page 2 brought no new posts".to_string()))
        );
        assert_eq!(
            walk.stop(&mut seen, "c", 1, 3),
            Some((
                "page_cap",
                "stopped after 3 pages; older posts were not read".to_string()
            ))
        );
    }
}
