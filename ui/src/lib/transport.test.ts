import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { commands, useTransport } from "./api";
import { resetTransport } from "./transport";

afterEach(() => {
  clearMocks();
  resetTransport();
});

describe("picking the transport at start-up", () => {
  it("takes IPC inside the Tauri webview and HTTP in a browser", () => {
    expect(useTransport().kind).toBe("http");
    resetTransport();
    mockIPC(() => null);
    expect(useTransport().kind).toBe("ipc");
  });

  it("routes the screens' commands to the transport picked", async () => {
    mockIPC((cmd) => (cmd === "export_formats" ? [{ format: "csv", label: "CSV", extension: "csv", mime_type: "text/csv" }] : null));
    useTransport();
    expect((await commands.exportFormats())[0].label).toBe("CSV");
  });
});
