// `npm run test:browser`: builds what the browser tests load, then runs tests/browser/*.spec.mjs
// with node:test and prints the summary. What it builds:
//   - the WASM builds, when src/backend/wasm/embedded.ts is missing or older than assembly/;
//   - the library (tsc → dist/), when dist/index.js is missing or older than src/ (the sample
//     apps import "simdnet", which resolves to dist/ through package.json "exports");
//   - always: the bundle (dist/simdnet.bundle*.js) and the esbuild and Vite sample apps.
// So it works on a clean checkout after `npm ci` and after editing src/ without a manual rebuild.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const t0 = Date.now();

function run(what, cmd, args, { mayFail = false } = {}) {
  const t = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    if (!mayFail) {
      console.error(`test:browser: ${what} failed (exit ${r.status})`);
      process.exit(1);
    }
    console.warn(`test:browser: ${what} exited with ${r.status}; continuing with the previous or partial output`);
  }
  console.log(`test:browser: ${what} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}

/** Newest modification time (ms) of the .ts files under dir, recursively. */
function newestTs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestTs(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether `output` is missing or older than the newest .ts under `sourceDir`. */
function stale(output, sourceDir) {
  return !existsSync(output) || statSync(output).mtimeMs < newestTs(sourceDir);
}

if (!existsSync(chromium)) {
  console.error(`test:browser: no Chromium at ${chromium} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  process.exit(1);
}
const node = process.execPath;
const embedded = join(root, "src", "backend", "wasm", "embedded.ts");
if (stale(embedded, join(root, "assembly"))) {
  // With an older build at hand, a failing compile (an assembly file mid-edit) only warns.
  run("WASM builds", node, [join(root, "scripts", "build-wasm.mjs")], { mayFail: existsSync(embedded) });
}
if (stale(join(root, "dist", "index.js"), join(root, "src"))) {
  run("library (tsc)", node, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { mayFail: true });
}
run("bundle", node, [join(root, "scripts", "build-bundle.mjs")]); // prints the sizes (gzip target 100 KB)
run("esbuild sample", node, [join(root, "examples", "bundlers", "esbuild", "build.mjs")]);
run("Vite sample", node, [join(root, "node_modules", "vite", "bin", "vite.js"), "build", join("examples", "bundlers", "vite"), "--logLevel", "warn"]);

const specs = readdirSync(here).filter((f) => f.endsWith(".spec.mjs")).map((f) => join(here, f));
// A hung page (page.evaluate has no timeout of its own) fails its test after 2 minutes.
const r = spawnSync(node, ["--test", "--test-concurrency=1", "--test-timeout=120000", "--test-reporter=spec", ...specs], { cwd: root, stdio: "inherit" });
console.log(`test:browser: ${r.status === 0 ? "passed" : "FAILED"} in ${((Date.now() - t0) / 1000).toFixed(1)} s (builds included)`);
process.exit(r.status ?? 1);
