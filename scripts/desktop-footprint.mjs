#!/usr/bin/env node
// The desktop app's start time and memory (issue 16 points 1 and 2; docs/PERFORMANCE.md,
// "The desktop app"). Run it through scripts/desktop-footprint.sh, which provides Xvfb, a
// D-Bus session and a Secret Service. Numbers go to stdout as a table and to
// FOOTPRINT_JSON (a file) when set; nothing here is a test.
//
//   1. cold start to first paint, `--runs` times: the WebDriver new-session call (which
//      launches the app) → `[data-testid="open-demo"]` in the DOM (polled every 20 ms), a fresh
//      data folder each time; then the memory of the first-run screen;
//   2. "Open the demo workspace" → the dashboard, memory 30 s later (window open);
//   3. the window closed as a window manager does (WM_DELETE_WINDOW, scripts/x11-window.py):
//      memory 30 s later, in the tray;
//   4. the tray's "Sync now" (clicked over D-Bus, the tray menu's com.canonical.dbusmenu
//      interface): the highest memory sampled every 200 ms while the collection runs, and
//      memory 20 s after;
//   5. the tray's "Open": the window is back (at the screen it closed on, read over WebDriver
//      when the driver sees the new webview); then "Quit";
//   6. a start at login (`--minimized`, straight from the shell, no driver) on the same
//      workspace: memory 30 s later in the tray, during a "Sync now" and after it.
//
// Memory of a process is read from /proc: VmRSS (what earlier figures used; counts shared
// libraries whole) and Pss/Private from smaps_rollup. Processes: the app (`alcance-desktop`)
// and its WebKit children (WebKitWebProcess, WebKitNetworkProcess).
//
// Environment: ALCANCE_APP (default target/dist/alcance-desktop, the installers' binary, else
// target/release/alcance-desktop), TAURI_DRIVER, E2E_PORT.
// Arguments: --runs N (default 5), --skip-demo (only the start runs), --skip-start (only the
// memory runs). ALCANCE_DEMO_DAYS shortens the demo's collection.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { page, sleep, waitFor, webdriver } from "../tests/e2e/webdriver.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// The installers' binary (Cargo's `dist` profile, scripts/installer.sh) when built, else the
// release profile's.
const app = resolve(
  process.env.ALCANCE_APP ??
    ["target/dist/alcance-desktop", "target/release/alcance-desktop"].map((p) => join(root, p)).find(existsSync) ??
    join(root, "target/release/alcance-desktop"),
);
const port = Number(process.env.E2E_PORT ?? 4444);
const base = `http://127.0.0.1:${port}`;
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1] || 5) || 5;
const skipDemo = args.includes("--skip-demo");
const wd = webdriver(base);
const xwin = (cmd) => spawnSync("python3", [join(root, "scripts/x11-window.py"), cmd, "Alcance"]).status === 0;

// ---- /proc ---------------------------------------------------------------------------

function procs() {
  const out = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      out.push({ pid: Number(pid), ppid, comm });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** kB of `field` in a /proc status-like file, or 0. */
function field(text, name) {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

function memOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const roll = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    return {
      rss: field(status, "VmRSS"),
      pss: field(roll, "Pss"),
      priv: field(roll, "Private_Clean") + field(roll, "Private_Dirty"),
    };
  } catch {
    return null;
  }
}

/** The app (the newest `alcance-desktop`, or `pid`) and its WebKit children. */
function footprint(pid) {
  const all = procs();
  // The kernel keeps the first 15 bytes of the executable's name.
  const comm = basename(app).slice(0, 15);
  const appPid = pid ?? all.filter((p) => p.comm === comm).map((p) => p.pid).sort((a, b) => b - a)[0];
  if (!appPid) return null;
  const kids = all.filter((p) => p.ppid === appPid);
  const sum = (re) =>
    kids
      .filter((p) => re.test(p.comm))
      .map((p) => memOf(p.pid))
      .filter(Boolean)
      .reduce((a, m) => ({ rss: a.rss + m.rss, pss: a.pss + m.pss, priv: a.priv + m.priv, n: a.n + 1 }), { rss: 0, pss: 0, priv: 0, n: 0 });
  return { pid: appPid, app: memOf(appPid), web: sum(/^WebKitWebProces/), net: sum(/^WebKitNetworkPr/) };
}

const mib = (kb) => (kb / 1024).toFixed(1);
const rows = [];
function record(what, fp) {
  if (!fp?.app) {
    rows.push({ what, missing: true });
    console.log(`  ${what}: no app process`);
    return;
  }
  const row = {
    what,
    app_rss: mib(fp.app.rss),
    app_pss: mib(fp.app.pss),
    app_private: mib(fp.app.priv),
    web_rss: fp.web.n ? mib(fp.web.rss) : "-",
    net_rss: fp.net.n ? mib(fp.net.rss) : "-",
  };
  rows.push(row);
  console.log(
    `  ${what}: app RSS ${row.app_rss} MiB (PSS ${row.app_pss}, private ${row.app_private}); web ${row.web_rss}; network ${row.net_rss}`,
  );
}

/** Samples the app's memory every 200 ms while `busy()` says so (at most `ms`). */
async function peakWhile(pid, busy, ms) {
  let peak = null;
  const started = Date.now();
  let seenBusy = false;
  while (Date.now() - started < ms) {
    const fp = footprint(pid);
    if (fp?.app && (!peak || fp.app.rss > peak.app.rss)) peak = fp;
    const b = await busy();
    if (b) seenBusy = true;
    // Done, or never seen running within 10 s (a run shorter than a sample).
    else if (seenBusy || Date.now() - started > 10_000) break;
    await sleep(200);
  }
  return { peak, seenBusy };
}

// ---- the tray over D-Bus (com.canonical.dbusmenu) -------------------------------------

function gdbus(args) {
  const out = spawnSync("gdbus", args, { encoding: "utf8", timeout: 10_000 });
  if (out.status !== 0) throw new Error(`gdbus ${args.join(" ")}: ${out.stderr.trim()}`);
  return out.stdout;
}

/** The tray menu of process `pid`: its bus name and object path. */
function trayMenu(pid) {
  const names = gdbus(["call", "--session", "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.ListNames"]);
  for (const name of names.match(/':\d+\.\d+'/g) ?? []) {
    const bus = name.slice(1, -1);
    let owner;
    try {
      owner = gdbus(["call", "--session", "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.GetConnectionUnixProcessID", bus]);
    } catch {
      continue;
    }
    if (Number(/\d+/.exec(owner.replace(/^\(uint32 /, ""))?.[0]) !== pid) continue;
    const tree = spawnSync("busctl", ["--user", "tree", "--list", bus], { encoding: "utf8" }).stdout ?? "";
    const path = tree.split("\n").map((l) => l.trim()).find((l) => /\/Menu$/.test(l));
    if (path) return { bus, path };
  }
  return null;
}

/** The tray menu's items: id and label. */
function trayItems(menu) {
  const layout = gdbus(["call", "--session", "--dest", menu.bus, "--object-path", menu.path, "--method", "com.canonical.dbusmenu.GetLayout", "int32 0", "int32 -1", "@as []"]);
  const items = [];
  for (const m of layout.matchAll(/\((\d+), \{([^}]*)\}/g)) {
    const label = /'label': <'((?:[^'\\]|\\.)*)'>/.exec(m[2])?.[1];
    if (label !== undefined) items.push({ id: Number(m[1]), label });
  }
  return items;
}

function clickTray(menu, label) {
  const item = trayItems(menu).find((i) => i.label === label);
  if (!item) throw new Error(`no tray item ${label}: ${JSON.stringify(trayItems(menu))}`);
  gdbus(["call", "--session", "--dest", menu.bus, "--object-path", menu.path, "--method", "com.canonical.dbusmenu.Event", `int32 ${item.id}`, "clicked", "<int32 0>", "uint32 0"]);
}

const traySyncing = (menu) => trayItems(menu).some((i) => /^Syncing|Sincronizando/.test(i.label));

/** Sync now from the tray: the peak while the collection runs, then memory 20 s after. */
async function trayCollection(pid, menu, label) {
  clickTray(menu, "Sync now");
  const { peak, seenBusy } = await peakWhile(pid, async () => traySyncing(menu), 300_000);
  if (!seenBusy) console.log("  (the tray never said Syncing…: the run was shorter than a sample)");
  record(`${label}: peak while a collection runs (tray Sync now)`, peak);
  await sleep(20_000);
  record(`${label}: idle 20 s after the collection`, footprint(pid));
}

// ---- the runs ---------------------------------------------------------------------------

function driverPath() {
  if (process.env.TAURI_DRIVER) return process.env.TAURI_DRIVER;
  const cargoBin = join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "bin", "tauri-driver");
  return existsSync(cargoBin) ? cargoBin : "tauri-driver";
}

async function withDriver(dataDir, fn) {
  const env = { ...process.env, ALCANCE_DATA_DIR: dataDir, RUST_LOG: process.env.RUST_LOG ?? "warn" };
  const driver = spawn(driverPath(), ["--port", String(port), "--native-port", String(port + 1)], { env, stdio: ["ignore", "ignore", "inherit"] });
  try {
    await waitFor("tauri-driver", async () => (await fetch(`${base}/status`)).ok, 20_000, 100);
    return await fn();
  } finally {
    driver.kill("SIGTERM");
    await sleep(500);
  }
}

async function newSession() {
  const t0 = performance.now();
  const epoch0 = Date.now();
  const session = await wd("POST", "/session", {
    capabilities: { alwaysMatch: { browserName: "wry", pageLoadStrategy: "none", "tauri:options": { application: app } } },
  });
  return { sid: session.sessionId, t0, epoch0 };
}

/** User + system CPU seconds process `pid` has used so far (/proc/<pid>/stat, 100 clock
 *  ticks per second), or NaN. */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ").pop().split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** When process `pid` started, in ms since the epoch (from /proc: its start in clock ticks
 *  after boot, and the boot's time as now minus /proc/uptime, which is 10 ms fine where
 *  /proc/stat's btime is whole seconds), or null. Clock ticks are 100 per second on Linux. */
function processStartMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const boot = Date.now() - Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * 1000;
    return boot + ticks * 10;
  } catch {
    return null;
  }
}

/** Where a start's time went (ms, from the new-session call at `t0`, epoch ms): the app's
 *  process started (`exec`: the driver's share), the webview's navigation began (`nav`: the
 *  app's Rust set-up, GTK and WebKit's web process), the first contentful paint (`fcp`: the
 *  HTML, CSS and JS bundle loaded and run) and the first-run screen seen (`seen`: the UI's
 *  first IPC calls, plus up to one 20 ms poll and a WebDriver round trip). */
async function startBreakdown(js, t0, seenMs) {
  const fp = footprint();
  const exec = fp ? processStartMs(fp.pid) : null;
  const web = await js(
    "const p = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');" +
      "return { origin: performance.timeOrigin, fcp: p ? p.startTime : null };",
  ).catch(() => null);
  const rel = (ms) => (ms == null ? null : Math.round(ms - t0));
  return {
    exec: rel(exec),
    nav: rel(web?.origin),
    fcp: web?.fcp == null ? null : rel(web.origin + web.fcp),
    seen: Math.round(seenMs),
  };
}

async function startRuns() {
  const times = [];
  const parts = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), "alcance-footprint-"));
    await withDriver(dataDir, async () => {
      // A run that hangs (the driver sometimes does under load) is reported and skipped.
      const { sid, t0, epoch0 } = await newSession();
      const { exists, js } = page(wd, sid, null);
      await waitFor("the first-run screen", () => exists('[data-testid="open-demo"]'), 30_000, 20);
      const ms = performance.now() - t0;
      times.push(ms);
      const at = await startBreakdown(js, epoch0, ms);
      parts.push(at);
      console.log(
        `  start ${i + 1}: ${ms.toFixed(0)} ms (process started at ${at.exec} ms, navigation ${at.nav} ms, first contentful paint ${at.fcp} ms)`,
      );
      if (i === 0) {
        await sleep(5_000);
        record("first-run screen, 5 s after start", footprint());
      }
      await wd("DELETE", `/session/${sid}`).catch(() => {});
    }).catch((e) => console.log(`  start ${i + 1}: failed (${e.message})`));
    // The app of this run, if the driver left it behind.
    const left = footprint();
    if (left) process.kill(left.pid, "SIGTERM");
    await sleep(2_000);
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (times.length === 0) throw new Error("no start run succeeded");
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`  start to first paint: first ${times[0].toFixed(0)} ms, median ${median.toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms of ${runs}`);
  const mid = (key) => {
    const v = parts.map((p) => p[key]).filter((x) => x != null).sort((a, b) => a - b);
    return v.length ? v[Math.floor(v.length / 2)] : null;
  };
  console.log(
    `  medians (ms after the new-session call): process started ${mid("exec")}, navigation ${mid("nav")}, first contentful paint ${mid("fcp")}, first-run screen seen ${mid("seen")}`,
  );
  return { times, median, parts };
}

async function demoRuns(dataDir) {
  await withDriver(dataDir, async () => {
    const { sid } = await newSession();
    const { click, exists, s } = page(wd, sid, null);
    await waitFor("the first-run screen", () => exists('[data-testid="open-demo"]'), 30_000);
    const t = performance.now();
    const cpu0 = cpuSeconds(footprint()?.pid);
    await click('[data-testid="open-demo"]');
    await waitFor("the dashboard", () => exists('[data-testid="screen-dashboard"]'), 600_000, 500);
    await waitFor("the charts", () => exists('[data-testid="chart-engagement"] img'), 60_000);
    const cpu = cpuSeconds(footprint()?.pid) - cpu0;
    // CPU seconds of the app process (the in-process sandbox, the collector, the store):
    // unlike the wall time, barely moved by other processes on the machine.
    console.log(`  demo workspace → dashboard: ${((performance.now() - t) / 1000).toFixed(1)} s, app CPU ${cpu.toFixed(1)} s`);
    await sleep(30_000);
    const pid = footprint().pid;
    record("dashboard, demo workspace, window open, 30 s after", footprint(pid));
    // Somewhere the reopened window must come back to.
    await click('[data-testid="nav-posts"]');
    await waitFor("the posts screen", () => exists('[data-testid="screen-posts"]'));
    await click('[data-testid="preset-7"]').catch(() => {});
    const hash = await wd("POST", s("/execute/sync"), { script: "return location.hash", args: [] });
    console.log(`  the window's route before closing: ${hash}`);

    if (!xwin("close")) throw new Error("no Alcance window to close");
    await waitFor("the window to go", () => !xwin("exists"), 20_000);
    await sleep(30_000);
    if (!footprint(pid)?.app) throw new Error("the app quit when its window closed");
    record("window closed, in the tray, 30 s after", footprint(pid));

    const menu = await waitFor("the tray menu on D-Bus", () => trayMenu(pid), 10_000);
    await trayCollection(pid, menu, "window closed");

    clickTray(menu, "Open Alcance");
    await waitFor("the window back", () => xwin("exists"), 20_000);
    await sleep(5_000);
    record("window opened again from the tray, 5 s after", footprint(pid));
    try {
      const handles = await wd("GET", s("/window/handles"));
      await wd("POST", s("/window"), { handle: handles.at(-1) });
      const again = await wd("POST", s("/execute/sync"), { script: "return location.hash", args: [] });
      console.log(`  the reopened window's route: ${again} (${again === hash ? "kept" : "NOT kept"})`);
    } catch (e) {
      console.log(`  (the driver does not see the reopened webview: ${e.message.slice(0, 120)})`);
    }
    clickTray(menu, "Quit");
    await waitFor("the app to quit", () => !footprint(pid)?.app, 20_000);
    await wd("DELETE", `/session/${sid}`).catch(() => {});
  });
}

async function minimizedRun(dataDir) {
  const env = { ...process.env, ALCANCE_DATA_DIR: dataDir, RUST_LOG: process.env.RUST_LOG ?? "warn" };
  const child = spawn(app, ["--minimized"], { env, stdio: ["ignore", "ignore", "inherit"] });
  try {
    await sleep(30_000);
    record("started --minimized (login), demo workspace reopened, 30 s after", footprint(child.pid));
    const menu = await waitFor("the tray menu on D-Bus", () => trayMenu(child.pid), 10_000);
    await trayCollection(child.pid, menu, "--minimized");
    clickTray(menu, "Quit");
    await waitFor("the app to quit", () => child.exitCode !== null, 20_000);
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
  }
}

async function main() {
  if (!existsSync(app)) throw new Error(`no app binary at ${app}`);
  console.log(`app: ${app}`);
  const start = args.includes("--skip-start") ? null : await startRuns();
  if (!skipDemo) {
    const dataDir = mkdtempSync(join(tmpdir(), "alcance-footprint-demo-"));
    try {
      await demoRuns(dataDir);
      await minimizedRun(dataDir);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (process.env.FOOTPRINT_JSON) writeFileSync(process.env.FOOTPRINT_JSON, JSON.stringify({ app, start, rows }, null, 2));
  console.log("\n| what | app RSS | app PSS | app private | web process RSS | network process RSS |\n|---|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    if (r.missing) console.log(`| ${r.what} | gone | | | | |`);
    else console.log(`| ${r.what} | ${r.app_rss} | ${r.app_pss} | ${r.app_private} | ${r.web_rss} | ${r.net_rss} |`);
  }
}

main().catch((e) => {
  console.error(`footprint: ${e.message}`);
  process.exit(1);
});
