// The background collection as the UI drives it: `syncNow` only asks the scheduler for a
// run and returns at once; progress then arrives through the `syncChanged` event, which
// App.svelte hands to `adoptSync`.
import { call, commands, type SyncStatus } from "./api";
import { session } from "./ui.svelte";

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
  const finished = isRunning(before) && !isRunning(status);
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
