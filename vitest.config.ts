import { defineConfig } from "vitest/config";
import { relaxedSimdNodeFlags } from "./scripts/node-flags.mjs";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Forks (child processes) so that the relaxed-SIMD flag reaches V8 where it is needed: Node 20
    // enables relaxed SIMD only behind --experimental-wasm-relaxed-simd (the tests compare that
    // build too), while Node ≥ 22 has it already and refuses to start with the flag.
    pool: "forks",
    // --expose-gc: the memory tests (tests/safety) collect garbage to prove dropped models are reclaimed and fit's heap stays flat.
    poolOptions: { forks: { execArgv: [...relaxedSimdNodeFlags(), "--expose-gc"] } },
    testTimeout: 60_000,
  },
});
