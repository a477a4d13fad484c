import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine.js";
import { Linear, ReLU } from "../../src/nn/index.js";
import { SGD } from "../../src/optim/index.js";
import { Model } from "../../src/train/model.js";

/** vitest runs these files with --expose-gc (vitest.config.ts). */
const gc = (globalThis as { gc?: () => void }).gc;

/** Collects garbage and lets the FinalizationRegistry callbacks run (they are queued as tasks). */
async function collect(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 0));
  }
}

describe("models dropped without dispose() are reclaimed (issue 11 item 9)", () => {
  it("has gc exposed", () => {
    expect(typeof gc).toBe("function");
  });

  it("10 000 dropped models (with optimizers and activations) leave memory bounded", async () => {
    const engine = await createEngine({ backend: "wasm-simd" });
    const x = engine.zeros([64, 64]);
    await collect();
    const baseLive = engine.allocator.liveBytes;
    const oneModel = (() => {
      const before = engine.allocator.liveBytes;
      const m = new Model(new Linear(64, 8, { engine }), new ReLU({ engine }), new Linear(8, 2, { engine }));
      new SGD(m, { lr: 0.1, momentum: 0.9 });
      m.forward(x);
      const bytes = engine.allocator.liveBytes - before;
      m.dispose();
      return bytes;
    })();
    let peakMemory = 0;
    for (let i = 0; i < 10_000; i++) {
      const m = new Model(new Linear(64, 8, { engine }), new ReLU({ engine }), new Linear(8, 2, { engine }));
      const o = new SGD(m, { lr: 0.1, momentum: 0.9 });
      m.forward(x);
      void o;
      if (i % 250 === 249) {
        await collect();
        peakMemory = Math.max(peakMemory, engine.memory.buffer.byteLength);
      }
    }
    await collect();
    // Without reclamation: 10 000 × oneModel ≈ 60 MB live and in memory.
    expect(oneModel * 10_000).toBeGreaterThan(40e6);
    expect(engine.allocator.liveBytes).toBeLessThan(baseLive + 100 * oneModel);
    expect(peakMemory).toBeLessThan(1000 * oneModel); // 4× the models alive between collections
    // The reclaimed blocks are reused, and the engine still works.
    const m = new Model(new Linear(64, 2, { engine }));
    expect(m.forward(x).shape).toEqual([64, 2]);
  });

  it("dispose() unregisters: a disposed tensor's block is not released a second time by the collector", async () => {
    const engine = await createEngine({ backend: "js" });
    const live = engine.allocator.liveBytes;
    for (let i = 0; i < 1000; i++) engine.zeros([100]).dispose();
    const kept = engine.zeros([100]);
    await collect();
    // A double release would throw inside the finalizer (swallowed) or free `kept`'s block; it stays live.
    expect(engine.allocator.liveBytes).toBe(live + 448);
    expect(kept.data.length).toBe(100);
  });
});
