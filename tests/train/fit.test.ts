import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import { makeMoons, trainTestSplit } from "../../src/data/index.js";
import {
  BatchNorm2d, Conv2d, Dropout, Flatten, Linear, manualSeed, MaxPool2d, ReLU, Sequential, Tanh, type Module,
} from "../../src/nn/index.js";
import { Adam, ReduceLROnPlateau, SGD, StepLR } from "../../src/optim/index.js";
import { asModel, evaluate, fit, Model, predict, predictClasses, type Callback, type TrainState } from "../../src/train/index.js";
import { assertClose, testEngines } from "../helpers/engines.js";
import { TestRandom } from "../helpers/random.js";

let js: Engine;
let wasm: Engine;
beforeAll(async () => {
  const e = await testEngines();
  js = e.js;
  wasm = e.wasm[0]!;
});

/** 2-16-16-2 tanh MLP, initialised from `seed`. */
function moonsNet(engine: Engine, seed: number): Model {
  manualSeed(seed);
  return new Model(
    new Linear(2, 16, { engine }), new Tanh({ engine }), new Linear(16, 16, { engine }), new Tanh({ engine }), new Linear(16, 2, { engine }),
  );
}

/** A small CNN with every kind of buffer (conv work, batch norm statistics, dropout masks, pooling indices). */
function smallCnn(engine: Engine, seed: number): Module {
  manualSeed(seed);
  return new Sequential(
    new Conv2d(1, 4, 3, { engine, padding: 1 }), new BatchNorm2d(4, { engine }), new ReLU({ engine }), new MaxPool2d(2, { engine }),
    new Dropout(0.25, { engine }), new Flatten({ engine }), new Linear(4 * 3 * 3, 3, { engine }),
  );
}

/** 3-class images 1×6×6: the class decides which third of the rows is bright. */
function stripes(n: number, seed: number): { x: { data: Float32Array; shape: number[] }; y: Int32Array } {
  const r = new TestRandom(seed);
  const data = new Float32Array(n * 36);
  const y = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const c = r.int(0, 2);
    y[s] = c;
    for (let i = 0; i < 36; i++) data[s * 36 + i] = r.uniform(-0.5, 0.5) + (Math.floor(i / 12) === c ? 1 : 0);
  }
  return { x: { data, shape: [n, 1, 6, 6] }, y };
}

function weights(model: Module): Float32Array[] {
  return [...model.parameters().map((p) => p.data.f32.slice()), ...model.buffers().map((b) => b.f32.slice())];
}

describe("fit reaches known outcomes", () => {
  it("make-moons (1000 points, noise 0.1), 2-16-16-2 tanh, Adam 0.01: ≥ 97 % test accuracy", async () => {
    const ds = makeMoons(1000, 0.1, { rng: 3 });
    const { train, test } = trainTestSplit(ds, 0.3, { rng: 4 });
    const model = moonsNet(wasm, 1);
    const history = await model.fit(train.x, train.y, { epochs: 30, batchSize: 16, optimizer: new Adam(model, { lr: 0.01 }), validationSplit: 0.1, seed: 5 });
    expect(history.epochs).toHaveLength(30);
    expect(history.history.loss).toHaveLength(30);
    expect(history.stopped).toBeNull();
    // Loss falls and the training accuracy is reported.
    expect(history.history.loss[29]!).toBeLessThan(history.history.loss[0]! / 4);
    expect(history.epochs[29]!.accuracy).toBeGreaterThan(0.97);
    expect(history.epochs[29]!.valAccuracy).toBeGreaterThan(0.95);
    const result = model.evaluate(test.x, test.y);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.97);
    // evaluate's accuracy is the argmax of predict's outputs.
    const classes = model.predictClasses(test.x);
    let hits = 0;
    for (let i = 0; i < test.n; i++) if (classes[i] === test.y[i]) hits++;
    expect(result.accuracy).toBe(hits / test.n);
    expect(model.predict(test.x)).toHaveLength(test.n * 2);
    expect(model.training).toBe(true);
  });

  it("regression with Float32Array targets uses MSELoss and reports no accuracy", async () => {
    manualSeed(2);
    const model = new Sequential(new Linear(1, 8, { engine: wasm }), new Tanh({ engine: wasm }), new Linear(8, 1, { engine: wasm }));
    const r = new TestRandom(9);
    const x = r.floats(256, -1, 1);
    const y = x.map((v) => 0.5 * v * v - 0.2);
    const h = await fit(model, x, y, { epochs: 40, batchSize: 32, optimizer: new Adam(model, { lr: 0.02 }) });
    expect(Number.isNaN(h.epochs[0]!.accuracy)).toBe(true);
    expect(h.history.loss[39]!).toBeLessThan(0.002);
    const e = evaluate(model, x, y);
    expect(e.loss).toBeLessThan(0.002);
    expect(Number.isNaN(e.accuracy)).toBe(true);
  });

  it("a small CNN on { data, shape } images learns its three classes", async () => {
    const model = smallCnn(wasm, 3);
    const train = stripes(300, 1);
    const test = stripes(100, 2);
    const h = await fit(model, train.x, train.y, { epochs: 5, batchSize: 32, optimizer: new Adam(model, { lr: 0.01 }), validationData: [test.x, test.y] });
    expect(h.epochs[4]!.valAccuracy).toBeGreaterThan(0.95);
    expect(evaluate(model, test.x, test.y).accuracy).toBe(h.epochs[4]!.valAccuracy);
  });
});

describe("determinism", () => {
  it("same seed and backend: bit-identical weights after an epoch (js and wasm, with dropout and shuffling)", async () => {
    for (const engine of [js, wasm]) {
      const data = stripes(100, 7);
      const run = async (fitSeed: number) => {
        const model = smallCnn(engine, 11);
        await fit(model, data.x, data.y, { epochs: 1, batchSize: 16, seed: fitSeed, optimizer: new Adam(model, { lr: 0.01 }) });
        const w = weights(model);
        model.dispose();
        return w;
      };
      const a = await run(42);
      const b = await run(42);
      const c = await run(43);
      a.forEach((t, i) => expect(t, `${engine.backend} tensor ${i}`).toEqual(b[i]));
      // A different fit seed changes the shuffle and the masks, hence the weights.
      expect(a.some((t, i) => t.some((v, j) => v !== c[i]![j]))).toBe(true);
    }
  });

  it("every WASM build vs js: the same weights after one epoch within 1e-4 relative", async () => {
    const ds = makeMoons(200, 0.1, { rng: 1 });
    const runs: Float32Array[][] = [];
    for (const engine of [js, ...(await testEngines()).wasm]) {
      const model = moonsNet(engine, 4);
      const h = await fit(model, ds.x, ds.y, { epochs: 1, batchSize: 8, seed: 1, optimizer: new SGD(model, { lr: 0.1, momentum: 0.9 }) });
      expect(h.epochs).toHaveLength(1);
      runs.push(weights(model));
      model.dispose();
    }
    // 25 SGD steps; the SIMD gemm sums in another order than the JS reference (≈ 1e-7 relative
    // per dot product), and momentum carries those differences along. Measured worst: 1.5e-7
    // absolute on weights of order 0.1–1, so atol 1e-6 leaves a margin of ~7.
    for (const run of runs.slice(1)) runs[0]!.forEach((t, i) => assertClose(run[i]!, t, { rtol: 1e-4, atol: 1e-6 }, `parameter ${i}`));
  });
});

describe("steady state allocates nothing", () => {
  /** Records allocator and memory figures after every batch into preallocated arrays. */
  class MemoryProbe implements Callback {
    readonly live: Float64Array;
    readonly blocks: Float64Array;
    readonly memory: Float64Array;
    readonly epochEnd: [number, number, number][] = [];
    constructor(readonly engine: Engine, steps: number) {
      this.live = new Float64Array(steps + 1);
      this.blocks = new Float64Array(steps + 1);
      this.memory = new Float64Array(steps + 1);
    }
    onBatchEnd(s: TrainState): void {
      const a = this.engine.allocator;
      this.live[s.step] = a.liveBytes;
      this.blocks[s.step] = a.liveBlocks;
      this.memory[s.step] = a.memoryBytes;
    }
    onEpochEnd(): void {
      const a = this.engine.allocator;
      this.epochEnd.push([a.liveBytes, a.liveBlocks, a.memoryBytes]);
    }
  }

  it("CNN, n a multiple of batchSize: from step 2 on, live bytes, blocks and memory size never change", async () => {
    for (const engine of [js, wasm]) {
      const model = smallCnn(engine, 5);
      const data = stripes(64, 3);
      const optimizer = new Adam(model, { lr: 0.001 });
      const probe = new MemoryProbe(engine, 4 * 4);
      await fit(model, data.x, data.y, { epochs: 4, batchSize: 16, optimizer, callbacks: [probe] });
      for (let s = 2; s <= 16; s++) {
        expect(probe.live[s], `${engine.backend} step ${s}`).toBe(probe.live[1]);
        expect(probe.blocks[s]).toBe(probe.blocks[1]);
        expect(probe.memory[s]).toBe(probe.memory[1]);
      }
    }
  });

  it("MLP over 1000 steps: live bytes, blocks and memory size never change after the first step", async () => {
    const ds = makeMoons(1600, 0.1, { rng: 8 });
    for (const engine of [js, wasm]) {
      const model = moonsNet(engine, 7);
      const probe = new MemoryProbe(engine, 1000);
      await fit(model, ds.x, ds.y, { epochs: 10, batchSize: 16, optimizer: new Adam(model, { lr: 0.01 }), callbacks: [probe] });
      let changed = 0;
      for (let s = 2; s <= 1000; s++) {
        if (probe.live[s] !== probe.live[1] || probe.blocks[s] !== probe.blocks[1] || probe.memory[s] !== probe.memory[1]) changed++;
      }
      expect(changed, engine.backend).toBe(0);
      model.dispose();
    }
  });

  it("with a short last batch and validation: every epoch from the 2nd repeats the same figures, step by step", async () => {
    for (const engine of [js, wasm]) {
      const model = smallCnn(engine, 6);
      const data = stripes(90, 4); // 81 training samples: 5 batches of 16 and one of 1; 9 validation samples
      const optimizer = new Adam(model, { lr: 0.001 });
      const probe = new MemoryProbe(engine, 6 * 5);
      const before = engine.allocator.liveBytes;
      await fit(model, data.x, data.y, { epochs: 5, batchSize: 16, validationSplit: 0.1, optimizer, callbacks: [probe] });
      for (let e = 2; e < 5; e++) {
        for (let b = 1; b <= 6; b++) {
          const s = e * 6 + b;
          expect(probe.live[s], `${engine.backend} epoch ${e + 1} batch ${b}`).toBe(probe.live[6 + b]);
          expect(probe.blocks[s]).toBe(probe.blocks[6 + b]);
          expect(probe.memory[s]).toBe(probe.memory[6 + b]);
        }
      }
      for (let e = 2; e < 5; e++) expect(probe.epochEnd[e]).toEqual(probe.epochEnd[1]);
      // fit, evaluate and predict free their batch tensors: repeating a call leaves the same live
      // bytes (what stays are the layers' buffers for the last batch shape they saw).
      expect(engine.allocator.liveBytes).toBeGreaterThan(before);
      for (const call of [() => evaluate(model, data.x, data.y, { batchSize: 16 }), () => predict(model, data.x, { batchSize: 16 })]) {
        call();
        const live = engine.allocator.liveBytes;
        const memory = engine.allocator.memoryBytes;
        call();
        expect(engine.allocator.liveBytes).toBe(live);
        expect(engine.allocator.memoryBytes).toBe(memory);
      }
      model.dispose();
      optimizer.dispose();
    }
  });
});

describe("options", () => {
  it("StepLR steps once per epoch and the log holds the lr each epoch used", async () => {
    const ds = makeMoons(64, 0.1, { rng: 2 });
    const model = moonsNet(wasm, 2);
    const optimizer = new SGD(model, { lr: 0.1 });
    const h = await fit(model, ds.x, ds.y, { epochs: 3, batchSize: 16, optimizer, scheduler: new StepLR(optimizer, { stepSize: 1, gamma: 0.5 }) });
    expect(h.history.lr).toEqual([0.1, 0.05, 0.025]);
    expect(optimizer.lr).toBe(0.0125);
  });

  it("ReduceLROnPlateau gets the validation loss (the training loss without validation)", async () => {
    class Spy extends ReduceLROnPlateau {
      readonly seen: number[] = [];
      override step(metric: number): void {
        this.seen.push(metric);
        super.step(metric);
      }
    }
    const ds = makeMoons(80, 0.1, { rng: 2 });
    for (const validationSplit of [0.25, 0]) {
      const model = moonsNet(wasm, 2);
      const optimizer = new SGD(model, { lr: 0.1 });
      // threshold 0.9999 (relative): only a 10⁴-fold drop would count as better, so after the first
      // epoch (better than the initial +∞) and with patience 0 every epoch halves the lr.
      const spy = new Spy(optimizer, { patience: 0, factor: 0.5, threshold: 0.9999 });
      const h = await fit(model, ds.x, ds.y, { epochs: 3, batchSize: 16, optimizer, scheduler: spy, validationSplit });
      expect(spy.seen).toEqual(validationSplit > 0 ? h.history.valLoss : h.history.loss);
      expect(h.history.lr).toEqual([0.1, 0.1, 0.05]);
    }
  });

  it("validationSplit holds out the LAST samples, before shuffling (Keras)", async () => {
    const ds = makeMoons(100, 0.1, { rng: 2 });
    const model = moonsNet(wasm, 2);
    const h = await fit(model, ds.x, ds.y, { epochs: 1, batchSize: 16, validationSplit: 0.2 });
    const e = evaluate(model, ds.x.subarray(160), ds.y.subarray(80), { batchSize: 16 });
    expect(h.epochs[0]!.valLoss).toBeCloseTo(e.loss, 6);
    expect(h.epochs[0]!.valAccuracy).toBe(e.accuracy);
    // Keras' split point int(n · (1 − split)): 10 · 0.7 = 7 training samples, although 10 · 0.3 is
    // 3.0000000000000004 in floating point.
    let samples = 0;
    await fit(model, ds.x.subarray(0, 20), ds.y.subarray(0, 10), { validationSplit: 0.3, callbacks: [{ onTrainBegin: (s) => void (samples = s.samples) }] });
    expect(samples).toBe(7);
  });

  it("string optimizer and loss names, metrics [] and dropLast", async () => {
    const ds = makeMoons(100, 0.1, { rng: 2 });
    const model = moonsNet(wasm, 2);
    const live = wasm.allocator.liveBytes;
    const h = await fit(model, ds.x, ds.y, { epochs: 2, batchSize: 16, optimizer: "sgd", loss: "CrossEntropyLoss", metrics: [], dropLast: true });
    expect(Number.isNaN(h.epochs[0]!.accuracy)).toBe(true);
    const batches: number[] = [];
    await fit(model, ds.x, ds.y, { epochs: 1, batchSize: 16, dropLast: true, callbacks: [{ onBatchEnd: (s) => void batches.push(s.batchSize) }] });
    expect(batches).toEqual([16, 16, 16, 16, 16, 16]);
    // The optimizer made from a name is disposed at the end; only layer buffers remain.
    expect(wasm.allocator.liveBytes).toBeGreaterThanOrEqual(live);
  });

  it("augment changes every training batch in place with the loader's seeded generator", async () => {
    const ds = makeMoons(100, 0.1, { rng: 2 });
    const run = async () => {
      const model = moonsNet(wasm, 2);
      const sizes: number[] = [];
      const draws: number[] = [];
      await fit(model, ds.x, ds.y, {
        epochs: 2, batchSize: 32, seed: 3,
        augment: (batch, rng) => {
          sizes.push(batch.size);
          for (let i = 0; i < batch.x.length; i++) batch.x[i] = batch.x[i]! + 0.01 * rng.normal();
          draws.push(batch.x[0]!);
        },
      });
      return { sizes, draws, w: weights(model) };
    };
    const a = await run();
    expect(a.sizes).toEqual([32, 32, 32, 4, 32, 32, 32, 4]);
    const b = await run();
    expect(b.draws).toEqual(a.draws);
    expect(b.w).toEqual(a.w);
    expect(ds.x).toEqual(makeMoons(100, 0.1, { rng: 2 }).x); // the caller's data is untouched
  });

  it("yieldEvery lets timers run between batches; without it an epoch runs uninterrupted", async () => {
    const ds = makeMoons(160, 0.1, { rng: 2 });
    for (const yieldEvery of [0, undefined]) {
      const model = moonsNet(wasm, 2);
      let fired = false;
      const timer = setTimeout(() => { fired = true; }, 0);
      const seen: boolean[] = [];
      await fit(model, ds.x, ds.y, { epochs: 1, batchSize: 16, ...(yieldEvery === undefined ? {} : { yieldEvery }), callbacks: [{ onBatchEnd: () => void seen.push(fired) }] });
      clearTimeout(timer);
      expect(seen).toHaveLength(10);
      // yieldEvery 0 yields after every batch: the timer has fired by the second batch.
      expect(seen.slice(1).every((f) => f)).toBe(yieldEvery === 0);
      expect(seen.some((f) => f)).toBe(yieldEvery === 0);
    }
  });

  it("asModel wraps a Sequential over the same layers; predict of a bare Float32Array", async () => {
    const seq = moonsNet(wasm, 3) as Sequential;
    const plain = new Sequential(...seq.layers);
    const m = asModel(plain);
    expect(m).toBeInstanceOf(Model);
    expect(m.layers[0]).toBe(plain.layers[0]);
    expect(asModel(m)).toBe(m);
    const x = Float32Array.of(0, 0, 1, 1, -1, 0.5);
    expect(predict(m, x)).toEqual(predict(plain, { data: x, shape: [3, 2] }));
    expect(predictClasses(m, x)).toHaveLength(3);
  });

  it("a bare layer is a model too (logistic regression on separable points)", async () => {
    manualSeed(1);
    const layer = new Linear(2, 2, { engine: wasm });
    const x = Float32Array.of(-2, -1, -1, -2, 2, 1, 1, 2);
    const y = Int32Array.of(0, 0, 1, 1);
    const h = await fit(layer, x, y, { epochs: 50, batchSize: 4, optimizer: new SGD(layer, { lr: 0.5 }) });
    expect(h.epochs[49]!.accuracy).toBe(1);
    expect(layer.inputGrad).toBe(true);
  });
});
