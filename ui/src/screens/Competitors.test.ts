// The Competitors screen (issue 17 point 1): the sets with their cadence (changed through
// the backend), competitors added and removed, share-of-voice terms; the view puts own
// accounts beside the competitors with engagement per post and the share of voice in
// percent, "—" (never 0) where the platform gives no counts; files saved on the desktop,
// download links in a browser; both languages.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useTransport, type ComparedAccount, type CompetitorList, type CompetitorsView } from "../lib/api";
import { cadenceKey, competitorsPath, competitorsRequest, sharePercent } from "../lib/competitors";
import { resetTransport } from "../lib/transport";
import { httpTransport } from "../lib/transport/http";
import { account, dashboard, settings, status } from "../test/fixtures";
import { backend, click, fill, open, q, qa, reset, sent, start, stop, text, type Handler } from "../test/harness";

beforeEach(reset);
afterEach(() => {
  stop();
  resetTransport();
});

const column = (over: Partial<ComparedAccount>): ComparedAccount => ({
  account_id: 1,
  platform: "x",
  label: "@marca (X)",
  followers: 1200,
  followers_start: 1100,
  follower_growth: 100,
  follower_growth_percent: 9.09,
  interactions: 120,
  views: 1700,
  engagement_rate: 7.06,
  posts: 4,
  posts_per_week: 1,
  best_slot: null,
  content_mix: [],
  daily_followers: [{ day: "2026-03-11", value: 1110 }],
  ...over,
});

const listed = (over: Partial<CompetitorList> = {}): CompetitorList => ({
  sets: [{ name: "rivais", cadence: { kind: "custom", seconds: 21600 }, members: 1, created_at: "2026-03-01T00:00:00Z" }],
  competitors: [
    {
      account_id: 2,
      platform: "instagram",
      label: "@rival (Instagram)",
      owned: false,
      set: "rivais",
      added_at: "2026-03-01T00:00:00Z",
      voice_available: false,
    },
  ],
  voice_terms: [{ term: "#verão", added_at: "2026-03-01T00:00:00Z", collected_at: null }],
  x_bearer_set: false,
  ...over,
});

const viewed = (): CompetitorsView => ({
  report: {
    comparison: {
      since: "2026-03-01T00:00:00Z",
      until: "2026-03-31T00:00:00Z",
      time_zone: "UTC",
      accounts: [
        column({}),
        column({ account_id: 2, platform: "instagram", label: "@rival (Instagram)", interactions: null, posts: 0 }),
      ],
    },
    figures: [
      { account_id: 1, role: "own", set: null, mean_engagement_per_post: 30 },
      { account_id: 2, role: "competitor", set: "rivais", mean_engagement_per_post: null },
    ],
    share_of_voice: {
      term: "#verão",
      first_day: "2026-03-24",
      last_day: "2026-03-30",
      total_posts: 4000,
      accounts: [
        { account_id: 1, label: "@marca (X)", platform: "x", role: "own", available: true, posts: 1000, share: 0.25 },
        { account_id: 2, label: "@rival (Instagram)", platform: "instagram", role: "competitor", available: false, posts: null, share: null },
      ],
    },
  },
  chart_svg: '<svg xmlns="http://www.w3.org/2000/svg"><polyline points="0,0 1,1"/></svg>',
  chart_points: 1,
  terms: ["#verão"],
});

function desktop(extra: Handler = () => null, language: "en" | "pt-BR" = "en", list: () => CompetitorList = listed) {
  backend((cmd, args) => {
    if (cmd === "app_status") return status(true, { settings: settings({ language }) });
    if (cmd === "list_accounts")
      return [account({ id: 1, platform: "x", label: "@marca (X)" }), account({ id: 2, label: "@rival (Instagram)", owned: false }), account({ id: 5, label: "@outra (X)", platform: "x", owned: false })];
    if (cmd === "dashboard") return dashboard();
    if (cmd === "list_competitors") return list();
    if (cmd === "competitors_view") return viewed();
    return extra(cmd, args);
  });
}

const cells = (sel: string) => qa(`${sel} > td`).map((c) => c.textContent?.replace(/\s+/g, " ").trim());

describe("the competitors rules", () => {
  it("build the request and the REST path over UTC days, and keep no share as no share", () => {
    const r = competitorsRequest("2026-03-01", "2026-03-30", "America/Sao_Paulo", " ", "#verão");
    expect(r).toEqual({
      since: "2026-03-01T00:00:00Z",
      until: "2026-03-31T00:00:00Z",
      time_zone: "America/Sao_Paulo",
      set: null,
      term: "#verão",
    });
    expect(competitorsPath(r, "csv")).toBe(
      "/api/v1/competitors/report?from=2026-03-01&to=2026-03-30&zone=America%2FSao_Paulo&term=%23ver%C3%A3o&format=csv",
    );
    expect(sharePercent(0.25)).toBe(25);
    expect(sharePercent(null)).toBeNull();
    expect(cadenceKey({ kind: "custom", seconds: 21600 })).toBe("sixHours");
    expect(cadenceKey({ kind: "custom", seconds: 5400 })).toBeNull();
  });
});

describe("the competitors screen", () => {
  it("shows own accounts beside competitors with engagement per post and the share of voice", async () => {
    desktop((cmd) => (cmd === "save_competitors" ? { path: "/ws/exports/competitors-2026-03-01-2026-03-30.csv", bytes: 512 } : null));
    start();
    await open("competitors");
    await vi.waitFor(() => expect(qa('[data-testid="competitor-row"]').length).toBe(1));
    expect((q('[data-testid="competitor-cadence"]') as HTMLSelectElement).value).toBe("sixHours");
    expect(q('[data-testid="competitors-no-bearer"]')).not.toBeNull();
    click('[data-testid="competitors-run"]');
    await vi.waitFor(() => expect(q('[data-testid="competitors-table"]')).not.toBeNull());
    expect(cells('[data-testid="competitors-role"]')).toEqual(["Own", "Competitor · rivais"]);
    expect(cells('[data-testid="competitors-mean"]')).toEqual(["30.0", "—"]);
    expect(cells('[data-testid="competitors-share"]')).toEqual(["25.0%", "—"]);
    expect(cells('[data-account="1"][data-testid="voice-row"]')).toEqual(["@marca (X)", "1,000", "25.0%"]);
    expect(cells('[data-account="2"][data-testid="voice-row"]')).toEqual(["@rival (Instagram)", "—", "No counts on this platform"]);
    expect(q('[data-testid="competitors-chart"]')).not.toBeNull();
    click('[data-testid="competitors-csv"]');
    await vi.waitFor(() => expect(q('[data-testid="competitors-saved"]')).not.toBeNull());
    expect((sent("save_competitors")[0].args as { kind: string }).kind).toBe("csv");
  });

  it("adds and removes competitors and terms, and sets a set's cadence, through the backend", async () => {
    let list = listed();
    desktop(
      (cmd, args) => {
        if (cmd === "add_competitor") {
          list = listed({
            competitors: [...list.competitors, { ...list.competitors[0], account_id: Number(args.accountId), label: "@outra (X)" }],
          });
          return list.competitors[1];
        }
        if (cmd === "remove_competitor") {
          list = listed({ competitors: list.competitors.filter((c) => c.account_id !== args.accountId) });
          return true;
        }
        if (cmd === "set_competitor_cadence") return list.sets[0];
        if (cmd === "add_voice_term") return { term: String(args.term), added_at: "2026-03-01T00:00:00Z", collected_at: null };
        return null;
      },
      "en",
      () => list,
    );
    start();
    await open("competitors");
    await vi.waitFor(() => expect(q('[data-testid="competitor-pick"] option[value="5"]')).not.toBeNull());
    expect(q('[data-testid="competitor-pick"] option[value="2"]')).toBeNull();
    const pick = q('[data-testid="competitor-pick"]') as HTMLSelectElement;
    pick.value = "5";
    pick.dispatchEvent(new Event("change", { bubbles: true }));
    fill('[data-testid="competitor-set-name"]', "rivais");
    click('[data-testid="competitor-add"]');
    await vi.waitFor(() => expect(qa('[data-testid="competitor-row"]').length).toBe(2));
    expect(sent("add_competitor")[0].args).toEqual({ accountId: 5, set: "rivais" });
    click('[data-account="2"] [data-testid="competitor-remove"]');
    await vi.waitFor(() => expect(qa('[data-testid="competitor-row"]').length).toBe(1));
    expect(sent("remove_competitor")[0].args).toEqual({ accountId: 2 });
    const cadence = q('[data-testid="competitor-cadence"]') as HTMLSelectElement;
    cadence.value = "daily";
    cadence.dispatchEvent(new Event("change", { bubbles: true }));
    await vi.waitFor(() => expect(sent("set_competitor_cadence").length).toBe(1));
    expect(sent("set_competitor_cadence")[0].args).toEqual({ set: "rivais", cadence: { kind: "daily" } });
    fill('[data-testid="voice-term-new"]', " black friday ");
    click('[data-testid="voice-term-add"]');
    await vi.waitFor(() => expect(sent("add_voice_term").length).toBe(1));
    expect(sent("add_voice_term")[0].args).toEqual({ term: "black friday" });
  });

  it("speaks Brazilian Portuguese", async () => {
    desktop(() => null, "pt-BR");
    start();
    await vi.waitFor(() => expect(text('[data-testid="nav-competitors"]')).toContain("Concorrentes"));
    await open("competitors");
    await vi.waitFor(() => expect(q('[data-testid="competitor-row"]')).not.toBeNull());
    click('[data-testid="competitors-run"]');
    await vi.waitFor(() => expect(q('[data-testid="competitors-table"]')).not.toBeNull());
    expect(cells('[data-testid="competitors-role"]')).toEqual(["Própria", "Concorrente · rivais"]);
    expect(text('[data-testid="competitors-voice"] h2')).toContain("Participação na conversa sobre #verão");
    expect(cells('[data-account="2"][data-testid="voice-row"]')[2]).toBe("Sem contagens nesta plataforma");
    expect(cells('[data-testid="competitors-share"]')).toEqual(["25,0%", "—"]);
  });

  it("in a browser, asks the REST route and links the files", async () => {
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
      if (u.includes("/api/v1/competitors/report")) return json(viewed());
      if (u.includes("/api/v1/competitors")) return json(listed());
      if (u.includes("/api/v1/accounts")) return json({ items: [account()], next_cursor: null });
      if (u.includes("/api/v1/dashboard")) return json(dashboard());
      if (u.includes("/api/v1/collection"))
        return json({ collecting: false, paused: false, running: false, live: null, last_run: null, next_run_at: null, problems: [] });
      return json({ items: [], next_cursor: null });
    });
    useTransport(httpTransport(fetchFn as unknown as typeof fetch));
    start();
    await open("competitors");
    await vi.waitFor(() => expect(q('[data-testid="competitor-row"]')).not.toBeNull());
    click('[data-testid="competitors-run"]');
    await vi.waitFor(() => expect(q('[data-testid="competitors-table"]')).not.toBeNull());
    expect(seen.some((u) => u.includes("/api/v1/competitors/report?from="))).toBe(true);
    const link = q('[data-testid="competitors-xlsx"]') as HTMLAnchorElement;
    expect(link.getAttribute("href")).toContain("/api/v1/competitors/report?");
    expect(link.getAttribute("href")).toContain("format=xlsx");
    expect(q('[data-testid="competitors-png"]')).toBeNull();
  });
});
