// The Inbox's helpers: the REST query of a comment filter, and each post's counts against
// the platform's counter (docs/comments.md).
import type { CommentFilter, PostCommentCount, SentimentLabel, ShareView } from "./bindings";
import type { Filters } from "./ui.svelte";

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
  if (filter.sentiments && filter.sentiments.length > 0) q.set("sentiment", filter.sentiments.join(","));
  if (filter.campaign_id) q.set("campaign_id", String(filter.campaign_id));
  q.set("limit", String(Math.min(Math.max(limit, 1), 500)));
  return q;
}

/** The platform's counter minus the comments stored (`null` without a counter): positive
 *  when the platform counts comments Alcance does not have. */
export function countDifference(c: PostCommentCount): number | null {
  return c.platform_count === null ? null : c.platform_count - c.stored;
}

/** The `/api/v1/sentiment` query of `filter` (as `commentQuery`, without paging, the
 *  labels or deleted ones) and the time zone of its days and weeks. */
export function sentimentQuery(filter: CommentFilter, timeZone: string | null): URLSearchParams {
  const q = commentQuery(filter, 1);
  for (const k of ["limit", "sentiment", "include_deleted"]) q.delete(k);
  if (timeZone) q.set("time_zone", timeZone);
  return q;
}

/** The three labels, in the order the screens show them. */
export const SENTIMENTS: SentimentLabel[] = ["positive", "neutral", "negative"];

/** The share of `label` as percent 0–100 (rounded to a whole number), `null` without
 *  scored comments. */
export function sharePercent(share: ShareView, label: SentimentLabel): number | null {
  const ratio = label === "positive" ? share.positive_share : label === "neutral" ? share.neutral_share : share.negative_share;
  return ratio === null ? null : Math.round(ratio * 100);
}

/** The instant starting UTC day `s` (`YYYY-MM-DD`) plus `plusDays`, `null` for a bad day. */
export function dayInstant(s: string, plusDays = 0): string | null {
  const ms = Date.parse(`${s}T00:00:00Z`);
  return Number.isNaN(ms) ? null : new Date(ms + plusDays * 86_400_000).toISOString().replace(".000Z", "Z");
}

/** The comment filter of the shared filters (account, platform, inclusive UTC days). */
export function commentFilterOf(f: Filters, over: Partial<CommentFilter> = {}): CommentFilter {
  return {
    account_ids: f.accountId === null ? [] : [f.accountId],
    platforms: f.platform ? [f.platform] : [],
    post_external_id: null,
    kinds: [],
    since: dayInstant(f.from),
    until: dayInstant(f.to, 1),
    search: null,
    include_deleted: false,
    sentiments: [],
    campaign_id: null,
    ...over,
  };
}
