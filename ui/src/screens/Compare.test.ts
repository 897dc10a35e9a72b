// The Compare screen (issue 13 point 2): the account picker takes 2 to 6 accounts (the
// 7th is disabled), the request carries the window as UTC days and the window's zone,
// the table shows each account's figures side by side with the chart, files are saved
// through `save_comparison` on the desktop and are download links in a browser, a
// campaign narrows the picker to its members, and the screen speaks both languages.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useTransport, type ComparedAccount, type CompareView } from "../lib/api";
import { canCompare, comparePath, compareRequest, toggle } from "../lib/compare";
import { resetTransport } from "../lib/transport";
import { httpTransport } from "../lib/transport/http";
import { account, campaignDetail, campaignRow, campaignSummary, dashboard, settings, status } from "../test/fixtures";
import { backend, click, fill, open, q, qa, reset, sent, start, stop, text, type Handler } from "../test/harness";

beforeEach(reset);
afterEach(() => {
  stop();
  resetTransport();
});

const accounts = [1, 2, 3, 4, 5, 6, 7].map((id) => account({ id, label: `@acct${id} (X)`, username: `acct${id}` }));

const column = (over: Partial<ComparedAccount>): ComparedAccount => ({
  account_id: 1,
  platform: "x",
  label: "@acct1 (X)",
  followers: 1200,
  followers_start: 1100,
  follower_growth: 100,
  follower_growth_percent: 9.09,
  interactions: 134,
  views: 1700,
  engagement_rate: 7.88,
  posts: 3,
  posts_per_week: 2.1,
  best_slot: { weekday: 3, hour: 15, mean: 10, posts: 2 },
  content_mix: [
    { content_type: "video", posts: 2, share: 66.7 },
    { content_type: "image", posts: 1, share: 33.3 },
  ],
  daily_followers: [{ day: "2026-03-11", value: 1110 }],
  ...over,
});

const compared = (): CompareView => ({
  comparison: {
    since: "2026-03-11T00:00:00Z",
    until: "2026-03-21T00:00:00Z",
    time_zone: "UTC",
    accounts: [
      column({}),
      column({
        account_id: 2,
        label: "@acct2 (X)",
        followers: null,
        follower_growth: null,
        best_slot: null,
        content_mix: [],
        posts: 0,
      }),
    ],
  },
  chart_svg: "<svg xmlns='http://www.w3.org/2000/svg'></svg>",
  chart_points: 10,
});

function desktop(extra: Handler = () => null, language: "en" | "pt-BR" = "en") {
  backend((cmd, args) => {
    if (cmd === "app_status") return status(true, { settings: settings({ language }) });
    if (cmd === "list_accounts") return accounts;
    if (cmd === "dashboard") return dashboard();
    if (cmd === "list_campaigns") return [campaignSummary({ campaign: campaignRow({ id: 9, name: "Natal" }) })];
    if (cmd === "compare_accounts") return compared();
    return extra(cmd, args);
  });
}

/** The cells of a table row, trimmed. */
const cells = (testid: string) =>
  qa(`[data-testid="${testid}"] > *`).map((c) => c.textContent?.replace(/\s+/g, " ").trim());
const pick = (id: number) => click(`[data-testid="compare-account-${id}"]`);
const box = (id: number) => q(`[data-testid="compare-account-${id}"]`) as HTMLInputElement;

describe("the compare rules", () => {
  it("take 2 to 6 accounts, in the order picked", () => {
    let s: number[] = [];
    expect(canCompare(s)).toBe(false);
    s = toggle(s, 4);
    expect(canCompare(s)).toBe(false);
    s = toggle(s, 2);
    expect(s).toEqual([4, 2]);
    expect(canCompare(s)).toBe(true);
    for (const id of [5, 6, 7, 8]) s = toggle(s, id);
    expect(s).toEqual([4, 2, 5, 6, 7, 8]);
    expect(toggle(s, 9)).toEqual(s);
    expect(toggle(s, 5)).toEqual([4, 2, 6, 7, 8]);
  });

  it("send the window as UTC days and name it in the REST path", () => {
    const r = compareRequest([1, 4], "2026-11-01", "2026-11-30", "America/Sao_Paulo");
    expect(r).toEqual({
      account_ids: [1, 4],
      since: "2026-11-01T00:00:00Z",
      until: "2026-12-01T00:00:00Z",
      time_zone: "America/Sao_Paulo",
    });
    expect(comparePath(r, "csv")).toBe(
      "/api/v1/compare?accounts=1%2C4&from=2026-11-01&to=2026-11-30&zone=America%2FSao_Paulo&format=csv",
    );
    expect(compareRequest([1, 2], "bad", "2026-11-30", null).since).toBeNull();
  });
});

describe("the compare screen", () => {
  it("allows 2 to 6 accounts and compares them over the window in the window's zone", async () => {
    desktop();
    start();
    await open("compare");
    await vi.waitFor(() => expect(box(7)).not.toBeNull());
    const run = () => q('[data-testid="compare-run"]') as HTMLButtonElement;
    expect(run().disabled).toBe(true);
    expect(text('[data-testid="compare-limit"]')).toBe("Pick at least 2 and at most 6 accounts.");
    pick(1);
    expect(run().disabled).toBe(true);
    pick(2);
    expect(run().disabled).toBe(false);
    for (const id of [3, 4, 5, 6]) pick(id);
    expect(box(7).disabled).toBe(true);
    expect(text('[data-testid="compare-full"]')).toBe("6 accounts picked: remove one to add another.");
    for (const id of [3, 4, 5, 6]) pick(id);
    expect(box(7).disabled).toBe(false);
    fill('[data-testid="compare-from"]', "2026-03-11");
    fill('[data-testid="compare-to"]', "2026-03-20");
    click('[data-testid="compare-run"]');
    await vi.waitFor(() => expect(q('[data-testid="compare-table"]')).not.toBeNull());
    const args = sent("compare_accounts")[0].args as { request: unknown; labels: { follower_title: string } };
    expect(args.request).toEqual({
      account_ids: [1, 2],
      since: "2026-03-11T00:00:00Z",
      until: "2026-03-21T00:00:00Z",
      time_zone: "UTC",
    });
    expect(args.labels.follower_title).toBe("Followers per day");
    const headers = qa('[data-testid="compare-table"] thead th').map((th) => th.textContent?.trim());
    expect(headers).toEqual(["Figure", "@acct1 (X)", "@acct2 (X)"]);
    expect(cells("compare-followers")).toEqual(["Followers (end)", "1,200", "—"]);
    expect(cells("compare-growth")).toEqual(["Follower growth", "+100", "—"]);
    expect(cells("compare-slot")).toEqual(["Best slot", "Thursday, 15:00–16:00", "Not enough posts"]);
    expect(cells("compare-mix")).toEqual(["Content mix", "Video 67% · Image 33%", "No posts"]);
    expect(q('[data-testid="compare-chart"]')?.getAttribute("data-points")).toBe("10");
    expect(text('[data-testid="compare-window"]')).toContain("Mar 11, 2026");
  });

  it("saves the table as Excel into the workspace and narrows the picker to a campaign", async () => {
    desktop((cmd) => {
      if (cmd === "save_comparison") return { path: "/home/ana/ws/exports/compare-2026-03-11-2026-03-20.xlsx", bytes: 4096 };
      if (cmd === "get_campaign")
        return campaignDetail({
          accounts: [
            { campaign_id: 9, account_id: 2, role: "influencer", platform: "x", external_id: "2", username: "acct2", owned: false },
            { campaign_id: 9, account_id: 5, role: "influencer", platform: "x", external_id: "5", username: "acct5", owned: false },
          ],
        });
      return null;
    });
    start();
    await open("compare");
    await vi.waitFor(() => expect(q('[data-testid="compare-campaign"]')).not.toBeNull());
    fill('[data-testid="compare-campaign"]', "9");
    await vi.waitFor(() => expect(box(1)).toBeNull());
    expect(qa('[data-testid^="compare-account-"]').length).toBe(2);
    pick(2);
    pick(5);
    click('[data-testid="compare-run"]');
    await vi.waitFor(() => expect(q('[data-testid="compare-xlsx"]')).not.toBeNull());
    click('[data-testid="compare-xlsx"]');
    await vi.waitFor(() => expect(q('[data-testid="compare-saved"]')).not.toBeNull());
    const save = sent("save_comparison")[0].args as { kind: string; request: { account_ids: number[] } };
    expect(save.kind).toBe("xlsx");
    expect(save.request.account_ids).toEqual([2, 5]);
    expect(text('[data-testid="compare-saved"]')).toContain("compare-2026-03-11-2026-03-20.xlsx");
  });

  it("speaks Brazilian Portuguese", async () => {
    desktop(() => null, "pt-BR");
    start();
    await vi.waitFor(() => expect(text('[data-testid="nav-compare"]')).toContain("Comparar"));
    await open("compare");
    expect(text('[data-testid="screen-compare"] h1')).toBe("Comparar contas");
    await vi.waitFor(() => expect(box(1)).not.toBeNull());
    expect(text('[data-testid="compare-limit"]')).toBe("Escolha no mínimo 2 e no máximo 6 contas.");
    pick(1);
    pick(2);
    click('[data-testid="compare-run"]');
    await vi.waitFor(() => expect(q('[data-testid="compare-table"]')).not.toBeNull());
    expect(text('[data-testid="compare-er"]')).toContain("Taxa de engajamento");
    expect(text('[data-testid="compare-slot"]')).toContain("Publicações insuficientes");
  });

  it("in a browser, asks /api/v1/compare and offers its files as download links", async () => {
    const seen: string[] = [];
    const fetchFn = vi.fn(async (url: RequestInfo | URL) => {
      const u = String(url);
      seen.push(u);
      const json = (body: unknown) =>
        new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
      if (u.includes("/api/v1/session"))
        return json({
          user: { id: 1, email: "a@example.com", role: "analyst", has_password: true, created_at: "2026-01-01T00:00:00Z" },
          role: "analyst",
          csrf_token: "x",
          account_ids: null,
        });
      if (u.includes("/api/v1/accounts")) return json({ items: accounts.slice(0, 3), next_cursor: null });
      if (u.includes("/api/v1/campaigns")) return json({ items: [], next_cursor: null });
      if (u.includes("/api/v1/compare")) return json(compared());
      if (u.includes("/api/v1/dashboard")) return json(dashboard());
      if (u.includes("/api/v1/collection"))
        return json({ collecting: false, paused: false, running: false, live: null, last_run: null, next_run_at: null, problems: [] });
      return json({ items: [], next_cursor: null });
    });
    useTransport(httpTransport(fetchFn as unknown as typeof fetch));
    start();
    await open("compare");
    await vi.waitFor(() => expect(box(2)).not.toBeNull());
    pick(1);
    pick(3);
    click('[data-testid="compare-run"]');
    await vi.waitFor(() => expect(q('[data-testid="compare-table"]')).not.toBeNull());
    const asked = seen.find((u) => u.includes("/api/v1/compare")) ?? "";
    expect(asked).toContain("accounts=1%2C3");
    expect(asked).toContain("labels=");
    const link = q('[data-testid="compare-csv"]') as HTMLAnchorElement;
    expect(link.tagName).toBe("A");
    expect(link.getAttribute("href")).toContain("/api/v1/compare?accounts=1%2C3");
    expect(link.getAttribute("href")).toContain("format=csv");
    expect(q('[data-testid="compare-png"]')).toBeNull();
  });
});
