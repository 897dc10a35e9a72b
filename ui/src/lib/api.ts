// The IPC layer: the generated commands, with errors turned into `AppError`.
import { commands, ERROR_CODES } from "./bindings";
import type { ErrorCode, IpcError, ViewFilter } from "./bindings";
import type { Filters } from "./ui.svelte";

export { commands };
export * from "./bindings";

/** Every error code the backend sends (generated from `alcance_app::ErrorCode::ALL`). */
const CODES: readonly ErrorCode[] = ERROR_CODES;

/** A command error: `code` is what the UI branches on, `message` the details. */
export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "AppError";
    this.code = code;
  }
}

function isIpcError(e: unknown): e is IpcError {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as IpcError).message === "string" &&
    CODES.includes((e as IpcError).code)
  );
}

/** Any thrown value as an `AppError` (IPC errors keep their code; the rest are `internal`). */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (isIpcError(e)) return new AppError(e.code, e.message);
  if (e instanceof Error) return new AppError("internal", e.message);
  return new AppError("internal", typeof e === "string" ? e : JSON.stringify(e));
}

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
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return typeof zone === "string" && zone.trim() !== "" ? zone : null;
  } catch {
    return null;
  }
}

/** The UI filters as the commands' `ViewFilter`: `[from 00:00, to + 1 day 00:00)` UTC, and
 *  `time_zone` = the system's zone (the best-time heatmap's hours; `null` = UTC). */
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
    time_zone: browserTimeZone(),
  };
}
