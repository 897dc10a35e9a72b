import { mount } from "svelte";
import App from "./App.svelte";
import { inTauri, useTransport } from "./lib/api";
import { commands as ipc } from "./lib/bindings";
import { teamTransport } from "./lib/transport/team";
import "./app.css";

// In the Tauri webview → IPC, or, when the window is connected to a team server, HTTP
// carried over IPC (transport/team.ts); in a browser on `alcance serve` → HTTP.
async function start(): Promise<void> {
  let team: string | null = null;
  if (inTauri()) team = await ipc.teamServer().catch(() => null);
  useTransport(team ? teamTransport() : null);
  const target = document.getElementById("app");
  if (target) mount(App, { target });
}

void start();
