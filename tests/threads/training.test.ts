// 50 training steps of the C1 network (src/presets.ts) give bit-identical losses, parameters and
// gradients for 1, 2, 3 and 4 threads, with the real work thresholds; threaded training
// allocates nothing after the first step.
import { describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import { detectWasmFeatures } from "../../src/backend/wasm/features.js";
import { Adam } from "../../src/optim/index.js";
import { buildPreset, getPreset, presetLoss } from "../../src/presets.js";
import { manualSeed } from "../../src/nn/index.js";
import { TestRandom } from "../helpers/random.js";
import { posted } from "./helpers.js";

const BACKENDS = detectWasmFeatures().relaxedSimd ? (["wasm-simd", "wasm-relaxed-simd"] as const) : (["wasm-simd"] as const);

/** Trains C1 for `steps` steps on fixed random batches; returns loss bits per step and final parameter/gradient bits. */
function trainC1(engine: Engine, steps: number): { losses: number[]; params: Uint32Array[]; allocsAfterFirst: number } {
  manualSeed(7);
  const preset = getPreset("c1");
  const model = buildPreset(preset, { engine });
  const loss = presetLoss(preset, { engine });
  const opt = new Adam(model, { lr: 1e-3 });
  const rnd = new TestRandom(11);
  const batches = [0, 1, 2].map(() => ({
    x: engine.tensor(rnd.floats(32 * 784, 0, 1), [32, 1, 28, 28]),
    y: engine.tensor(rnd.ints(32, 0, 9), [32]),
  }));
  const losses: number[] = [];
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  let allocs = 0;
  const a = engine.allocator;
  const alloc = a.alloc.bind(a);
  for (let s = 0; s < steps; s++) {
    if (s === 1) a.alloc = (bytes: number) => { allocs++; return alloc(bytes); };
    const b = batches[s % 3]!;
    opt.zeroGrad();
    f64[0] = loss.forward(model.forward(b.x), b.y);
    losses.push(u32[0]!, u32[1]!);
    model.backward(loss.backward());
    opt.step();
  }
  a.alloc = alloc;
  const params = model.parameters().flatMap((p) => [new Uint32Array(p.data.toArray().buffer), new Uint32Array(p.grad.toArray().buffer)]);
  return { losses, params, allocsAfterFirst: allocs };
}

describe("C1 training with threads", () => {
  for (const backend of BACKENDS) {
    it(`50 steps on ${backend}: identical bits for 1–4 threads, no allocation after the first step`, async () => {
      const results: ReturnType<typeof trainC1>[] = [];
      for (const threads of [1, 2, 3, 4]) {
        const engine = await createEngine({ backend, threads });
        expect(engine.threads).toBe(threads);
        const r = trainC1(engine, 50);
        if (threads > 1) expect(posted(engine), "shares given to workers").toBeGreaterThan(50);
        expect(r.allocsAfterFirst, `allocations after the first step with ${threads} threads`).toBe(0);
        results.push(r);
        engine.dispose();
      }
      for (const r of results.slice(1)) {
        expect(r.losses).toEqual(results[0]!.losses);
        expect(r.params.length).toBe(results[0]!.params.length);
        r.params.forEach((p, i) => expect(Array.from(p), `parameter/gradient ${i}`).toEqual(Array.from(results[0]!.params[i]!)));
      }
    }, 120_000);
  }
});
