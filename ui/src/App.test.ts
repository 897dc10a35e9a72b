import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync, mount, unmount } from "svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { Channel } from "@tauri-apps/api/core";
import App from "./App.svelte";
import { applyLanguage, session, ui } from "./lib/ui.svelte";
import { dashboard, settings, status } from "./test/fixtures";

type Handler = (cmd: string, args: Record<string, unknown>) => unknown;

let app: ReturnType<typeof mount> | null = null;
let calls: { cmd: string; args: Record<string, unknown> }[] = [];

function backend(handler: Handler) {
  calls = [];
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    if (cmd.startsWith("plugin:event|")) return cmd === "plugin:event|listen" ? 1 : null;
    return handler(cmd, a);
  });
}

function start() {
  const target = document.createElement("div");
  document.body.replaceChildren(target);
  app = mount(App, { target });
  flushSync();
  return target;
}

const q = (sel: string) => document.body.querySelector(sel);

beforeEach(() => {
  applyLanguage("en");
  ui.screen = "dashboard";
  session.status = null;
  session.accounts = [];
});

afterEach(() => {
  if (app) unmount(app);
  app = null;
  clearMocks();
});

describe("the app", () => {
  it("offers the demo workspace or connecting an account on first run", async () => {
    backend((cmd) => (cmd === "app_status" ? status(false) : null));
    start();
    await vi.waitFor(() => expect(q('[data-testid="screen-welcome"]')).not.toBeNull());
    expect(q('[data-testid="open-demo"]')?.textContent).toBe("Open the demo workspace");
    expect(q('[data-testid="connect-start"]')?.textContent).toBe("Connect an account");
    expect(document.body.textContent).toContain("/home/ana/.local/share/app.alcance.desktop");
  });

  it("opens the demo through the channel command and lands on the dashboard", async () => {
    let opened = false;
    backend((cmd) => {
      if (cmd === "app_status") return status(opened);
      if (cmd === "open_demo") {
        opened = true;
        return status(true);
      }
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") return dashboard();
      return null;
    });
    start();
    await vi.waitFor(() => expect(q('[data-testid="open-demo"]')).not.toBeNull());
    (q('[data-testid="open-demo"]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(q('[data-testid="screen-dashboard"]')).not.toBeNull());
    const demo = calls.find((c) => c.cmd === "open_demo");
    expect(demo?.args.onProgress).toBeInstanceOf(Channel);
  });

  it("shows KPI tiles with change, both charts and top posts", async () => {
    backend((cmd, args) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") return dashboard((args.labels as { follower_title: string }).follower_title);
      return null;
    });
    start();
    await vi.waitFor(() => expect(q('[data-testid="kpi-followers"]')).not.toBeNull());
    expect(q('[data-testid="kpi-followers"] .value')?.textContent).toBe("205.3K");
    expect(q('[data-testid="kpi-followers"] .change')?.textContent).toContain("+8.0%");
    expect(q('[data-testid="kpi-followers"] .change')?.className).toContain("up");
    expect(q('[data-testid="kpi-engagement_rate"] .change')?.className).toContain("down");
    expect(q('[data-testid="kpi-views"] .change')?.textContent).toContain("No data for the previous period");
    const img = q('[data-testid="chart-followers"] img') as HTMLImageElement;
    expect(img.src.startsWith("data:image/svg+xml")).toBe(true);
    expect(decodeURIComponent(img.src)).toContain("Follower growth");
    expect(q('[data-testid="chart-engagement"]')?.getAttribute("data-points")).toBe("118");
    expect(q('[data-testid="top-posts"]')?.textContent).toContain("Bastidores do lançamento");
    // The dashboard asked for the last 30 days, with chart labels in English.
    const req = calls.find((c) => c.cmd === "dashboard")?.args as { filter: { since: string; until: string }; labels: object };
    const days = (Date.parse(req.filter.until) - Date.parse(req.filter.since)) / 86_400_000;
    expect(days).toBe(30);
  });

  it("switches every label to pt-BR from the settings and saves it", async () => {
    let saved: unknown = null;
    backend((cmd, args) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") return dashboard((args.labels as { follower_title: string }).follower_title);
      if (cmd === "save_settings") {
        saved = args.settings;
        return args.settings;
      }
      return null;
    });
    start();
    await vi.waitFor(() => expect(q('[data-testid="nav-settings"]')).not.toBeNull());
    (q('[data-testid="nav-settings"]') as HTMLButtonElement).click();
    flushSync();
    const select = q('[data-testid="settings-language"]') as HTMLSelectElement;
    select.value = "pt-BR";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await vi.waitFor(() => expect(q('[data-testid="nav-dashboard"] .label')?.textContent).toBe("Painel"));
    expect(saved).toEqual(settings({ language: "pt-BR" }));
    expect(document.documentElement.lang).toBe("pt-BR");
    expect(q('[data-testid="screen-settings"] h1')?.textContent).toBe("Configurações");
    (q('[data-testid="nav-dashboard"]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(q('[data-testid="kpi-followers"] h3')?.textContent).toBe("Seguidores"));
    // Charts are re-rendered with Portuguese titles.
    await vi.waitFor(() =>
      expect(decodeURIComponent((q('[data-testid="chart-followers"] img') as HTMLImageElement).src)).toContain(
        "Crescimento de seguidores",
      ),
    );
  });

  it("shows a translated error with its details when a command fails", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") throw { code: "invalid_input", message: "the date range is empty" };
      return null;
    });
    start();
    await vi.waitFor(() => expect(q('[data-testid="error"]')).not.toBeNull());
    expect(q('[data-testid="error"] strong')?.textContent).toBe("That request is not valid.");
    expect(q('[data-testid="error"] code')?.textContent).toBe("the date range is empty");
  });

  it("writes an export and lists the files", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") return dashboard();
      if (cmd === "export_data")
        return {
          folder: "/w/exports/alcance-2026-10-25_2026-11-24",
          files: [
            { format: "csv", path: "/w/exports/a/account_metrics.csv", bytes: 2048 },
            { format: "xlsx", path: "/w/exports/a/alcance-export.xlsx", bytes: 40960 },
          ],
        };
      return null;
    });
    start();
    await vi.waitFor(() => expect(q('[data-testid="nav-exports"]')).not.toBeNull());
    (q('[data-testid="nav-exports"]') as HTMLButtonElement).click();
    flushSync();
    (q('[data-testid="export-button"]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(q('[data-testid="export-file-xlsx"]')).not.toBeNull());
    expect(q('[data-testid="export-file-xlsx"]')?.textContent).toContain("40.0 KB");
    expect(calls.some((c) => c.cmd === "export_data")).toBe(true);
  });
});
