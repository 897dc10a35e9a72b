// The Hashtags screen's pure parts: a sparkline's points and the budget line's parts.
import type { HashtagWeek, VolumePoint } from "./bindings";

/** The `points` of an SVG polyline `width` × `height` through `values` (a flat line at the
 *  bottom for one value or all zeros; `""` without values). `null`s count as 0. */
export function sparkline(values: (number | null)[], width = 80, height = 20): string {
  if (values.length === 0) return "";
  const v = values.map((x) => (x !== null && Number.isFinite(x) ? Math.max(0, x) : 0));
  const max = Math.max(...v);
  const step = v.length > 1 ? width / (v.length - 1) : 0;
  return v
    .map((x, i) => {
      const y = max > 0 ? height - (x / max) * height : height;
      return `${round(i * step)},${round(y)}`;
    })
    .join(" ");
}

const round = (x: number) => Math.round(x * 10) / 10;

/** A hashtag's weekly trend: interactions per week (oldest first). */
export const weeklyTrend = (weeks: HashtagWeek[]) => weeks.map((w) => w.interactions);

/** X posts per day (oldest first). */
export const dailyVolume = (days: VolumePoint[]) => days.map((d) => d.count);
