// Bundles the sample app with esbuild into ./dist (index.html + main.js).
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, "dist"), { recursive: true });
await build({
  entryPoints: [join(here, "main.js")],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  outfile: join(here, "dist", "main.js"),
  logLevel: "warning",
});
copyFileSync(join(here, "index.html"), join(here, "dist", "index.html"));
console.log(`built ${join("examples", "bundlers", "esbuild", "dist")}`);
