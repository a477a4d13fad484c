// npm run bench [-- --only kernels --filter <text> --time <ms> --json]
// Bundles bench/main.ts with every bench/cases/<family>.ts into build/bench.mjs (esbuild), then runs
// it in a child Node with --experimental-wasm-relaxed-simd, so that Node 20 measures the relaxed
// SIMD build too. A family adds cases by adding bench/cases/<family>.ts exporting `cases`.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const files = readdirSync(join(root, "bench", "cases")).filter((f) => f.endsWith(".ts")).sort();
const entry = [
  `import { main } from "./bench/main.ts";`,
  ...files.map((f, i) => `import { cases as c${i} } from "./bench/cases/${f}";`),
  `await main([${files.map((f, i) => `{ family: ${JSON.stringify(f.replace(/\.ts$/, ""))}, cases: c${i} }`).join(", ")}], process.argv.slice(2));`,
].join("\n");

const outfile = join(root, "build", "bench.mjs");
await build({
  stdin: { contents: entry, resolveDir: root, sourcefile: "bench-entry.ts", loader: "ts" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile,
  logLevel: "warning",
});

const child = spawnSync(process.execPath, ["--experimental-wasm-relaxed-simd", outfile, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(child.status ?? 1);
