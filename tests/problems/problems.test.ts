/**
 * Fast versions of the reference problems (examples/problems): small known outcomes that take
 * seconds. The long runs and their figures live in the examples and docs/results.md.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, init } from "../../src/engine.js";
import { detectWasmFeatures } from "../../src/backend/wasm/features.js";
import type { BackendName } from "../../src/backend/kernels.js";
import { makeMoons } from "../../src/data/datasets.js";
import { trainTestSplit } from "../../src/data/split.js";
import { DataLoader } from "../../src/data/loader.js";
import { loadMnistSync } from "../../src/data/mnist-node.js";
import { CrossEntropyLoss } from "../../src/nn/loss.js";
import { manualSeed } from "../../src/nn/init.js";
import { Linear, ReLU, Sequential } from "../../src/nn/index.js";
import { Adam } from "../../src/optim/adam.js";
import { predict, Trainer } from "../../examples/problems/lib.js";
import { deadFractions, mlp, orNet, score, trainFullBatch, UNIT_SQUARE, xorNet } from "../../examples/problems/toy.js";

beforeAll(async () => {
  await init();
});

/** Every backend the runtime offers: the hand-set nets must give the same exact values on all. */
function backends(): BackendName[] {
  const f = detectWasmFeatures();
  return ["js", ...(f.simd ? (["wasm-simd"] as const) : []), ...(f.relaxedSimd ? (["wasm-relaxed-simd"] as const) : [])];
}

describe("P4: hand-set networks on {0,1}²", () => {
  for (const backend of backends()) {
    it(`XOR with one hidden layer of 2 ReLU units outputs exactly 0, 1, 1, 0 (${backend})`, async () => {
      const engine = await createEngine({ backend });
      const net = xorNet(engine);
      // Weights, biases and inputs are small integers: every product and sum is exact in f32,
      // with or without FMA, so the outputs are compared exactly.
      expect([...predict(net, UNIT_SQUARE, [2])]).toEqual([0, 1, 1, 0]);
      expect(net.numParameters()).toBe(9);
      net.dispose();
    });

    it(`OR with a single ReLU unit outputs 0 for false and ≥ 1 for true (${backend})`, async () => {
      const engine = await createEngine({ backend });
      const net = orNet(engine);
      expect([...predict(net, UNIT_SQUARE, [2])]).toEqual([0, 1, 1, 2]);
      net.dispose();
    });
  }
});

describe("P1: zero initialisation", () => {
  it("a zero-init ReLU net stays at its initial loss ln 2 and its weights stay 0", () => {
    const data = makeMoons(200, 0.1, { rng: 3 });
    const net = mlp([2, 8, 8, 2], "relu", "zeros");
    const trainer = new Trainer(net, new CrossEntropyLoss(), new Adam(net, { lr: 0.03 }), [2]);
    const initial = score(trainer, data).loss;
    // Zero logits: the softmax is uniform over the 2 classes.
    expect(initial).toBeCloseTo(Math.LN2, 6);
    const losses: number[] = [];
    trainFullBatch(trainer, data, 250, (_, loss) => losses.push(loss));
    // ReLU(0) = 0 with zero gradient: no weight can move, and the output bias has no reason to
    // (balanced classes, so its gradient is 0 too). The loss is therefore ln 2 up to rounding.
    for (const l of losses) expect(Math.abs(l - initial)).toBeLessThan(1e-6);
    for (const p of net.parameters()) expect(p.data.f32.every((v) => v === 0)).toBe(true);
    expect(score(trainer, data).accuracy).toBe(0.5);
    trainer.dispose();
    net.dispose();
  });
});

describe("moons", () => {
  it("a tanh net classifies ≥ 97 % of held-out make-moons points", () => {
    manualSeed(5);
    const all = makeMoons(600, 0.1, { rng: 5 });
    const { train, test } = trainTestSplit(all, 0.3, { rng: 5, stratify: true });
    const net = mlp([2, 8, 8, 2], "tanh");
    const trainer = new Trainer(net, new CrossEntropyLoss(), new Adam(net, { lr: 0.02 }), [2]);
    trainFullBatch(trainer, { ...all, ...train }, 500);
    const acc = score(trainer, { ...all, ...test }).accuracy;
    expect(acc).toBeGreaterThanOrEqual(0.97);
    trainer.dispose();
    net.dispose();
  });
});

describe("P3: dead units", () => {
  it("counts a unit whose pre-activation is ≤ 0 on every input as dead, and only those", () => {
    const first = new Linear(2, 3);
    // Unit 0: x1 + x2 (alive on the positive quadrant); unit 1: −x1 − x2 − 1 (never > 0 on
    // non-negative inputs); unit 2: x1 − 0.5 (alive for x1 = 1).
    first.loadStateDict(new Map([
      ["weight", { shape: [3, 2], data: Float32Array.of(1, 1, -1, -1, 1, 0) }],
      ["bias", { shape: [3], data: Float32Array.of(0, -1, -0.5) }],
    ]));
    const net = new Sequential(first, new ReLU(), new Linear(3, 2));
    expect(deadFractions(net, UNIT_SQUARE)).toEqual([1 / 3]);
    net.dispose();
  });
});

describe("MNIST", () => {
  it("an MLP trained 2 epochs on a 10000-image subset beats 90 % on the test set (reaches about 0.93)", () => {
    manualSeed(1);
    const train = loadMnistSync({ split: "train", limit: 10000 });
    const test = loadMnistSync({ split: "test" });
    const net = new Sequential(new Linear(784, 100), new ReLU(), new Linear(100, 10));
    const trainer = new Trainer(net, new CrossEntropyLoss(), new Adam(net, { lr: 3e-3 }), [784]);
    const loader = new DataLoader(train.images, train.labels, [784], { batchSize: 32, rng: 1 });
    for (let e = 0; e < 2; e++) trainer.trainEpoch(loader);
    expect(trainer.evaluate(test.images, test.labels).accuracy).toBeGreaterThan(0.9);
    trainer.dispose();
    net.dispose();
  });
});
