import { describe, expect, it } from "vitest";
import { campaignStatus, checkForm, emptyForm, formOf, memberChanges, utcDay } from "./campaigns";
import { campaignRow } from "../test/fixtures";

describe("a campaign's status", () => {
  it("is planned before the first day, running through the last day, ended after", () => {
    const c = { starts_on: "2026-11-01", ends_on: "2026-11-30" };
    expect(campaignStatus(c, "2026-10-31")).toBe("planned");
    expect(campaignStatus(c, "2026-11-01")).toBe("running");
    expect(campaignStatus(c, "2026-11-30")).toBe("running");
    expect(campaignStatus(c, "2026-12-01")).toBe("ended");
    expect(campaignStatus({ starts_on: "2026-11-01", ends_on: null }, "2030-01-01")).toBe("running");
    expect(utcDay(new Date("2026-12-05T23:59:00-03:00"))).toBe("2026-12-06");
  });
});

describe("the campaign form", () => {
  it("sends trimmed values, an upper-case currency and a decimal budget", () => {
    const f = { ...emptyForm("2026-12-01"), name: "  Natal  ", budget: "1234,50", currency: "usd", notes: " " };
    expect(checkForm(f)).toEqual({
      ok: true,
      campaign: {
        name: "Natal",
        starts_on: "2026-12-01",
        ends_on: null,
        budget: 1234.5,
        currency: "USD",
        goal: "awareness",
        notes: null,
      },
    });
  });

  it("says which field is wrong", () => {
    const f = { ...emptyForm("2026-12-01"), name: "Natal" };
    expect(checkForm({ ...f, name: " " })).toEqual({ ok: false, problem: "name" });
    expect(checkForm({ ...f, starts_on: "" })).toEqual({ ok: false, problem: "start" });
    expect(checkForm({ ...f, ends_on: "2026-11-30" })).toEqual({ ok: false, problem: "end" });
    expect(checkForm({ ...f, budget: "-5" })).toEqual({ ok: false, problem: "budget" });
    expect(checkForm({ ...f, budget: "12.5x" })).toEqual({ ok: false, problem: "budget" });
    expect(checkForm({ ...f, currency: "R$" })).toEqual({ ok: false, problem: "currency" });
  });

  it("reads a stored campaign back into the form unchanged", () => {
    const row = campaignRow();
    const back = checkForm(formOf(row));
    expect(back.ok && back.campaign).toEqual({
      name: row.name,
      starts_on: row.starts_on,
      ends_on: row.ends_on,
      budget: row.budget,
      currency: row.currency,
      goal: row.goal,
      notes: row.notes,
    });
  });
});

describe("member changes", () => {
  it("adds, changes and removes only what differs", () => {
    expect(memberChanges({ 1: "brand", 2: "influencer", 3: "influencer" }, { 1: "brand", 2: "brand", 3: "none", 5: "influencer" })).toEqual({
      set: [
        { account: 2, role: "brand" },
        { account: 5, role: "influencer" },
      ],
      remove: [3],
    });
    expect(memberChanges({}, {})).toEqual({ set: [], remove: [] });
  });
});
