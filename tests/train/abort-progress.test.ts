import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import { makeMoons } from "../../src/data/index.js";
import { Linear, manualSeed, Tanh } from "../../src/nn/index.js";
import { SGD } from "../../src/optim/index.js";
import { fit, Model, type FitProgress } from "../../src/train/index.js";

let js: Engine;
beforeAll(async () => {
  js = await createEngine({ backend: "js" });
});

function net(seed: number): Model {
  manualSeed(seed);
  return new Model(new Linear(2, 8, { engine: js }), new Tanh({ engine: js }), new Linear(8, 2, { engine: js }));
}

const ds = makeMoons(200, 0.1, { rng: 3 });

describe("fit signal", () => {
  it("yields every yieldEvery ms across epochs shorter than that, so an abort from a timer gets in", async () => {
    // Epochs of 4 tiny batches take well under the 5 ms period: counting it per epoch never yielded
    // (fitInWorker trained all 100 000 epochs of a Chromium test before it saw the abort message).
    const model = net(2);
    const small = makeMoons(8, 0.1, { rng: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const h = await fit(model, small.x, small.y, {
      epochs: 1_000_000, batchSize: 2, optimizer: new SGD(model, { lr: 0.01 }), signal: controller.signal, yieldEvery: 5,
    });
    expect(h.stopped?.reason).toBe("aborted");
    expect(h.epochs.length).toBeLessThan(1_000_000);
  });

  it("stops after the batch during which it was aborted, keeps the weights, frees its buffers", async () => {
    const model = net(1);
    const controller = new AbortController();
    const optimizer = new SGD(model, { lr: 0.1 });
    // The layers keep their activation buffers per batch size: let them exist before counting.
    await fit(model, ds.x, ds.y, { epochs: 1, batchSize: 20, optimizer: new SGD(model, { lr: 0 }) });
    const live = js.allocator.liveBytes;
    let batches = 0;
    const h = await fit(model, ds.x, ds.y, {
      epochs: 5, batchSize: 20, optimizer,
      callbacks: [{ onBatchEnd: (s) => { batches++; if (s.epoch === 2 && s.batch === 3) controller.abort(); } }],
      signal: controller.signal,
    });
    expect(batches).toBe(10 + 3);
    expect(h.stopped?.reason).toBe("aborted");
    expect(h.stopped?.message).toBe("the signal was aborted at step 13 (epoch 2, batch 3)");
    expect(h.epochs.length).toBe(2);
    expect(js.allocator.liveBytes).toBe(live);
    // The same 13 steps without a signal give the same weights: abort stops, it does not undo.
    const ref = net(1);
    await fit(ref, ds.x, ds.y, { epochs: 1, batchSize: 20, optimizer: new SGD(ref, { lr: 0 }) });
    await fit(ref, ds.x, ds.y, {
      epochs: 2, batchSize: 20, optimizer: new SGD(ref, { lr: 0.1 }),
      callbacks: [{ onBatchEnd: (s) => { if (s.epoch === 2 && s.batch === 3) s.stopTraining = true; } }],
    });
    expect(Array.from(model.parameters()[0]!.data.f32)).toEqual(Array.from(ref.parameters()[0]!.data.f32));
    model.dispose();
    ref.dispose();
  });

  it("an already aborted signal trains nothing; an abort from a timer arrives when fit yields", async () => {
    const model = net(2);
    const before = Array.from(model.parameters()[0]!.data.f32);
    const h = await fit(model, ds.x, ds.y, { epochs: 3, signal: AbortSignal.abort() });
    expect(h.stopped?.reason).toBe("aborted");
    expect(h.epochs.length).toBe(0);
    expect(Array.from(model.parameters()[0]!.data.f32)).toEqual(before);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0);
    const h2 = await fit(model, ds.x, ds.y, { epochs: 1000, batchSize: 10, yieldEvery: 0, signal: controller.signal });
    expect(h2.stopped?.reason).toBe("aborted");
    expect(h2.epochs.length).toBeLessThan(1000);
    model.dispose();
  });

  it("rejects what is not a signal, and bad progress options, by name", async () => {
    const model = net(3);
    await expect(fit(model, ds.x, ds.y, { signal: { aborted: "no" } as unknown as AbortSignal })).rejects.toThrow('fit signal: expected an AbortSignal, got {"aborted":"no"}');
    await expect(fit(model, ds.x, ds.y, { onProgress: 5 as unknown as () => void })).rejects.toThrow("fit onProgress: expected a function (progress) => void, got 5");
    await expect(fit(model, ds.x, ds.y, { progressEvery: { batches: 0 } })).rejects.toThrow("fit progressEvery.batches: expected a positive integer, got 0");
    await expect(fit(model, ds.x, ds.y, { progressEvery: { every: 1 } as never })).rejects.toThrow('fit progressEvery: unknown option "every" (expected one of ms, batches)');
    await expect(fit(model, ds.x, ds.y, { progressEvery: { ms: -1 } })).rejects.toThrow("fit progressEvery.ms: expected a number of milliseconds ≥ 0, got -1");
    model.dispose();
  });
});

describe("fit onProgress", () => {
  it("every N batches and at the end of each epoch, with the running epoch figures", async () => {
    const model = net(4);
    const seen: FitProgress[] = [];
    let same: FitProgress | null = null;
    const h = await fit(model, ds.x, ds.y, {
      epochs: 2, batchSize: 20, progressEvery: { batches: 4 },
      onProgress: (p) => { same ??= p; expect(p).toBe(same); seen.push({ ...p }); },
    });
    expect(seen.map((p) => `${p.epoch}:${p.batch}`)).toEqual(["1:4", "1:8", "1:10", "2:4", "2:8", "2:10"]);
    expect(seen[2]!.loss).toBeCloseTo(h.history.loss[0]!, 12);
    expect(seen[5]!.accuracy).toBeCloseTo(h.history.accuracy[1]!, 12);
    expect(seen[5]!.step).toBe(20);
    expect(seen[0]).toMatchObject({ epochs: 2, batches: 10 });
    model.dispose();
  });

  it("every 0 ms is every batch; an async hook is awaited", async () => {
    const model = net(5);
    let calls = 0;
    let inHook = false;
    await fit(model, ds.x, ds.y, {
      epochs: 1, batchSize: 50, progressEvery: { ms: 0 },
      callbacks: [{ onBatchEnd: () => expect(inHook).toBe(false) }],
      onProgress: async () => { inHook = true; calls++; await new Promise((r) => setTimeout(r, 1)); inHook = false; },
    });
    expect(calls).toBe(4);
    model.dispose();
  });
});
