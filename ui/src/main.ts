import { mount } from "svelte";
import App from "./App.svelte";
import { useTransport } from "./lib/api";
import "./app.css";

// In the Tauri webview → IPC; in a browser on `alcance serve` → HTTP.
useTransport();

const target = document.getElementById("app");
if (target) mount(App, { target });
