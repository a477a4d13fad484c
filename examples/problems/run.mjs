#!/usr/bin/env node
// Runs one reference-problem script: `node examples/problems/run.mjs c1 [--seed 1 ...]`
// (or `npm run example -- c1 --seed 1`). The scripts are TypeScript importing src/ directly, so
// they need no build step: esbuild bundles the script with the library sources into
// node_modules/.cache (npm packages stay external and resolve from there) and Node runs it.
import { spawnSync } from "node:child_process";
import { build } from "esbuild";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { relaxedSimdNodeFlags } from "../../scripts/node-flags.mjs";

// Node 20 validates the relaxed-SIMD build (FMA) only behind a flag: re-run with it so the
// engine's "auto" choice can pick the fastest build, as vitest's config does (Node ≥ 22 needs no flag).
const flags = relaxedSimdNodeFlags();
if (flags.length > 0) {
  const r = spawnSync(process.execPath, [...flags, ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const here = dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
const scripts = readdirSync(here).filter((f) => /^[a-z]\d+\.ts$/.test(f)).map((f) => f.slice(0, -3)).sort();
if (name === undefined || !scripts.includes(name.toLowerCase())) {
  console.error(`usage: npm run example -- <problem> [options]\nproblems: ${scripts.join(", ")}`);
  process.exit(2);
}
const entry = join(here, `${name.toLowerCase()}.ts`);
const outfile = join(here, "..", "..", "node_modules", ".cache", "simdnet-examples", `${name.toLowerCase()}.mjs`);
await build({
  entryPoints: [entry],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "inline",
  outfile,
  logLevel: "warning",
});
if (!existsSync(outfile)) throw new Error(`esbuild wrote nothing to ${outfile}`);
process.env.SIMDNET_REPO = join(here, "..", "..");
// The script reads its own options from process.argv.slice(2).
process.argv.splice(2, 1);
await import(pathToFileURL(outfile).href);
