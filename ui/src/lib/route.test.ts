import { describe, expect, it } from "vitest";
import { decodeRoute, encodeRoute } from "./route";
import { defaultFilters } from "./ui.svelte";

const now = new Date("2026-12-06T07:00:00Z");

describe("the window's route", () => {
  it("keeps the screen and the filters across a closed and reopened window", () => {
    const filters = { ...defaultFilters(now), platform: "instagram" as const, accountId: 7 };
    const hash = encodeRoute("posts", filters);
    expect(hash).toBe("screen=posts&platform=instagram&account=7&preset=30");
    expect(decodeRoute(`#${hash}`, now)).toEqual({ screen: "posts", filters: { ...defaultFilters(now, 30), platform: "instagram", accountId: 7 } });
  });

  it("dates a preset from the day the window opens again", () => {
    const later = new Date("2026-12-09T10:00:00Z");
    const route = decodeRoute(encodeRoute("dashboard", defaultFilters(now, 7)), later);
    expect(route.filters).toMatchObject({ from: "2026-12-03", to: "2026-12-09", presetDays: 7 });
  });

  it("keeps a custom range as its days", () => {
    const filters = { ...defaultFilters(now), from: "2026-10-01", to: "2026-10-31", presetDays: null };
    const route = decodeRoute(encodeRoute("exports", filters), now);
    expect(route).toEqual({ screen: "exports", filters: { from: "2026-10-01", to: "2026-10-31", presetDays: null } });
  });

  it("leaves out what is unknown or malformed, and never throws", () => {
    expect(decodeRoute("", now)).toEqual({});
    expect(decodeRoute("#set-password=abc", now)).toEqual({});
    expect(decodeRoute("#screen=nowhere&platform=X%20Y&account=-1&preset=0", now)).toEqual({});
    expect(decodeRoute("#from=2026-02-30&to=2026-03-01", now)).toEqual({});
    expect(decodeRoute("#from=2026-03-02&to=2026-03-01", now)).toEqual({});
    expect(decodeRoute("#%E0%A4%A&screen=runs", now)).toEqual({ screen: "runs" });
  });
});
