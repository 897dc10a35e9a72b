#!/usr/bin/env node
// End-to-end test of the web UI in a real browser: headless Chromium through chromedriver,
// driven with plain W3C WebDriver HTTP calls (as run.mjs drives the desktop app), against
// `alcance serve --collect` on a demo workspace. Everything listens on 127.0.0.1; Chromium
// resolves no other host (--host-resolver-rules) and its background services are off.
//
//   1. a seeded `alcance sandbox` and a 3-day demo workspace on it; an admin, a manager and
//      a client (`alcance user add`); the admin shares one account with the client (API);
//   2. the browser opens the sign-in page (screenshot); a wrong password is refused on it;
//   3. the client signs in and sees only their account (dashboard, accounts screen), no
//      runs, exports or sync button;
//   4. the manager signs in, runs Sync now, and the Runs screen shows the manual run
//      finished (status ok or partial) within 120 s; the dashboard (screenshot);
//   5. the admin lists the people, makes an API token (its secret shown once) that the API
//      then accepts, and sees its last use;
//   6. an XLSX export downloads into the download folder set in Chrome's prefs (a zip), and
//      its link answers 200 with the XLSX content type.
//
// Environment: ALCANCE_BIN (default $CARGO_TARGET_DIR or target, then debug/alcance),
// CHROMEDRIVER (default: on PATH, or /usr/bin/chromedriver), CHROMIUM (the browser binary,
// default /usr/bin/chromium), E2E_WEB_UI (the built UI, default ui/dist), E2E_SCREENSHOTS (a folder:
// saves web-signin.png, web-dashboard-client.png, web-dashboard.png, web-runs.png and
// web-admin.png).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readdirSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { checker, freePort, page, processes, sleep, waitFor, webdriver, zipMagic } from "./webdriver.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = resolve(process.env.ALCANCE_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "debug/alcance"));
const webUi = resolve(process.env.E2E_WEB_UI ?? join(root, "ui/dist"));
const shots = process.env.E2E_SCREENSHOTS ? resolve(process.env.E2E_SCREENSHOTS) : null;
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PASSWORD = { admin: "admin password e2e", manager: "manager password e2e", client: "client password e2e" };
const EMAIL = { admin: "admin@example.com", manager: "manager@example.com", client: "client@example.com" };

// The demo workspace's vault passphrase (alcance_app::demo::DEMO_VAULT_PASSPHRASE: the demo
// keeps sandbox tokens in vault.enc, there being no keychain here), and none of the user's
// ALCANCE_* settings.
const alcanceEnv = { ...process.env, ALCANCE_VAULT_PASSPHRASE: "alcance-demo-workspace", RUST_LOG: process.env.RUST_LOG ?? "warn" };
for (const name of ["ALCANCE_WORKSPACE", "ALCANCE_SANDBOX_URL", "ALCANCE_CLIENT_ID", "ALCANCE_CLIENT_SECRET", "ALCANCE_WHATSAPP_TOKEN", "ALCANCE_WEB_UI"]) {
  delete alcanceEnv[name];
}

const results = [];
const { children, run, start } = processes(alcanceEnv);
/** Runs `alcance ARGS` to completion (stdin `input`), failing on a non-zero exit. */
const alcance = (args, input) => run(bin, args, input);

function which(name, fallback) {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
  return found || fallback;
}

/** A JSON request to the server (the admin's set-up), with the cookie and CSRF token of `auth`. */
async function api(base, method, path, body, auth) {
  const headers = { "content-type": "application/json" };
  if (auth) {
    headers.cookie = auth.cookie;
    if (method !== "GET") headers["x-csrf-token"] = auth.csrf;
  }
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return { res, json: text ? JSON.parse(text) : null };
}

async function main() {
  for (const [what, path] of [
    ["the alcance binary (cargo build -p alcance-cli)", bin],
    ["the built web UI (npm --prefix ui run build)", join(webUi, "index.html")],
  ]) {
    if (!existsSync(path)) throw new Error(`no ${what} at ${path}`);
  }
  const chromedriver = process.env.CHROMEDRIVER ?? which("chromedriver", "/usr/bin/chromedriver");
  const chromium = process.env.CHROMIUM ?? which("chromium", "/usr/bin/chromium");
  const tmp = mkdtempSync(join(tmpdir(), "alcance-web-e2e-"));
  const workspace = join(tmp, "demo");
  const downloads = join(tmp, "downloads");
  const profile = join(tmp, "chrome-profile");
  mkdirSync(downloads);
  const [sandboxPort, serverPort, driverPort] = [await freePort(), await freePort(), await freePort()];
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const base = `http://127.0.0.1:${serverPort}`;
  const wdBase = `http://127.0.0.1:${driverPort}`;
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => {
      children.forEach((c) => c.kill("SIGTERM"));
      process.exit(1);
    });
  }

  const wd = webdriver(wdBase);
  const check = checker(results);

  let session;
  try {
    await check("a demo workspace served with --collect, with an admin, a manager and a client", async () => {
      const sandbox = start(bin, ["sandbox", "--port", String(sandboxPort)], "sandbox");
      await waitFor("the sandbox", async () => !sandbox.exited && (await fetch(sandboxUrl).catch(() => null)) !== null, 30_000);
      alcance(["demo", "--out", workspace, "--sandbox-url", sandboxUrl, "--days", "3"]);
      for (const role of ["admin", "manager", "client"]) {
        alcance(["user", "add", EMAIL[role], "--role", role, "--workspace", workspace], `${PASSWORD[role]}\n`);
      }
      const server = start(
        bin,
        ["serve", "--workspace", workspace, "--sandbox-url", sandboxUrl, "--listen", `127.0.0.1:${serverPort}`, "--collect", "--web-ui", webUi],
        "serve",
      );
      await waitFor("alcance serve", async () => !server.exited && (await fetch(`${base}/readyz`)).ok, 60_000);
      // The admin shares the first account with the client, over the API.
      const signIn = await api(base, "POST", "/api/v1/session", { email: EMAIL.admin, password: PASSWORD.admin });
      const auth = { cookie: signIn.res.headers.get("set-cookie").split(";")[0], csrf: signIn.json.csrf_token };
      const accounts = (await api(base, "GET", "/api/v1/accounts", undefined, auth)).json.items;
      if (accounts.length < 2) throw new Error(`the demo has ${accounts.length} accounts`);
      const users = (await api(base, "GET", "/api/v1/users", undefined, auth)).json.items;
      const client = users.find((u) => u.email === EMAIL.client);
      await api(base, "PUT", `/api/v1/users/${client.id}/shares`, { account_ids: [accounts[0].id], campaign_ids: [] }, auth);
      globalThis.shared = accounts[0];
      globalThis.accountCount = accounts.length;
      await api(base, "DELETE", "/api/v1/session", undefined, auth);
    });

    const driver = start(chromedriver, [`--port=${driverPort}`], "chromedriver");
    await waitFor("chromedriver", async () => !driver.exited && (await fetch(`${wdBase}/status`)).ok, 20_000);
    session = await wd("POST", "/session", {
      capabilities: {
        alwaysMatch: {
          browserName: "chrome",
          "goog:chromeOptions": {
            binary: chromium,
            args: [
              "--headless=new",
              "--no-sandbox",
              "--disable-gpu",
              "--disable-dev-shm-usage",
              "--window-size=1440,900",
              `--user-data-dir=${profile}`,
              "--no-first-run",
              "--no-default-browser-check",
              "--disable-background-networking",
              "--disable-component-update",
              "--disable-sync",
              "--disable-default-apps",
              "--disable-extensions",
              "--disable-client-side-phishing-detection",
              "--metrics-recording-only",
              "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
              // No host but 127.0.0.1 resolves: the test cannot reach the network.
              "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
              "--lang=en-US",
            ],
            prefs: {
              "download.default_directory": downloads,
              "download.prompt_for_download": false,
              "download.directory_upgrade": true,
              "safebrowsing.enabled": false,
              "intl.accept_languages": "en-US,en",
            },
          },
        },
      },
    });
    const sid = session.sessionId;
    const { s, findAll, click, text, attr, exists, type, js, screenshot } = page(wd, sid, shots);
    const signIn = async (role) => {
      await waitFor("the sign-in screen", () => exists('[data-testid="signin-form"]'), 30_000);
      await type('[data-testid="signin-email"]', EMAIL[role]);
      await type('[data-testid="signin-password"]', PASSWORD[role]);
      await click('[data-testid="signin-submit"]');
      await waitFor(`the dashboard as ${role}`, () => exists('[data-testid="screen-dashboard"]'), 30_000);
      const who = await text('[data-testid="signed-in-as"]');
      if (!who.includes(EMAIL[role])) throw new Error(`signed in as ${JSON.stringify(who)}`);
    };
    const signOut = async () => {
      await click('[data-testid="sign-out"]');
      await waitFor("the sign-in screen again", () => exists('[data-testid="signin-form"]'), 10_000);
    };

    await check("the sign-in page loads under the server's CSP and refuses a wrong password", async () => {
      await wd("POST", s("/url"), { url: `${base}/` });
      await waitFor("the sign-in screen", () => exists('[data-testid="signin-form"]'), 30_000);
      const title = await text('[data-testid="screen-signin"] h1');
      if (title !== "Sign in to Alcance") throw new Error(`title ${JSON.stringify(title)}`);
      await screenshot("web-signin.png");
      await type('[data-testid="signin-email"]', EMAIL.client);
      await type('[data-testid="signin-password"]', "not the password");
      await click('[data-testid="signin-submit"]');
      await waitFor("the refusal", () => exists('[data-testid="signin-failed"]'), 10_000);
      const csp = (await fetch(`${base}/`)).headers.get("content-security-policy") ?? "";
      if (!/script-src 'self'(;|$)/.test(csp) || csp.includes("'unsafe-eval'")) throw new Error(`CSP ${csp}`);
    });

    await check("the client sees only the account shared with them", async () => {
      await signIn("client");
      await waitFor("the KPI tiles", () => exists('[data-testid="kpi-followers"] .value'), 30_000);
      for (const hidden of ["nav-runs", "nav-exports", "nav-admin", "sync-now"]) {
        if (await exists(`[data-testid="${hidden}"]`)) throw new Error(`a client sees ${hidden}`);
      }
      await screenshot("web-dashboard-client.png");
      await click('[data-testid="nav-accounts"]');
      await waitFor("the accounts table", () => exists('[data-testid="accounts-table"]'), 20_000);
      const rows = await findAll('[data-testid^="account-row-"]');
      const ids = await js(
        "return [...document.querySelectorAll('[data-testid^=\"account-row-\"]')].map(r => r.dataset.testid.slice(12))",
      );
      if (rows.length !== 1 || ids[0] !== String(globalThis.shared.id)) {
        throw new Error(`the client sees accounts ${ids.join(", ")} of ${globalThis.accountCount}, not only ${globalThis.shared.id}`);
      }
      if (!(await exists('[data-testid="connect-desktop-only"]'))) throw new Error("no desktop-only note for connecting");
      if (await exists('[data-testid="threads-server-card"]')) throw new Error("a client is offered to connect Threads");
      await signOut();
    });

    await check("the manager runs Sync now and sees the run finish", async () => {
      await signIn("manager");
      await click('[data-testid="nav-runs"]');
      await waitFor("the runs screen", () => exists('[data-testid="screen-runs"]'));
      const finished = '[data-testid="run-row"][data-kind="manual"][data-status="ok"], [data-testid="run-row"][data-kind="manual"][data-status="partial"]';
      if (await exists('[data-testid="run-row"][data-kind="manual"]')) throw new Error("a manual run is listed before Sync now");
      await waitFor("Sync now to be enabled", async () => (await attr('[data-testid="sync-now"]', "disabled")) === null, 30_000);
      await click('[data-testid="sync-now"]');
      try {
        await waitFor("a finished manual run", () => exists(finished), 120_000, 500);
      } catch (e) {
        const seen = await js(
          "return [...document.querySelectorAll('[data-testid=\"run-row\"]')].slice(0, 5).map(r => r.dataset.kind + '/' + r.dataset.status)",
        );
        throw new Error(`${e.message}; newest runs: ${seen.join(", ") || "none"}`);
      }
      await screenshot("web-runs.png");
      await click('[data-testid="nav-dashboard"]');
      await waitFor("the charts", () => exists('[data-testid="chart-followers"] img'), 30_000);
      const src = await attr('[data-testid="chart-followers"] img', "src");
      if (!src.startsWith("data:image/svg+xml")) throw new Error("the follower chart is not an SVG image");
      await screenshot("web-dashboard.png");
      // Connecting Threads through the server: offered to a manager, with the callback to
      // register; this server speaks plain HTTP, so Threads' HTTPS rule is said plainly.
      await click('[data-testid="nav-accounts"]');
      await waitFor("the Threads card", () => exists('[data-testid="threads-server-card"]'), 20_000);
      const callback = await text('[data-testid="threads-server-callback"]');
      if (callback !== `${base.replace("http://", "https://")}/oauth/threads/callback`) {
        throw new Error(`the Threads callback shown is ${callback}`);
      }
      await type('[data-testid="threads-server-id"]', "threads-app-id");
      await type('[data-testid="threads-server-secret"]', "threads-app-secret");
      await click('[data-testid="threads-server-start"]');
      await waitFor("the HTTPS refusal", () => exists('[data-testid="threads-server-refusal"]'), 20_000);
      const refusal = await text('[data-testid="threads-server-refusal"]');
      if (!refusal.includes("HTTPS")) throw new Error(`the Threads refusal says ${refusal}`);
      await screenshot("web-accounts-threads.png");
    });

    await check("the admin lists people and makes an API token shown once", async () => {
      await signOut();
      await signIn("admin");
      await click('[data-testid="nav-admin"]');
      await waitFor("the people", async () => (await findAll('[data-testid="person-row"]')).length === 3, 20_000);
      await type('[data-testid="token-name"]', "Power BI");
      await click('[data-testid="token-submit"]');
      await waitFor("the token's secret", () => exists('[data-testid="token-secret"] code'), 20_000);
      const secret = await text('[data-testid="token-secret"] code');
      const res = await fetch(`${base}/api/v1/accounts`, { headers: { authorization: `Bearer ${secret}` } });
      if (res.status !== 200) throw new Error(`the new token is refused: ${res.status}`);
      await waitFor("the token listed as used", async () => {
        await click('[data-testid="nav-dashboard"]');
        await click('[data-testid="nav-admin"]');
        await waitFor("the token row", () => exists('[data-testid="token-row"][data-name="Power BI"]'), 10_000);
        return (await text('[data-testid="token-row"][data-name="Power BI"] td:nth-child(4)')) !== "never";
      }, 20_000, 1000);
      await screenshot("web-admin.png");
    });

    await check("an XLSX export downloads", async () => {
      await click('[data-testid="nav-exports"]');
      await waitFor("the download links", () => exists('[data-testid="export-download-xlsx"]'), 20_000);
      const href = await js("return document.querySelector('[data-testid=\"export-download-xlsx\"]').href");
      const answer = await wd("POST", s("/execute/async"), {
        script:
          "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => done([r.status, r.headers.get('content-type'), r.headers.get('content-disposition')]), e => done([0, String(e), null]));",
        args: [href],
      });
      if (answer[0] !== 200 || answer[1] !== XLSX) throw new Error(`the export link answered ${JSON.stringify(answer)}`);
      await click('[data-testid="export-download-xlsx"]');
      const file = await waitFor(
        "the downloaded workbook",
        () => readdirSync(downloads).find((f) => f.endsWith(".xlsx")),
        60_000,
        500,
      );
      const path = join(downloads, file);
      const size = statSync(path).size;
      if (size < 1000 || !zipMagic(path)) throw new Error(`${file} is not an XLSX workbook (${size} bytes)`);
      console.log(`    downloaded ${file} (${size} bytes)`);
    });
  } finally {
    if (session) {
      await fetch(`${wdBase}/session/${session.sessionId}`, { method: "DELETE", signal: AbortSignal.timeout(10_000) }).catch(() => {});
    }
    for (const child of children.reverse()) child.kill("SIGTERM");
    await sleep(500);
    rmSync(tmp, { recursive: true, force: true });
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`web e2e: ${results.length - failed} passed, ${failed} failed`);
  return failed === 0 && results.length === 6;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e) => {
    console.error(`web e2e: ${e.message}`);
    const passed = results.filter((r) => r.ok).length;
    console.log(`web e2e: ${passed} passed, ${Math.max(1, results.length - passed)} failed`);
    process.exit(1);
  },
);
