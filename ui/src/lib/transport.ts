// ONE transport, TWO implementations: the screens call `commands` (and listen for sync
// changes) without knowing whether the backend is the desktop shell (Tauri IPC, the
// generated bindings) or `alcance serve` (HTTP against /api/v1 with the session cookie
// and the CSRF header). Picked at start-up: in the Tauri webview → IPC; otherwise → HTTP.
import type { commands as generated, SyncStatus } from "./bindings";
import type { WebApi } from "./transport/web";

/** Every backend command, with the generated bindings' signatures. */
export type Commands = typeof generated;

/** How the UI reaches its backend. */
export interface Transport {
  /** `ipc` (the desktop app) or `http` (a browser on `alcance serve`). */
  readonly kind: "ipc" | "http";
  /** The commands. On HTTP, the desktop-only ones (opening the demo or a workspace,
   *  connecting an account, writing exports to a folder, opening folders) reject with
   *  `desktop_only`. */
  readonly commands: Commands;
  /** Calls `listener` with each new sync status until the returned function is called. */
  onSyncChanged(listener: (status: SyncStatus) => void): Promise<() => void>;
  /** Sign-in, people and API tokens: HTTP only (`null` on the desktop). */
  readonly web: WebApi | null;
}

/** `true` inside the Tauri webview (its IPC bridge is there). */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

let chosen: Transport | null = null;
let fallback: { ipc: Transport | null; http: Transport | null } = { ipc: null, http: null };
let makers: { ipc: () => Transport; http: () => Transport } | null = null;

/** Registers how to make each transport (done once by api.ts). */
export function registerTransports(m: { ipc: () => Transport; http: () => Transport }): void {
  makers = m;
}

/** Picks the transport for this run of the app (call once at start-up); with no
 *  argument, by where the UI runs ([`inTauri`]). Returns it. */
export function useTransport(t?: Transport | null): Transport {
  chosen = t ?? null;
  if (!chosen) chosen = detect();
  return chosen;
}

/** Forgets the pick (tests). */
export function resetTransport(): void {
  chosen = null;
  fallback = { ipc: null, http: null };
}

function detect(): Transport {
  if (!makers) throw new Error("no transports registered");
  if (inTauri()) return (fallback.ipc ??= makers.ipc());
  return (fallback.http ??= makers.http());
}

/** The transport in use: the one picked, else the one for where the UI runs. */
export function transport(): Transport {
  return chosen ?? detect();
}
