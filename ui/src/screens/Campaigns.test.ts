// The Campaigns screen: the list with its totals, the report side by side with "—" for
// what is undefined, creating / editing / deleting a campaign with its brands and
// influencers (desktop, mocked IPC), and a client on the web UI reading only.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync, mount, unmount } from "svelte";
import App from "../App.svelte";
import { useTransport } from "../lib/api";
import { resetTransport } from "../lib/transport";
import { httpTransport } from "../lib/transport/http";
import { session } from "../lib/ui.svelte";
import {
  account,
  campaignDetail,
  campaignReport,
  campaignRow,
  campaignSummary,
  dashboard,
  kpis,
  platforms,
  status,
} from "../test/fixtures";
import { backend, click, fill, open, q, qa, reset, sent, start, stop, text, type Handler } from "../test/harness";

beforeEach(reset);
afterEach(stop);

const ana = account({ id: 3, label: "@ana (Instagram)", username: "ana" });
const bia = account({ id: 4, platform: "tiktok", label: "@bia (TikTok)", username: "bia" });
const natal = campaignSummary({
  campaign: campaignRow({ id: 2, name: "Natal", starts_on: "2099-12-01", ends_on: null, budget: null, currency: "USD", goal: "awareness" }),
  total: kpis(),
  budget_used: null,
});

/** A desktop backend with the two campaigns; `extra` answers the commands under test. */
function desktop(extra: Handler = () => null) {
  backend((cmd, args) => {
    if (cmd === "app_status") return status(true);
    if (cmd === "list_accounts") return [ana, bia];
    if (cmd === "dashboard") return dashboard();
    if (cmd === "list_campaigns") return [campaignSummary(), natal];
    if (cmd === "campaign_report") return campaignReport();
    return extra(cmd, args);
  });
}

const row = (id: number) => `[data-testid="campaign-row"][data-campaign-id="${id}"]`;
const cells = (sel: string) => qa(sel).map((c) => c.textContent?.replace(/\s+/g, " ").trim());

describe("the campaigns screen", () => {
  it("lists campaigns with status, dates, budget, spend, reach, engagement and ROI, '—' when undefined", async () => {
    desktop();
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q(row(2))).not.toBeNull());
    expect(q(row(1))?.getAttribute("data-status")).toBe("ended");
    expect(q(row(2))?.getAttribute("data-status")).toBe("planned");
    expect(text(`${row(1)} td:nth-child(2)`)).toBe("Ended");
    expect(text(`${row(1)} td:nth-child(3)`)).toBe("Nov 20, 2026 – Nov 30, 2026");
    expect(text(`${row(1)} [data-testid="cell-budget"]`)).toBe("R$2,000.00");
    expect(text(`${row(1)} [data-testid="cell-spend"]`)).toBe("R$1,500.00 75% of the budget");
    expect(text(`${row(1)} [data-testid="cell-reach"]`)).toBe("120K");
    expect(text(`${row(1)} [data-testid="cell-engagement"]`)).toBe("5,400");
    expect(text(`${row(1)} [data-testid="cell-roi"]`)).toBe("+80.0%");
    // No budget, no cost, no posts: dashes, never 0.
    expect(text(`${row(2)} td:nth-child(3)`)).toBe("Dec 1, 2099 – open-ended");
    for (const cell of ["budget", "spend", "reach", "engagement", "roi"]) {
      expect(text(`${row(2)} [data-testid="cell-${cell}"]`), cell).toBe("—");
    }
  });

  it("shows the report: totals and each influencer side by side, '—' for undefined figures", async () => {
    desktop();
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q('[data-testid="campaign-side-by-side"]')).not.toBeNull());
    expect(sent("campaign_report")[0].args).toEqual({ campaignId: 1 });
    expect(text('[data-testid="total-reach"]')).toBe("120K");
    expect(text('[data-testid="total-cost"]')).toBe("R$1,500.00");
    expect(text('[data-testid="total-roi"]')).toBe("+80.0%");
    expect(text('[data-testid="total-budget-used"]')).toBe("75% of the budget");
    expect(cells('[data-testid="report-column"]')).toEqual([
      "@ana (Instagram) Influencer",
      "@bia (TikTok) Influencer",
      "Campaign total",
    ]);
    const line = (key: string) => cells(`[data-testid="report-row-${key}"] td`);
    expect(line("reach")).toEqual(["100,000", "20,000", "120,000"]);
    expect(line("er-reach")).toEqual(["5.00%", "2.00%", "4.50%"]);
    expect(line("cpm")).toEqual(["R$10.00", "—", "R$10.00"]);
    expect(line("cpe")).toEqual(["R$0.30", "—", "R$0.28"]);
    expect(line("cpa")).toEqual(["R$50.00", "—", "R$50.00"]);
    expect(line("roi")).toEqual(["+80.0%", "—", "+80.0%"]);
    expect(q('[data-testid="campaign-no-posts"]')).toBeNull();

    // Another campaign: its report is asked for.
    click(`${row(2)} button.rowlink`);
    await vi.waitFor(() => expect(sent("campaign_report")).toHaveLength(2));
    expect(sent("campaign_report")[1].args).toEqual({ campaignId: 2 });
  });

  it("creates a campaign with a brand and an influencer, then shows it", async () => {
    let created = false;
    desktop((cmd) => {
      if (cmd === "create_campaign") {
        created = true;
        return campaignRow({ id: 9, name: "Dia das Mães" });
      }
      return null;
    });
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q('[data-testid="campaign-new"]')).not.toBeNull());
    click('[data-testid="campaign-new"]');
    // A wrong field is named and nothing is sent.
    fill('[data-testid="campaign-name"]', "Dia das Mães");
    fill('[data-testid="campaign-start"]', "2027-05-01");
    fill('[data-testid="campaign-end"]', "2027-05-12");
    fill('[data-testid="campaign-budget"]', "3.500");
    (q('[data-testid="campaign-form"]') as HTMLFormElement).requestSubmit();
    flushSync();
    expect(text('[data-testid="campaign-invalid"]')).toBe("The budget is an amount such as 1500 or 1500.50.");
    expect(sent("create_campaign")).toHaveLength(0);

    fill('[data-testid="campaign-budget"]', "3500,50");
    fill('[data-testid="campaign-currency"]', "brl");
    fill('[data-testid="campaign-goal"]', "conversions");
    fill('[data-testid="member-3"]', "brand");
    fill('[data-testid="member-4"]', "influencer");
    (q('[data-testid="campaign-form"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(q('[data-testid="campaign-form"]')).toBeNull());
    expect(created).toBe(true);
    expect(sent("create_campaign")[0].args).toEqual({
      campaign: {
        name: "Dia das Mães",
        starts_on: "2027-05-01",
        ends_on: "2027-05-12",
        budget: 3500.5,
        currency: "BRL",
        goal: "conversions",
        notes: null,
      },
    });
    expect(sent("set_campaign_account").map((c) => c.args)).toEqual([
      { campaignId: 9, accountId: 3, role: "brand" },
      { campaignId: 9, accountId: 4, role: "influencer" },
    ]);
    expect(sent("remove_campaign_account")).toHaveLength(0);
    // The list is read again and the new campaign's report asked for.
    expect(sent("list_campaigns").length).toBeGreaterThanOrEqual(2);
    await vi.waitFor(() => expect(sent("campaign_report").at(-1)?.args).toEqual({ campaignId: 9 }));
  });

  it("edits a campaign: new fields, a member changed and one taken out", async () => {
    desktop((cmd) => {
      if (cmd === "get_campaign") {
        return campaignDetail({
          accounts: [
            { ...campaignDetail().accounts[0], account_id: 3, role: "influencer" },
            { ...campaignDetail().accounts[0], account_id: 4, role: "influencer", platform: "tiktok" },
          ],
        });
      }
      if (cmd === "update_campaign") return campaignRow({ name: "Black Friday 2026" });
      return null;
    });
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q('[data-testid="campaign-edit"]')).not.toBeNull());
    click('[data-testid="campaign-edit"]');
    await vi.waitFor(() => expect(q('[data-testid="campaign-form"]')).not.toBeNull());
    expect((q('[data-testid="campaign-name"]') as HTMLInputElement).value).toBe("Black Friday");
    expect((q('[data-testid="campaign-budget"]') as HTMLInputElement).value).toBe("2000");
    expect((q('[data-testid="member-4"]') as HTMLSelectElement).value).toBe("influencer");
    fill('[data-testid="campaign-name"]', "Black Friday 2026");
    fill('[data-testid="member-3"]', "brand");
    fill('[data-testid="member-4"]', "none");
    (q('[data-testid="campaign-form"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(q('[data-testid="campaign-form"]')).toBeNull());
    expect(sent("update_campaign")[0].args).toEqual({
      campaignId: 1,
      campaign: {
        name: "Black Friday 2026",
        starts_on: "2026-11-20",
        ends_on: "2026-11-30",
        budget: 2000,
        currency: "BRL",
        goal: "conversions",
        notes: "Reels with two creators",
      },
    });
    expect(sent("set_campaign_account").map((c) => c.args)).toEqual([{ campaignId: 1, accountId: 3, role: "brand" }]);
    expect(sent("remove_campaign_account").map((c) => c.args)).toEqual([{ campaignId: 1, accountId: 4 }]);
  });

  it("deletes a campaign only after confirmation, and shows a refused save's error", async () => {
    desktop((cmd) => {
      if (cmd === "delete_campaign") return null;
      if (cmd === "create_campaign") throw { code: "invalid_input", message: "campaign name \"Natal\" is already used" };
      return null;
    });
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q('[data-testid="campaign-delete"]')).not.toBeNull());
    click('[data-testid="campaign-delete"]');
    expect(text('[data-testid="campaign-delete-confirm"]')).toContain("Delete Black Friday?");
    expect(sent("delete_campaign")).toHaveLength(0);
    click('[data-testid="campaign-delete-yes"]');
    await vi.waitFor(() => expect(sent("delete_campaign")).toHaveLength(1));
    expect(sent("delete_campaign")[0].args).toEqual({ campaignId: 1 });

    click('[data-testid="campaign-new"]');
    fill('[data-testid="campaign-name"]', "Natal");
    (q('[data-testid="campaign-form"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(q('[data-testid="campaign-form"] [data-testid="error"]')).not.toBeNull());
    expect(text('[data-testid="campaign-form"] [data-testid="error"] code')).toBe('campaign name "Natal" is already used');
    expect(q('[data-testid="campaign-form"]')).not.toBeNull();
  });

  it("after a member error, saving again updates the created campaign instead of creating another", async () => {
    let failures = 1;
    desktop((cmd) => {
      if (cmd === "create_campaign") return campaignRow({ id: 9, name: "Páscoa" });
      if (cmd === "update_campaign") return campaignRow({ id: 9, name: "Páscoa" });
      if (cmd === "set_campaign_account" && failures-- > 0) throw { code: "not_found", message: "account 4 not found" };
      return null;
    });
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q('[data-testid="campaign-new"]')).not.toBeNull());
    click('[data-testid="campaign-new"]');
    fill('[data-testid="campaign-name"]', "Páscoa");
    fill('[data-testid="member-4"]', "influencer");
    (q('[data-testid="campaign-form"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(q('[data-testid="campaign-form"] [data-testid="error"]')).not.toBeNull());
    (q('[data-testid="campaign-form"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(q('[data-testid="campaign-form"]')).toBeNull());
    expect(sent("create_campaign")).toHaveLength(1);
    expect(sent("update_campaign").map((c) => c.args.campaignId)).toEqual([9]);
    expect(sent("set_campaign_account").map((c) => c.args)).toEqual([
      { campaignId: 9, accountId: 4, role: "influencer" },
      { campaignId: 9, accountId: 4, role: "influencer" },
    ]);
  });

  it("says when there is no campaign, and when a campaign counts no post yet", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") return dashboard();
      if (cmd === "list_campaigns") return [];
      return null;
    });
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q('[data-testid="campaigns-empty"]')).not.toBeNull());
    expect(text('[data-testid="campaigns-empty"]')).toBe("No campaign yet. Create one to follow its spend, reach and return.");
    expect(q('[data-testid="campaign-report"]')).toBeNull();
    click('[data-testid="campaign-new"]');
    expect(text('[data-testid="campaign-members"]')).toContain("No accounts yet");
  });

  it("shows a campaign without posts with its empty note, in Portuguese too", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true, { settings: { ...status(true).settings, language: "pt-BR" } });
      if (cmd === "list_accounts") return [ana];
      if (cmd === "dashboard") return dashboard();
      if (cmd === "list_campaigns") return [natal];
      if (cmd === "campaign_report") {
        const empty = campaignReport();
        return { ...empty, accounts: [], total: { ...empty.total, kpis: kpis() }, budget_used: null };
      }
      return null;
    });
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q('[data-testid="campaign-no-posts"]')).not.toBeNull());
    expect(text('[data-testid="screen-campaigns"] h1')).toBe("Campanhas");
    expect(text(`${row(2)} td:nth-child(2)`)).toBe("Planejada");
    expect(text('[data-testid="total-roi"]')).toBe("—");
    expect(text('[data-testid="total-cost"]')).toBe("—");
    expect(q('[data-testid="total-budget-used"]')).toBeNull();
    expect(cells('[data-testid="report-row-roi"] td')).toEqual(["—"]);
  });
});

describe("the campaigns screen in the web UI", () => {
  let app: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (app) unmount(app);
    app = null;
    resetTransport();
    session.user = null;
  });

  it("lets a client read the shared campaigns and their report, without changing them", async () => {
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
    const me = { id: 7, email: "cli@example.com", role: "client", has_password: true, created_at: "2026-12-01T10:00:00Z" };
    const paths: string[] = [];
    const fetchFn = vi.fn(async (input: RequestInfo | URL) => {
      const url = new URL(String(input), "http://alcance.test");
      paths.push(url.pathname);
      switch (url.pathname) {
        case "/api/v1/session":
          return json({ user: me, role: "client", csrf_token: "c", account_ids: [3] });
        case "/api/v1/accounts":
          return json({ items: [ana], next_cursor: null });
        case "/api/v1/dashboard":
          return json(dashboard());
        case "/api/v1/platforms":
          return json(platforms());
        case "/api/v1/campaigns":
          return json({ items: [campaignRow()], next_cursor: null });
        case "/api/v1/campaigns/1/report":
          return json(campaignReport());
      }
      return new Response(JSON.stringify({ type: "urn:alcance:problem:not-found", status: 404, detail: url.pathname }), {
        status: 404,
      });
    });
    useTransport(httpTransport(fetchFn as unknown as typeof fetch));
    reset();
    const target = document.createElement("div");
    document.body.replaceChildren(target);
    app = mount(App, { target });
    flushSync();
    await open("campaigns");
    await vi.waitFor(() => expect(q('[data-testid="campaign-side-by-side"]')).not.toBeNull());
    expect(text(`${row(1)} [data-testid="cell-roi"]`)).toBe("+80.0%");
    expect(text(`${row(1)} [data-testid="cell-spend"]`)).toBe("R$1,500.00 75% of the budget");
    expect(q('[data-testid="campaign-new"]')).toBeNull();
    expect(q('[data-testid="campaign-edit"]')).toBeNull();
    expect(q('[data-testid="campaign-delete"]')).toBeNull();
    expect(text('[data-testid="campaigns-empty"]')).toBeNull();
    expect(paths).toContain("/api/v1/campaigns/1/report");
  });
});
