// The time zone the window shows times in: the user's choice (Settings), kept by the
// webview per user on this machine (in a browser, per browser), or the system's zone.
// Storage, the API and exports stay UTC; only the display changes (docs/analytics.md,
// "Time zones").
import { ui } from "./ui.svelte";

/** Where the webview keeps the chosen zone: an IANA name, absent = the system's zone. */
export const ZONE_KEY = "alcance.timeZone";

/** The system's IANA time zone (`"America/Sao_Paulo"`) as the webview reports it, or
 *  `null` when it reports none or fails. */
export function systemTimeZone(): string | null {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return typeof zone === "string" && zone.trim() !== "" ? zone : null;
  } catch {
    return null;
  }
}

const known = new Map<string, boolean>();

/** Whether `zone` is an IANA time zone this webview knows (`"UTC"` included). Answers are
 *  kept: the formatters ask for every cell. */
export function isTimeZone(zone: string): boolean {
  if (zone.trim() === "") return false;
  let ok = known.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: zone });
      ok = true;
    } catch {
      ok = false;
    }
    known.set(zone, ok);
  }
  return ok;
}

// The system's zone as first read (`undefined`: not read yet). Webviews themselves keep the
// zone they started with, so reading it once per window costs nothing in accuracy.
let system: string | null | undefined;

/** Forgets the system's zone read so far (tests that change it; see `systemTimeZone`). */
export function forgetSystemZone(): void {
  system = undefined;
}

/** The chosen zone, else the system's; `null` when the webview reports none (UTC). */
export function chosenOrSystemZone(): string | null {
  const chosen = ui.timeZone;
  if (chosen !== "" && isTimeZone(chosen)) return chosen;
  if (system === undefined) system = systemTimeZone();
  return system;
}

/** The zone times are shown in: the chosen one, else the system's, else `"UTC"`. */
export function displayZone(): string {
  return chosenOrSystemZone() ?? "UTC";
}

/** The stored choice (`""` = the system's zone; an unknown or unreadable one counts as
 *  none). */
export function loadZoneChoice(): string {
  try {
    const stored = globalThis.localStorage?.getItem(ZONE_KEY) ?? "";
    return isTimeZone(stored) ? stored : "";
  } catch {
    return "";
  }
}

/** Applies and keeps a choice (`""` = follow the system's zone). An unknown zone is
 *  refused (returns `false`, nothing changes). */
export function chooseZone(choice: string): boolean {
  if (choice !== "" && !isTimeZone(choice)) return false;
  ui.timeZone = choice;
  try {
    if (choice === "") globalThis.localStorage?.removeItem(ZONE_KEY);
    else globalThis.localStorage?.setItem(ZONE_KEY, choice);
  } catch {
    // Storage refused (private mode, quota): the choice lasts until the window closes.
  }
  return true;
}

/** Every IANA zone the webview knows (`Intl.supportedValuesOf`), sorted, with `"UTC"` and
 *  the system's zone; a short list where the webview cannot enumerate them. */
export function timeZones(): string[] {
  let zones: string[] = [];
  try {
    const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
    if (typeof supported === "function") zones = supported("timeZone");
  } catch {
    zones = [];
  }
  if (zones.length === 0) zones = [...FALLBACK_ZONES];
  const system = systemTimeZone();
  const all = new Set(zones);
  all.add("UTC");
  if (system) all.add(system);
  return [...all].sort((a, b) => a.localeCompare(b, "en"));
}

const FALLBACK_ZONES = [
  "America/Sao_Paulo",
  "America/Manaus",
  "America/Fortaleza",
  "America/Recife",
  "America/Noronha",
  "America/Rio_Branco",
  "America/New_York",
  "America/Chicago",
  "America/Denver",
  "America/Los_Angeles",
  "America/Mexico_City",
  "America/Bogota",
  "America/Buenos_Aires",
  "America/Santiago",
  "Europe/Lisbon",
  "Europe/London",
  "Europe/Madrid",
  "Europe/Paris",
  "Europe/Berlin",
  "Africa/Luanda",
  "Africa/Maputo",
  "Asia/Kolkata",
  "Asia/Tokyo",
  "Australia/Sydney",
];

/** The offset of `zone` from UTC at the instant `at`, in minutes (east positive:
 *  America/Sao_Paulo = −180); 0 for an unknown zone. */
export function offsetMinutes(zone: string, at: Date): number {
  if (Number.isNaN(at.getTime())) return 0;
  try {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    }).formatToParts(at);
    const n = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? "0");
    const wall = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour") % 24, n("minute"), n("second"));
    const instant = Math.floor(at.getTime() / 1000) * 1000;
    return Math.round((wall - instant) / 60_000);
  } catch {
    return 0;
  }
}

/** The offset as text: `"UTC−03:00"`, `"UTC+05:30"`, `"UTC+00:00"`. */
export function offsetText(minutes: number): string {
  const sign = minutes >= 0 ? "+" : "−";
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/** `zone` with its offset at `at`: `"America/Sao_Paulo (UTC−03:00)"`; plain `"UTC"`. */
export function zoneLabel(zone: string, at: Date = new Date()): string {
  if (zone === "UTC" || zone === "Etc/UTC") return zone;
  return `${zone} (${offsetText(offsetMinutes(zone, at))})`;
}

/** The zones of `zones` whose name contains every word of `query` (case and accents
 *  ignored; `_` and `/` count as spaces: "sao paulo" finds America/Sao_Paulo), in order;
 *  `keep` (the current choice) stays listed whatever the query. */
export function searchZones(zones: readonly string[], query: string, keep = ""): string[] {
  const fold = (s: string) =>
    s
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[_/]/g, " ")
      .toLowerCase();
  const words = fold(query).split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return [...zones];
  return zones.filter((z) => z === keep || words.every((w) => fold(z).includes(w)));
}

/** Desktop: reconciles the zone the backend keeps in settings.json (so the tray, which runs
 *  without a window, says times in it) with this webview's choice. A stored known zone wins
 *  and is applied here; with none stored, this webview's choice is returned for the caller
 *  to save (upgrades from when only the webview kept it). `undefined`: nothing to save. */
export function reconcileZone(stored: string | null | undefined): string | undefined {
  if (stored && isTimeZone(stored)) {
    if (stored !== ui.timeZone) chooseZone(stored);
    return undefined;
  }
  return ui.timeZone !== "" ? ui.timeZone : undefined;
}
