import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten, Identity, LeakyReLU, Linear, LogSoftmax, manualSeed,
  MaxPool2d, ReLU, Sequential, Sigmoid, Softmax, Tanh, type Module,
} from "../../src/nn/index.js";
import { assertClose, testEngines } from "../helpers/engines.js";
import { TestRandom } from "../helpers/random.js";
import { awayFromZero, distinctValues, gradCheck, type GradCheckOptions } from "./gradcheck.js";

let js: Engine;
beforeAll(async () => {
  js = await createEngine({ backend: "js" });
});

interface Case {
  name: string;
  make: (engine: Engine) => Module;
  shape: number[];
  /** Input values; default uniform in [−1, 1]. */
  input?: (n: number, rnd: TestRandom) => Float32Array;
  options?: (m: Module) => GradCheckOptions;
  /** Put the module in eval mode after warming it up in training mode. */
  evalMode?: boolean;
}

const kinkFree = (n: number, rnd: TestRandom) => distinctValues(n, 0.05, rnd);

/** Every layer with several configurations; inputs chosen away from kinks (see gradcheck.ts). */
const CASES: Case[] = [
  { name: "Linear 5→3", make: (engine) => new Linear(5, 3, { engine }), shape: [4, 5] },
  { name: "Linear 7→1 no bias", make: (engine) => new Linear(7, 1, { engine, bias: false }), shape: [3, 7] },
  { name: "Linear 1→9 batch 1", make: (engine) => new Linear(1, 9, { engine }), shape: [1, 1] },
  { name: "Conv2d 3×3", make: (engine) => new Conv2d(2, 3, 3, { engine }), shape: [2, 2, 5, 6] },
  { name: "Conv2d stride 2 pad 1", make: (engine) => new Conv2d(3, 2, 3, { engine, stride: 2, padding: 1 }), shape: [2, 3, 7, 6] },
  { name: "Conv2d dilation 2", make: (engine) => new Conv2d(1, 2, 3, { engine, dilation: 2 }), shape: [1, 1, 7, 7] },
  { name: "Conv2d 5×5 padding same", make: (engine) => new Conv2d(2, 2, 5, { engine, padding: "same" }), shape: [1, 2, 6, 5] },
  { name: "Conv2d [2,3] kernel no bias", make: (engine) => new Conv2d(2, 3, [2, 3], { engine, bias: false, stride: [1, 2] }), shape: [2, 2, 4, 7] },
  { name: "MaxPool2d 2", make: (engine) => new MaxPool2d(2, { engine }), shape: [2, 3, 4, 5], input: kinkFree, options: () => ({ eps: 1e-3 }) },
  { name: "MaxPool2d 3 s2 p1", make: (engine) => new MaxPool2d(3, { engine, stride: 2, padding: 1 }), shape: [1, 2, 5, 5], input: kinkFree, options: () => ({ eps: 1e-3 }) },
  { name: "AvgPool2d 2", make: (engine) => new AvgPool2d(2, { engine }), shape: [2, 2, 4, 4] },
  { name: "AvgPool2d 3 s2 p1 exclude pad", make: (engine) => new AvgPool2d(3, { engine, stride: 2, padding: 1, countIncludePad: false }), shape: [1, 2, 5, 6] },
  { name: "BatchNorm1d [N, C]", make: (engine) => new BatchNorm1d(3, { engine }), shape: [5, 3] },
  { name: "BatchNorm1d [N, C, L]", make: (engine) => new BatchNorm1d(2, { engine }), shape: [3, 2, 4] },
  { name: "BatchNorm2d", make: (engine) => new BatchNorm2d(2, { engine }), shape: [3, 2, 3, 3] },
  { name: "BatchNorm2d no affine", make: (engine) => new BatchNorm2d(3, { engine, affine: false }), shape: [2, 3, 2, 2] },
  { name: "BatchNorm2d eval mode", make: (engine) => new BatchNorm2d(2, { engine }), shape: [2, 2, 3, 3], evalMode: true },
  {
    name: "Dropout 0.3", make: (engine) => new Dropout(0.3, { engine, seed: 5 }), shape: [4, 6],
    // Resetting the stream position keeps the mask fixed across the finite-difference forwards.
    options: (m) => ({ beforeForward: () => { (m as Dropout).offset = 0; } }),
  },
  { name: "Flatten", make: (engine) => new Flatten({ engine }), shape: [2, 3, 2, 2] },
  { name: "Identity", make: (engine) => new Identity({ engine }), shape: [3, 4] },
  { name: "ReLU", make: (engine) => new ReLU({ engine }), shape: [3, 7], input: (n, rnd) => awayFromZero(n, 0.1, 1, rnd) },
  { name: "LeakyReLU 0.1", make: (engine) => new LeakyReLU({ engine, negativeSlope: 0.1 }), shape: [3, 5], input: (n, rnd) => awayFromZero(n, 0.1, 1, rnd) },
  { name: "Sigmoid", make: (engine) => new Sigmoid({ engine }), shape: [2, 9] },
  { name: "Tanh", make: (engine) => new Tanh({ engine }), shape: [2, 9] },
  { name: "Softmax", make: (engine) => new Softmax({ engine }), shape: [3, 5] },
  { name: "LogSoftmax", make: (engine) => new LogSoftmax({ engine, dim: -1 }), shape: [3, 5] },
  {
    // Smooth activations only: a ReLU after batch norm has inputs near 0 that a finite step crosses.
    name: "Sequential conv-bn-sigmoid-pool-flatten-linear-tanh",
    make: (engine) => new Sequential(
      new Conv2d(1, 2, 3, { engine, padding: 1 }), new BatchNorm2d(2, { engine }), new Sigmoid({ engine }),
      new AvgPool2d(2, { engine }), new Flatten({ engine }), new Linear(8, 3, { engine }), new Tanh({ engine }),
    ),
    shape: [2, 1, 4, 4],
  },
];

describe("layer gradients vs central finite differences (js backend)", () => {
  for (const c of CASES) {
    it(c.name, () => {
      manualSeed(1);
      const rnd = new TestRandom(3);
      const m = c.make(js);
      const n = c.shape.reduce((a, b) => a * b, 1);
      const x = c.input ? c.input(n, rnd) : rnd.floats(n, -1, 1);
      if (c.evalMode) {
        // Warm the running statistics up with a few training batches, then freeze them.
        const warm = js.tensor(rnd.floats(n, -2, 3), c.shape);
        for (let i = 0; i < 3; i++) m.forward(warm);
        m.eval();
      }
      const problems = gradCheck(js, m, c.shape, x, c.options?.(m));
      expect(problems).toEqual([]);
      m.dispose();
    });
  }
});

describe("wasm backends agree with js", () => {
  // Different summation orders (blocked GEMM, SIMD lanes, FMA in the relaxed build) on sums of
  // ≤ 100 f32 terms of size ~1: agreement to ~1e-5 relative is expected; 1e-4 leaves margin.
  const tol = { rtol: 1e-4, atol: 1e-5 };
  for (const c of CASES) {
    it(c.name, async () => {
      const engines = await testEngines();
      const run = (engine: Engine) => {
        manualSeed(1);
        const rnd = new TestRandom(3);
        const m = c.make(engine);
        const n = c.shape.reduce((a, b) => a * b, 1);
        const x = engine.tensor(c.input ? c.input(n, rnd) : rnd.floats(n, -1, 1), c.shape);
        if (c.evalMode) {
          const warm = engine.tensor(rnd.floats(n, -2, 3), c.shape);
          for (let i = 0; i < 3; i++) m.forward(warm);
          m.eval();
        }
        const y = m.forward(x);
        const dy = engine.tensor(rnd.floats(y.size), y.shape);
        const out = y.toArray();
        const dx = m.backward(dy).toArray();
        const grads = m.namedParameters().map(([name, p]) => [name, p.grad.toArray()] as const);
        const buffers = m.namedBuffers().map(([name, t]) => [name, t.toArray()] as const);
        m.dispose();
        return { out, dx, grads, buffers };
      };
      const ref = run(engines.js);
      for (const w of engines.wasm) {
        const got = run(w);
        assertClose(got.out, ref.out, tol, `${c.name} ${w.backend} output`);
        assertClose(got.dx, ref.dx, tol, `${c.name} ${w.backend} dx`);
        got.grads.forEach(([name, g], i) => assertClose(g, ref.grads[i]![1], tol, `${c.name} ${w.backend} grad ${name}`));
        got.buffers.forEach(([name, b], i) => assertClose(b, ref.buffers[i]![1], tol, `${c.name} ${w.backend} buffer ${name}`));
      }
    });
  }
});
