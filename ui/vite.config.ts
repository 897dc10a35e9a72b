/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

declare const process: { env: Record<string, string | undefined> };

// The UI is embedded by Tauri from ui/dist: relative asset paths, no external requests,
// one stylesheet and one script (the CSP allows 'self' only).
export default defineConfig({
  plugins: [svelte()],
  base: "./",
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: { port: 5173, strictPort: true },
  resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    restoreMocks: true,
    // The system's time zone the formatters default to: fixed, so times read the same
    // on every machine (tests that need another zone choose one).
    env: { TZ: "UTC" },
  },
});
