// The one error type of the UI, whichever transport answered: `code` is what the UI
// branches on, `message` the details.
import { ERROR_CODES, type ErrorCode, type IpcError } from "./bindings";

/** The backend's codes (generated from `alcance_app::ErrorCode::ALL`) and the web's own:
 *  `unauthorized` (not signed in, or the session ended), `forbidden` (the role may not),
 *  `too_many_requests` (sign-in attempts), `desktop_only` (a command only the desktop app
 *  can run: connecting an account through the loopback, opening folders). */
export type AppErrorCode = ErrorCode | "unauthorized" | "forbidden" | "too_many_requests" | "desktop_only";

const CODES: readonly string[] = [...ERROR_CODES, "unauthorized", "forbidden", "too_many_requests", "desktop_only"];

/** A command error: `code` is what the UI branches on, `message` the details. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  constructor(code: AppErrorCode, message: string) {
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
