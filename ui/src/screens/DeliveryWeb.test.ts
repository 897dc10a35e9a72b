// The "Scheduled delivery" card in a browser on `alcance serve`: the HTTP transport against
// a fake server's /api/v1/report-schedules (a mocked fetch). A manager adds a schedule
// (POST with the CSRF token), pauses it (PATCH), sends it now (POST …/send) and sees the
// server's refusal as an error; an analyst gets the list read-only; the SMTP and Google
// forms stay on the desktop; in English and Brazilian Portuguese.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync, mount, unmount } from "svelte";
import App from "../App.svelte";
import { useTransport } from "../lib/api";
import { resetTransport } from "../lib/transport";
import { httpTransport, SETTINGS_KEY } from "../lib/transport/http";
import { account, dashboard, platforms } from "../test/fixtures";
import { click, fill, open, q, qa, reset, text } from "../test/harness";
import { session } from "../lib/ui.svelte";

type Req = { method: string; path: string; body: unknown; csrf: string | undefined };
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
const problem = (status: number, kind: string, detail: string) =>
  new Response(JSON.stringify({ type: `urn:alcance:problem:${kind}`, title: kind, status, detail }), { status });

/** A schedule as `GET /api/v1/report-schedules` lists it (the row flat, plus its computed
 *  fields). */
const schedule = (id: number, over: Record<string, unknown> = {}) => ({
  id,
  kind: "weekly_report",
  campaign_id: null,
  cadence: "weekly",
  weekday: 0,
  day_of_month: null,
  hour: 9,
  time_zone: "America/Sao_Paulo",
  language: "pt-BR",
  recipients: ["ana@client.example"],
  formats: ["pdf", "xlsx"],
  sheets: false,
  enabled: true,
  spreadsheet_id: null,
  created_at: "2026-12-01T10:00:00Z",
  spreadsheet_url: null,
  last_delivery: null,
  next_send_at: "2026-12-07T12:00:00Z",
  ...over,
});

/** A fake server signed in as `role`, keeping its schedules; `refuseSend` answers "send
 *  now" with a 503 problem. */
function server(role: "admin" | "manager" | "analyst", refuseSend = false) {
  const requests: Req[] = [];
  const schedules = [schedule(4)];
  const me = { id: 1, email: `${role}@example.com`, role, has_password: true, created_at: "2026-12-01T10:00:00Z" };
  const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://alcance.test");
    const method = init?.method ?? "GET";
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const csrf = (init?.headers as Record<string, string> | undefined)?.["X-CSRF-Token"];
    requests.push({ method, path: url.pathname, body, csrf });
    if (method !== "GET" && csrf !== "csrf-1") return problem(403, "forbidden", "CSRF token missing");
    const route = `${method} ${url.pathname}`;
    switch (route) {
      case "GET /api/v1/session":
        return json({ user: me, role, csrf_token: "csrf-1", account_ids: null });
      case "GET /api/v1/collection":
        return json({ collecting: true, paused: false, running: false, live: null, last_run: null, next_run_at: null, problems: [] });
      case "GET /api/v1/accounts":
        return json({ items: [account()], next_cursor: null });
      case "GET /api/v1/dashboard":
        return json(dashboard());
      case "GET /api/v1/platforms":
        return json(platforms());
      case "GET /api/v1/campaigns":
        return json({ items: [], next_cursor: null });
      case "GET /api/v1/report-schedules":
        return json({ items: schedules, next_cursor: null });
      case "POST /api/v1/report-schedules": {
        const added = schedule(schedules.length + 10, { ...body, kind: "weekly_report", cadence: body.weekday === null ? "monthly" : "weekly" });
        schedules.push(added);
        return json(added, 201);
      }
    }
    const patch = /^PATCH \/api\/v1\/report-schedules\/(\d+)$/.exec(route);
    if (patch) {
      const s = schedules.find((x) => x.id === Number(patch[1]))!;
      s.enabled = body.enabled;
      s.next_send_at = body.enabled ? "2026-12-07T12:00:00Z" : (null as unknown as string);
      return json(s);
    }
    const send = /^POST \/api\/v1\/report-schedules\/(\d+)\/send$/.exec(route);
    if (send) {
      if (refuseSend) return problem(503, "unavailable", "the database cannot be reached");
      const s = schedules.find((x) => x.id === Number(send[1]))!;
      s.last_delivery = {
        schedule_id: s.id,
        period_start: "2026-11-23T03:00:00Z",
        period_end: "2026-11-30T03:00:00Z",
        status: "pending",
        attempts: 1,
        last_error: "no SMTP server is set",
        next_attempt_at: "2026-12-06T12:01:00Z",
        sent_at: null,
        message_id: null,
        created_at: "2026-12-06T12:00:00Z",
        mailed_at: null,
        sheet_title: null,
      } as unknown as null;
      return json({ claimed: true, error: "no SMTP server is set: alcance report mail set --url …" });
    }
    return problem(404, "not-found", `no route ${url.pathname}`);
  });
  return { fetch: fetchFn as unknown as typeof fetch, requests, schedules };
}

let app: ReturnType<typeof mount> | null = null;
async function startAs(s: ReturnType<typeof server>) {
  useTransport(httpTransport(s.fetch));
  const target = document.createElement("div");
  document.body.replaceChildren(target);
  app = mount(App, { target });
  flushSync();
  await open("reports");
  await vi.waitFor(() => expect(q('[data-testid="delivery-schedule"]')).not.toBeNull());
}

beforeEach(() => {
  reset();
  session.user = null;
  globalThis.localStorage?.removeItem(SETTINGS_KEY);
});
afterEach(() => {
  if (app) unmount(app);
  app = null;
  resetTransport();
  globalThis.localStorage?.removeItem(SETTINGS_KEY);
});

describe("the scheduled delivery card on the web", () => {
  it("lets a manager add a schedule through POST /api/v1/report-schedules", async () => {
    const s = server("manager");
    await startAs(s);
    // The SMTP and Google forms are the server machine's business.
    expect(q('[data-testid="delivery-mail"]')).toBeNull();
    expect(q('[data-testid="delivery-google"]')).toBeNull();
    expect(text('[data-testid="delivery-server-settings"]')).toContain("alcance report mail set");
    fill('[data-testid="delivery-cadence"]', "monthly");
    fill('[data-testid="delivery-day"]', "5");
    fill('[data-testid="delivery-hour"]', "7");
    fill('[data-testid="delivery-recipients"]', "bia@client.example, caio@client.example");
    click('[data-testid="delivery-xlsx"]');
    click('[data-testid="delivery-add-button"]');
    await vi.waitFor(() => expect(text('[data-testid="delivery-notice"]')).toBe("Schedule added."));
    const post = s.requests.find((r) => r.method === "POST" && r.path === "/api/v1/report-schedules")!;
    expect(post.csrf).toBe("csrf-1");
    expect(post.body).toEqual({
      campaign_id: null,
      weekday: null,
      day_of_month: 5,
      hour: 7,
      time_zone: "UTC",
      language: "en",
      recipients: ["bia@client.example", "caio@client.example"],
      formats: ["pdf"],
      sheets: false,
    });
    await vi.waitFor(() => expect(qa('[data-testid="delivery-schedule"]')).toHaveLength(2));
    expect(text('[data-testid="delivery-card"]')).toContain("monthly on day 5 at 07:00 (UTC)");
  });

  it("pauses a schedule with PATCH and sends it now, showing the attempt's error", async () => {
    const s = server("admin");
    await startAs(s);
    click('[data-testid="delivery-pause"]');
    await vi.waitFor(() => expect(q('[data-testid="delivery-paused"]')).not.toBeNull());
    const patch = s.requests.find((r) => r.method === "PATCH")!;
    expect(patch.path).toBe("/api/v1/report-schedules/4");
    expect(patch.body).toEqual({ enabled: false });
    expect(q('[data-testid="delivery-resume"]')).not.toBeNull();

    click('[data-testid="delivery-send-now"]');
    await vi.waitFor(() =>
      expect(text('[data-testid="delivery-notice"]')).toContain("no SMTP server is set: alcance report mail set"),
    );
    expect(s.requests.some((r) => r.method === "POST" && r.path === "/api/v1/report-schedules/4/send")).toBe(true);
    await vi.waitFor(() => expect(text('[data-testid="delivery-error"]')).toBe("no SMTP server is set"));
  });

  it("shows the server's refusal as an error", async () => {
    const s = server("manager", true);
    await startAs(s);
    click('[data-testid="delivery-send-now"]');
    await vi.waitFor(() => expect(q('[data-testid="delivery-card"] [role="alert"]')).not.toBeNull());
    expect(text('[data-testid="delivery-card"] [role="alert"]')).toContain("the database cannot be reached");
    expect(q('[data-testid="delivery-notice"]')).toBeNull();
  });

  it("gives an analyst the list read-only, in Brazilian Portuguese", async () => {
    globalThis.localStorage?.setItem(SETTINGS_KEY, JSON.stringify({ language: "pt-BR", theme: "system" }));
    const s = server("analyst");
    await startAs(s);
    expect(text('[data-testid="delivery-card"] h2')).toBe("Envio programado");
    expect(text('[data-testid="delivery-schedule"]')).toContain(
      "Relatório semanal — toda semana, segunda-feira, às 09:00 (America/Sao_Paulo)",
    );
    expect(text('[data-testid="delivery-read-only"]')).toContain("um gerente ou um administrador");
    for (const control of ["send-now", "pause", "remove", "add", "mail", "google", "server-settings"]) {
      expect(q(`[data-testid="delivery-${control}"]`), control).toBeNull();
    }
    expect(s.requests.every((r) => r.method === "GET")).toBe(true);
  });
});
