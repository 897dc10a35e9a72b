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
  campaignTrend,
  dashboard,
  postView,
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
    const answer = extra(cmd, args);
    // The report's posts, trend and money lines, unless the test answers them.
    if (answer === null && cmd === "campaign_posts") return [];
    if (answer === null && cmd === "campaign_trend") return campaignTrend();
    if (answer === null && cmd === "get_campaign") return campaignDetail();
    return answer;
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
      if (cmd === "campaign_posts") return [];
      if (cmd === "campaign_trend") return campaignTrend();
      if (cmd === "get_campaign") return campaignDetail();
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
        case "/api/v1/campaigns/1":
          return json(campaignDetail());
        case "/api/v1/campaigns/1/posts":
          return json([postView()]);
        case "/api/v1/campaigns/1/trend":
          return json(campaignTrend());
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
    // The client reads the posts, the trend and the money lines, and changes none of them.
    await vi.waitFor(() => expect(qa('[data-testid="campaign-post"]')).toHaveLength(1));
    expect(q('[data-testid="campaign-trend"]')).not.toBeNull();
    expect(q('[data-testid="campaign-post-remove"]')).toBeNull();
    expect(q('[data-testid="cost-form"]')).toBeNull();
    expect(q('[data-testid="campaign-archive"]')).toBeNull();
    expect(paths).toContain("/api/v1/campaigns/1/trend");
  });
});

describe("a campaign's posts, archive, costs and conversions", () => {
  const archived = campaignSummary({
    campaign: campaignRow({ id: 5, name: "Carnaval", archived_at: "2026-03-10T12:00:00Z" }),
    total: kpis(),
    budget_used: null,
  });

  it("hides archived campaigns behind 'Show archived', and archives or restores one", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [ana, bia];
      if (cmd === "dashboard") return dashboard();
      if (cmd === "list_campaigns") return [campaignSummary(), archived];
      if (cmd === "campaign_report") return campaignReport();
      if (cmd === "campaign_posts") return [];
      if (cmd === "campaign_trend") return campaignTrend();
      if (cmd === "get_campaign") return campaignDetail();
      if (cmd === "archive_campaign") return campaignRow({ archived_at: "2026-12-06T10:00:00Z" });
      if (cmd === "unarchive_campaign") return campaignRow({ id: 5, name: "Carnaval" });
      return null;
    });
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q(row(1))).not.toBeNull());
    expect(q(row(5))).toBeNull();
    expect(text('label:has([data-testid="campaigns-show-archived"])')).toBe("Show archived (1)");
    click('[data-testid="campaigns-show-archived"]');
    expect(q(row(5))?.getAttribute("data-archived")).toBe("true");
    expect(text(`${row(5)} [data-testid="campaign-archived"]`)).toBe("Archived");

    click('[data-testid="campaign-archive"]');
    await vi.waitFor(() => expect(sent("archive_campaign")).toHaveLength(1));
    expect(sent("archive_campaign")[0].args).toEqual({ campaignId: 1 });

    click(`${row(5)} button.rowlink`);
    await vi.waitFor(() => expect(q('[data-testid="campaign-unarchive"]')).not.toBeNull());
    click('[data-testid="campaign-unarchive"]');
    await vi.waitFor(() => expect(sent("unarchive_campaign")).toHaveLength(1));
    expect(sent("unarchive_campaign")[0].args).toEqual({ campaignId: 5 });
  });

  it("shows a top post's picture kept in the workspace, and the placeholder for one without", async () => {
    const pictured = postView({ id: 7, interactions: 890 });
    const bare = postView({ id: 9, interactions: 20 });
    desktop((cmd, args) => {
      if (cmd === "campaign_posts") return [pictured, bare];
      if (cmd === "post_picture") return (args as { postId: number }).postId === 7 ? "data:image/png;base64,iVBORw0KGgo=" : null;
      return null;
    });
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(qa('[data-testid="top-post"] img[data-testid="post-thumb"]')).toHaveLength(1));
    const img = q('[data-testid="top-post"][data-post-id="7"] img[data-testid="post-thumb"]');
    expect(img?.getAttribute("src")).toBe("data:image/png;base64,iVBORw0KGgo=");
    expect(img?.getAttribute("alt")).toContain("Picture of the post by");
    expect(q('[data-testid="top-post"][data-post-id="9"] [data-testid="post-thumb-placeholder"]')).not.toBeNull();
  });

  it("shows the trend chart, the top posts with a placeholder thumbnail and a link, and removes a post", async () => {
    const top = postView({ id: 7, interactions: 890 });
    const quiet = postView({ id: 8, interactions: null, engagement_rate: null, permalink: null, caption: "Sem dados" });
    let posts = [top, quiet];
    desktop((cmd) => {
      if (cmd === "campaign_posts") return posts;
      if (cmd === "remove_campaign_post") {
        posts = [top];
        return null;
      }
      return null;
    });
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(qa('[data-testid="campaign-post"]')).toHaveLength(2));
    expect(sent("campaign_trend")[0].args).toMatchObject({
      campaignId: 1,
      labels: { title: "Reach and interactions per day", reach: "Reach", interactions: "Interactions" },
    });
    expect(q('[data-testid="campaign-trend"]')?.getAttribute("data-points")).toBe("4");
    // Only posts with figures are top posts; without a stored media URL the thumbnail is a placeholder.
    expect(qa('[data-testid="top-post"]').map((e) => e.getAttribute("data-post-id"))).toEqual(["7"]);
    expect(text('[data-testid="top-post"] [data-testid="post-thumb-placeholder"]')).toBe("Reel");
    expect(text('[data-testid="top-post"] .small:not(.muted)')).toBe("890 interactions · 7.40% engagement");
    expect(q('[data-testid="top-post"] a.link')?.getAttribute("href")).toBe("https://www.instagram.com/p/abc/");

    click('[data-testid="campaign-post"][data-post-id="8"] [data-testid="campaign-post-remove"]');
    await vi.waitFor(() => expect(sent("remove_campaign_post")).toHaveLength(1));
    expect(sent("remove_campaign_post")[0].args).toEqual({ campaignId: 1, postId: 8 });
    await vi.waitFor(() => expect(qa('[data-testid="campaign-post"]')).toHaveLength(1));
    // The report is read again with the post gone.
    await vi.waitFor(() => expect(sent("campaign_report").length).toBeGreaterThanOrEqual(2));
  });

  it("adds a cost and a conversion from the forms, naming a wrong field first", async () => {
    desktop((cmd) => {
      if (cmd === "add_campaign_cost") return { id: 1, campaign_id: 1, account_id: 3, spent_on: "2026-11-21", amount: 500.5, currency: "BRL", note: "3 reels", imported: false };
      if (cmd === "add_campaign_conversion") return { id: 1, campaign_id: 1, account_id: null, converted_on: "2026-11-22", count: 4, revenue: null, currency: "BRL", source: null, utm_campaign: null, utm_source: null, utm_medium: null, imported: false };
      return null;
    });
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q('[data-testid="cost-account"] option[value="3"]')).not.toBeNull());
    fill('[data-testid="cost-amount"]', "500,555");
    (q('[data-testid="cost-form"]') as HTMLFormElement).requestSubmit();
    flushSync();
    expect(text('[data-testid="money-invalid"]')).toBe("The amount is a number such as 500 or 500.50.");
    expect(sent("add_campaign_cost")).toHaveLength(0);

    fill('[data-testid="cost-account"]', "3");
    fill('[data-testid="cost-amount"]', "500,50");
    fill('[data-testid="cost-date"]', "2026-11-21");
    fill('[data-testid="cost-note"]', " 3 reels ");
    (q('[data-testid="cost-form"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(sent("add_campaign_cost")).toHaveLength(1));
    expect(sent("add_campaign_cost")[0].args).toEqual({
      campaignId: 1,
      cost: { spent_on: "2026-11-21", amount: 500.5, currency: "BRL", note: "3 reels", account_id: 3 },
    });

    fill('[data-testid="conversion-count"]', "4");
    fill('[data-testid="conversion-date"]', "2026-11-22");
    (q('[data-testid="conversion-form"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(sent("add_campaign_conversion")).toHaveLength(1));
    expect(sent("add_campaign_conversion")[0].args).toMatchObject({
      campaignId: 1,
      conversion: { converted_on: "2026-11-22", count: 4, revenue: null, currency: "BRL", account_id: null },
    });
    // The report is read again with the new money.
    await vi.waitFor(() => expect(sent("campaign_report").length).toBeGreaterThanOrEqual(3));
  });

  it("previews the posts a rule picks, then adds only those not in the campaign yet", async () => {
    const inAlready = postView({ id: 7, caption: "Chegou #verao" });
    const match = postView({ id: 11, caption: "Mais #verao", published_at: "2026-11-22T12:00:00Z" });
    desktop((cmd) => {
      if (cmd === "campaign_posts") return [inAlready];
      if (cmd === "preview_post_rule") return [inAlready, match];
      if (cmd === "add_posts_to_campaigns") return 1;
      return null;
    });
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q('[data-testid="rule-open"]')).not.toBeNull());
    click('[data-testid="rule-open"]');
    fill('[data-testid="rule-term"]', "#verao");
    fill('[data-testid="rule-account"]', "3");
    fill('[data-testid="rule-since"]', "2026-11-20");
    (q('[data-testid="rule-form"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(qa('[data-testid="rule-match"]')).toHaveLength(2));
    expect(sent("preview_post_rule")[0].args).toEqual({
      campaignId: 1,
      rule: { term: "#verao", account_ids: [3], since: "2026-11-20", until: null },
    });
    expect(sent("add_posts_to_campaigns")).toHaveLength(0);
    expect(text('[data-testid="rule-result"] p')).toBe("2 posts match, 1 not in the campaign yet.");
    expect(q('[data-testid="rule-match"][data-post-id="7"]')?.getAttribute("data-in-campaign")).toBe("true");
    click('[data-testid="rule-add"]');
    await vi.waitFor(() => expect(sent("add_posts_to_campaigns")).toHaveLength(1));
    expect(sent("add_posts_to_campaigns")[0].args).toEqual({ campaignIds: [1], postIds: [11] });
    await vi.waitFor(() => expect(q('[data-testid="rule-form"]')).toBeNull());
  });

  it("imports a CSV and shows the refused lines beside the lines kept", async () => {
    desktop((cmd) => {
      if (cmd === "import_campaign_costs") {
        return { lines: 3, imported: 2, already_imported: 0, errors: [{ line: 3, reason: 'amount "12,5x" is not a number' }], ignored_columns: ["obs"] };
      }
      if (cmd === "get_campaign" && sent("import_campaign_costs").length > 0) {
        return campaignDetail({
          costs: [
            { id: 1, campaign_id: 1, account_id: null, spent_on: "2026-11-20", amount: 100, currency: "BRL", note: null, imported: true },
            { id: 2, campaign_id: 1, account_id: 3, spent_on: "2026-11-21", amount: 200, currency: "BRL", note: null, imported: true },
          ],
        });
      }
      return null;
    });
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q('[data-testid="import-file"]')).not.toBeNull());
    const csv = "date,amount,obs\n2026-11-20,100,a\n2026-11-21,200,b\n2026-11-22,\"12,5x\",c\n";
    const input = q('[data-testid="import-file"]') as HTMLInputElement;
    // jsdom's File has no text(); the webviews' has.
    const file = Object.assign(new File([csv], "costs.csv", { type: "text/csv" }), { text: async () => csv });
    Object.defineProperty(input, "files", { value: [file], configurable: true });
    input.dispatchEvent(new Event("change", { bubbles: true }));
    await vi.waitFor(() => expect(q('[data-testid="import-result"]')).not.toBeNull());
    expect(sent("import_campaign_costs")[0].args).toEqual({ campaignId: 1, csv });
    expect(text('[data-testid="import-summary"]')).toBe("3 lines read: 2 kept, 0 already imported, 1 refused.");
    expect(cells('[data-testid="import-error"] td')).toEqual(["3", 'amount "12,5x" is not a number']);
    await vi.waitFor(() => expect(qa('[data-testid="cost-line"]')).toHaveLength(2));
    expect(qa('[data-testid="cost-line"]').every((e) => e.getAttribute("data-imported") === "true")).toBe(true);
    expect(text('[data-testid="import-result"] .muted')).toBe("Columns ignored: obs");
  });
});
