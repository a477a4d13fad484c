// Shared set-up of the browser tests: one headless Chromium (Debian's /usr/bin/chromium, or
// CHROMIUM_PATH) driven by playwright-core, one demo server on a free port, and pages that
// record console errors and uncaught exceptions so every test can assert there were none.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "../../examples/web/server.mjs";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Screenshots go here (gitignored). */
export const shotDir = join(root, "tests", "browser", "screenshots");

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/**
 * Starts the server and the browser. Returns { url, newPage, close }; newPage() gives
 * { page, errors } where errors collects console errors, page errors and failed requests.
 */
export async function setUp() {
  mkdirSync(shotDir, { recursive: true });
  const server = await startServer({ port: 0 });
  const userDataDir = mkdtempSync(join(tmpdir(), "simdnet-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  // A missing element should fail a test in seconds, not after Playwright's default 30 s.
  context.setDefaultTimeout(10_000);
  const pages = [];
  return {
    url: server.url,
    async newPage() {
      const page = await context.newPage();
      const errors = [];
      page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
      page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
      page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
      page.on("response", (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
      // Workers log to the page's console too in Chromium; their uncaught errors reach worker.onerror.
      pages.push(page);
      return { page, errors };
    },
    async close() {
      await context.close();
      await server.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls fn (run in the page) until it returns a truthy value or the timeout passes; gives up
 * early when `errors` (a page's error list from newPage) is non-empty, so a broken page fails fast.
 */
export async function waitFor(page, fn, arg, { timeout = 60_000, interval = 250, errors = [] } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    if (Date.now() > end || errors.length > 0) return value;
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Fails with the collected errors (console, page, network) if there are any. */
export function assertNoErrors(errors, where) {
  assert.deepEqual(errors, [], `${where}: errors in the browser:\n${errors.join("\n")}`);
}
