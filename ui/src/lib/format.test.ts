import { afterEach, describe, expect, it } from "vitest";
import { bytes, change, compact, date, dateTime, day, money, number, percent, shortDateTime, signedRatio } from "./format";
import { ui } from "./ui.svelte";

describe("formatting", () => {
  it("follows the language's separators", () => {
    expect(number("en", 1234567)).toBe("1,234,567");
    expect(number("pt-BR", 1234567)).toBe("1.234.567");
    expect(percent("pt-BR", 4.5)).toBe("4,50%");
    expect(number("en", null)).toBe("—");
    expect(number("en", Number.NaN)).toBe("—");
  });

  it("signs changes and compacts big counts", () => {
    expect(change("en", 12.34)).toBe("+12.3%");
    expect(change("en", -3)).toBe("−3.0%");
    expect(compact("en", 9999)).toBe("9,999");
    expect(compact("en", 123456)).toBe("123.5K");
  });

  it("shows times in the system's zone (UTC here) without repeating it, and sizes in units", () => {
    expect(dateTime("en", "2026-03-01T23:30:00Z")).toBe("Mar 1, 2026, 11:30 PM");
    expect(shortDateTime("pt-BR", "2026-11-23T14:17:00Z")).toBe("23/11, 14:17");
    expect(shortDateTime("en", "2026-11-23T23:05:00Z")).toBe("11/23, 23:05");
    expect(shortDateTime("en", "garbage")).toBe("—");
    expect(dateTime("en", null)).toBe("—");
    expect(bytes("en", 512)).toBe("512 bytes");
    expect(bytes("en", 2048)).toBe("2.0 KB");
    expect(bytes("pt-BR", 3 * 1024 * 1024)).toBe("3,0 MB");
  });

  it("shows money in the campaign currency and ratios as signed percents, never 0 for missing", () => {
    expect(money("en", 1234.5, "BRL")).toBe("R$1,234.50");
    expect(money("pt-BR", 1234.5, "BRL").replace(/\s/g, " ")).toBe("R$ 1.234,50");
    expect(money("en", 12, "USD")).toBe("$12.00");
    expect(money("en", null, "BRL")).toBe("—");
    expect(money("en", Number.NaN, "BRL")).toBe("—");
    expect(money("en", 5, "notacode")).toBe("5.00 notacode");
    expect(signedRatio("en", 0.25)).toBe("+25.0%");
    expect(signedRatio("pt-BR", -0.4)).toBe("−40,0%");
    expect(signedRatio("en", null)).toBe("—");
  });
});

describe("times in a chosen zone", () => {
  afterEach(() => {
    ui.timeZone = "";
  });

  it("keep São Paulo at UTC−03:00 all year since 2019, and at −02:00 in its last summer time", () => {
    const sp = "America/Sao_Paulo";
    expect(shortDateTime("pt-BR", "2026-01-15T12:00:00Z", sp)).toBe("15/01, 09:00");
    expect(shortDateTime("pt-BR", "2026-07-15T12:00:00Z", sp)).toBe("15/07, 09:00");
    expect(shortDateTime("pt-BR", "2018-12-01T12:00:00Z", sp)).toBe("01/12, 10:00");
  });

  it("follow New York across the 2026-03-08 change to summer time", () => {
    const ny = "America/New_York";
    // 01:59 EST (UTC−05:00), then the clocks jump from 02:00 to 03:00 EDT (UTC−04:00).
    expect(shortDateTime("en", "2026-03-08T06:59:00Z", ny)).toBe("03/08, 01:59");
    expect(shortDateTime("en", "2026-03-08T07:00:00Z", ny)).toBe("03/08, 03:00");
    // Back on 2026-11-01: 01:30 happens twice, once in each offset.
    expect(shortDateTime("en", "2026-11-01T05:30:00Z", ny)).toBe("11/01, 01:30");
    expect(shortDateTime("en", "2026-11-01T06:30:00Z", ny)).toBe("11/01, 01:30");
  });

  it("follow Lisbon between UTC and UTC+01:00 (last Sundays of March and October 2026)", () => {
    const lx = "Europe/Lisbon";
    expect(shortDateTime("pt-BR", "2026-03-29T00:59:00Z", lx)).toBe("29/03, 00:59");
    expect(shortDateTime("pt-BR", "2026-03-29T01:00:00Z", lx)).toBe("29/03, 02:00");
    expect(shortDateTime("pt-BR", "2026-10-25T00:30:00Z", lx)).toBe("25/10, 01:30");
    expect(shortDateTime("pt-BR", "2026-10-25T01:30:00Z", lx)).toBe("25/10, 01:30");
  });

  it("use the zone chosen in Settings by default, and move the calendar day of an instant but not a UTC day", () => {
    ui.timeZone = "America/Sao_Paulo";
    // 01:30 UTC on March 1 is the evening of February 28 in São Paulo.
    expect(dateTime("en", "2026-03-01T01:30:00Z")).toBe("Feb 28, 2026, 10:30 PM");
    expect(date("en", "2026-03-01T01:30:00Z")).toBe("Feb 28, 2026");
    // A day of the daily figures (or a campaign's first day) is that day wherever one is.
    expect(day("en", "2026-03-01")).toBe("Mar 1, 2026");
    expect(day("en", "2026-03-01T00:00:00Z")).toBe("Mar 1, 2026");
    expect(day("en", "not a day")).toBe("—");
  });

  it("fall back to UTC, said so, for a zone the webview does not know", () => {
    expect(dateTime("en", "2026-03-01T23:30:00Z", "Mars/Olympus_Mons")).toBe("Mar 1, 2026, 11:30 PM UTC");
    ui.timeZone = "Mars/Olympus_Mons";
    // A choice that is not a zone is ignored: the system's (UTC in the tests).
    expect(dateTime("en", "2026-03-01T23:30:00Z")).toBe("Mar 1, 2026, 11:30 PM");
  });
});
