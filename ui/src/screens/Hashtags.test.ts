// The Hashtags screen (issue 17 point 2): own hashtags with posts, reach, impressions,
// the engagement rate in percent and a weekly sparkline, asked with the filters; tracked
// hashtags with X volume and Instagram media counts and the Instagram budget with when a
// slot frees up; tracking and untracking; the X bearer token kept through its command; a
// client in a browser sees only the own-hashtag table; both languages.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useTransport, type HashtagPerformance, type TrackedHashtags } from "../lib/api";
import { sparkline } from "../lib/hashtags";
import { resetTransport } from "../lib/transport";
import { httpTransport } from "../lib/transport/http";
import { account, dashboard, settings, status } from "../test/fixtures";
import { backend, click, fill, open, q, qa, reset, sent, start, stop, text, type Handler } from "../test/harness";

beforeEach(reset);
afterEach(() => {
  stop();
  resetTransport();
});

const own = (over: Partial<HashtagPerformance> = {}): HashtagPerformance => ({
  hashtag: "#verão",
  posts: 3,
  accounts: 2,
  reach: 1000,
  views: 2500,
  impressions: 2400,
  interactions: 150,
  engagement_rate: 6,
  mean_interactions: 75,
  first_used: "2026-11-16T12:00:00Z",
  last_used: "2026-11-23T12:00:00Z",
  weeks: [
    { week: "2026-11-16", posts: 2, interactions: 150 },
    { week: "2026-11-23", posts: 1, interactions: null },
  ],
  ...over,
});

const tracked = (over: Partial<TrackedHashtags> = {}): TrackedHashtags => ({
  hashtags: [
    {
      tag: "#são_paulo",
      display: "#São_Paulo",
      added_at: "2026-11-20T10:00:00Z",
      enabled: true,
      collected_at: "2026-11-24T10:00:00Z",
      x_daily: [
        { start: "2026-11-22T00:00:00Z", count: 120 },
        { start: "2026-11-23T00:00:00Z", count: 80 },
      ],
      x_posts_7d: 200,
      instagram_top: 9,
      instagram_recent: 4,
    },
  ],
  x_bearer_set: false,
  instagram_budget: {
    account: "@loja",
    limit: 30,
    used: 30,
    remaining: 0,
    next_free_at: "2026-11-27T10:00:00Z",
    counted: [],
  },
  ...over,
});

function desktop(extra: Handler = () => null, language: "en" | "pt-BR" = "en", list: () => TrackedHashtags = tracked) {
  backend((cmd, args) => {
    if (cmd === "app_status") return status(true, { settings: settings({ language }) });
    if (cmd === "list_accounts") return [account()];
    if (cmd === "dashboard") return dashboard();
    if (cmd === "own_hashtags") return [own(), own({ hashtag: "#praia", posts: 1, reach: null, engagement_rate: null, weeks: [] })];
    if (cmd === "tracked_hashtags") return list();
    return extra(cmd, args);
  });
}

const cells = (sel: string) => qa(`${sel} > td`).map((c) => c.textContent?.replace(/\s+/g, " ").trim());

describe("sparklines", () => {
  it("scale to the largest value and treat missing values as zero", () => {
    expect(sparkline([])).toBe("");
    expect(sparkline([5], 80, 20)).toBe("0,0");
    expect(sparkline([0, 10, 5], 80, 20)).toBe("0,20 40,0 80,10");
    expect(sparkline([null, 0], 80, 20)).toBe("0,20 80,20");
  });
});

describe("the hashtags screen", () => {
  it("shows own hashtags with the filters, and tracked ones with the Instagram budget", async () => {
    desktop();
    start();
    await open("hashtags");
    await vi.waitFor(() => expect(q('[data-testid="hashtags-table"]')).not.toBeNull());
    const asked = sent("own_hashtags")[0].args as { filter: { platforms: string[]; since: string | null } };
    expect(asked.filter.platforms).toEqual([]);
    expect(asked.filter.since).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
    expect(cells('[data-tag="#verão"]').slice(0, 6)).toEqual(["#verão", "3", "1,000", "2,400", "150", "6.00%"]);
    expect(cells('[data-tag="#praia"]').slice(2, 3)).toEqual(["—"]);
    const trend = q('[data-tag="#verão"] [data-testid="hashtag-trend"] polyline');
    expect(trend?.getAttribute("points")).toBe("0,0 80,20");
    expect(text('[data-testid="hashtags-table"] + p')).toContain("in percent");
    await vi.waitFor(() => expect(q('[data-testid="hashtags-tracked"]')).not.toBeNull());
    expect(cells('[data-testid="tracked-row"]').slice(0, 5)).toEqual(["#São_Paulo", "200", "", "9", "4"]);
    const budget = text('[data-testid="hashtags-budget"]') ?? "";
    expect(budget).toContain("@loja: 30 of 30 hashtags used in the last 7 days.");
    expect(budget).toContain("The next slot frees up");
    expect(q('[data-testid="hashtags-bearer"]')).not.toBeNull();
  });

  it("tracks, untracks and keeps the X bearer token through the backend", async () => {
    let list = tracked();
    desktop((cmd, args) => {
      if (cmd === "track_hashtag") {
        list = tracked({ hashtags: [...list.hashtags, { ...list.hashtags[0], tag: "#novo", display: String(args.tag) }] });
        return list.hashtags[1];
      }
      if (cmd === "untrack_hashtag") {
        list = tracked({ hashtags: list.hashtags.filter((h) => h.tag !== args.tag) });
        return null;
      }
      if (cmd === "set_x_bearer") {
        list = { ...list, x_bearer_set: true };
        return null;
      }
      return null;
    }, "en", () => list);
    start();
    await open("hashtags");
    await vi.waitFor(() => expect(q('[data-testid="hashtags-new"]')).not.toBeNull());
    fill('[data-testid="hashtags-new"]', " #Novo ");
    click('[data-testid="hashtags-add"]');
    await vi.waitFor(() => expect(qa('[data-testid="tracked-row"]').length).toBe(2));
    expect(sent("track_hashtag")[0].args).toEqual({ tag: "#Novo" });
    click('[data-tag="#são_paulo"] [data-testid="tracked-remove"]');
    await vi.waitFor(() => expect(qa('[data-testid="tracked-row"]').length).toBe(1));
    expect(sent("untrack_hashtag")[0].args).toEqual({ tag: "#são_paulo" });
    fill('[data-testid="hashtags-bearer-input"]', "AAAA-bearer");
    click('[data-testid="hashtags-bearer-save"]');
    await vi.waitFor(() => expect(q('[data-testid="hashtags-bearer-saved"]')).not.toBeNull());
    expect(sent("set_x_bearer")[0].args).toEqual({ token: "AAAA-bearer" });
    expect(q('[data-testid="hashtags-bearer"]')).toBeNull();
  });

  it("speaks Brazilian Portuguese", async () => {
    desktop(() => null, "pt-BR");
    start();
    await vi.waitFor(() => expect(text('[data-testid="nav-hashtags"]')).toContain("Hashtags"));
    await open("hashtags");
    await vi.waitFor(() => expect(q('[data-testid="hashtags-tracked"]')).not.toBeNull());
    expect(text('[data-testid="screen-hashtags"] h2')).toBe("Suas hashtags");
    expect(text('[data-testid="hashtags-table"] thead')).toContain("Tx. engaj. (%)");
    expect(text('[data-testid="hashtags-budget"]')).toContain("de 30 hashtags usadas nos últimos 7 dias");
  });

  it("in a browser, a client sees own hashtags only, asked with the posts' filters", async () => {
    const seen: string[] = [];
    const fetchFn = vi.fn(async (url: RequestInfo | URL) => {
      const u = String(url);
      seen.push(u);
      const json = (body: unknown) =>
        new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
      if (u.includes("/api/v1/session"))
        return json({
          user: { id: 1, email: "c@example.com", role: "client", has_password: true, created_at: "2026-01-01T00:00:00Z" },
          role: "client",
          csrf_token: "x",
          account_ids: [3],
        });
      if (u.includes("/api/v1/accounts")) return json({ items: [account()], next_cursor: null });
      if (u.includes("/api/v1/hashtags/tracked")) return json(tracked());
      if (u.includes("/api/v1/hashtags")) return json({ items: [own()] });
      if (u.includes("/api/v1/dashboard")) return json(dashboard());
      if (u.includes("/api/v1/collection"))
        return json({ collecting: false, paused: false, running: false, live: null, last_run: null, next_run_at: null, problems: [] });
      return json({ items: [], next_cursor: null });
    });
    useTransport(httpTransport(fetchFn as unknown as typeof fetch));
    start();
    await open("hashtags");
    await vi.waitFor(() => expect(q('[data-testid="hashtags-table"]')).not.toBeNull());
    const asked = seen.find((u) => u.includes("/api/v1/hashtags")) ?? "";
    expect(asked).toContain("start_date=");
    expect(seen.some((u) => u.includes("/api/v1/hashtags/tracked"))).toBe(false);
    expect(q('[data-testid="hashtags-tracked"]')).toBeNull();
  });
});
