// Kernel threads in browsers (issue 10), on examples/web/threads.html: C1 training steps on one
// thread and on two, compared bit for bit.
// - Chromium (playwright-core): a cross-origin-isolated page runs 2 threads; the same page served
//   without COOP/COEP falls back to 1 and says why; a CSP without blob: workers falls back too.
// - Firefox ESR (/usr/bin/firefox-esr, headless): isolated, 2 threads; the page POSTs its result
//   to the test server (no automation protocol needed).
// - WebKitGTK (WebKitWebDriver under xvfb-run): reports crossOriginIsolated but has no
//   SharedArrayBuffer, so the engine runs 1 thread and names the reason.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startServer } from "../../examples/web/server.mjs";
import { setUp, waitFor } from "./harness.mjs";

const FIREFOX = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";
const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH ?? "/usr/bin/WebKitWebDriver";
const MINIBROWSER = process.env.MINIBROWSER_PATH ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

let env;
let reports;
let waiters = [];
before(async () => {
  env = await setUp();
  reports = await startServer({
    port: 0,
    onReport(result) {
      for (const w of waiters) w(result);
      waiters = [];
    },
  });
});
after(async () => {
  await env?.close();
  await reports?.close();
});

/** Resolves with the next result a page POSTs to the report server, or rejects after ms. */
function nextReport(ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no report within ${ms} ms`)), ms);
    waiters.push((r) => { clearTimeout(timer); resolve(r); });
  });
}

async function chromiumResult(query) {
  const { page, errors } = await env.newPage();
  await page.goto(`${env.url}threads.html?${query}`);
  await waitFor(page, () => document.body.dataset.done === "true", null, { timeout: 90_000, errors });
  return { result: await page.evaluate(() => window.threadsResult), errors };
}

test("Chromium: a cross-origin-isolated page trains on 2 threads, bit-identical to 1", async () => {
  const { result, errors } = await chromiumResult("threads=2&steps=6");
  assert.deepEqual(errors, []);
  assert.equal(result.error, undefined, result.error);
  assert.equal(result.isolated, true);
  assert.equal(result.backend, "wasm-relaxed-simd");
  assert.equal(result.threads, 2);
  assert.equal(result.fallback, null);
  assert.equal(result.identical, true, "1 and 2 threads give the same bits");
  assert.ok(result.losses[5] < result.losses[0], `it trains: ${result.losses.join(", ")}`);
});

test("Chromium: without cross-origin isolation, one thread and the reason", async () => {
  const { result, errors } = await chromiumResult("threads=2&steps=2&isolation=off");
  assert.deepEqual(errors, []);
  assert.equal(result.isolated, false);
  assert.equal(result.threads, 1);
  assert.match(result.fallback, /threads: running 1 of the 2 asked \(the page is not cross-origin isolated, so it has no SharedArrayBuffer/);
  assert.equal(result.identical, true);
});

test("Chromium: a Content-Security-Policy that forbids blob: workers falls back to one thread", async () => {
  const { page, errors } = await env.newPage();
  await page.goto(`${env.url}threads.html?threads=2&steps=2&csp=no-blob`);
  await waitFor(page, () => document.body.dataset.done === "true", null, { timeout: 90_000 });
  const result = await page.evaluate(() => window.threadsResult);
  assert.equal(result.threads, 1);
  assert.match(result.fallback, /threads: running 1 of the 2 asked \(.*worker/);
  assert.equal(result.identical, true);
  // The browser itself reports the CSP violation on the console; nothing else may fail.
  assert.deepEqual(errors.filter((e) => !/Content Security Policy|worker-src/i.test(e)), []);
});

test("Firefox ESR: a cross-origin-isolated page trains on 2 threads, bit-identical to 1", { timeout: 120_000 }, async () => {
  assert.ok(existsSync(FIREFOX), `Firefox ESR at ${FIREFOX} (apt-get install -y firefox-esr, or set FIREFOX_PATH)`);
  const profile = mkdtempSync(join(tmpdir(), "simdnet-firefox-"));
  writeFileSync(join(profile, "user.js"), [
    'user_pref("browser.shell.checkDefaultBrowser", false);',
    'user_pref("browser.startup.homepage_override.mstone", "ignore");',
    'user_pref("datareporting.policy.dataSubmissionEnabled", false);',
    'user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);',
    'user_pref("browser.aboutwelcome.enabled", false);',
    'user_pref("app.update.disabledForTesting", true);',
  ].join("\n"));
  const report = nextReport(100_000);
  const ff = spawn(FIREFOX, ["--headless", "--no-remote", "--profile", profile, `${reports.url}threads.html?threads=2&steps=4&report=1`], { stdio: "ignore" });
  try {
    const result = await report;
    assert.equal(result.error, undefined, result.error);
    assert.match(result.userAgent, /Firefox/);
    assert.equal(result.isolated, true);
    assert.equal(result.threads, 2);
    assert.equal(result.fallback, null);
    assert.match(result.backend, /^wasm-/);
    assert.equal(result.identical, true, "1 and 2 threads give the same bits");
  } finally {
    ff.kill("SIGTERM");
    await new Promise((r) => (ff.exitCode !== null ? r() : ff.once("exit", r)));
    rmSync(profile, { recursive: true, force: true });
  }
});

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function webdriver(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method, headers: { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(json)}`);
  return json.value;
}

test("WebKitGTK: crossOriginIsolated but no SharedArrayBuffer, so one thread and the reason", { timeout: 120_000 }, async () => {
  assert.ok(existsSync(WEBKIT_DRIVER), `WebKitWebDriver at ${WEBKIT_DRIVER} (apt-get install -y webkit2gtk-driver xvfb)`);
  assert.ok(existsSync(MINIBROWSER), `MiniBrowser at ${MINIBROWSER} (set MINIBROWSER_PATH)`);
  const port = await freePort();
  // Detached: xvfb-run starts Xvfb and the driver as its children; the whole group is ended below.
  const driver = spawn("xvfb-run", ["-a", WEBKIT_DRIVER, `--port=${port}`], { stdio: "ignore", detached: true });
  const base = `http://127.0.0.1:${port}`;
  let session = null;
  try {
    for (let i = 0; i < 100 && session === null; i++) {
      try {
        session = (await webdriver(base, "POST", "/session", {
          capabilities: { alwaysMatch: { "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] } } },
        })).sessionId;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    assert.ok(session, "WebKitWebDriver started a MiniBrowser session");
    await webdriver(base, "POST", `/session/${session}/url`, { url: `${env.url}threads.html?threads=2&steps=2` });
    let result = null;
    for (let i = 0; i < 200 && result === null; i++) {
      result = await webdriver(base, "POST", `/session/${session}/execute/sync`, { script: "return window.threadsResult ?? null", args: [] });
      if (result === null) await new Promise((r) => setTimeout(r, 300));
    }
    assert.ok(result, "the page finished");
    assert.equal(result.error, undefined, result.error);
    assert.match(result.userAgent, /AppleWebKit/);
    assert.equal(result.isolated, true);
    assert.equal(result.sharedArrayBuffer, false);
    assert.equal(result.threads, 1);
    assert.equal(result.fallback, "threads: running 1 of the 2 asked (this runtime has no SharedArrayBuffer)");
    assert.equal(result.identical, true);
  } finally {
    if (session !== null) await webdriver(base, "DELETE", `/session/${session}`).catch(() => {});
    try { process.kill(-driver.pid, "SIGTERM"); } catch { /* already gone */ }
  }
});
