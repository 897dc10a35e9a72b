import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync } from "svelte";
import type { AccountView, CadenceKind, LocalApiStatus, Settings } from "../lib/bindings";
import { session, ui } from "../lib/ui.svelte";
import { ZONE_KEY } from "../lib/zone";
import { account, dashboard, status } from "../test/fixtures";
import { backend, click, fill, open, q, qa, reset, sent, start, stop, text } from "../test/harness";

beforeEach(reset);
afterEach(stop);

const x = account({
  id: 5,
  platform: "x",
  username: "alcance",
  label: "@alcance (X)",
  cadence: "hourly",
  cadence_seconds: 3600,
  next_run_at: "2026-11-24T13:00:00Z",
});
const gone = account({ id: 6, label: "@antiga (Instagram)", status: "disconnected", token: "disconnected", next_run_at: null });

/** A backend whose `set_cadence` stores like the real one (next run = now + period). */
function withCadences(fail?: { code: string; message: string }) {
  let accounts: AccountView[] = [account(), x, gone];
  const PERIOD: Record<Exclude<CadenceKind, "custom">, number> = { hourly: 3600, daily: 86_400, weekly: 604_800 };
  backend((cmd, args) => {
    if (cmd === "app_status") return status(true);
    if (cmd === "list_accounts") return accounts;
    if (cmd === "dashboard") return dashboard();
    if (cmd === "set_cadence") {
      if (fail) throw fail;
      const cadence = args.cadence as CadenceKind;
      const seconds = cadence === "custom" ? (args.everyHours as number) * 3600 : PERIOD[cadence];
      const next = new Date(Date.parse("2026-11-24T12:00:00Z") + seconds * 1000).toISOString().replace(".000Z", "Z");
      accounts = accounts.map((a) =>
        a.id === args.accountId ? { ...a, cadence, cadence_seconds: seconds, next_run_at: next } : a,
      );
      return accounts.find((a) => a.id === args.accountId);
    }
    if (cmd === "save_settings") return args.settings;
    return null;
  });
}

describe("the collection cadence settings", () => {
  it("saves a preset cadence at once and shows the new next run", async () => {
    withCadences();
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="cadence-3"]')).not.toBeNull());
    expect((q('[data-testid="cadence-3"]') as HTMLSelectElement).value).toBe("daily");
    expect((q('[data-testid="cadence-5"]') as HTMLSelectElement).value).toBe("hourly");
    expect(text('[data-testid="cadence-row-3"]')).toContain("Nov 25, 2026, 12:00 PM");

    fill('[data-testid="cadence-3"]', "weekly");
    await vi.waitFor(() => expect(q('[data-testid="cadence-saved-3"]')).not.toBeNull());
    expect(sent("set_cadence").map((c) => c.args)).toEqual([{ accountId: 3, cadence: "weekly", everyHours: null }]);
    expect(text('[data-testid="cadence-row-3"]')).toContain("Dec 1, 2026, 12:00 PM");
    expect((q('[data-testid="cadence-3"]') as HTMLSelectElement).value).toBe("weekly");
  });

  it("asks for the hours of a custom cadence and checks them before saving", async () => {
    withCadences();
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="cadence-5"]')).not.toBeNull());
    expect(q('[data-testid="cadence-hours-5"]')).toBeNull();

    fill('[data-testid="cadence-5"]', "custom");
    // Custom saves only with its hours, starting from the current period (1 h).
    expect(sent("set_cadence")).toHaveLength(0);
    expect((q('[data-testid="cadence-hours-5"]') as HTMLInputElement).value).toBe("1");
    for (const bad of ["0", "8761", "2.5", ""]) {
      fill('[data-testid="cadence-hours-5"]', bad);
      click('[data-testid="cadence-save-5"]');
      expect(text('[data-testid="cadence-invalid-5"]'), bad).toBe("Enter whole hours from 1 to 8760.");
    }
    expect(sent("set_cadence")).toHaveLength(0);

    fill('[data-testid="cadence-hours-5"]', "12");
    click('[data-testid="cadence-save-5"]');
    await vi.waitFor(() => expect(q('[data-testid="cadence-saved-5"]')).not.toBeNull());
    expect(sent("set_cadence").map((c) => c.args)).toEqual([{ accountId: 5, cadence: "custom", everyHours: 12 }]);
    expect(q('[data-testid="cadence-invalid-5"]')).toBeNull();
    expect(text('[data-testid="cadence-row-5"]')).toContain("Nov 25, 2026, 12:00 AM");
    expect((q('[data-testid="cadence-hours-5"]') as HTMLInputElement).value).toBe("12");
  });

  it("shows the backend's error and goes back to the stored cadence", async () => {
    withCadences({ code: "invalid_input", message: "unknown cadence" });
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="cadence-3"]')).not.toBeNull());
    fill('[data-testid="cadence-3"]', "hourly");
    await vi.waitFor(() => expect(q('[data-testid="cadence-row-3"] [data-testid="error"]')).not.toBeNull());
    expect(text('[data-testid="cadence-row-3"] [data-testid="error"] strong')).toBe("That request is not valid.");
    expect((q('[data-testid="cadence-3"]') as HTMLSelectElement).value).toBe("daily");
    expect(q('[data-testid="cadence-saved-3"]')).toBeNull();
  });

  it("offers no cadence for a disconnected account", async () => {
    withCadences();
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="cadence-row-6"]')).not.toBeNull());
    expect(q('[data-testid="cadence-6"]')).toBeNull();
    expect(text('[data-testid="cadence-row-6"]')).toContain("Not collected (Disconnected)");
  });
});

describe("the workspace facts", () => {
  it("say whether the database is encrypted on disk, in words", async () => {
    backend((cmd) => {
      if (cmd === "app_status") {
        const s = status(true);
        return { ...s, workspace: s.workspace && { ...s.workspace, kind: "own", database: "encrypted" } };
      }
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") return dashboard();
      return null;
    });
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="database-at-rest"]')).not.toBeNull());
    expect(text('[data-testid="database-at-rest"]')).toBe("encrypted (AES-256, key in the vault)");
  });

  it("say when it is not, and how to change that", async () => {
    withCadences();
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="database-at-rest"]')).not.toBeNull());
    expect(text('[data-testid="database-at-rest"]')).toContain("alcance workspace encrypt");
  });
});

describe("a custom cadence being edited", () => {
  it("survives a reload of the accounts during a run", async () => {
    withCadences();
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="cadence-5"]')).not.toBeNull());
    fill('[data-testid="cadence-5"]', "custom");
    fill('[data-testid="cadence-hours-5"]', "36");
    // A finished account reloads the list (new objects, same values).
    session.accounts = session.accounts.map((a) => ({ ...a }));
    flushSync();
    expect((q('[data-testid="cadence-5"]') as HTMLSelectElement).value).toBe("custom");
    expect((q('[data-testid="cadence-hours-5"]') as HTMLInputElement).value).toBe("36");
    click('[data-testid="cadence-save-5"]');
    await vi.waitFor(() => expect(sent("set_cadence")).toHaveLength(1));
    expect(sent("set_cadence")[0].args).toEqual({ accountId: 5, cadence: "custom", everyHours: 36 });
  });
});

describe("the local API for Excel / Power BI", () => {
  it("is off at first; turning it on shows the address and the token once; a new token replaces it; off hides it", async () => {
    const off: LocalApiStatus = { enabled: false, url: null, token: null, problem: null };
    const on: LocalApiStatus = { enabled: true, url: "http://127.0.0.1:8780", token: null, problem: null };
    let current = off;
    backend((cmd, args) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [account()];
      if (cmd === "dashboard") return dashboard();
      if (cmd === "local_api_status") return current;
      if (cmd === "set_local_api") {
        current = args.enabled ? on : off;
        return args.enabled ? { ...on, token: "alc_first" } : off;
      }
      if (cmd === "new_local_api_token") return { ...on, token: "alc_second" };
      return null;
    });
    start();
    await open("settings");
    await vi.waitFor(() => expect((q('[data-testid="local-api-toggle"]') as HTMLInputElement).disabled).toBe(false));
    expect((q('[data-testid="local-api-toggle"]') as HTMLInputElement).checked).toBe(false);
    expect(q('[data-testid="local-api-url"]')).toBeNull();
    expect(q('[data-testid="local-api-token"]')).toBeNull();

    click('[data-testid="local-api-toggle"]');
    await vi.waitFor(() => expect(q('[data-testid="local-api-token"]')).not.toBeNull());
    expect(sent("set_local_api").map((c) => c.args)).toEqual([{ enabled: true }]);
    expect(text('[data-testid="local-api-url"]')).toBe("http://127.0.0.1:8780");
    expect((q('[data-testid="local-api-token"] input') as HTMLInputElement).value).toBe("alc_first");
    expect(text('[data-testid="local-api"]')).toContain("/api/v1/metrics?user_id=1");

    click('[data-testid="local-api-new-token"]');
    await vi.waitFor(() =>
      expect((q('[data-testid="local-api-token"] input') as HTMLInputElement).value).toBe("alc_second"),
    );

    click('[data-testid="local-api-toggle"]');
    await vi.waitFor(() => expect(q('[data-testid="local-api-token"]')).toBeNull());
    expect(sent("set_local_api").map((c) => c.args)).toEqual([{ enabled: true }, { enabled: false }]);
    expect(q('[data-testid="local-api-url"]')).toBeNull();
  });

  it("says why it is on but not running", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [account()];
      if (cmd === "local_api_status") return { enabled: true, url: null, token: null, problem: "no workspace is open" };
      return null;
    });
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="local-api-problem"]')).not.toBeNull());
    expect(text('[data-testid="local-api-problem"]')).toContain("no workspace is open");
  });
});

describe("connecting to a team server", () => {
  it("connects the window to the address given and goes back to the own workspace", async () => {
    let server: string | null = null;
    backend((cmd, args) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [account()];
      if (cmd === "dashboard") return dashboard();
      if (cmd === "local_api_status") return { enabled: false, url: null, token: null, problem: null };
      if (cmd === "team_server") return server;
      if (cmd === "connect_team_server") {
        if (String(args.url).includes("nothing")) throw { code: "unavailable", message: "no Alcance server answers at https://nothing.example/" };
        server = `https://${args.url}/`;
        return server;
      }
      if (cmd === "leave_team_server") {
        server = null;
        return null;
      }
      return null;
    });
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="team-server-form"]')).not.toBeNull());
    fill('[data-testid="team-server-url"]', "nothing.example");
    (q('[data-testid="team-server-form"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(text('[data-testid="team-server"]')).toContain("no Alcance server answers"));
    expect(q('[data-testid="team-server-connected"]')).toBeNull();

    fill('[data-testid="team-server-url"]', "alcance.agency.example");
    (q('[data-testid="team-server-form"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(q('[data-testid="team-server-connected"]')).not.toBeNull());
    expect(text('[data-testid="team-server-connected"]')).toContain("https://alcance.agency.example/");
    expect(sent("connect_team_server").map((c) => c.args)).toEqual([{ url: "nothing.example" }, { url: "alcance.agency.example" }]);

    click('[data-testid="team-server-leave"]');
    await vi.waitFor(() => expect(q('[data-testid="team-server-form"]')).not.toBeNull());
    expect(sent("leave_team_server")).toHaveLength(1);
  });
});

describe("the time zone", () => {
  /** Makes the webview report `zone` as the system's time zone. */
  function systemZone(zone: string) {
    const real = Intl.DateTimeFormat.prototype.resolvedOptions;
    vi.spyOn(Intl.DateTimeFormat.prototype, "resolvedOptions").mockImplementation(function (this: Intl.DateTimeFormat) {
      return { ...real.call(this), timeZone: zone };
    });
  }
  const options = () => qa('[data-testid="settings-time-zone"] option').map((o) => (o as HTMLOptionElement).value);

  it("defaults to the system's zone, applies a choice at once, keeps it across restarts, and goes back to System", async () => {
    systemZone("America/Sao_Paulo");
    withCadences();
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="cadence-row-3"]')).not.toBeNull());
    const select = () => q('[data-testid="settings-time-zone"]') as HTMLSelectElement;
    expect(select().value).toBe("");
    expect(text('[data-testid="settings-time-zone"] option')).toBe("System (America/Sao_Paulo)");
    expect(text('[data-testid="zone-note"]')).toBe("Times in America/Sao_Paulo (UTC−03:00).");
    // Next run 2026-11-25 12:00 UTC = 09:00 in São Paulo.
    expect(text('[data-testid="cadence-row-3"]')).toContain("Nov 25, 2026, 09:00 AM");

    fill('[data-testid="settings-time-zone-search"]', "new york");
    expect(options()).toEqual(["", "America/New_York"]);
    fill('[data-testid="settings-time-zone"]', "America/New_York");
    expect(localStorage.getItem(ZONE_KEY)).toBe("America/New_York");
    expect(q('[data-testid="settings-saved"]')).not.toBeNull();
    // Kept by the webview, and by the desktop's settings for the tray.
    const savedZones = () => sent("save_settings").map((c) => (c.args.settings as Settings).time_zone);
    expect(savedZones()).toEqual(["America/New_York"]);
    // 12:00 UTC = 07:00 in New York in November (UTC−05:00).
    expect(text('[data-testid="cadence-row-3"]')).toContain("Nov 25, 2026, 07:00 AM");
    expect(text('[data-testid="zone-note"]')).toMatch(/^Times in America\/New_York \(UTC−0[45]:00\)\.$/);

    // A restart reads the choice back.
    stop();
    ui.timeZone = "";
    withCadences();
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="cadence-row-3"]')).not.toBeNull());
    expect(select().value).toBe("America/New_York");
    expect(text('[data-testid="cadence-row-3"]')).toContain("Nov 25, 2026, 07:00 AM");

    // The backend here forgot it (status says none): the window gives it back.
    await vi.waitFor(() => expect(savedZones()).toEqual(["America/New_York"]));

    fill('[data-testid="settings-time-zone"]', "");
    expect(localStorage.getItem(ZONE_KEY)).toBeNull();
    expect(ui.timeZone).toBe("");
    expect(savedZones()).toEqual(["America/New_York", null]);
    expect(text('[data-testid="cadence-row-3"]')).toContain("Nov 25, 2026, 09:00 AM");
  });

  it("says when no zone matches the search", async () => {
    withCadences();
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="settings-time-zone-search"]')).not.toBeNull());
    expect(options().length).toBeGreaterThan(2);
    fill('[data-testid="settings-time-zone-search"]', "Atlantis");
    expect(options()).toEqual([""]);
    expect(text('[data-testid="settings-time-zone-none"]')).toBe("No time zone matches.");
  });
});
