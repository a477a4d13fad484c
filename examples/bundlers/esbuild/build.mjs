// Bundles the sample app with esbuild into ./dist (index.html, main.js and the training worker's
// script training-worker.js, a second entry point: esbuild leaves `new URL("./training-worker.js",
// import.meta.url)` as it is, so the worker file must land beside main.js under that name).
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, "dist"), { recursive: true });
await build({
  entryPoints: [join(here, "main.js"), join(here, "training-worker.js")],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  outdir: join(here, "dist"),
  logLevel: "warning",
});
copyFileSync(join(here, "index.html"), join(here, "dist", "index.html"));
console.log(`built ${join("examples", "bundlers", "esbuild", "dist")}`);
