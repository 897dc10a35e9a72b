import { describe, expect, it, vi } from "vitest";
import { AppError } from "../errors";
import { CSRF_HEADER, filterQuery, httpTransport, problemCode } from "./http";

type Call = { url: string; init: RequestInit };

/** A fetch that answers each request from `answer` and records it. */
function mockFetch(answer: (url: string, init: RequestInit) => Response) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init: init ?? {} });
    return answer(url, init ?? {});
  });
  return { fetch: fn as unknown as typeof fetch, calls };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const problem = (status: number, kind: string, detail: string) =>
  new Response(JSON.stringify({ type: `urn:alcance:problem:${kind}`, title: kind, status, detail }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });

const session = (role = "manager", csrf = "csrf-123") => ({
  user: { id: 2, email: "m@example.com", role, has_password: true, created_at: "2026-12-01T10:00:00Z" },
  role,
  csrf_token: csrf,
  account_ids: null,
});

const collection = {
  collecting: true,
  paused: false,
  running: false,
  live: null,
  last_run: null,
  next_run_at: "2026-12-05T06:00:00Z",
  problems: [],
};

const headers = (c: Call) => (c.init.headers ?? {}) as Record<string, string>;

describe("the HTTP transport", () => {
  it("signs in with the cookie and sends the CSRF token on requests that change state only", async () => {
    const { fetch, calls } = mockFetch((url, init) => {
      if (url === "/api/v1/session" && init.method === "POST") return json(session());
      if (url === "/api/v1/sync") return json({ paused: false, current_run: null, account_ids: [] }, 202);
      if (url === "/api/v1/collection") return json(collection);
      return problem(404, "not-found", `no route ${url}`);
    });
    const t = httpTransport(fetch);
    const signed = await t.web.signIn("m@example.com", "correct horse battery");
    expect(signed.role).toBe("manager");
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ email: "m@example.com", password: "correct horse battery" });
    expect(calls[0].init.credentials).toBe("same-origin");
    const status = await t.commands.syncNow();
    expect(status.next_run_at).toBe("2026-12-05T06:00:00Z");
    const sync = calls.find((c) => c.url === "/api/v1/sync")!;
    expect(sync.init.method).toBe("POST");
    expect(sync.init.credentials).toBe("same-origin");
    expect(headers(sync)[CSRF_HEADER]).toBe("csrf-123");
    const read = calls.find((c) => c.url === "/api/v1/collection")!;
    expect(read.init.credentials).toBe("same-origin");
    expect(headers(read)[CSRF_HEADER]).toBeUndefined();
  });

  it("turns problem+json answers into AppErrors with the right code and the detail", async () => {
    const cases: [number, string, string][] = [
      [400, "invalid-parameter", "invalid_input"],
      [401, "unauthorized", "unauthorized"],
      [403, "forbidden", "forbidden"],
      [404, "not-found", "not_found"],
      [409, "collection-off", "unavailable"],
      [429, "too-many-requests", "too_many_requests"],
      [503, "busy", "busy"],
      [503, "unavailable", "unavailable"],
      [500, "internal", "internal"],
    ];
    for (const [status, kind, code] of cases) {
      const { fetch } = mockFetch(() => problem(status, kind, `detail of ${kind}`));
      const err = await httpTransport(fetch).commands.listAccounts().catch((e: unknown) => e);
      expect(err, kind).toBeInstanceOf(AppError);
      expect((err as AppError).code, kind).toBe(code);
      expect((err as AppError).message, kind).toBe(`detail of ${kind}`);
    }
    expect(problemCode(502, null)).toBe("internal");
    expect(problemCode(401, { detail: "x" })).toBe("unauthorized");
  });

  it("reports a server it cannot reach as unavailable", async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    }) as unknown as typeof globalThis.fetch;
    const err = await httpTransport(fetch).web.whoami().catch((e: unknown) => e);
    expect((err as AppError).code).toBe("unavailable");
  });

  it("pages through lists and maps filters to the REST query", async () => {
    const { fetch, calls } = mockFetch((url) => {
      if (url.startsWith("/api/v1/accounts") && !url.includes("cursor")) return json({ items: [{ id: 1 }], next_cursor: "c2" });
      if (url.startsWith("/api/v1/accounts")) return json({ items: [{ id: 2 }], next_cursor: null });
      if (url.startsWith("/api/v1/dashboard")) return json({ kpis: [] });
      return problem(404, "not-found", url);
    });
    const t = httpTransport(fetch);
    expect((await t.commands.listAccounts()).map((a) => a.id)).toEqual([1, 2]);
    expect(calls[1].url).toContain("cursor=c2");
    const filter = {
      platforms: ["instagram" as const],
      account_ids: [3],
      since: "2026-03-01T00:00:00Z",
      until: "2026-04-01T00:00:00Z",
      time_zone: "America/Sao_Paulo",
    };
    expect(filterQuery(filter).toString()).toBe("account_id=3&platform=instagram&start_date=2026-03-01&end_date=2026-03-31");
    await t.commands.dashboard(filter, { follower_title: "F", follower_y: "f", engagement_title: "E", engagement_y: "e" });
    const url = new URL(calls[2].url, "http://x");
    expect(url.pathname).toBe("/api/v1/dashboard");
    expect(url.searchParams.get("time_zone")).toBe("America/Sao_Paulo");
    expect(JSON.parse(url.searchParams.get("labels")!).follower_title).toBe("F");
    expect(t.web.exportUrl("xlsx", filter)).toBe("/api/v1/exports/xlsx?start_date=2026-03-01&end_date=2026-03-31");
  });

  it("rejects desktop-only commands with desktop_only, without a request", async () => {
    const { fetch, calls } = mockFetch(() => json({}));
    const t = httpTransport(fetch);
    for (const run of [
      () => t.commands.showInFolder("/tmp/x"),
      () => t.commands.connectAccount({ platform: "x", client_id: "a", client_secret: null, port: null }),
      () => t.commands.openWorkspace(null),
    ]) {
      const err = await run().catch((e: unknown) => e);
      expect((err as AppError).code).toBe("desktop_only");
    }
    expect(calls).toHaveLength(0);
  });

  it("sets a cadence with PUT, the CSRF token and the desktop's argument names", async () => {
    const { fetch, calls } = mockFetch((url, init) => {
      if (url === "/api/v1/session") return json(session());
      if (url === "/api/v1/accounts/3/cadence" && init.method === "PUT") return json({ id: 3, cadence: "custom", cadence_seconds: 21600 });
      return problem(404, "not-found", url);
    });
    const t = httpTransport(fetch);
    await t.web.whoami();
    const account = await t.commands.setCadence(3, "custom", 6);
    expect(account.cadence_seconds).toBe(21600);
    expect(JSON.parse(String(calls[1].init.body))).toEqual({ cadence: "custom", every_hours: 6 });
    expect(headers(calls[1])[CSRF_HEADER]).toBe("csrf-123");
  });

  it("prepares a Threads sign-in on the server and maps its plain-HTTP refusal", async () => {
    let https = true;
    const { fetch, calls } = mockFetch((url, init) => {
      if (url === "/api/v1/session") return json(session("manager"));
      if (url === "/api/v1/connect/threads" && init.method === "POST")
        return https
          ? json({ authorize_url: "https://threads.net/oauth/authorize?state=s", redirect_uri: "https://srv/oauth/threads/callback", expires_in: 600 })
          : problem(409, "threads-needs-https", "Threads accepts only HTTPS redirect URIs");
      return problem(404, "not-found", url);
    });
    const t = httpTransport(fetch);
    await t.web.whoami();
    const signIn = await t.web.startThreads("app-id", "app-secret");
    expect(signIn.authorize_url).toContain("threads.net");
    expect(JSON.parse(String(calls[1].init.body))).toEqual({ client_id: "app-id", client_secret: "app-secret" });
    expect(headers(calls[1])[CSRF_HEADER]).toBe("csrf-123");
    https = false;
    const err = await t.web.startThreads("app-id", "app-secret").catch((e: unknown) => e);
    expect((err as AppError).code).toBe("invalid_input");
    expect((err as AppError).message).toContain("HTTPS");
  });

  it("forgets the CSRF token on sign-out and on a 401", async () => {
    let signedIn = true;
    const { fetch, calls } = mockFetch((url, init) => {
      if (url === "/api/v1/session" && init.method === "GET") return signedIn ? json(session("admin", "t1")) : problem(401, "unauthorized", "sign in");
      if (url === "/api/v1/session" && init.method === "DELETE") return new Response(null, { status: 204 });
      if (url === "/api/v1/users") return json({ user: session().user, token: "once" }, 201);
      return problem(404, "not-found", url);
    });
    const t = httpTransport(fetch);
    await t.web.whoami();
    await t.web.invite("new@example.com", "client");
    expect(headers(calls[1])[CSRF_HEADER]).toBe("t1");
    await t.web.signOut();
    expect(headers(calls[2])[CSRF_HEADER]).toBe("t1");
    signedIn = false;
    const err = await t.commands.appStatus().catch((e: unknown) => e);
    expect((err as AppError).code).toBe("unauthorized");
    await t.web.invite("x@example.com", "client").catch(() => null);
    expect(headers(calls[calls.length - 1])[CSRF_HEADER]).toBeUndefined();
  });

  it("maps the campaign commands onto /api/v1/campaigns, list totals from each report", async () => {
    const row = (id: number, name: string) => ({ id, name, starts_on: "2026-11-01", ends_on: null, budget: null, currency: "BRL", goal: "other", notes: null, created_at: "2026-11-01T00:00:00Z" });
    const report = (id: number, cost: number | null) => ({ campaign: { id }, total: { kpis: { posts: id, cost, roi: null } }, budget_used: cost === null ? null : 0.5 });
    const { fetch, calls } = mockFetch((url, init) => {
      const method = init.method ?? "GET";
      if (url === "/api/v1/session") return json(session());
      if (url.startsWith("/api/v1/campaigns?")) return json({ items: [row(1, "A"), row(2, "B")], next_cursor: null });
      if (url === "/api/v1/campaigns/1/report") return json(report(1, 100));
      if (url === "/api/v1/campaigns/2/report") return json(report(2, null));
      if (url === "/api/v1/campaigns" && method === "POST") return json({ ...row(3, "C"), ...JSON.parse(String(init.body)) }, 201);
      if (url === "/api/v1/campaigns/3" && method === "PUT") return json(row(3, "C2"));
      if (url === "/api/v1/campaigns/3" && method === "GET") return json({ campaign: row(3, "C2"), accounts: [], post_ids: [], costs: [], conversions: [] });
      if (url === "/api/v1/campaigns/3/accounts/4" && method === "PUT") return new Response(null, { status: 204 });
      if (url === "/api/v1/campaigns/3/accounts/5" && method === "DELETE") return problem(404, "not-found", "account 5 is not in campaign 3");
      if (url === "/api/v1/campaigns/3" && method === "DELETE") return new Response(null, { status: 204 });
      return problem(404, "not-found", url);
    });
    const t = httpTransport(fetch);
    await t.web.whoami();
    const list = await t.commands.listCampaigns();
    expect(list.map((s) => [s.campaign.name, s.total.posts, s.total.cost, s.budget_used])).toEqual([
      ["A", 1, 100, 0.5],
      ["B", 2, null, null],
    ]);
    const campaign = { name: "C", starts_on: "2026-12-01", ends_on: null, budget: 10, currency: "USD", goal: "traffic" as const, notes: null };
    expect((await t.commands.createCampaign(campaign)).id).toBe(3);
    const created = calls.find((c) => c.url === "/api/v1/campaigns")!;
    expect(JSON.parse(String(created.init.body))).toEqual(campaign);
    expect(headers(created)[CSRF_HEADER]).toBe("csrf-123");
    expect((await t.commands.updateCampaign(3, campaign)).name).toBe("C2");
    expect((await t.commands.getCampaign(3)).campaign.id).toBe(3);
    expect(await t.commands.setCampaignAccount(3, 4, "brand")).toBeNull();
    expect(JSON.parse(String(calls.at(-1)!.init.body))).toEqual({ role: "brand" });
    // Taking out an account that is not in is no error, as on the desktop.
    expect(await t.commands.removeCampaignAccount(3, 5)).toBeNull();
    expect(await t.commands.deleteCampaign(3)).toBeNull();
    const missing = await t.commands.campaignReport(9).catch((e: unknown) => e);
    expect((missing as AppError).code).toBe("not_found");
  });

  it("maps archiving, campaign posts, the trend, costs, conversions and CSV imports", async () => {
    const row = { id: 3, name: "C", starts_on: "2026-11-01", ends_on: null, budget: null, currency: "BRL", goal: "other", notes: null, created_at: "2026-11-01T00:00:00Z", archived_at: null };
    const report = { lines: 2, imported: 1, already_imported: 0, errors: [{ line: 3, reason: "bad date" }], ignored_columns: [] };
    const { fetch, calls } = mockFetch((url, init) => {
      const method = init.method ?? "GET";
      if (url === "/api/v1/session") return json(session());
      if (url === "/api/v1/campaigns/3/archive" && method === "PUT") return json({ ...row, archived_at: "2026-12-06T10:00:00Z" });
      if (url === "/api/v1/campaigns/3/archive" && method === "DELETE") return json(row);
      if (/^\/api\/v1\/campaigns\/[34]\/posts\/\d+$/.test(url) && method === "PUT") return new Response(null, { status: 204 });
      if (url === "/api/v1/campaigns/3/posts/8" && method === "DELETE") return problem(404, "not-found", "post 8 is not in campaign 3");
      if (url === "/api/v1/campaigns/3/posts") return json([]);
      if (url.startsWith("/api/v1/campaigns/3/trend?")) return json({ days: [], svg: "<svg/>", points: 0 });
      const type = new Headers(init.headers).get("Content-Type");
      if (url === "/api/v1/campaigns/3/costs/entries" && type === "application/json") return json({ id: 1, ...JSON.parse(String(init.body)) }, 201);
      if (url === "/api/v1/campaigns/3/costs" && type === "text/csv") return json(report);
      if (url === "/api/v1/campaigns/3/conversions" && type === "text/csv") return json(report);
      if (url === "/api/v1/campaigns/3/conversions/entries" && type === "application/json") return json({ id: 2, ...JSON.parse(String(init.body)) }, 201);
      return problem(404, "not-found", url);
    });
    const t = httpTransport(fetch);
    await t.web.whoami();
    expect((await t.commands.archiveCampaign(3)).archived_at).toBe("2026-12-06T10:00:00Z");
    expect((await t.commands.unarchiveCampaign(3)).archived_at).toBeNull();
    // Every post into every campaign, one request each.
    expect(await t.commands.addPostsToCampaigns([3, 4], [7, 9])).toBe(4);
    expect(calls.filter((c) => c.url.includes("/posts/")).map((c) => c.url)).toEqual([
      "/api/v1/campaigns/3/posts/7",
      "/api/v1/campaigns/3/posts/9",
      "/api/v1/campaigns/4/posts/7",
      "/api/v1/campaigns/4/posts/9",
    ]);
    // Taking out a post that is not in is no error, as on the desktop.
    expect(await t.commands.removeCampaignPost(3, 8)).toBeNull();
    expect(await t.commands.campaignPosts(3)).toEqual([]);
    const labels = { title: "Alcance e interações", y_label: "Por dia", reach: "Alcance", interactions: "Interações", date_axis: "Data (UTC)", no_data: "Sem dados" };
    expect((await t.commands.campaignTrend(3, labels)).points).toBe(0);
    const trend = new URL(calls.find((c) => c.url.includes("/trend"))!.url, "http://x");
    expect(Object.fromEntries(trend.searchParams)).toEqual(labels);
    const cost = { spent_on: "2026-11-21", amount: 500.5, currency: "BRL", note: null, account_id: null };
    expect((await t.commands.addCampaignCost(3, cost)).id).toBe(1);
    const conversion = { converted_on: "2026-11-22", count: 4, revenue: null, currency: "BRL", source: null, utm_campaign: null, utm_source: null, utm_medium: null, account_id: null };
    expect((await t.commands.addCampaignConversion(3, conversion)).id).toBe(2);
    const csv = "date,amount\n2026-11-20,100\n2026-13-01,5\n";
    expect((await t.commands.importCampaignCosts(3, csv)).errors).toEqual([{ line: 3, reason: "bad date" }]);
    expect(String(calls.at(-1)!.init.body)).toBe(csv);
    expect(headers(calls.at(-1)!)[CSRF_HEADER]).toBe("csrf-123");
    expect((await t.commands.importCampaignConversions(3, csv)).imported).toBe(1);
  });
});
