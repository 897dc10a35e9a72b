import { afterEach, describe, expect, it, vi } from "vitest";
import { ui } from "./ui.svelte";
import {
  ZONE_KEY,
  chooseZone,
  forgetSystemZone,
  displayZone,
  isTimeZone,
  loadZoneChoice,
  offsetMinutes,
  searchZones,
  timeZones,
  zoneLabel,
} from "./zone";

afterEach(() => {
  ui.timeZone = "";
  forgetSystemZone();
  localStorage.removeItem(ZONE_KEY);
});

describe("zone offsets", () => {
  it("follow summer time where there is one, and São Paulo has none since 2019", () => {
    const at = (iso: string) => new Date(iso);
    expect(offsetMinutes("America/Sao_Paulo", at("2026-01-15T12:00:00Z"))).toBe(-180);
    expect(offsetMinutes("America/Sao_Paulo", at("2026-07-15T12:00:00Z"))).toBe(-180);
    expect(offsetMinutes("America/Sao_Paulo", at("2018-12-01T12:00:00Z"))).toBe(-120);
    expect(offsetMinutes("America/New_York", at("2026-03-08T06:59:00Z"))).toBe(-300);
    expect(offsetMinutes("America/New_York", at("2026-03-08T07:00:00Z"))).toBe(-240);
    expect(offsetMinutes("Europe/Lisbon", at("2026-03-29T00:59:00Z"))).toBe(0);
    expect(offsetMinutes("Europe/Lisbon", at("2026-03-29T01:00:00Z"))).toBe(60);
    expect(offsetMinutes("Asia/Kolkata", at("2026-03-29T01:00:00Z"))).toBe(330);
    expect(offsetMinutes("Nowhere/Atlantis", at("2026-03-29T01:00:00Z"))).toBe(0);
  });

  it("name a zone with its offset at that instant", () => {
    expect(zoneLabel("America/Sao_Paulo", new Date("2026-12-06T12:00:00Z"))).toBe("America/Sao_Paulo (UTC−03:00)");
    expect(zoneLabel("America/New_York", new Date("2026-07-01T12:00:00Z"))).toBe("America/New_York (UTC−04:00)");
    expect(zoneLabel("Europe/Lisbon", new Date("2026-01-01T12:00:00Z"))).toBe("Europe/Lisbon (UTC+00:00)");
    expect(zoneLabel("Asia/Kolkata", new Date("2026-01-01T12:00:00Z"))).toBe("Asia/Kolkata (UTC+05:30)");
    expect(zoneLabel("UTC")).toBe("UTC");
  });
});

describe("the chosen zone", () => {
  it("is kept in the webview's storage, and System forgets it", () => {
    expect(displayZone()).toBe("UTC");
    expect(chooseZone("America/Sao_Paulo")).toBe(true);
    expect(ui.timeZone).toBe("America/Sao_Paulo");
    expect(localStorage.getItem(ZONE_KEY)).toBe("America/Sao_Paulo");
    expect(displayZone()).toBe("America/Sao_Paulo");
    ui.timeZone = "";
    expect(loadZoneChoice()).toBe("America/Sao_Paulo");
    expect(chooseZone("")).toBe(true);
    expect(localStorage.getItem(ZONE_KEY)).toBeNull();
    expect(loadZoneChoice()).toBe("");
  });

  it("refuses what is not a zone, and ignores a stored one the webview does not know", () => {
    expect(isTimeZone("Europe/Lisbon")).toBe(true);
    expect(isTimeZone("")).toBe(false);
    expect(chooseZone("Nowhere/Atlantis")).toBe(false);
    expect(ui.timeZone).toBe("");
    localStorage.setItem(ZONE_KEY, "Nowhere/Atlantis");
    expect(loadZoneChoice()).toBe("");
  });

  it("falls back to UTC when the webview reports no system zone", () => {
    vi.spyOn(Intl.DateTimeFormat.prototype, "resolvedOptions").mockImplementation(() => {
      throw new RangeError("no time zone data");
    });
    forgetSystemZone();
    expect(displayZone()).toBe("UTC");
  });
});

describe("the zone list", () => {
  it("has the IANA zones, UTC and the system's, sorted", () => {
    const zones = timeZones();
    for (const z of ["America/Sao_Paulo", "America/New_York", "Europe/Lisbon", "UTC"]) expect(zones, z).toContain(z);
    expect([...zones].sort((a, b) => a.localeCompare(b, "en"))).toEqual(zones);
    expect(new Set(zones).size).toBe(zones.length);
  });

  it("is searched by words, ignoring case, accents and underscores, keeping the current choice", () => {
    const zones = ["America/New_York", "America/Sao_Paulo", "Europe/Lisbon", "UTC"];
    expect(searchZones(zones, "são paulo")).toEqual(["America/Sao_Paulo"]);
    expect(searchZones(zones, "AMERICA york")).toEqual(["America/New_York"]);
    expect(searchZones(zones, "  ")).toEqual(zones);
    expect(searchZones(zones, "lisbon", "UTC")).toEqual(["Europe/Lisbon", "UTC"]);
    expect(searchZones(zones, "tokyo")).toEqual([]);
  });
});
