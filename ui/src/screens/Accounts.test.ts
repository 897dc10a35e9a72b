import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AccountView, Platform } from "../lib/bindings";
import { account, dashboard, status } from "../test/fixtures";
import { backend, click, fill, open, q, qa, reset, sent, start, stop, text } from "../test/harness";
import { filters } from "../lib/ui.svelte";

beforeEach(reset);
afterEach(stop);

const whatsapp = account({
  id: 8,
  platform: "whatsapp",
  external_id: "102290129340398",
  username: null,
  display_name: "Loja Alcance",
  label: "Loja Alcance (WhatsApp)",
  connection: "token",
  followers: null,
});
const tracked = account({
  id: 9,
  platform: "x",
  username: "concorrente",
  label: "@concorrente (X)",
  owned: false,
  connection: "tracked",
  last_error: "rate_limited: retry after 900 s",
});

/** A backend holding `list` that connects, disconnects and deletes like the real one. */
function accountsBackend(list: AccountView[]) {
  let accounts = list;
  backend((cmd, args) => {
    if (cmd === "app_status") return status(true);
    if (cmd === "list_accounts") return accounts;
    if (cmd === "dashboard") return dashboard();
    if (cmd === "connect_whatsapp") {
      if (args.token === "bad") throw { code: "oauth", message: "the platform refused the token (190)" };
      accounts = [...accounts, whatsapp];
      return whatsapp;
    }
    if (cmd === "connect_bluesky") {
      if (args.appPassword === "hunter2") throw { code: "oauth", message: "com.atproto.server.createSession: this is not an app password" };
      const bsky = account({ id: 12, platform: "bluesky", username: "alcance.bsky.social", label: "@alcance.bsky.social (Bluesky)" });
      accounts = [...accounts, bsky];
      return bsky;
    }
    if (cmd === "connect_bluesky_oauth") {
      if (args.handle === "nobody.bsky.social") throw { code: "not_found", message: "no Bluesky account has the handle @nobody.bsky.social" };
      const bsky = account({ id: 13, platform: "bluesky", username: String(args.handle), label: `@${args.handle} (Bluesky)` });
      accounts = [...accounts, bsky];
      return bsky;
    }
    if (cmd === "connect_threads_token") {
      const th = account({ id: 13, platform: "threads", username: "alcance.br", label: "@alcance.br (Threads)" });
      accounts = [...accounts, th];
      return th;
    }
    if (cmd === "disconnect_account") {
      accounts = accounts.map((a) =>
        a.id === args.accountId ? { ...a, status: "disconnected", token: "disconnected" as const, next_run_at: null } : a,
      );
      return accounts.find((a) => a.id === args.accountId);
    }
    if (cmd === "delete_account") {
      accounts = accounts.filter((a) => a.id !== args.accountId);
      return null;
    }
    if (cmd === "track_profile") {
      const handle = String(args.username).replace(/^@/, "");
      if (handle === "ninguem") throw { code: "not_found", message: "no X account is named @ninguem (or it is suspended)" };
      if (handle.includes(" ")) throw { code: "invalid_input", message: `"${handle}" is not a valid X handle` };
      const followed = account({
        id: 20,
        platform: String(args.platform) as Platform,
        username: handle,
        label: `@${handle} (${args.platform === "x" ? "X" : "Instagram"})`,
        owned: false,
        connection: "tracked",
        followers: null,
      });
      accounts = [...accounts, followed];
      return followed;
    }
    return null;
  });
}

const ownX = account({ id: 4, platform: "x", username: "alcance_br", label: "@alcance_br (X)", external_id: "1580000000000000001" });
const ownX2 = account({ id: 5, platform: "x", username: "alcance_sp", label: "@alcance_sp (X)", external_id: "1580000000000000005" });
const goneX = account({ id: 6, platform: "x", username: "antiga", label: "@antiga (X)", status: "disconnected" });
const optionsOf = (sel: string) => qa(`${sel} option`).map((o) => (o as HTMLOptionElement).textContent?.trim());

describe("the accounts screen", () => {
  it("names each account's connection and shows its last error", async () => {
    accountsBackend([account(), whatsapp, tracked]);
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="connection-9"]')).not.toBeNull());
    expect(text('[data-testid="connection-3"]')).toBe("OAuth");
    expect(text('[data-testid="connection-8"]')).toBe("Access token");
    expect(text('[data-testid="connection-9"]')).toBe("Tracked profile");
    expect(text('[data-testid="last-error-9"]')).toBe("rate_limited: retry after 900 s");
    expect(q('[data-testid="last-error-3"]')).toBeNull();
  });

  it("connects WhatsApp Business with the account id and a system-user token", async () => {
    accountsBackend([account()]);
    start();
    await open("accounts");
    click('[data-testid="pick-whatsapp"]');
    expect(q('[data-testid="connect-form"]')).toBeNull();
    expect(text('[data-testid="platform-help"]')).toContain("whatsapp_business_messaging");
    expect(text('[data-testid="platform-help"]')).toContain("System users");
    const token = q('[data-testid="whatsapp-token"]') as HTMLInputElement;
    expect(token.type).toBe("password");
    expect((q('[data-testid="whatsapp-connect"]') as HTMLButtonElement).disabled).toBe(true);

    fill('[data-testid="whatsapp-waba"]', " 102290129340398 ");
    fill('[data-testid="whatsapp-token"]', "EAAGm0PX4ZCpsBA");
    click('[data-testid="whatsapp-connect"]');
    await vi.waitFor(() => expect(q('[data-testid="connect-done"]')).not.toBeNull());
    expect(sent("connect_whatsapp").map((c) => c.args)).toEqual([{ wabaId: "102290129340398", token: "EAAGm0PX4ZCpsBA" }]);
    expect(text('[data-testid="connect-done"]')).toBe("Connected Loja Alcance (WhatsApp).");
    // The secret does not stay in the form; the new account is listed.
    expect((q('[data-testid="whatsapp-token"]') as HTMLInputElement).value).toBe("");
    await vi.waitFor(() => expect(text('[data-testid="connection-8"]')).toBe("Access token"));
  });

  it("connects Bluesky with a handle and an app password, then forgets the password", async () => {
    accountsBackend([account()]);
    start();
    await open("accounts");
    click('[data-testid="pick-bluesky"]');
    expect(q('[data-testid="connect-form"]')).toBeNull();
    expect(text('[data-testid="connect-card"]')).toContain("never your account password");
    expect(text('[data-testid="platform-help"]')).toContain("App passwords");
    const secret = q('[data-testid="app-password-secret"]') as HTMLInputElement;
    expect(secret.type).toBe("password");
    expect((q('[data-testid="app-password-connect"]') as HTMLButtonElement).disabled).toBe(true);
    fill('[data-testid="app-password-handle"]', " alcance.bsky.social ");
    fill('[data-testid="app-password-secret"]', "abcd-efgh-ijkl-mnop");
    click('[data-testid="app-password-connect"]');
    await vi.waitFor(() => expect(q('[data-testid="connect-done"]')).not.toBeNull());
    expect(sent("connect_bluesky").map((c) => c.args)).toEqual([{ handle: "alcance.bsky.social", appPassword: "abcd-efgh-ijkl-mnop" }]);
    expect((q('[data-testid="app-password-secret"]') as HTMLInputElement).value).toBe("");
  });

  it("signs in to Bluesky with AT Protocol OAuth from the handle alone", async () => {
    accountsBackend([account()]);
    start();
    await open("accounts");
    click('[data-testid="pick-bluesky"]');
    const oauth = q('[data-testid="bluesky-oauth-connect"]') as HTMLButtonElement;
    expect(oauth.disabled).toBe(true);
    expect(text('[data-testid="platform-help"]')).toContain("127.0.0.1");
    fill('[data-testid="app-password-handle"]', "nobody.bsky.social");
    click('[data-testid="bluesky-oauth-connect"]');
    await vi.waitFor(() => expect(text('[data-testid="connect-card"]')).toContain("@nobody.bsky.social"));
    expect(q('[data-testid="connect-done"]')).toBeNull();
    fill('[data-testid="app-password-handle"]', " alcance.bsky.social ");
    click('[data-testid="bluesky-oauth-connect"]');
    await vi.waitFor(() => expect(q('[data-testid="connect-done"]')).not.toBeNull());
    expect(sent("connect_bluesky_oauth").map((c) => c.args)).toEqual([
      { handle: "nobody.bsky.social" },
      { handle: "alcance.bsky.social" },
    ]);
    expect(sent("connect_bluesky")).toEqual([]);
  });

  it("connects Threads with a pasted token, and offers the hosted callback page for HTTPS only", async () => {
    accountsBackend([account()]);
    start();
    await open("accounts");
    click('[data-testid="pick-threads"]');
    expect(q('[data-testid="connect-form"]')).toBeNull();
    expect(text('[data-testid="connect-card"]')).toContain("only HTTPS redirect");
    expect(text('[data-testid="platform-help"]')).toContain("docs/threads-callback");
    expect((q('[data-testid="threads-token"]') as HTMLInputElement).type).toBe("password");
    // The callback page's address must be HTTPS before the sign-in can start.
    fill('[data-testid="threads-client-id"]', "123");
    fill('[data-testid="threads-client-secret"]', "s");
    fill('[data-testid="threads-redirect"]', "http://127.0.0.1:8719/callback");
    expect((q('[data-testid="threads-page-connect"]') as HTMLButtonElement).disabled).toBe(true);
    fill('[data-testid="threads-redirect"]', "https://me.example/threads/");
    expect((q('[data-testid="threads-page-connect"]') as HTMLButtonElement).disabled).toBe(false);
    fill('[data-testid="threads-token"]', " THQVJtoken ");
    click('[data-testid="threads-token-connect"]');
    await vi.waitFor(() => expect(q('[data-testid="connect-done"]')).not.toBeNull());
    expect(sent("connect_threads_token").map((c) => c.args)).toEqual([{ token: "THQVJtoken" }]);
    expect((q('[data-testid="threads-token"]') as HTMLInputElement).value).toBe("");
  });

  it("shows why WhatsApp refused a token", async () => {
    accountsBackend([]);
    start();
    await open("accounts");
    click('[data-testid="pick-whatsapp"]');
    fill('[data-testid="whatsapp-waba"]', "102290129340398");
    fill('[data-testid="whatsapp-token"]', "bad");
    click('[data-testid="whatsapp-connect"]');
    await vi.waitFor(() => expect(q('[data-testid="connect-card"] [data-testid="error"]')).not.toBeNull());
    expect(text('[data-testid="connect-card"] [data-testid="error"] strong')).toBe("Signing in failed.");
    expect(q('[data-testid="connect-done"]')).toBeNull();
  });

  it("deletes an account's data only after its handle is typed", async () => {
    accountsBackend([account(), tracked]);
    filters.accountId = 3;
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="delete-3"]')).not.toBeNull());
    click('[data-testid="delete-3"]');
    expect(text('[data-testid="confirm-3"]')).toContain("This cannot be undone.");
    expect(text('[data-testid="confirm-3"]')).toContain("Type @alcance.br to confirm");
    const confirm = () => q('[data-testid="delete-confirm-3"]') as HTMLButtonElement;
    expect(confirm().disabled).toBe(true);
    fill('[data-testid="delete-confirm-input-3"]', "alcance");
    expect(confirm().disabled).toBe(true);
    confirm().click();
    expect(sent("delete_account")).toHaveLength(0);

    fill('[data-testid="delete-confirm-input-3"]', "@alcance.br");
    expect(confirm().disabled).toBe(false);
    const loads = sent("list_accounts").length;
    click('[data-testid="delete-confirm-3"]');
    await vi.waitFor(() => expect(q('[data-testid="account-row-3"]')).toBeNull());
    expect(sent("delete_account").map((c) => c.args)).toEqual([{ accountId: 3 }]);
    expect(text('[data-testid="accounts-notice"]')).toBe("@alcance.br (Instagram) and its data were deleted.");
    expect(filters.accountId).toBeNull();
    await vi.waitFor(() => expect(sent("list_accounts").length).toBeGreaterThan(loads));
    expect(qa('[data-testid^="account-row-"]')).toHaveLength(1);
  });

  it("can step back from a delete", async () => {
    accountsBackend([account()]);
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="delete-3"]')).not.toBeNull());
    click('[data-testid="delete-3"]');
    click('[data-testid="confirm-3"] button[type="button"]');
    expect(q('[data-testid="confirm-3"]')).toBeNull();
    expect(sent("delete_account")).toHaveLength(0);
    expect(q('[data-testid="account-row-3"]')).not.toBeNull();
  });

  it("disconnects an account after confirming, keeping it listed", async () => {
    accountsBackend([account()]);
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="disconnect-3"]')).not.toBeNull());
    click('[data-testid="disconnect-3"]');
    expect(sent("disconnect_account")).toHaveLength(0);
    expect(text('[data-testid="confirm-3"]')).toContain("its data stays in the charts and exports");
    click('[data-testid="disconnect-confirm-3"]');
    await vi.waitFor(() => expect(q('[data-testid="disconnect-3"]')).toBeNull());
    expect(sent("disconnect_account").map((c) => c.args)).toEqual([{ accountId: 3 }]);
    expect(text('[data-testid="account-row-3"]')).toContain("Disconnected");
    expect(q('[data-testid="reconnect-3"]')).not.toBeNull();
    expect(text('[data-testid="accounts-notice"]')).toBe("@alcance.br (Instagram) was disconnected.");
  });

  it("follows a public profile with the chosen owned account and lists it", async () => {
    accountsBackend([account(), ownX, ownX2, tracked]);
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="track-owner"]')).not.toBeNull());
    expect(text('[data-testid="track-card"] h2')).toBe("Follow a public profile");
    expect((q('[data-testid="track-submit"]') as HTMLButtonElement).disabled).toBe(true);
    fill('[data-testid="track-owner"]', "5");
    fill('[data-testid="track-handle"]', " @ana_influencer ");
    click('[data-testid="track-submit"]');
    await vi.waitFor(() => expect(q('[data-testid="track-done"]')).not.toBeNull());
    expect(sent("track_profile").map((c) => c.args)).toEqual([
      { platform: "x", username: "@ana_influencer", ownerAccountId: 5 },
    ]);
    expect(text('[data-testid="track-done"]')).toBe(
      "Now following @ana_influencer (X). It is collected with the next sync.",
    );
    expect((q('[data-testid="track-handle"]') as HTMLInputElement).value).toBe("");
    // The list is loaded again and shows the new tracked profile.
    await vi.waitFor(() => expect(text('[data-testid="connection-20"]')).toBe("Tracked profile"));

    // Instagram with its own owner: the first owned Instagram account is preselected.
    fill('[data-testid="track-platform"]', "instagram");
    fill('[data-testid="track-handle"]', "ana.influencer");
    click('[data-testid="track-submit"]');
    await vi.waitFor(() => expect(sent("track_profile")).toHaveLength(2));
    expect(sent("track_profile")[1].args).toEqual({ platform: "instagram", username: "ana.influencer", ownerAccountId: 3 });
  });

  it("offers only the owned, connected accounts of the chosen platform as owners", async () => {
    accountsBackend([account(), ownX, goneX, tracked, whatsapp]);
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="track-owner"]')).not.toBeNull());
    expect(optionsOf('[data-testid="track-platform"]')).toEqual(["X", "Instagram", "YouTube", "Bluesky", "Reddit"]);
    expect(optionsOf('[data-testid="track-owner"]')).toEqual(["@alcance_br (X)"]);
    fill('[data-testid="track-platform"]', "instagram");
    expect(optionsOf('[data-testid="track-owner"]')).toEqual(["@alcance.br (Instagram)"]);
    expect(text('[data-testid="track-card"]')).toContain("Business and Creator accounts only");
  });

  it("asks to connect an account first when the platform has no owned one", async () => {
    accountsBackend([account(), tracked]);
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="track-no-owner"]')).not.toBeNull());
    expect(q('[data-testid="track-owner"]')).toBeNull();
    expect(text('[data-testid="track-no-owner"]')).toBe(
      "First connect an account on X: a public profile is read with its token.",
    );
    fill('[data-testid="track-handle"]', "ana_influencer");
    expect((q('[data-testid="track-submit"]') as HTMLButtonElement).disabled).toBe(true);
    fill('[data-testid="track-platform"]', "instagram");
    expect(q('[data-testid="track-no-owner"]')).toBeNull();
    expect((q('[data-testid="track-submit"]') as HTMLButtonElement).disabled).toBe(false);
  });

  it("shows why a profile could not be followed", async () => {
    accountsBackend([ownX]);
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="track-owner"]')).not.toBeNull());
    fill('[data-testid="track-handle"]', "@ninguem");
    click('[data-testid="track-submit"]');
    await vi.waitFor(() => expect(q('[data-testid="track-card"] [data-testid="error"]')).not.toBeNull());
    expect(text('[data-testid="track-card"] [data-testid="error"] strong')).toBe("Not found.");
    expect(text('[data-testid="track-card"] [data-testid="error"] code')).toBe(
      "no X account is named @ninguem (or it is suspended)",
    );
    expect(text('[data-testid="track-not-found"]')).toBe("No X profile is named @ninguem.");
    expect(q('[data-testid="track-done"]')).toBeNull();
    // The handle stays for correcting; an invalid one shows its own error, not the not-found line.
    expect((q('[data-testid="track-handle"]') as HTMLInputElement).value).toBe("@ninguem");
    fill('[data-testid="track-handle"]', "ana influencer");
    click('[data-testid="track-submit"]');
    await vi.waitFor(() =>
      expect(text('[data-testid="track-card"] [data-testid="error"] strong')).toBe("That request is not valid."),
    );
    expect(q('[data-testid="track-not-found"]')).toBeNull();
    expect(qa('[data-testid^="account-row-"]')).toHaveLength(1);
  });
});

describe("the accounts screen's permissions (issue 13 point 6)", () => {
  const tiktok = account({
    id: 14,
    platform: "tiktok",
    username: "alcance.tt",
    label: "@alcance.tt (TikTok)",
    permissions: {
      state: "reported",
      granted: ["user.info.basic", "user.info.stats"],
      declined: [],
      missing: [{ scope: "video.list", declined: false, metrics: ["video_views", "likes"] }],
    },
  });
  const page = account({
    id: 15,
    platform: "facebook",
    username: null,
    label: "Alcance (Facebook)",
    permissions: {
      state: "reported",
      granted: ["pages_read_engagement", "pages_show_list"],
      declined: ["read_insights"],
      missing: [{ scope: "read_insights", declined: true, metrics: ["reach", "audience"] }],
    },
  });
  const bsky = account({
    id: 16,
    platform: "bluesky",
    connection: "app_password",
    label: "@a.bsky.social (Bluesky)",
    permissions: { state: "not_scoped", granted: [], declined: [], missing: [] },
  });
  const threads = account({
    id: 17,
    platform: "threads",
    label: "@alcance.br (Threads)",
    connection: "token",
    permissions: { state: "not_reported", granted: [], declined: [], missing: [] },
  });

  function permissionsBackend(language: "en" | "pt-BR") {
    backend((cmd) => {
      if (cmd === "app_status") return status(true, { settings: { ...status(true).settings, language } });
      if (cmd === "list_accounts") return [account(), tiktok, page, bsky, threads, tracked];
      if (cmd === "dashboard") return dashboard();
      return null;
    });
  }

  it("shows granted scopes as chips and names what a missing or declined scope leaves out", async () => {
    permissionsBackend("en");
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="permissions-14"]')).not.toBeNull());
    const chips = qa('[data-testid="permissions-14"] code.scope.granted').map((c) => c.textContent);
    expect(chips).toEqual(["user.info.basic", "user.info.stats"]);
    expect(text('[data-testid="missing-scope-14-video.list"]')).toBe(
      "Without video.list: video_views, likes are not collected.",
    );
    expect(text('[data-testid="permissions-missing-14"]')).toBe("(1)");
    expect(qa('[data-testid="permissions-15"] code.scope.declined').map((c) => c.textContent)).toEqual(["read_insights"]);
    expect(text('[data-testid="missing-scope-15-read_insights"]')).toBe(
      "Declined at sign-in — without read_insights: reach, audience demographics are not collected.",
    );
    expect(text('[data-testid="permissions-3"]')).toContain("Every permission Alcance's metrics need was granted.");
    expect(q('[data-testid="permissions-missing-3"]')).toBeNull();
    expect(q('[data-testid="permissions-none-16"]')).not.toBeNull();
    expect(q('[data-testid="permissions-unknown-17"]')).not.toBeNull();
    expect(q('[data-testid="permissions-9"]'), "a tracked profile has no permissions of its own").toBeNull();
  });

  it("is in Brazilian Portuguese too", async () => {
    permissionsBackend("pt-BR");
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="missing-scope-14-video.list"]')).not.toBeNull());
    expect(text('[data-testid="missing-scope-14-video.list"]')).toBe(
      "Sem video.list: video_views, likes não são coletadas.",
    );
    expect(text('[data-testid="missing-scope-15-read_insights"]')).toBe(
      "Recusada no login — sem read_insights: reach, dados demográficos do público não são coletadas.",
    );
  });

  it("says at Disconnect when the platform has no revocation endpoint", async () => {
    permissionsBackend("en");
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="disconnect-17"]')).not.toBeNull());
    click('[data-testid="disconnect-17"]');
    await vi.waitFor(() => expect(q('[data-testid="no-revoke-17"]')).not.toBeNull());
    expect(text('[data-testid="no-revoke-17"]')).toContain("Threads has no endpoint to end the grant");
    click('[data-testid="disconnect-14"]');
    await vi.waitFor(() => expect(q('[data-testid="confirm-14"]')).not.toBeNull());
    expect(q('[data-testid="no-revoke-14"]'), "TikTok revokes").toBeNull();
  });
});
