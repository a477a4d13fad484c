// npm run bench [-- --only kernels|train|epoch --filter <text> --time <ms> --stat median|min --clock wall|cpu --quick --json]
// Bundles bench/main.ts with every bench/cases/<family>.ts (and bench/train.ts when it exists) into
// build/bench.mjs (esbuild), then runs it in a child Node with --experimental-wasm-relaxed-simd, so
// that Node 20 measures the relaxed SIMD build too. A family adds kernel cases by adding
// bench/cases/<family>.ts exporting `cases`.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { relaxedSimdNodeFlags } from "../scripts/node-flags.mjs";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// GEMM first (the table the others are read against), then the families alphabetically.
const files = readdirSync(join(root, "bench", "cases")).filter((f) => f.endsWith(".ts"))
  .sort((a, b) => (a === "gemm.ts" ? -1 : b === "gemm.ts" ? 1 : a.localeCompare(b)));
const hasTrain = existsSync(join(root, "bench", "train.ts"));
const hasEpoch = hasTrain && existsSync(join(root, "bench", "epoch.ts"));
const entry = [
  `import { main } from "./bench/main.ts";`,
  ...(hasTrain ? [`import { runTrainingBench } from "./bench/train.ts";`] : []),
  ...(hasEpoch ? [`import { runEpochBench } from "./bench/epoch.ts";`] : []),
  ...files.map((f, i) => `import { cases as c${i} } from "./bench/cases/${f}";`),
  `await main([${files.map((f, i) => `{ family: ${JSON.stringify(f.replace(/\.ts$/, ""))}, cases: c${i} }`).join(", ")}], ` +
    `process.argv.slice(2), ${hasTrain ? "runTrainingBench" : "null"}, ${hasEpoch ? "runEpochBench" : "null"});`,
].join("\n");

const outfile = join(root, "build", `bench-${process.pid}.mjs`);
await build({
  stdin: { contents: entry, resolveDir: root, sourcefile: "bench-entry.ts", loader: "ts" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile,
  logLevel: "warning",
  // Packages stay imports of node_modules (tinybench, and whatever bench/train.ts uses).
  packages: "external",
});

// Only a runtime that does not validate relaxed SIMD on its own gets the flag (Node 20 needs it;
// Node ≥ 22 refuses it).
const flags = relaxedSimdNodeFlags();
let status = 1;
try {
  const child = spawnSync(process.execPath, [...flags, ...process.execArgv, outfile, ...process.argv.slice(2)], { stdio: "inherit" });
  status = child.status ?? 1;
} finally {
  rmSync(outfile, { force: true });
}
process.exit(status);
