// The desktop transport: the generated tauri-specta commands and the `syncChanged` event.
import { commands, events } from "../bindings";
import type { Transport } from "../transport";

/** The IPC transport of the desktop app. */
export function ipcTransport(): Transport {
  return {
    kind: "ipc",
    commands,
    onSyncChanged: (listener) => events.syncChanged.listen((e) => listener(e.payload.status)),
    web: null,
  };
}
