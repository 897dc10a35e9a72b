// The Reports screen's dates: weeks run Monday–Sunday, UTC (as `alcance-report` cuts
// them), so the week picker's day is read as a UTC day and the week shown is the one
// the backend reports.

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Midnight UTC of `day` (`YYYY-MM-DD`) in milliseconds, or `null` when it is no day. */
function dayStart(day: string): number | null {
  if (!DAY.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || iso(ms) !== day ? null : ms;
}

/** The Monday and Sunday (`YYYY-MM-DD`, UTC) of the week holding `day`; `null` when `day`
 *  is no day. */
export function weekOf(day: string): { start: string; end: string } | null {
  const ms = dayStart(day);
  if (ms === null) return null;
  // getUTCDay: Sunday 0 … Saturday 6; days since Monday: (d + 6) % 7.
  const monday = ms - ((new Date(ms).getUTCDay() + 6) % 7) * DAY_MS;
  return { start: iso(monday), end: iso(monday + 6 * DAY_MS) };
}

/** The Monday (`YYYY-MM-DD`, UTC) of the last complete week before `now`: the weekly
 *  report's default. */
export function lastCompleteWeek(now: Date): string {
  const today = iso(now.getTime());
  const thisWeek = weekOf(today);
  // `today` comes from a real date: always a day.
  const monday = dayStart(thisWeek?.start ?? today) ?? now.getTime();
  return iso(monday - 7 * DAY_MS);
}
