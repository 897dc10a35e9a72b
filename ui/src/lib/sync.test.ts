import { beforeEach, describe, expect, it } from "vitest";
import { adoptSync } from "./sync";
import { session } from "./ui.svelte";
import { run, status, sync } from "../test/fixtures";

beforeEach(() => {
  session.status = status(true, { sync: sync({ last_run: run({ id: 11 }) }) });
  session.version = 0;
});

describe("adoptSync", () => {
  it("reloads the screens when a newer run finished between two looks (a browser polls)", () => {
    expect(adoptSync(sync({ last_run: run({ id: 11 }) }))).toBe(false);
    expect(session.version).toBe(0);
    expect(adoptSync(sync({ last_run: run({ id: 12, kind: "manual" }) }))).toBe(true);
    expect(session.version).toBe(1);
  });

  it("waits while the newer run is still going on", () => {
    expect(adoptSync(sync({ running: true, last_run: run({ id: 12 }) }))).toBe(false);
    expect(adoptSync(sync({ last_run: run({ id: 12 }) }))).toBe(true);
  });
});
