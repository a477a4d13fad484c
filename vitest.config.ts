import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Forks (child processes) so that the relaxed-SIMD flag reaches V8: Node 20 only enables
    // relaxed SIMD behind --experimental-wasm-relaxed-simd, and the tests compare that build too.
    pool: "forks",
    // --expose-gc: the memory tests (tests/safety) collect garbage to prove dropped models are reclaimed and fit's heap stays flat.
    poolOptions: { forks: { execArgv: ["--experimental-wasm-relaxed-simd", "--expose-gc"] } },
    testTimeout: 60_000,
  },
});
