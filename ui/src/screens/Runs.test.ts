import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { account, dashboard, live, run, status, sync } from "../test/fixtures";
import { backend, click, emitSync, open, q, qa, reset, sent, start, stop, text } from "../test/harness";

beforeEach(reset);
afterEach(stop);

const running = run({ id: 12, kind: "manual", status: "running", finished_at: null, duration_seconds: null, accounts_ok: 1 });
const failing = account({
  id: 4,
  platform: "tiktok",
  username: "loja",
  label: "@loja (TikTok)",
  status: "needs_reauth",
  token: "needs_reauth",
  last_error: "unauthorized: the platform refused the token",
});

describe("the runs screen", () => {
  it("shows the live run's progress and cancels it after the current account", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true, { sync: sync({ running: true, next_run_at: null, live: live() }) });
      if (cmd === "list_accounts") return [account(), failing];
      if (cmd === "dashboard") return dashboard();
      if (cmd === "list_runs") return [running, run()];
      if (cmd === "list_run_events") return [];
      if (cmd === "cancel_run") return sync({ running: true, next_run_at: null, live: live() });
      return null;
    });
    start();
    await open("runs");
    await vi.waitFor(() => expect(q('[data-testid="live-progress"]')).not.toBeNull());
    expect(text('[data-testid="live-progress"]')).toBe("2 of 5 accounts");
    expect(q('[data-testid="live-run"] [role="progressbar"]')?.getAttribute("aria-valuenow")).toBe("2");
    expect(text('[data-testid="live-metrics"]')).toBe("1,234 metric values written");
    expect(text('[data-testid="live-failed"]')).toBe("1 failed");
    expect(text('[data-testid="live-current"]')).toBe("Collecting @alcance.br (Instagram)");
    expect((q('[data-testid="runs-sync-now"]') as HTMLButtonElement).disabled).toBe(true);
    expect(sent("cancel_run")).toHaveLength(0);

    click('[data-testid="cancel-run"]');
    await vi.waitFor(() => expect(q('[data-testid="live-cancelling"]')).not.toBeNull());
    expect(sent("cancel_run")).toHaveLength(1);
    expect(text('[data-testid="live-cancelling"]')).toBe("Stopping after the current account…");
    expect((q('[data-testid="cancel-run"]') as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows each account's last result and next run", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [account(), failing];
      if (cmd === "dashboard") return dashboard();
      if (cmd === "list_runs") return [run()];
      if (cmd === "list_run_events") return [];
      return null;
    });
    start();
    await open("runs");
    await vi.waitFor(() => expect(q('[data-testid="account-status-4"]')).not.toBeNull());
    expect(text('[data-testid="account-status-3"]')).toBe(
      "@alcance.br (Instagram) Next Nov 25, 2026, 12:00 PM Last collected Nov 24, 2026, 12:00 PM",
    );
    expect(text('[data-testid="account-status-4"]')).toContain("Needs reconnecting");
    expect(text('[data-testid="status-error-4"]')).toBe("unauthorized: the platform refused the token");
    expect(q('[data-testid="status-error-3"]')).toBeNull();
    // Idle: no cancel button, the next scheduled run instead.
    expect(q('[data-testid="cancel-run"]')).toBeNull();
    expect(text('[data-testid="live-run"]')).toContain("Next scheduled collection Nov 24, 2026, 06:00 PM");
  });

  it("follows the run through syncChanged and reloads the table and events when it ends", async () => {
    let runs = [running, run()];
    backend(
      (cmd) => {
        if (cmd === "app_status") return status(true, { sync: sync({ running: true, live: live() }) });
        if (cmd === "list_accounts") return [account()];
        if (cmd === "dashboard") return dashboard();
        if (cmd === "list_runs") return runs;
        if (cmd === "list_run_events") return [];
        return null;
      },
      { events: true },
    );
    start();
    await open("runs");
    await vi.waitFor(() => expect(q('[data-testid="run-row"][data-run-id="12"]')).not.toBeNull());
    expect(q('[data-testid="run-row"][data-run-id="12"]')?.getAttribute("data-status")).toBe("running");
    const before = { runs: sent("list_runs").length, events: sent("list_run_events").length };

    await emitSync(sync({ running: true, live: live({ accounts_done: 3, metrics: 2000, current_account: "@loja (TikTok)" }) }));
    expect(text('[data-testid="live-progress"]')).toBe("3 of 5 accounts");
    expect(text('[data-testid="live-current"]')).toBe("Collecting @loja (TikTok)");
    await vi.waitFor(() => expect(sent("list_runs").length).toBeGreaterThan(before.runs));

    runs = [run({ id: 12, kind: "manual", status: "ok", accounts_ok: 5, metrics_written: 3000 }), run()];
    const events = sent("list_run_events").length;
    await emitSync(sync({ last_run: runs[0] }));
    await vi.waitFor(() =>
      expect(q('[data-testid="run-row"][data-run-id="12"]')?.getAttribute("data-status")).toBe("ok"),
    );
    const row = q('[data-testid="run-row"][data-run-id="12"]');
    expect(row?.getAttribute("data-kind")).toBe("manual");
    expect(row?.textContent).toContain("5 of 5");
    // The selected run's events are read again, and the live panel is idle.
    await vi.waitFor(() => expect(sent("list_run_events").length).toBeGreaterThan(events));
    expect(sent("list_run_events").at(-1)?.args).toEqual({ runId: 12 });
    expect(q('[data-testid="cancel-run"]')).toBeNull();
    expect(q('[data-testid="live-idle"]')).not.toBeNull();
    expect(qa('[data-testid="run-row"]')).toHaveLength(2);
  });

  it("starts a run and pauses scheduling from the live panel", async () => {
    backend((cmd, args) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [account()];
      if (cmd === "dashboard") return dashboard();
      if (cmd === "list_runs") return [];
      if (cmd === "sync_now") return sync({ running: true, live: live({ accounts_done: 0, current_account: null }) });
      if (cmd === "set_sync_paused") return sync({ paused: args.paused as boolean, next_run_at: null });
      return null;
    });
    start();
    await open("runs");
    click('[data-testid="runs-sync-now"]');
    await vi.waitFor(() => expect(text('[data-testid="live-progress"]')).toBe("0 of 5 accounts"));
    expect(text('[data-testid="live-current"]')).toBe("Starting…");
    expect(sent("sync_now")).toHaveLength(1);

    click('[data-testid="runs-toggle-pause"]');
    await vi.waitFor(() => expect(text('[data-testid="runs-toggle-pause"]')).toBe("Resume sync"));
    expect(sent("set_sync_paused")[0].args).toEqual({ paused: true });
    expect(text('[data-testid="live-run"]')).toContain("Sync paused");
  });

  it("shows a refused command's error in the live panel", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") return dashboard();
      if (cmd === "list_runs") return [];
      if (cmd === "sync_now") throw { code: "no_workspace", message: "no workspace is open" };
      return null;
    });
    start();
    await open("runs");
    click('[data-testid="runs-sync-now"]');
    await vi.waitFor(() => expect(q('[data-testid="live-run"] [data-testid="error"]')).not.toBeNull());
    expect(text('[data-testid="live-run"] [data-testid="error"] strong')).toBe("No workspace is open.");
  });
});
