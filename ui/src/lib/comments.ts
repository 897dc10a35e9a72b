// The Inbox's helpers: the REST query of a comment filter, and each post's counts against
// the platform's counter (docs/comments.md).
import type { CommentFilter, PostCommentCount } from "./bindings";

/** The `/api/v1/comments` query of `filter` (one account, platform and kind at most, as the
 *  screen picks them; the `[since, until)` instants as inclusive UTC days). */
export function commentQuery(filter: CommentFilter, limit: number): URLSearchParams {
  const q = new URLSearchParams();
  if (filter.account_ids.length === 1) q.set("account_id", String(filter.account_ids[0]));
  if (filter.platforms.length === 1) q.set("platform", filter.platforms[0]);
  if (filter.kinds.length === 1) q.set("kind", filter.kinds[0]);
  if (filter.post_external_id) q.set("post", filter.post_external_id);
  if (filter.since) q.set("start_date", filter.since.slice(0, 10));
  if (filter.until) {
    const t = Date.parse(filter.until);
    if (!Number.isNaN(t)) q.set("end_date", new Date(t - 1).toISOString().slice(0, 10));
  }
  if (filter.search && filter.search.trim()) q.set("q", filter.search.trim());
  if (filter.include_deleted) q.set("include_deleted", "true");
  q.set("limit", String(Math.min(Math.max(limit, 1), 500)));
  return q;
}

/** The platform's counter minus the comments stored (`null` without a counter): positive
 *  when the platform counts comments Alcance does not have. */
export function countDifference(c: PostCommentCount): number | null {
  return c.platform_count === null ? null : c.platform_count - c.stored;
}
