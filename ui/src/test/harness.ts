// Mounting the app against a mocked backend (mockIPC), for the UI tests.
import { expect, vi } from "vitest";
import { flushSync, mount, unmount } from "svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import App from "../App.svelte";
import { platforms } from "./fixtures";
import { events, type SyncStatus } from "../lib/bindings";
import { applyLanguage, defaultFilters, filters, session, ui, type Screen } from "../lib/ui.svelte";
import { ZONE_KEY, forgetSystemZone } from "../lib/zone";

/** Answers one command (`cmd` is the Rust name, `args` the camelCase arguments). */
export type Handler = (cmd: string, args: Record<string, unknown>) => unknown;

/** Every command the UI sent since the last `backend()`, in order (event plumbing excluded). */
export const calls: { cmd: string; args: Record<string, unknown> }[] = [];

let app: ReturnType<typeof mount> | null = null;

/** Installs the mocked backend. With `events`, `emitSync` reaches the app's listeners. */
export function backend(handler: Handler, options: { events?: boolean } = {}): void {
  calls.length = 0;
  mockIPC(
    (cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      if (cmd.startsWith("plugin:event|")) return cmd === "plugin:event|listen" ? 1 : null;
      // The platform registry is static: answered here, not logged in `calls`.
      if (cmd === "platforms") return platforms();
      calls.push({ cmd, args: a });
      return handler(cmd, a);
    },
    options.events ? { shouldMockEvents: true } : undefined,
  );
}

/** Resets the shared UI state (call in `beforeEach`). */
export function reset(): void {
  applyLanguage("en");
  ui.screen = "dashboard";
  // The system's zone (UTC in the tests, see vite.config.ts), nothing chosen.
  ui.timeZone = "";
  forgetSystemZone();
  globalThis.localStorage?.removeItem(ZONE_KEY);
  session.status = null;
  session.accounts = [];
  Object.assign(filters, defaultFilters(new Date()));
  // The desktop keeps its screen and filters in the URL fragment (lib/route.ts).
  history.replaceState(null, "", location.pathname);
}

/** Mounts the app into a fresh document body. */
export function start(): HTMLElement {
  const target = document.createElement("div");
  document.body.replaceChildren(target);
  app = mount(App, { target });
  flushSync();
  return target;
}

/** Unmounts the app and removes the IPC mocks (call in `afterEach`). */
export function stop(): void {
  if (app) unmount(app);
  app = null;
  clearMocks();
}

export const q = (sel: string) => document.body.querySelector(sel);
export const qa = (sel: string) => [...document.body.querySelectorAll(sel)];
export const text = (sel: string) => q(sel)?.textContent?.replace(/\s+/g, " ").trim() ?? null;
export const sent = (cmd: string) => calls.filter((c) => c.cmd === cmd);

/** Clicks the element `sel` (failing when it is missing). */
export function click(sel: string): void {
  const el = q(sel) as HTMLElement | null;
  expect(el, sel).not.toBeNull();
  el?.click();
  flushSync();
}

/** Types into an input (an `input` event) or picks a select option (a `change` event). */
export function fill(sel: string, value: string): void {
  const el = q(sel) as HTMLInputElement | HTMLSelectElement | null;
  expect(el, sel).not.toBeNull();
  if (!el) return;
  el.value = value;
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? "change" : "input", { bubbles: true }));
  flushSync();
}

/** Waits for the app to show a workspace, then opens `screen` from the sidebar. */
export async function open(screen: Screen): Promise<void> {
  await vi.waitFor(() => expect(q(`[data-testid="nav-${screen}"]`)).not.toBeNull());
  click(`[data-testid="nav-${screen}"]`);
  await vi.waitFor(() => expect(q(`[data-testid="screen-${screen}"]`)).not.toBeNull());
}

/** Emits `syncChanged` as the scheduler does (needs `backend(.., { events: true })`). */
export async function emitSync(status: SyncStatus): Promise<void> {
  await events.syncChanged.emit({ status });
  flushSync();
}
