// The background collection as the UI drives it: `syncNow` only asks the scheduler for a
// run and returns at once; progress then arrives through the `syncChanged` event, which
// App.svelte hands to `adoptSync`.
import { call, commands, transport, type SyncStatus } from "./api";
import { session } from "./ui.svelte";
import { atLeast } from "./transport/web";

/** Whether the user may sync, pause and cancel here: always in the desktop app; in a
 *  browser, a manager or admin on a server that collects (`alcance serve --collect`). */
export function canControl(): boolean {
  if (transport().kind !== "http") return true;
  return atLeast(session.user?.role, "manager") && session.status?.workspace?.vault === "server";
}

/** Whether a status describes a collection going on now. */
export function isRunning(s: SyncStatus | null | undefined): boolean {
  return s != null && (s.running || s.live !== null);
}

/** Takes a new sync status into the session. When a run ended, bumps `session.version` so
 *  the screens reload; when it ended or an account finished, reloads the accounts (their
 *  last result and next run). Returns whether a run just ended. */
export function adoptSync(status: SyncStatus): boolean {
  if (!session.status) return false;
  const before = session.status.sync;
  session.status = { ...session.status, sync: status };
  // A run ended: seen running before, or (a browser polls, a short run can start and end
  // between two looks) a newer last run than before.
  const newer = status.last_run !== null && (before.last_run === null || status.last_run.id > before.last_run.id);
  const finished = !isRunning(status) && (isRunning(before) || newer);
  const progressed =
    status.live !== null &&
    (before.live?.run_id !== status.live.run_id || before.live?.accounts_done !== status.live.accounts_done);
  if (finished) session.version++;
  if ((finished || progressed) && session.status.workspace) void refreshAccounts();
  return finished;
}

/** Reloads `session.accounts`; keeps the old list when the command fails. */
export async function refreshAccounts(): Promise<void> {
  try {
    session.accounts = await call(commands.listAccounts());
  } catch {
    // The screens show their own errors; the list stays as it was.
  }
}

/** Asks for a manual run of every collectable account (returns before it runs). Throws `AppError`. */
export async function requestSync(): Promise<SyncStatus> {
  const status = await call(commands.syncNow());
  adoptSync(status);
  return status;
}

/** Pauses (or resumes) scheduling and the current run. Throws `AppError`. */
export async function setPaused(paused: boolean): Promise<SyncStatus> {
  const status = await call(commands.setSyncPaused(paused));
  adoptSync(status);
  return status;
}

/** Cancels the current run after its current account. Throws `AppError`. */
export async function cancelRun(): Promise<SyncStatus> {
  const status = await call(commands.cancelRun());
  adoptSync(status);
  return status;
}
