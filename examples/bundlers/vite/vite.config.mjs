// Vite builds the sample into ./dist with relative asset URLs, so it can be served from any path.
import { defineConfig } from "vite";

export default defineConfig({
  base: "./",
  logLevel: "warn",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
});
