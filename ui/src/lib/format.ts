// Numbers, dates and sizes in the UI language. Every date is shown in UTC.
import type { Lang } from "./i18n";
import { t } from "./i18n";

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

export function date(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return t("common.none");
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return t("common.none");
  return new Intl.DateTimeFormat(lang, { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" }).format(d);
}

/** `iso` formatted in UTC with `options`, then " UTC"; "—" when missing or invalid. */
function utc(lang: Lang, iso: string | null | undefined, options: Intl.DateTimeFormatOptions): string {
  if (!iso) return t("common.none");
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return t("common.none");
  return `${new Intl.DateTimeFormat(lang, { timeZone: "UTC", ...options }).format(d)} UTC`;
}

export function dateTime(lang: Lang, iso: string | null | undefined): string {
  return utc(lang, iso, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** A compact time for dense tables, in UTC: "11/23, 14:17 UTC" / "23/11, 14:17 UTC". */
export function shortDateTime(lang: Lang, iso: string | null | undefined): string {
  return utc(lang, iso, { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

export function bytes(lang: Lang, n: number): string {
  if (n < 1024) return t("common.bytes", { n: number(lang, n) });
  if (n < 1024 * 1024) return t("common.kb", { n: number(lang, n / 1024, 1) });
  return t("common.mb", { n: number(lang, n / (1024 * 1024), 1) });
}
