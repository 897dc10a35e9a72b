import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { AppError, call, commands, toAppError, toViewFilter } from "./api";
import { ui, type Filters } from "./ui.svelte";
import { forgetSystemZone } from "./zone";

afterEach(() => clearMocks());

/** Makes the webview report `zone` as the system time zone (`Error` = the call throws). */
function systemZone(zone: string | undefined | Error) {
  const real = Intl.DateTimeFormat.prototype.resolvedOptions;
  vi.spyOn(Intl.DateTimeFormat.prototype, "resolvedOptions").mockImplementation(function (this: Intl.DateTimeFormat) {
    if (zone instanceof Error) throw zone;
    return { ...real.call(this), timeZone: zone as string };
  });
  forgetSystemZone();
}

describe("toViewFilter", () => {
  beforeEach(() => systemZone("America/Sao_Paulo"));

  it("turns inclusive UTC days into a half-open range", () => {
    const f = toViewFilter({ platform: "x", accountId: 3, from: "2026-03-01", to: "2026-03-31", presetDays: null });
    expect(f).toEqual({
      platforms: ["x"],
      account_ids: [3],
      since: "2026-03-01T00:00:00Z",
      until: "2026-04-01T00:00:00Z",
      time_zone: "America/Sao_Paulo",
    });
  });

  it("leaves out empty and malformed parts", () => {
    const f = toViewFilter({ platform: "", accountId: null, from: "", to: "31/03/2026", presetDays: 30 });
    expect(f).toEqual({ platforms: [], account_ids: [], since: null, until: null, time_zone: "America/Sao_Paulo" });
  });

  it("sends the system's time zone for the best-time heatmap", () => {
    systemZone("Asia/Kolkata");
    const f = toViewFilter({ platform: "", accountId: null, from: "2026-03-01", to: "2026-03-31", presetDays: null });
    expect(f.time_zone).toBe("Asia/Kolkata");
  });

  it("sends the zone chosen in Settings over the system's", () => {
    ui.timeZone = "Europe/Lisbon";
    try {
      const f = toViewFilter({ platform: "", accountId: null, from: "2026-03-01", to: "2026-03-31", presetDays: null });
      expect(f.time_zone).toBe("Europe/Lisbon");
    } finally {
      ui.timeZone = "";
    }
  });

  it("sends no time zone (UTC) when the webview reports none or fails", () => {
    const base: Filters = { platform: "", accountId: null, from: "2026-03-01", to: "2026-03-31", presetDays: null };
    systemZone(undefined);
    expect(toViewFilter(base).time_zone).toBeNull();
    systemZone("  ");
    expect(toViewFilter(base).time_zone).toBeNull();
    systemZone(new RangeError("no time zone data"));
    expect(toViewFilter(base).time_zone).toBeNull();
  });
});

describe("errors", () => {
  it("keep the IPC code and message", () => {
    const e = toAppError({ code: "vault_locked", message: "no keychain" });
    expect(e).toBeInstanceOf(AppError);
    expect([e.code, e.message]).toEqual(["vault_locked", "no keychain"]);
  });

  it("make anything else internal", () => {
    expect(toAppError(new Error("boom")).code).toBe("internal");
    expect(toAppError("plain").message).toBe("plain");
    expect(toAppError({ code: "made_up", message: "x" }).code).toBe("internal");
  });

  it("come back from a failing command as AppError", async () => {
    mockIPC((cmd) => {
      if (cmd === "list_runs") throw { code: "no_workspace", message: "no workspace is open" };
      return null;
    });
    const err = await call(commands.listRuns(10)).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe("no_workspace");
  });

  it("pass arguments in the shape the Rust commands take", async () => {
    let seen: unknown;
    mockIPC((cmd, args) => {
      if (cmd === "list_run_events") seen = args;
      return [];
    });
    await call(commands.listRunEvents(42));
    expect(seen).toEqual({ runId: 42 });
  });
});
