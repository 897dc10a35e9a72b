import { describe, expect, it } from "vitest";
import {
  campaignStatus,
  checkConversion,
  checkCost,
  checkForm,
  emptyForm,
  formOf,
  memberChanges,
  parseAmount,
  utcDay,
  visibleCampaigns,
} from "./campaigns";
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

describe("the cost and conversion forms", () => {
  it("read amounts with a dot or a comma, at most two decimals", () => {
    expect(parseAmount(" 1500,50 ")).toBe(1500.5);
    expect(parseAmount("0")).toBe(0);
    for (const bad of ["", "-5", "1.500,00", "12,345", "abc", "1e3"]) expect(parseAmount(bad), bad).toBeNull();
  });

  it("send a cost in the campaign currency, for an influencer or the whole campaign", () => {
    const f = { account: "", amount: "500", spent_on: "2026-11-21", note: "  " };
    expect(checkCost(f, "BRL")).toEqual({
      ok: true,
      cost: { spent_on: "2026-11-21", amount: 500, currency: "BRL", note: null, account_id: null },
    });
    const forAna = checkCost({ ...f, account: "3", note: " fee " }, "USD");
    expect(forAna.ok && forAna.cost).toMatchObject({ account_id: 3, note: "fee", currency: "USD" });
    expect(checkCost({ ...f, amount: "5,555" }, "BRL")).toEqual({ ok: false, problem: "amount" });
    expect(checkCost({ ...f, spent_on: "" }, "BRL")).toEqual({ ok: false, problem: "date" });
  });

  it("send conversions with a whole count and an unknown (not zero) empty revenue", () => {
    const f = { account: "", count: "3", revenue: "", converted_on: "2026-11-22" };
    const ok = checkConversion(f, "BRL");
    expect(ok.ok && ok.conversion).toMatchObject({ count: 3, revenue: null, currency: "BRL", account_id: null });
    const paid = checkConversion({ ...f, revenue: "120,50", account: "4" }, "BRL");
    expect(paid.ok && paid.conversion).toMatchObject({ revenue: 120.5, account_id: 4 });
    expect(checkConversion({ ...f, count: "1.5" }, "BRL")).toEqual({ ok: false, problem: "count" });
    expect(checkConversion({ ...f, count: "" }, "BRL")).toEqual({ ok: false, problem: "count" });
    expect(checkConversion({ ...f, revenue: "x" }, "BRL")).toEqual({ ok: false, problem: "revenue" });
    expect(checkConversion({ ...f, converted_on: "2026-02-31x" }, "BRL")).toEqual({ ok: false, problem: "date" });
  });
});

describe("archived campaigns", () => {
  it("are listed only when asked for", () => {
    const list = [
      { campaign: campaignRow({ id: 1 }) },
      { campaign: campaignRow({ id: 2, archived_at: "2026-03-10T12:00:00Z" }) },
    ];
    expect(visibleCampaigns(list, false).map((s) => s.campaign.id)).toEqual([1]);
    expect(visibleCampaigns(list, true).map((s) => s.campaign.id)).toEqual([1, 2]);
  });
});
