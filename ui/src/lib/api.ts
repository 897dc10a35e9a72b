// The backend as the screens see it: `commands` and `events` of the transport in use
// (Tauri IPC on the desktop, HTTP on `alcance serve`, see transport.ts), with errors
// turned into `AppError`.
import type { SyncChanged, ViewFilter } from "./bindings";
import type { Filters } from "./ui.svelte";
import { registerTransports, transport, type Commands } from "./transport";
import { ipcTransport } from "./transport/ipc";
import { httpTransport } from "./transport/http";

export * from "./bindings";
export { AppError, toAppError, type AppErrorCode } from "./errors";
export { transport, useTransport, inTauri, type Transport } from "./transport";
import { toAppError } from "./errors";
import { chosenOrSystemZone, systemTimeZone } from "./zone";

registerTransports({ ipc: ipcTransport, http: () => httpTransport() });

/** The commands of the transport in use (each call goes to the one picked at start-up). */
export const commands: Commands = new Proxy({} as Commands, {
  get: (_, name: string) => (transport().commands as Record<string, unknown>)[name],
});

/** The events the screens listen to, whatever the transport. */
export const events = {
  syncChanged: {
    listen: (cb: (e: { payload: SyncChanged }) => void): Promise<() => void> =>
      transport().onSyncChanged((status) => cb({ payload: { status } })),
  },
};

/** Awaits a command, rethrowing its error as an `AppError`. */
export async function call<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw toAppError(e);
  }
}

/** The system's IANA time zone (`"America/Sao_Paulo"`) as the webview reports it, or `null`
 *  when it reports none (the backend then uses UTC). */
export function browserTimeZone(): string | null {
  return systemTimeZone();
}

/** The UI filters as the commands' `ViewFilter`: `[from 00:00, to + 1 day 00:00)` UTC, and
 *  `time_zone` = the zone chosen in Settings, else the system's (the best-time heatmap's
 *  hours; `null` = UTC). */
export function toViewFilter(f: Filters): ViewFilter {
  const day = (s: string, plusDays = 0): string | null => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
    const t = Date.parse(`${s}T00:00:00Z`);
    if (Number.isNaN(t)) return null;
    return new Date(t + plusDays * 86_400_000).toISOString().replace(".000Z", "Z");
  };
  return {
    platforms: f.platform ? [f.platform] : [],
    account_ids: f.accountId === null ? [] : [f.accountId],
    since: day(f.from),
    until: day(f.to, 1),
    time_zone: chosenOrSystemZone(),
  };
}
