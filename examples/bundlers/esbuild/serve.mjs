// Development server for the esbuild sample with the two headers that turn on simdnet's kernel
// threads: esbuild's own server (ctx.serve) cannot add response headers, so a small proxy in
// front of it adds Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy, which make the
// page cross-origin isolated (SharedArrayBuffer, hence shared WebAssembly memory and workers).
//
//   node examples/bundlers/esbuild/serve.mjs [--port 8000]     then open http://localhost:8000/
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { createServer, request } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const i = process.argv.indexOf("--port");
const port = Number(i >= 0 ? process.argv[i + 1] : 8000);
mkdirSync(join(here, "dist"), { recursive: true });
copyFileSync(join(here, "index.html"), join(here, "dist", "index.html"));
const ctx = await esbuild.context({
  entryPoints: [join(here, "main.js")], bundle: true, format: "esm", platform: "browser", target: "es2022",
  outfile: join(here, "dist", "main.js"), logLevel: "warning",
});
const inner = await ctx.serve({ servedir: join(here, "dist"), host: "127.0.0.1" });

const ISOLATION = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
createServer((req, res) => {
  const upstream = request({ host: inner.host, port: inner.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, { ...r.headers, ...ISOLATION });
    r.pipe(res);
  });
  upstream.on("error", (e) => { res.writeHead(502); res.end(String(e)); });
  req.pipe(upstream);
}).listen(port, "127.0.0.1", () => console.log(`esbuild sample, cross-origin isolated: http://localhost:${port}/`));
