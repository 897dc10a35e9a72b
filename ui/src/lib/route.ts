// The desktop window's place, kept in its URL fragment: the screen and the filters. Closing
// the window destroys the webview (the app stays in the tray); Open builds it again at the
// fragment it closed on (src-tauri/src/window.rs), so the UI comes back where it was.
//
//   #screen=posts&platform=x&account=3&preset=30
//   #screen=dashboard&from=2026-11-01&to=2026-11-30
import { presetRange, type Filters, type Screen } from "./ui.svelte";
import type { Platform } from "./bindings";

const SCREENS: readonly Screen[] = ["dashboard", "posts", "campaigns", "reports", "runs", "exports", "accounts", "settings", "admin", "compare", "hashtags", "competitors", "inbox"];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The longest preset kept, in days (ten years). */
const MAX_PRESET_DAYS = 3660;

/** What a fragment restores: only what it names, and only valid values. */
export type Route = { screen?: Screen; filters?: Partial<Filters> };

/** The fragment (without `#`) for `screen` and `filters`. A preset is kept as its length
 *  in days, so a window opened the next day shows the last N days up to that day. */
export function encodeRoute(screen: Screen, filters: Filters): string {
  const q = new URLSearchParams({ screen });
  if (filters.platform) q.set("platform", filters.platform);
  if (filters.accountId !== null) q.set("account", String(filters.accountId));
  if (filters.presetDays !== null) q.set("preset", String(filters.presetDays));
  else {
    q.set("from", filters.from);
    q.set("to", filters.to);
  }
  return q.toString();
}

/** Reads a fragment (`location.hash`, with or without `#`); anything unknown or malformed
 *  is left out, never thrown. `now` dates a preset. */
export function decodeRoute(hash: string, now: Date): Route {
  let q: URLSearchParams;
  try {
    q = new URLSearchParams(hash.replace(/^#/, ""));
  } catch {
    return {};
  }
  const route: Route = {};
  const screen = SCREENS.find((s) => s === q.get("screen"));
  if (screen) route.screen = screen;
  const f: Partial<Filters> = {};
  const platform = q.get("platform");
  if (platform && /^[a-z_]{1,32}$/.test(platform)) f.platform = platform as Platform;
  const account = q.get("account");
  if (account && /^\d{1,15}$/.test(account) && Number(account) > 0) f.accountId = Number(account);
  const preset = q.get("preset");
  const from = q.get("from");
  const to = q.get("to");
  if (preset && /^\d{1,4}$/.test(preset) && Number(preset) >= 1 && Number(preset) <= MAX_PRESET_DAYS) {
    Object.assign(f, presetRange(now, Number(preset)), { presetDays: Number(preset) });
  } else if (from && to && DAY.test(from) && DAY.test(to) && from <= to && validDay(from) && validDay(to)) {
    Object.assign(f, { from, to, presetDays: null });
  }
  if (Object.keys(f).length > 0) route.filters = f;
  return route;
}

function validDay(day: string): boolean {
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}
