// The display time zone across screens: a known UTC timestamp shown in the zone chosen in
// Settings, the zone named once per screen, the daily figures still UTC days.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ui } from "../lib/ui.svelte";
import { ZONE_KEY } from "../lib/zone";
import { account, dashboard, postView, run, settings, status, sync } from "../test/fixtures";
import { backend, open, q, qa, reset, sent, start, stop, text } from "../test/harness";

beforeEach(reset);
afterEach(stop);

function withRuns(language: "en" | "pt-BR" = "en") {
  backend((cmd) => {
    if (cmd === "app_status")
      return status(true, { settings: settings({ language }), sync: sync({ next_run_at: "2026-11-24T18:00:00Z" }) });
    if (cmd === "list_accounts") return [account()];
    if (cmd === "dashboard") return dashboard();
    // Started 2026-11-24 12:00 UTC.
    if (cmd === "list_runs") return [run()];
    if (cmd === "list_run_events") return [];
    if (cmd === "list_posts") return [postView({ published_at: "2026-11-21T01:30:00Z" })];
    return null;
  });
}

describe("times in the chosen zone", () => {
  it("show a run's UTC start in Asia/Kolkata (UTC+05:30) and name the zone once on the screen", async () => {
    localStorage.setItem(ZONE_KEY, "Asia/Kolkata");
    withRuns();
    start();
    expect(ui.timeZone).toBe("Asia/Kolkata");
    await open("runs");
    await vi.waitFor(() => expect(q('[data-testid="run-row"]')).not.toBeNull());
    // 12:00 UTC is 17:30 in India.
    expect(text('[data-testid="run-row"] td')).toBe("11/24, 17:30");
    expect(q('[data-testid="run-row"] td span')?.getAttribute("title")).toBe("Nov 24, 2026, 05:30 PM");
    expect(text('[data-testid="account-status-3"]')).toBe(
      "@alcance.br (Instagram) Next Nov 25, 2026, 05:30 PM Last collected Nov 24, 2026, 05:30 PM",
    );
    expect(text('[data-testid="sync-line"]')).toContain("Next sync Nov 24, 2026, 11:30 PM");
    expect(qa('[data-testid="zone-note"]')).toHaveLength(1);
    expect(text('[data-testid="zone-note"]')).toBe("Times in Asia/Kolkata (UTC+05:30).");
    // The zone is named in the note, not on every row.
    expect(text('[data-testid="screen-runs"]')?.match(/UTC/g)).toHaveLength(1);
  });

  it("move a post's publication day but say the filter's days are UTC days, in Portuguese too", async () => {
    localStorage.setItem(ZONE_KEY, "America/Sao_Paulo");
    withRuns("pt-BR");
    start();
    await open("posts");
    await vi.waitFor(() => expect(q('[data-testid="posts-table"] tbody tr')).not.toBeNull());
    // 2026-11-21 01:30 UTC is the evening of 20 November in São Paulo.
    expect(text('[data-testid="posts-table"] tbody tr')).toContain("20 de nov. de 2026");
    expect(text('[data-testid="zone-note"]')).toBe(
      "Horários em America/Sao_Paulo (UTC−03:00); os números diários e os períodos são dias UTC.",
    );
  });

  it("ask the dashboard for the heatmap in the chosen zone and keep its period in UTC days", async () => {
    localStorage.setItem(ZONE_KEY, "Europe/Lisbon");
    withRuns();
    start();
    await vi.waitFor(() => expect(sent("dashboard")).toHaveLength(1));
    expect((sent("dashboard")[0].args.filter as { time_zone: string }).time_zone).toBe("Europe/Lisbon");
    // Period [2026-10-25, 2026-11-24) UTC: its days as they are, not moved to Lisbon.
    await vi.waitFor(() => expect(q('[data-testid="period"]')).not.toBeNull());
    expect(text('[data-testid="period"]')).toBe("Oct 25, 2026 – Nov 23, 2026");
    expect(text('[data-testid="zone-note"]')).toMatch(
      /^Times in Europe\/Lisbon \(UTC\+0[01]:00\); daily figures and date ranges are UTC days\.$/,
    );
    // Another zone reloads the heatmap in it.
    ui.timeZone = "America/New_York";
    await vi.waitFor(() => expect(sent("dashboard")).toHaveLength(2));
    expect((sent("dashboard")[1].args.filter as { time_zone: string }).time_zone).toBe("America/New_York");
  });

  it("take the zone the desktop keeps for the tray when the webview has none", async () => {
    backend((cmd, args) => {
      if (cmd === "app_status") return status(true, { settings: settings({ time_zone: "America/Manaus" }) });
      if (cmd === "save_settings") return args.settings;
      if (cmd === "list_accounts") return [account()];
      if (cmd === "dashboard") return dashboard();
      return null;
    });
    start();
    await vi.waitFor(() => expect(ui.timeZone).toBe("America/Manaus"));
    expect(localStorage.getItem(ZONE_KEY)).toBe("America/Manaus");
    // Already kept there: nothing to save back.
    expect(sent("save_settings")).toHaveLength(0);
  });
});
