// What the desktop E2E (run.mjs: tauri-driver → WebKitWebDriver) and the web E2E
// (web.mjs: chromedriver → headless Chromium) share: a W3C WebDriver client over fetch,
// the element helpers of one session, polling, the step checker and the zip check; and
// the processes they start (`alcance sandbox`, `alcance serve`, a driver) on free ports.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/** The W3C element reference key. */
export const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A WebDriver command against the driver at `base`: its `value`, or an error naming the
 *  command, the status and the driver's message. */
export function webdriver(base) {
  return async function wd(method, path, body) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${json?.value?.error}: ${json?.value?.message}`);
    return json.value;
  };
}

/** Element helpers of session `sid` (CSS selectors); screenshots go to `shots` when set. */
export function page(wd, sid, shots) {
  const s = (p) => `/session/${sid}${p}`;
  const find = async (css) => (await wd("POST", s("/element"), { using: "css selector", value: css }))[ELEMENT];
  const findAll = async (css) =>
    (await wd("POST", s("/elements"), { using: "css selector", value: css })).map((e) => e[ELEMENT]);
  return {
    s,
    find,
    findAll,
    click: async (css) => wd("POST", s(`/element/${await find(css)}/click`), {}),
    text: async (css) => wd("GET", s(`/element/${await find(css)}/text`)),
    attr: async (css, name) => wd("GET", s(`/element/${await find(css)}/attribute/${name}`)),
    exists: async (css) => (await findAll(css)).length > 0,
    type: async (css, value) => {
      const id = await find(css);
      await wd("POST", s(`/element/${id}/clear`), {});
      return wd("POST", s(`/element/${id}/value`), { text: value });
    },
    js: (script, args = []) => wd("POST", s("/execute/sync"), { script, args }),
    screenshot: async (name) => {
      if (!shots) return;
      mkdirSync(shots, { recursive: true });
      await sleep(400); // let the theme transition and images settle
      const png = Buffer.from(await wd("GET", s("/screenshot")), "base64");
      writeFileSync(join(shots, name), png);
      console.log(`    saved ${join(shots, name)} (${png.length} bytes)`);
    },
  };
}

/** Polls `fn` until it returns a truthy value (returned), or fails after `timeoutMs` with
 *  the last error seen. */
export async function waitFor(what, fn, timeoutMs = 30_000, everyMs = 250) {
  const started = Date.now();
  let last;
  while (Date.now() - started < timeoutMs) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ""}`);
}

/** A step runner that records each step in `results` and prints ✓ / ✗ with its time;
 *  a failed step throws on (the later ones depend on it). */
export function checker(results) {
  return async (name, fn) => {
    const started = Date.now();
    try {
      await fn();
      results.push({ name, ok: true });
      console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      results.push({ name, ok: false });
      console.log(`  ✗ ${name}: ${e.message}`);
      throw e;
    }
  };
}

/** `true` when the file at `path` starts like a zip (an XLSX workbook is one). */
export function zipMagic(path) {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(2);
    readSync(fd, buf, 0, 2, 0);
    return buf.toString("latin1") === "PK";
  } finally {
    closeSync(fd);
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Processes run with `env`: `run` to completion (stdin `input`, failing on a non-zero
 *  exit, its stdout returned), `start` in the background (output prefixed with `name`,
 *  `child.exited` kept current); `children` lists those started, to stop at the end. */
export function processes(env) {
  const children = [];
  const run = (cmd, args, input) => {
    const out = spawnSync(cmd, args, { input, encoding: "utf8", env, timeout: 300_000 });
    if (out.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${out.status}\n${out.stdout}\n${out.stderr}`);
    return out.stdout;
  };
  const start = (cmd, args, name) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const prefix = (chunk) =>
      chunk
        .toString()
        .split("\n")
        .filter((l) => l.trim() !== "")
        .forEach((l) => console.log(`    [${name}] ${l}`));
    child.stdout.on("data", prefix);
    child.stderr.on("data", prefix);
    child.exited = false;
    child.on("exit", () => (child.exited = true));
    child.on("error", (e) => {
      console.error(`${name} could not start: ${e.message}`);
      child.exited = true;
    });
    children.push(child);
    return child;
  };
  return { children, run, start };
}
