import { describe, expect, it } from "vitest";
import * as lib from "../../src/node.js";
// @ts-expect-error -- plain ES module shared with the `npm run fuzz` harness (no type declarations)
import { makeTargets, TARGETS } from "../../scripts/fuzz/targets.mjs";

/**
 * The bounded fuzz run of `npm test`: 5 000 seeded cases per reader, in this test process (the
 * full run, `npm run fuzz`, puts each case in a worker with time and heap limits). Every case must
 * be accepted or refused with a SimdnetError; a failed model load must leave the engine's memory
 * as it was. A failure prints the target, case and seed: `npm run fuzz -- --target T --seed S --from I --cases 1 --verbose`.
 */
const CASES = 5000;
const SEED = 11;

describe("bounded fuzz run (issue 11)", () => {
  for (const target of TARGETS as string[]) {
    it(`${target}: ${CASES} cases, only SimdnetErrors`, async () => {
      const engine = await lib.createEngine({ backend: "wasm-simd" });
      const targets = makeTargets(lib, engine, SEED);
      const counts = { ok: 0, named: 0 };
      const others: string[] = [];
      try {
        for (let i = 0; i < CASES; i++) {
          try {
            const outcome = await targets[target](i);
            counts[outcome as "ok" | "named"]++;
          } catch (e) {
            others.push(`case ${i} (seed ${SEED}): ${(e as Error)?.name}: ${String((e as Error)?.message ?? e).slice(0, 300)}`);
            if (others.length >= 5) break;
          }
        }
      } finally {
        targets.cleanup();
      }
      expect(others).toEqual([]);
      expect(counts.ok + counts.named).toBe(CASES);
      // Structure-aware means both kinds occur: valid inputs that load and broken ones refused by name.
      expect(counts.named).toBeGreaterThan(CASES / 10);
      if (target !== "options") expect(counts.ok).toBeGreaterThan(CASES / 50);
    });
  }
});
