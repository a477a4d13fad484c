// Vite builds the sample into ./dist with relative asset URLs, so it can be served from any path.
import { defineConfig } from "vite";

// The two headers that make the page cross-origin isolated, so simdnet can share WebAssembly
// memory with worker threads (engine.threads > 1); without them it runs on one thread and says
// why in engine.fallback. `vite` (dev) and `vite preview` both send them.
const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export default defineConfig({
  base: "./",
  server: { headers: isolation },
  preview: { headers: isolation },
  logLevel: "warn",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
});
