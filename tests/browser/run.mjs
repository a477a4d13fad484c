// `npm run test:browser`: builds what the browser tests load (the bundle, the two sample apps),
// then runs tests/browser/*.spec.mjs with node:test, one file at a time, and prints the summary.
// Expects the library to be built (`npm run build`, which `npm ci` runs through `prepare`).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function step(what, cmd, args) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`test:browser: ${what} failed (exit ${r.status})`);
    process.exit(1);
  }
  console.log(`test:browser: ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

if (!existsSync(chromium)) {
  console.error(`test:browser: no Chromium at ${chromium} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  process.exit(1);
}
if (!existsSync(join(root, "dist", "index.js"))) {
  console.error("test:browser: dist/index.js is missing; run `npm run build` first");
  process.exit(1);
}
step("bundle", process.execPath, [join(root, "scripts", "build-bundle.mjs"), "--quiet"]);
step("esbuild sample", process.execPath, [join(root, "examples", "bundlers", "esbuild", "build.mjs")]);
step("vite sample", process.execPath, [join(root, "node_modules", "vite", "bin", "vite.js"), "build", join("examples", "bundlers", "vite"), "--logLevel", "warn"]);

const specs = readdirSync(here).filter((f) => f.endsWith(".spec.mjs")).map((f) => join(here, f));
const r = spawnSync(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=spec", ...specs], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
