// The Competitors screen's rules: the window as UTC days, the request the commands and
// the REST route take, and the share of voice (a ratio 0–1) as a percent.
import type { Cadence, CompetitorsRequest } from "./bindings";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Midnight UTC of `day` + `plusDays` as RFC 3339, or `null` when `day` is no day. */
function midnight(day: string, plusDays = 0): string | null {
  if (!DAY.test(day)) return null;
  const t = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(t)) return null;
  return new Date(t + plusDays * 86_400_000).toISOString().replace(".000Z", "Z");
}

/** The request over the UTC days `from`–`to` (inclusive), best slots in `zone` (`null` =
 *  UTC), one set (`null` = every set) and one share-of-voice term (`null` = the first). */
export function competitorsRequest(
  from: string,
  to: string,
  zone: string | null,
  set: string | null = null,
  term: string | null = null,
): CompetitorsRequest {
  const blank = (v: string | null) => (v && v.trim() !== "" ? v : null);
  return { since: midnight(from), until: midnight(to, 1), time_zone: zone, set: blank(set), term: blank(term) };
}

/** The REST path of the report: `/api/v1/competitors/report?from=&to=&zone=&set=&term=&format=`. */
export function competitorsPath(request: CompetitorsRequest, format: "csv" | "json" | "xlsx" | null = null): string {
  const q = new URLSearchParams();
  if (request.since) q.set("from", request.since.slice(0, 10));
  if (request.until) {
    const t = Date.parse(request.until);
    if (!Number.isNaN(t)) q.set("to", new Date(t - 1).toISOString().slice(0, 10));
  }
  if (request.time_zone) q.set("zone", request.time_zone);
  if (request.set) q.set("set", request.set);
  if (request.term) q.set("term", request.term);
  if (format) q.set("format", format);
  return `/api/v1/competitors/report?${q}`;
}

/** A share of voice (ratio 0–1) as percent 0–100; `null` stays `null` (shown "—", never 0). */
export function sharePercent(share: number | null | undefined): number | null {
  return share === null || share === undefined || !Number.isFinite(share) ? null : share * 100;
}

/** The cadences the screen offers, by key. */
export const CADENCES: Record<"hourly" | "sixHours" | "daily" | "weekly", Cadence> = {
  hourly: { kind: "hourly" },
  sixHours: { kind: "custom", seconds: 6 * 3600 },
  daily: { kind: "daily" },
  weekly: { kind: "weekly" },
};

/** The screen's key of `cadence` (`null` for a custom period it does not offer). */
export function cadenceKey(cadence: Cadence): keyof typeof CADENCES | null {
  if (cadence.kind === "custom") return cadence.seconds === 6 * 3600 ? "sixHours" : null;
  return cadence.kind;
}
