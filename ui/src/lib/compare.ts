// The Compare screen's rules: 2–6 accounts (the backend's `MIN_COMPARED` /
// `MAX_COMPARED`), the window as UTC days and the request the commands and the REST route
// take.
import type { AccountId, ChartLabels, CompareFileKind, CompareRequest } from "./bindings";
import { t, type Key } from "./i18n";

/** Fewest accounts a comparison takes. */
export const MIN_COMPARED = 2;
/** Most accounts a comparison takes. */
export const MAX_COMPARED = 6;

/** `selected` with `id` added (at the end) or removed; adding a 7th does nothing. */
export function toggle(selected: readonly AccountId[], id: AccountId): AccountId[] {
  if (selected.includes(id)) return selected.filter((x) => x !== id);
  if (selected.length >= MAX_COMPARED) return [...selected];
  return [...selected, id];
}

/** `true` when `selected` can be compared (2–6 accounts). */
export function canCompare(selected: readonly AccountId[]): boolean {
  return selected.length >= MIN_COMPARED && selected.length <= MAX_COMPARED;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Midnight UTC of `day` + `plusDays` as RFC 3339, or `null` when `day` is no day. */
function midnight(day: string, plusDays = 0): string | null {
  if (!DAY.test(day)) return null;
  const t = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(t)) return null;
  return new Date(t + plusDays * 86_400_000).toISOString().replace(".000Z", "Z");
}

/** The request of `ids` over the UTC days `from`–`to` (inclusive: `[from 00:00, to + 1 day
 *  00:00)` UTC), best slots in `zone` (`null` = UTC). */
export function compareRequest(ids: readonly AccountId[], from: string, to: string, zone: string | null): CompareRequest {
  return { account_ids: [...ids], since: midnight(from), until: midnight(to, 1), time_zone: zone };
}

/** The REST path of a comparison: `/api/v1/compare?accounts=1,4&from=&to=&zone=&format=`. */
export function comparePath(request: CompareRequest, format: Exclude<CompareFileKind, "png"> | null = null): string {
  const q = new URLSearchParams({ accounts: request.account_ids.join(",") });
  if (request.since) q.set("from", request.since.slice(0, 10));
  if (request.until) {
    const t = Date.parse(request.until);
    if (!Number.isNaN(t)) q.set("to", new Date(t - 1).toISOString().slice(0, 10));
  }
  if (request.time_zone) q.set("zone", request.time_zone);
  if (format) q.set("format", format);
  return `/api/v1/compare?${q}`;
}

/** The follower and engagement charts' labels in the window's language, the follower
 *  chart titled by the i18n key `followerTitle` (Compare and Competitors name it their way). */
export function chartLabels(followerTitle: Key): ChartLabels {
  return {
    follower_title: t(followerTitle),
    follower_y: t("chart.followerY"),
    engagement_title: t("chart.engagementTitle"),
    engagement_y: t("chart.engagementY"),
    date_axis: t("chart.dateAxis"),
    no_data: t("chart.noData"),
  };
}
