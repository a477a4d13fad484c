import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Forks (child processes) so that the relaxed-SIMD flag reaches V8: Node 20 only enables
    // relaxed SIMD behind --experimental-wasm-relaxed-simd, and the tests compare that build too.
    pool: "forks",
    poolOptions: { forks: { execArgv: ["--experimental-wasm-relaxed-simd"] } },
    testTimeout: 60_000,
  },
});
