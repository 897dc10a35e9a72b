import { describe, expect, it } from "vitest";
import { bytes, change, compact, dateTime, money, number, percent, shortDateTime, signedRatio } from "./format";

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

  it("shows times in UTC and sizes in units", () => {
    expect(dateTime("en", "2026-03-01T23:30:00Z")).toMatch(/Mar 1, 2026.*11:30.*UTC$/);
    expect(shortDateTime("pt-BR", "2026-11-23T14:17:00Z")).toBe("23/11, 14:17 UTC");
    expect(shortDateTime("en", "2026-11-23T23:05:00Z")).toBe("11/23, 23:05 UTC");
    expect(shortDateTime("en", "garbage")).toBe("—");
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
