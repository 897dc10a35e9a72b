// How long the time formatters take per cell: a table of 1,000 rows formats 1,000 times
// (the Posts screen). Run: `cd ui && npx vitest bench --run src/lib/format.bench.ts`;
// results in docs/PERFORMANCE.md ("The window's times in a chosen zone").
import { bench, describe } from "vitest";
import { dateTime, shortDateTime } from "./format";
import { ui } from "./ui.svelte";

const ROWS = Array.from({ length: 1000 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString());

describe("1,000 table cells", () => {
  bench("shortDateTime, the system's zone", () => {
    ui.timeZone = "";
    for (const iso of ROWS) shortDateTime("en", iso);
  });
  bench("shortDateTime, a chosen zone (America/Sao_Paulo)", () => {
    ui.timeZone = "America/Sao_Paulo";
    for (const iso of ROWS) shortDateTime("pt-BR", iso);
  });
  bench("dateTime, a chosen zone (Europe/Lisbon)", () => {
    ui.timeZone = "Europe/Lisbon";
    for (const iso of ROWS) dateTime("en", iso);
  });
});
