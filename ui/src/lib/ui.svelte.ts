// Global UI state (Svelte 5 runes): language, theme, the open screen and the filters the
// dashboard, posts and exports share.
import type { AccountId, Platform, Theme } from "./bindings";
import type { Lang } from "./i18n";

export type Screen =
  | "dashboard"
  | "posts"
  | "campaigns"
  | "reports"
  | "runs"
  | "exports"
  | "accounts"
  | "settings"
  | "admin"
  // Issue 13 point 2.
  | "compare"
  // Issue 17 point 2.
  | "hashtags"
  | "competitors"
  // Issue 17 point 3.
  | "inbox";
/** The theme setting: the bindings' `Theme`. */
export type ThemeChoice = Theme;

/** Filters as the UI edits them: `""` is every platform; dates are `YYYY-MM-DD` days in
 *  UTC, `to` inclusive. */
export type Filters = {
  platform: Platform | "";
  accountId: AccountId | null;
  from: string;
  to: string;
  presetDays: number | null;
};

export const ui = $state({
  lang: "en" as Lang,
  theme: "system" as ThemeChoice,
  screen: "dashboard" as Screen,
  /** The time zone chosen in Settings (an IANA name), `""` = the system's; see lib/zone.ts. */
  timeZone: "",
});

export const filters: Filters = $state(defaultFilters(new Date()));

/** The default filters: every platform and account, the last 30 days up to today (UTC). */
export function defaultFilters(now: Date, days = 30): Filters {
  return { platform: "", accountId: null, ...presetRange(now, days), presetDays: days };
}

/** `from`/`to` (inclusive, UTC days) of the last `days` days ending today. */
export function presetRange(now: Date, days: number): { from: string; to: string } {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const from = new Date(to.getTime() - (days - 1) * 86_400_000);
  return { from: isoDay(from), to: isoDay(to) };
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Applies a theme choice to the document (`data-theme` = light | dark). */
export function applyTheme(choice: ThemeChoice): void {
  ui.theme = choice;
  const dark =
    choice === "dark" ||
    (choice === "system" && typeof window.matchMedia === "function" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

/** Applies a language to the UI and the document. */
export function applyLanguage(lang: Lang): void {
  ui.lang = lang;
  document.documentElement.lang = lang;
}

import type { AccountView, AppStatus } from "./bindings";
import type { SessionView } from "./transport/web";

/** What the app knows about the backend: status, accounts (for filters), and a counter
 *  bumped whenever data may have changed (after a sync or a demo build); in a browser,
 *  who is signed in (`user`, `null` on the desktop and before sign-in). */
export const session = $state({
  status: null as AppStatus | null,
  user: null as SessionView | null,
  accounts: [] as AccountView[],
  version: 0,
});
