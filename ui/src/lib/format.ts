// Numbers, dates and sizes in the UI language. Instants (a post's publication, a run's
// start) are shown in the display zone (lib/zone.ts: the one chosen in Settings, else the
// system's); calendar days (UTC days of the daily figures, campaign dates) as they are.
import type { Lang } from "./i18n";
import { t } from "./i18n";
import { displayZone } from "./zone";

export function number(lang: Lang, v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return t("common.none");
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
}

/** Compact counts for tiles: 12.3K / 12,3 mil. */
export function compact(lang: Lang, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return t("common.none");
  if (Math.abs(v) < 10_000) return number(lang, v);
  return new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 }).format(v);
}

export function percent(lang: Lang, v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return t("common.none");
  return `${number(lang, v, digits)}%`;
}

/** An amount of money in `currency` (ISO 4217 code: "BRL", "USD"), in the language's
 *  style: "R$ 1.234,50" / "R$1,234.50"; "—" when missing. An unknown code shows as the
 *  number followed by the code. */
export function money(lang: Lang, v: number | null | undefined, currency: string, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return t("common.none");
  try {
    return new Intl.NumberFormat(lang, {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(v);
  } catch {
    return `${number(lang, v, digits)} ${currency}`;
  }
}

/** A ratio (0.25 = 25 %) as a signed percent: "+25.0%" / "−40.0%"; "—" when missing. */
export function signedRatio(lang: Lang, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return t("common.none");
  return change(lang, v * 100);
}

/** A signed change in percent: +12.5% / −3.0%. */
export function change(lang: Lang, v: number): string {
  const sign = v > 0 ? "+" : v < 0 ? "−" : "±";
  return `${sign}${number(lang, Math.abs(v), 1)}%`;
}

const DAY: Intl.DateTimeFormatOptions = { year: "numeric", month: "short", day: "numeric" };
const DATE_TIME: Intl.DateTimeFormatOptions = { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
const SHORT: Intl.DateTimeFormatOptions = { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

/** The calendar day of the instant `iso` in `zone` (default the display zone): "Mar 1,
 *  2026"; "—" when missing or invalid. */
export function date(lang: Lang, iso: string | null | undefined, zone: string = displayZone()): string {
  return inZone(lang, iso, zone, DAY);
}

/** A calendar day as it is, without moving it to a zone: a UTC day of the daily figures, a
 *  campaign's first day, a cost's day ("2026-03-01", or the midnight that starts it,
 *  "2026-03-01T00:00:00Z") as "Mar 1, 2026"; "—" when missing or invalid. */
export function day(lang: Lang, value: string | null | undefined): string {
  return inZone(lang, value, "UTC", DAY);
}

/** `iso` formatted in `zone` with `options`; "—" when missing or invalid. The zone is not
 *  repeated in the text: each screen names it once (ZoneNote). */
function inZone(lang: Lang, iso: string | null | undefined, zone: string, options: Intl.DateTimeFormatOptions): string {
  if (!iso) return t("common.none");
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return t("common.none");
  const f = formatter(lang, zone, options);
  // An unknown zone (a choice this webview no longer knows): UTC, named as such.
  return f ? f.format(d) : `${formatter(lang, "UTC", options)?.format(d) ?? d.toISOString()} UTC`;
}

// Made once per language, zone and set of options (`options` are the module's constants
// DAY, DATE_TIME and SHORT, so the object is the key): making an Intl.DateTimeFormat costs far more than
// using one, and a table formats a time per row (docs/PERFORMANCE.md).
const formatters = new Map<string, Map<Intl.DateTimeFormatOptions, Intl.DateTimeFormat | null>>();

/** The formatter for `lang`, `zone` and `options`; `null` when `zone` is unknown. */
function formatter(lang: Lang, zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat | null {
  const key = `${lang}|${zone}`;
  let byOptions = formatters.get(key);
  if (!byOptions) formatters.set(key, (byOptions = new Map()));
  let f = byOptions.get(options);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat(lang, { timeZone: zone, ...options });
    } catch {
      f = null;
    }
    byOptions.set(options, f);
  }
  return f;
}

/** Date and time of the instant `iso` in `zone` (default the display zone): "Mar 1, 2026,
 *  08:30 PM"; "—" when missing or invalid. */
export function dateTime(lang: Lang, iso: string | null | undefined, zone: string = displayZone()): string {
  return inZone(lang, iso, zone, DATE_TIME);
}

/** A compact time for dense tables, in `zone` (default the display zone): "11/23, 11:17" /
 *  "23/11, 11:17". */
export function shortDateTime(lang: Lang, iso: string | null | undefined, zone: string = displayZone()): string {
  return inZone(lang, iso, zone, SHORT);
}

export function bytes(lang: Lang, n: number): string {
  if (n < 1024) return t("common.bytes", { n: number(lang, n) });
  if (n < 1024 * 1024) return t("common.kb", { n: number(lang, n / 1024, 1) });
  return t("common.mb", { n: number(lang, n / (1024 * 1024), 1) });
}
