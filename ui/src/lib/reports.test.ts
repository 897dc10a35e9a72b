import { describe, expect, it } from "vitest";
import { lastCompleteWeek, weekOf } from "./reports";

describe("report weeks (Monday–Sunday, UTC)", () => {
  it("find the week of any day, Sundays and Mondays included", () => {
    expect(weekOf("2026-11-25")).toEqual({ start: "2026-11-23", end: "2026-11-29" });
    expect(weekOf("2026-11-23")).toEqual({ start: "2026-11-23", end: "2026-11-29" });
    expect(weekOf("2026-11-29")).toEqual({ start: "2026-11-23", end: "2026-11-29" });
    // Across a year's end.
    expect(weekOf("2027-01-01")).toEqual({ start: "2026-12-28", end: "2027-01-03" });
  });

  it("refuse what is no day", () => {
    for (const bad of ["", "2026-02-30", "25/11/2026", "2026-13-01"]) expect(weekOf(bad), bad).toBeNull();
  });

  it("default to the last complete week, in UTC whatever the local hour", () => {
    // Sunday 6 December 2026, late evening UTC: the week of 23–29 November is the last
    // complete one (this week ends tonight).
    expect(lastCompleteWeek(new Date("2026-12-06T23:30:00Z"))).toBe("2026-11-23");
    // Monday 7 December, just after midnight UTC: 30 November – 6 December is complete.
    expect(lastCompleteWeek(new Date("2026-12-07T00:10:00Z"))).toBe("2026-11-30");
  });
});
