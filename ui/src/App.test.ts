import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync } from "svelte";
import { Channel } from "@tauri-apps/api/core";
import type { ChartLabels, ViewFilter } from "./lib/bindings";
import { account, dashboard, live, run, settings, status, sync } from "./test/fixtures";
import { applyLanguage, filters } from "./lib/ui.svelte";
import { backend, calls, click, emitSync, q, reset, sent, start, stop, text } from "./test/harness";

beforeEach(reset);
afterEach(stop);

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

  it("comes back on the screen and filters it showed when its window was closed to the tray", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") return dashboard();
      return null;
    });
    // The window is rebuilt at the URL fragment it closed on (src-tauri/src/window.rs).
    history.replaceState(null, "", "#screen=settings&platform=x&preset=7");
    start();
    await vi.waitFor(() => expect(q('[data-testid="screen-settings"]')).not.toBeNull());
    expect(filters.platform).toBe("x");
    expect(filters.presetDays).toBe(7);
    (q('[data-testid="nav-dashboard"]') as HTMLButtonElement).click();
    flushSync();
    expect(location.hash).toBe("#screen=dashboard&platform=x&preset=7");
    await vi.waitFor(() => expect(sent("dashboard").at(-1)?.args.filter).toMatchObject({ platforms: ["x"] }));
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
    // Charts are re-rendered with Portuguese titles and weekday names.
    await vi.waitFor(() =>
      expect((sent("dashboard").at(-1)?.args.labels as ChartLabels).weekdays).toEqual([
        "Seg",
        "Ter",
        "Qua",
        "Qui",
        "Sex",
        "Sáb",
        "Dom",
      ]),
    );
    expect((sent("dashboard").at(-1)?.args.labels as ChartLabels).best_time_title).toBe("Melhor horário para postar");
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
      if (cmd === "export_formats")
        return [
          { format: "csv", label: "CSV", extension: "csv", mime_type: "text/csv" },
          { format: "xlsx", label: "Excel (XLSX)", extension: "xlsx", mime_type: "application/zip" },
        ];
      return null;
    });
    start();
    await vi.waitFor(() => expect(q('[data-testid="nav-exports"]')).not.toBeNull());
    (q('[data-testid="nav-exports"]') as HTMLButtonElement).click();
    flushSync();
    (q('[data-testid="export-button"]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(q('[data-testid="export-file-xlsx"]')).not.toBeNull());
    expect(q('[data-testid="export-file-xlsx"]')?.textContent).toContain("40.0 KB");
    expect(q('[data-testid="export-file-xlsx"] .chip')?.textContent).toBe("Excel (XLSX)");
    expect(calls.some((c) => c.cmd === "export_formats")).toBe(true);
    expect(calls.some((c) => c.cmd === "export_data")).toBe(true);
  });
  it("draws the best-time heatmap with the zone and the best slots, asking with every chart label", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") return dashboard();
      return null;
    });
    start();
    await vi.waitFor(() => expect(q('[data-testid="chart-best-time"] img')).not.toBeNull());
    const img = q('[data-testid="chart-best-time"] img') as HTMLImageElement;
    expect(img.src.startsWith("data:image/svg+xml")).toBe(true);
    expect(decodeURIComponent(img.src)).toContain("Best time to post");
    expect(q('[data-testid="chart-best-time"]')?.getAttribute("data-points")).toBe("96");
    expect(text('[data-testid="chart-best-time"] figcaption .axis-note')).toBe("Hours in America/Sao_Paulo");
    const slots = [...document.querySelectorAll('[data-testid="best-slots"] li')].map((li) =>
      li.textContent?.replace(/\s+/g, " ").trim(),
    );
    expect(slots).toEqual([
      "Tuesday, 18:00–19:00 6.25% mean engagement rate posts: 9",
      "Thursday, 12:00–13:00 5.50% mean engagement rate posts: 7",
    ]);
    const req = sent("dashboard")[0].args as { filter: ViewFilter; labels: ChartLabels };
    expect(req.labels).toEqual({
      follower_title: "Follower growth",
      follower_y: "Followers",
      engagement_title: "Engagement trend",
      engagement_y: "Interactions per day",
      date_axis: "Date (UTC)",
      no_data: "No data yet",
      best_time_title: "Best time to post",
      hour_axis: "Hour",
      weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    });
    expect(req.filter.time_zone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it("says so under the heatmap when no post can be counted", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") return { ...dashboard(), best_time_posts: 0, best_time_slots: [] };
      return null;
    });
    start();
    await vi.waitFor(() => expect(q('[data-testid="best-slots-empty"]')).not.toBeNull());
    expect(q('[data-testid="best-slots"]')).toBeNull();
    expect(text('[data-testid="best-slots-empty"]')).toBe("Not enough posts in this period to find the best time.");
  });

  it("asks for a sync without waiting for it, then follows the run through syncChanged", async () => {
    let current = sync();
    backend(
      (cmd) => {
        if (cmd === "app_status") return status(true, { sync: current });
        if (cmd === "list_accounts") return [account()];
        if (cmd === "dashboard") return dashboard();
        if (cmd === "sync_now") {
          current = sync({ running: true, next_run_at: null, live: live({ accounts_done: 0, accounts_failed: 0, metrics: 0 }) });
          return current;
        }
        return null;
      },
      { events: true },
    );
    start();
    await vi.waitFor(() => expect(q('[data-testid="sync-now"]')).not.toBeNull());
    expect(text('[data-testid="sync-line"]')).toContain("Next sync Nov 24, 2026, 06:00 PM");
    click('[data-testid="sync-now"]');
    await vi.waitFor(() => expect(text('[data-testid="sync-line"]')).toContain("Syncing… 0 of 5 accounts"));
    expect(text('[data-testid="sync-line"]')).toContain("Sync started.");
    expect((q('[data-testid="sync-now"]') as HTMLButtonElement).disabled).toBe(true);
    expect(sent("sync_now")).toHaveLength(1);

    await emitSync(sync({ running: true, next_run_at: null, live: live({ accounts_done: 4 }) }));
    expect(text('[data-testid="sync-line"]')).toContain("Syncing… 4 of 5 accounts");
    const dashboards = sent("dashboard").length;
    const accountLoads = sent("list_accounts").length;

    await emitSync(sync({ last_run: run({ id: 12, kind: "manual", metrics_written: 3000 }) }));
    await vi.waitFor(() => expect(text('[data-testid="sync-line"]')).toContain("Collected 3,000 metric values."));
    // The outcome follows a language change.
    applyLanguage("pt-BR");
    flushSync();
    expect(text('[data-testid="sync-message"]')).toBe("· 3.000 valores de métricas coletados.");
    applyLanguage("en");
    flushSync();
    expect((q('[data-testid="sync-now"]') as HTMLButtonElement).disabled).toBe(false);
    // The finished run reloads the dashboard and the accounts.
    await vi.waitFor(() => expect(sent("dashboard").length).toBeGreaterThan(dashboards));
    expect(sent("list_accounts").length).toBeGreaterThan(accountLoads);
  });

  it("lists the accounts to reconnect in the header and links to them", async () => {
    backend((cmd) => {
      if (cmd === "app_status")
        return status(true, { sync: sync({ problems: ["@ana (Instagram)", "@loja (TikTok)"] }) });
      if (cmd === "list_accounts") return [account()];
      if (cmd === "dashboard") return dashboard();
      return null;
    });
    start();
    await vi.waitFor(() => expect(q('[data-testid="sync-problems"]')).not.toBeNull());
    expect(text('[data-testid="sync-problems"]')).toBe("Needs reconnecting: @ana (Instagram), @loja (TikTok) Open Accounts");
    click('[data-testid="problems-link"]');
    await vi.waitFor(() => expect(q('[data-testid="screen-accounts"]')).not.toBeNull());
  });

  it("shows no reconnect banner when every account is fine", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [account()];
      if (cmd === "dashboard") return dashboard();
      return null;
    });
    start();
    await vi.waitFor(() => expect(q('[data-testid="kpi-followers"]')).not.toBeNull());
    expect(q('[data-testid="sync-problems"]')).toBeNull();
  });
});
