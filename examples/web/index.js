// The start page: shows whether the page is cross-origin isolated and which backend the bundle
// picks here. An external file, because the demo server's Content-Security-Policy forbids inline scripts.
import { createEngine, detectWasmFeatures } from "/dist/simdnet.bundle.js";

const out = document.getElementById("isolation");
out.textContent = `crossOriginIsolated: ${self.crossOriginIsolated} (SharedArrayBuffer ${typeof SharedArrayBuffer === "function" ? "available" : "unavailable"})`;
const features = detectWasmFeatures();
// createEngine() falls back on its own when the runtime refuses to compile WASM (e.g. a
// Content-Security-Policy without 'wasm-unsafe-eval': try index.html?csp=no-wasm) and says why in
// `engine.fallback`; the plain JS kernels need no WebAssembly.
const engine = await createEngine();
out.textContent += ` · backend: ${engine.backend}`;
if (engine.fallback) {
  out.textContent += ` (WASM SIMD ${features.simd ? "validates" : "is missing"}, but ${engine.fallback})`;
}
out.textContent += ` · threads: ${engine.threads}`;
engine.dispose();
