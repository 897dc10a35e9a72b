// The app in a browser: the HTTP transport against a fake `alcance serve` (a mocked fetch
// that keeps a session cookie's worth of state), the sign-in and admin screens.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync, mount, unmount } from "svelte";
import App from "../App.svelte";
import { useTransport } from "../lib/api";
import { resetTransport } from "../lib/transport";
import { httpTransport } from "../lib/transport/http";
import { account, dashboard, platforms } from "../test/fixtures";
import { click, fill, q, qa, reset, text } from "../test/harness";
import { session } from "../lib/ui.svelte";

type Req = { method: string; path: string; body: unknown; csrf: string | undefined };
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
const problem = (status: number, kind: string, detail: string) =>
  new Response(JSON.stringify({ type: `urn:alcance:problem:${kind}`, title: kind, status, detail }), { status });

const user = (id: number, email: string, role: string, has_password = true) => ({
  id,
  email,
  role,
  has_password,
  created_at: "2026-12-01T10:00:00Z",
});

/** A fake server: the users and their passwords, one signed-in session at a time. */
function server(accounts = [account()]) {
  const requests: Req[] = [];
  let signedIn: { email: string; role: string } | null = null;
  const people = [user(1, "ana@example.com", "admin"), user(2, "cli@example.com", "client")];
  const tokens = [
    { id: 5, email: "ana@example.com", name: "Power BI", role: "analyst", created_at: "2026-12-01T10:00:00Z", last_used_at: "2026-12-04T09:30:00Z" as string | null, revoked_at: null as string | null },
  ];
  const passwords: Record<string, string> = { "ana@example.com": "admin password 1", "cli@example.com": "client password 1" };
  const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://alcance.test");
    const method = init?.method ?? "GET";
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const csrf = (init?.headers as Record<string, string> | undefined)?.["X-CSRF-Token"];
    requests.push({ method, path: url.pathname, body, csrf });
    const route = `${method} ${url.pathname}`;
    if (route === "POST /api/v1/session") {
      if (passwords[body.email] !== body.password) return problem(401, "unauthorized", "the email and password do not match");
      const u = people.find((p) => p.email === body.email)!;
      signedIn = { email: u.email, role: u.role };
      return json({ user: u, role: u.role, csrf_token: "csrf-1", account_ids: null });
    }
    if (!signedIn) return problem(401, "unauthorized", "sign in");
    if (method !== "GET" && csrf !== "csrf-1") return problem(403, "forbidden", "CSRF token missing");
    const me = people.find((p) => p.email === signedIn!.email)!;
    switch (route) {
      case "GET /api/v1/session":
        return json({ user: me, role: me.role, csrf_token: "csrf-1", account_ids: null });
      case "DELETE /api/v1/session":
        signedIn = null;
        return new Response(null, { status: 204 });
      case "GET /api/v1/collection":
        return json({ collecting: true, paused: false, running: false, live: null, last_run: null, next_run_at: null, problems: [] });
      case "GET /api/v1/accounts":
        return json({ items: accounts, next_cursor: null });
      case "GET /api/v1/dashboard":
        return json(dashboard());
      case "GET /api/v1/platforms":
        return json(platforms());
      case "GET /api/v1/users":
        return json({ items: people, next_cursor: null });
      case "POST /api/v1/users": {
        const u = user(people.length + 1, body.email, body.role, false);
        people.push(u);
        // The server emails invitations when it has SMTP: say so for managers only here.
        return json({ user: u, token: "one-time-token-xyz", emailed: body.role === "manager" }, 201);
      }
      case "GET /api/v1/tokens":
        return json({ items: tokens, next_cursor: null });
      case "POST /api/v1/tokens": {
        const tok = { id: 9, email: body.email, name: body.name, role: body.role, created_at: "2026-12-05T03:00:00Z", last_used_at: null, revoked_at: null };
        tokens.push(tok);
        return json({ token: tok, secret: "alc_secret_shown_once" }, 201);
      }
    }
    const patch = /^PATCH \/api\/v1\/users\/(\d+)$/.exec(route);
    if (patch) {
      const u = people.find((p) => p.id === Number(patch[1]))!;
      u.role = body.role;
      return json(u);
    }
    const del = /^DELETE \/api\/v1\/users\/(\d+)$/.exec(route);
    if (del) {
      people.splice(people.findIndex((p) => p.id === Number(del[1])), 1);
      return new Response(null, { status: 204 });
    }
    const revoke = /^DELETE \/api\/v1\/tokens\/(\d+)$/.exec(route);
    if (revoke) {
      const tok = tokens.find((x) => x.id === Number(revoke[1]))!;
      tok.revoked_at = "2026-12-05T03:10:00Z";
      return json(tok);
    }
    return problem(404, "not-found", `no route ${url.pathname}`);
  });
  return { fetch: fetchFn as unknown as typeof fetch, requests };
}

let app: ReturnType<typeof mount> | null = null;
function startWith(fetchFn: typeof fetch) {
  useTransport(httpTransport(fetchFn));
  const target = document.createElement("div");
  document.body.replaceChildren(target);
  app = mount(App, { target });
  flushSync();
}

beforeEach(() => {
  reset();
  session.user = null;
});
afterEach(() => {
  if (app) unmount(app);
  app = null;
  resetTransport();
});

async function signIn(email: string, password: string) {
  await vi.waitFor(() => expect(q('[data-testid="screen-signin"]')).not.toBeNull());
  fill('[data-testid="signin-email"]', email);
  fill('[data-testid="signin-password"]', password);
  (q('[data-testid="signin-form"]') as HTMLFormElement).requestSubmit();
  flushSync();
}

describe("the web UI's sign-in", () => {
  it("shows the sign-in screen when nobody is signed in, and a wrong password's error", async () => {
    const s = server();
    startWith(s.fetch);
    await signIn("ana@example.com", "wrong");
    await vi.waitFor(() => expect(q('[data-testid="signin-failed"]')).not.toBeNull());
    expect(text('[data-testid="signin-failed"]')).toBe("The email and password do not match.");
    expect(q('[data-testid="screen-dashboard"]')).toBeNull();
  });

  it("signs in, shows the dashboard with who is signed in, and signs out", async () => {
    const s = server();
    startWith(s.fetch);
    await signIn("ana@example.com", "admin password 1");
    await vi.waitFor(() => expect(q('[data-testid="screen-dashboard"]')).not.toBeNull());
    expect(text('[data-testid="signed-in-as"]')).toBe("Signed in as ana@example.com (admin)");
    expect(q('[data-testid="nav-admin"]')).not.toBeNull();
    click('[data-testid="sign-out"]');
    await vi.waitFor(() => expect(q('[data-testid="screen-signin"]')).not.toBeNull());
    const out = s.requests.find((r) => r.method === "DELETE" && r.path === "/api/v1/session");
    expect(out?.csrf).toBe("csrf-1");
  });

  it("goes back to sign-in when the session ends under the app", async () => {
    const s = server();
    let expired = false;
    const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) =>
      expired ? problem(401, "unauthorized", "the session expired") : s.fetch(input, init)) as typeof fetch;
    startWith(fetchFn);
    await signIn("ana@example.com", "admin password 1");
    await vi.waitFor(() => expect(q('[data-testid="screen-dashboard"]')).not.toBeNull());
    expired = true;
    click('[data-testid="nav-posts"]');
    await vi.waitFor(() => expect(q('[data-testid="screen-signin"]')).not.toBeNull());
    expect(q('[data-testid="signin-failed"]')).toBeNull();
  });

  it("is translated: pt-BR labels on the sign-in screen", async () => {
    const { applyLanguage } = await import("../lib/ui.svelte");
    applyLanguage("pt-BR");
    startWith(server().fetch);
    await vi.waitFor(() => expect(q('[data-testid="screen-signin"]')).not.toBeNull());
    expect(text('[data-testid="signin-submit"]')).toBe("Entrar");
  });

  it("gives a client the inbox, campaigns, reports, the comparison and hashtags but no runs, exports or admin, and no sync buttons; connecting is the desktop's", async () => {
    startWith(server().fetch);
    await signIn("cli@example.com", "client password 1");
    await vi.waitFor(() => expect(q('[data-testid="screen-dashboard"]')).not.toBeNull());
    const nav = qa(".sidebar li button").map((b) => b.getAttribute("data-testid"));
    expect(nav).toEqual(["nav-dashboard", "nav-posts", "nav-inbox", "nav-campaigns", "nav-reports", "nav-compare", "nav-hashtags", "nav-accounts", "nav-settings"]);
    expect(q('[data-testid="sync-now"]')).toBeNull();
    click('[data-testid="nav-accounts"]');
    await vi.waitFor(() => expect(q('[data-testid="connect-desktop-only"]')).not.toBeNull());
    expect(text('[data-testid="connect-desktop-only"]')).toContain("Available in the desktop app");
    expect(q('[data-testid="connect-card"]')).toBeNull();
    expect(q('[data-testid="delete-3"]')).toBeNull();
  });
});

describe("an invitation link", () => {
  afterEach(() => history.replaceState(null, "", "/"));

  it("opens the choose-your-password form, sets the password with the link's token, then offers sign-in", async () => {
    history.replaceState(null, "", "/#set-password=tok-123");
    const s = server();
    const confirm = vi.fn();
    const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input) === "/api/v1/password-reset/confirm") {
        confirm(JSON.parse(String(init?.body)));
        return new Response(null, { status: 204 });
      }
      return s.fetch(input, init);
    }) as typeof fetch;
    startWith(fetchFn);
    await vi.waitFor(() => expect(q('[data-testid="set-password-form"]')).not.toBeNull());
    expect(text('[data-testid="screen-signin"] h1')).toBe("Choose your password");
    fill('[data-testid="new-password"]', "a long new password");
    (q('[data-testid="set-password-form"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(q('[data-testid="password-set"]')).not.toBeNull());
    expect(confirm).toHaveBeenCalledWith({ token: "tok-123", password: "a long new password" });
    expect(q('[data-testid="signin-form"]')).not.toBeNull();
    expect(location.hash).toBe("");
  });
});

describe("accounts in the browser", () => {
  it("lets a manager or admin disconnect and delete accounts, while connecting stays the desktop's", async () => {
    const s = server([account({ id: 3, status: "needs_reauth" })]);
    startWith(s.fetch);
    await signIn("ana@example.com", "admin password 1");
    await vi.waitFor(() => expect(q('[data-testid="nav-accounts"]')).not.toBeNull());
    click('[data-testid="nav-accounts"]');
    await vi.waitFor(() => expect(q('[data-testid="disconnect-3"]')).not.toBeNull());
    expect(q('[data-testid="delete-3"]')).not.toBeNull();
    expect(q('[data-testid="reconnect-3"]')).toBeNull();
    expect(q('[data-testid="connect-desktop-only"]')).not.toBeNull();
  });
});

describe("the admin screen", () => {
  async function openAdmin(s: ReturnType<typeof server>) {
    startWith(s.fetch);
    await signIn("ana@example.com", "admin password 1");
    await vi.waitFor(() => expect(q('[data-testid="nav-admin"]')).not.toBeNull());
    click('[data-testid="nav-admin"]');
    await vi.waitFor(() => expect(qa('[data-testid="person-row"]').length).toBe(2));
  }

  it("lists people, changes a role and revokes access after confirming", async () => {
    const s = server();
    await openAdmin(s);
    const client = '[data-testid="person-row"][data-email="cli@example.com"]';
    fill(`${client} [data-testid="person-role"]`, "analyst");
    await vi.waitFor(() => expect(q(client)?.getAttribute("data-role")).toBe("analyst"));
    const patch = s.requests.find((r) => r.method === "PATCH");
    expect(patch).toMatchObject({ path: "/api/v1/users/2", body: { role: "analyst" }, csrf: "csrf-1" });
    click(`${client} [data-testid="person-revoke"]`);
    click(`${client} [data-testid="person-revoke-confirm"]`);
    await vi.waitFor(() => expect(qa('[data-testid="person-row"]').length).toBe(1));
    // The admin cannot demote or remove themself here.
    expect(q('[data-testid="person-row"] [data-testid="person-revoke"]')).toBeNull();
  });

  it("invites someone and shows the one-time link once", async () => {
    const s = server();
    await openAdmin(s);
    fill('[data-testid="invite-email"]', "new@example.com");
    fill('[data-testid="invite-role"]', "manager");
    (q('[data-testid="invite-form"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(q('[data-testid="invite-link"]')).not.toBeNull());
    expect(text('[data-testid="invite-link"] code')).toBe(`${location.origin}/#set-password=one-time-token-xyz`);
    expect(text('[data-testid="invite-emailed"]')).toContain("new@example.com");
    expect(s.requests.find((r) => r.method === "POST" && r.path === "/api/v1/users")?.body).toEqual({
      email: "new@example.com",
      role: "manager",
    });
    await vi.waitFor(() => expect(qa('[data-testid="person-row"]').length).toBe(3));
  });

  it("creates an API token showing its secret once, lists last use, and revokes it", async () => {
    const s = server();
    await openAdmin(s);
    expect(text('[data-testid="token-row"][data-name="Power BI"] td:nth-child(4)')).not.toBe("never");
    fill('[data-testid="token-name"]', "Tableau");
    (q('[data-testid="token-form"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(q('[data-testid="token-secret"]')).not.toBeNull());
    expect(text('[data-testid="token-secret"] code')).toBe("alc_secret_shown_once");
    await vi.waitFor(() => expect(q('[data-testid="token-row"][data-name="Tableau"]')).not.toBeNull());
    expect(text('[data-testid="token-row"][data-name="Tableau"] td:nth-child(4)')).toBe("never");
    click('[data-testid="token-row"][data-name="Tableau"] [data-testid="token-revoke"]');
    await vi.waitFor(() =>
      expect(q('[data-testid="token-row"][data-name="Tableau"]')?.getAttribute("data-revoked")).toBe("true"),
    );
  });
});
