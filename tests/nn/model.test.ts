import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import {
  BatchNorm1d, BatchNorm2d, Conv2d, CrossEntropyLoss, Dropout, Flatten, Linear, MaxPool2d, manualSeed, moduleFromConfig, ReLU,
  reseedDropout, Sequential, Softmax, Tanh, type ModuleConfig,
} from "../../src/nn/index.js";
import { Adam, SGD } from "../../src/optim/index.js";
import { TestRandom } from "../helpers/random.js";

let js: Engine;
beforeAll(async () => {
  js = await createEngine({ backend: "js" });
});

/** The C1 network of the reference problems (MNIST CNN). */
function c1(engine: Engine): Sequential {
  return new Sequential(
    new Conv2d(1, 32, 3, { engine }), new ReLU({ engine }), new MaxPool2d(2, { engine }), new Dropout(0.2, { engine }),
    new Conv2d(32, 32, 3, { engine }), new BatchNorm2d(32, { engine }), new ReLU({ engine }), new MaxPool2d(2, { engine }),
    new Dropout(0.2, { engine }), new Flatten({ engine }), new Linear(800, 64, { engine }), new ReLU({ engine }),
    new Linear(64, 10, { engine }),
  );
}

describe("summary", () => {
  it("a 5×5 conv with 8 filters on 32×32×3, no padding: [8, 28, 28], 608 params", () => {
    const s = new Sequential(new Conv2d(3, 8, 5, { engine: js })).summary([3, 32, 32]);
    expect(s.rows).toEqual([{ name: "0", type: "Conv2d", outputShape: [8, 28, 28], params: 608, flops: 2 * 8 * 28 * 28 * 3 * 5 * 5 }]);
    expect(s.totalParams).toBe(608);
    expect(s.outputShape).toEqual([8, 28, 28]);
    expect(s.table).toContain("0 (Conv2d)");
    expect(s.table).toContain("[8, 28, 28]");
    expect(s.table).toContain("Total params: 608");
  });

  it("C1: shapes, parameter counts (PyTorch's 61,546), buffers and FLOPs", () => {
    const s = c1(js).summary([1, 28, 28]);
    expect(s.rows.map((r) => r.outputShape)).toEqual([
      [32, 26, 26], [32, 26, 26], [32, 13, 13], [32, 13, 13], [32, 11, 11], [32, 11, 11], [32, 11, 11], [32, 5, 5],
      [32, 5, 5], [800], [64], [64], [10],
    ]);
    expect(s.rows.map((r) => r.params)).toEqual([320, 0, 0, 0, 9248, 64, 0, 0, 0, 0, 51264, 0, 650]);
    expect(s.totalParams).toBe(61546);
    expect(s.totalBuffers).toBe(64);
    expect(s.rows[0]!.flops).toBe(2 * 32 * 26 * 26 * 9);
    expect(s.rows[10]!.flops).toBe(2 * 800 * 64);
    expect(s.totalFlops).toBe(s.rows.reduce((a, r) => a + r.flops, 0));
  });
});

describe("shape inference errors name the layer", () => {
  it("mismatch between layers", () => {
    const m = new Sequential(new Linear(4, 8, { engine: js }), new ReLU({ engine: js }), new Linear(6, 2, { engine: js }));
    expect(() => m.forward(js.zeros([3, 4]))).toThrow("Sequential layer 2 (Linear) input shape: expected [N, 6], got [3, 8]");
    expect(() => m.summary([4])).toThrow("Sequential layer 2 (Linear) input shape: expected [N, 6], got [1, 8]");
    expect(() => new Linear(784, 100, { engine: js }).forward(js.zeros([4, 10]))).toThrow("Linear input shape: expected [N, 784], got [4, 10]");
    expect(() => new Conv2d(1, 2, 3, { engine: js }).forward(js.zeros([2, 3, 8, 8]))).toThrow("Conv2d input shape: expected [N, 1, H, W], got [2, 3, 8, 8]");
    expect(() => new BatchNorm1d(3, { engine: js }).forward(js.zeros([4, 5]))).toThrow("BatchNorm1d input shape: expected [N, 3] or [N, 3, L], got [4, 5]");
  });

  it("wrong input rank", () => {
    const m = new Sequential(new Conv2d(1, 2, 3, { engine: js }));
    expect(() => m.forward(js.zeros([28, 28]))).toThrow("Sequential layer 0 (Conv2d) input shape: expected [N, 1, H, W] (4 dimensions), got [28, 28]");
    expect(() => new Linear(3, 2, { engine: js }).forward(js.zeros([3]))).toThrow("Linear input shape: expected [N, 3] (2 dimensions), got [3]");
    expect(() => new BatchNorm2d(3, { engine: js }).forward(js.zeros([2, 3]))).toThrow("BatchNorm2d input shape: expected [N, 3, H, W] (4 dimensions), got [2, 3]");
  });

  it("too small an image for the kernel", () => {
    const m = new Sequential(new Conv2d(1, 1, 5, { engine: js }), new MaxPool2d(2, { engine: js }));
    expect(() => m.forward(js.zeros([1, 1, 4, 4]))).toThrow(/^Sequential layer 0 \(Conv2d\) input shape: expected an image large enough for kernel \[5, 5\].*got \[1, 1, 4, 4\]$/);
  });

  it("backward with the wrong gradient shape, or before forward", () => {
    const l = new Linear(3, 2, { engine: js });
    expect(() => l.backward(js.zeros([1, 2]))).toThrow("Linear backward: expected a forward call first, got none");
    l.forward(js.zeros([4, 3]));
    expect(() => l.backward(js.zeros([4, 3]))).toThrow("Linear backward dy shape: expected [4, 2] (the forward output's), got [4, 3]");
  });

  it("BatchNorm needs more than one value per channel in training", () => {
    expect(() => new BatchNorm1d(3, { engine: js }).forward(js.zeros([1, 3]))).toThrow("BatchNorm1d input shape: expected more than 1 value per channel when training, got [1, 3]");
  });

  it("a tensor of another engine, or not a tensor at all", async () => {
    expect(() => new Linear(2, 2, { engine: js }).forward([1, 2] as never)).toThrow("Linear input: expected a Tensor, got [1, 2]");
    const other = await createEngine({ backend: "js" });
    expect(() => new Linear(3, 2, { engine: js }).forward(other.zeros([4, 3])))
      .toThrow("Linear input: expected a tensor of the module's engine (js), got a tensor of another engine (js)");
    expect(() => new CrossEntropyLoss({ engine: js }).forward(other.zeros([4, 3]), other.tensor(new Int32Array(4), [4])))
      .toThrow("CrossEntropyLoss input: expected a tensor of the loss's engine (js), got a tensor of another engine (js)");
  });
});

describe("options are validated", () => {
  it("unknown options and bad values", () => {
    expect(() => new Linear(3, 2, { engine: js, bais: false } as never)).toThrow('Linear options: unknown option "bais" (expected one of bias, init, weightInit, biasInit, rng, engine)');
    expect(() => new Conv2d(1, 2, 3, { engine: js, groups: 2 } as never)).toThrow('Conv2d options: unknown option "groups"');
    expect(() => new Conv2d(1, 2, 4, { engine: js, padding: "same" })).toThrow(/Conv2d padding "same": expected an odd effective kernel size/);
    expect(() => new Conv2d(1, 2, 3, { engine: js, padding: "same", stride: 2 })).toThrow('Conv2d padding "same" stride: expected 1 (as in PyTorch), got [2, 2]');
    expect(() => new MaxPool2d(2, { engine: js, padding: 2 })).toThrow("MaxPool2d padding: expected at most half the kernel size, got [2, 2]");
    expect(() => new Dropout(1.5, { engine: js })).toThrow("Dropout p: expected a finite number in [0, 1], got 1.5");
    expect(() => new Dropout(-0.1, { engine: js })).toThrow("Dropout p: expected a finite number in [0, 1], got -0.1");
    expect(() => new MaxPool2d(0, { engine: js })).toThrow("MaxPool2d kernelSize: expected an integer ≥ 1 or a pair [h, w] of them, got 0");
    expect(() => new Linear(0, 2, { engine: js })).toThrow("Linear inFeatures: expected a positive integer, got 0");
    expect(() => new Linear(3, 2, { engine: js, weightInit: "glorot" as never })).toThrow(/Linear weightInit: expected one of "default", "zeros"/);
    expect(() => new Softmax({ engine: js, dim: 0 })).toThrow("Softmax dim: expected 1 or -1 (the class dimension of [N, C] input), got 0");
  });

  it("an engine option that is not an Engine, and a layer that is not a Module", () => {
    expect(() => new Linear(2, 2, { engine: {} as never })).toThrow("Linear engine: expected an Engine (from createEngine or init), got {}");
    expect(() => new CrossEntropyLoss({ engine: "js" as never })).toThrow('CrossEntropyLoss engine: expected an Engine (from createEngine or init), got "js"');
    expect(() => new Sequential(3 as never)).toThrow("Sequential layer 0: expected a Module (Linear, Conv2d, ReLU, …), got 3");
    expect(() => new Sequential(new ReLU({ engine: js }), "relu" as never)).toThrow('Sequential layer 1: expected a Module (Linear, Conv2d, ReLU, …), got "relu"');
  });
});

describe("initialisation", () => {
  it("PyTorch defaults: Linear/Conv weight and bias within ±1/√fanIn; BatchNorm 1 and 0; reproducible by seed", () => {
    manualSeed(42);
    const a = new Linear(50, 20, { engine: js });
    const bound = 1 / Math.sqrt(50);
    const w = a.weight.data.toArray();
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    // The spread fills the interval (a uniform of 1000 draws reaches within 2% of both ends).
    expect(Math.max(...w)).toBeGreaterThan(0.98 * bound);
    expect(Math.max(...a.bias!.data.toArray())).toBeLessThanOrEqual(bound);
    const conv = new Conv2d(3, 4, 5, { engine: js });
    expect(Math.max(...conv.weight.data.toArray().map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(75));
    manualSeed(42);
    expect(new Linear(50, 20, { engine: js }).weight.data.toArray()).toEqual(w);
    const bn = new BatchNorm2d(3, { engine: js });
    expect([...bn.weight!.data.toArray()]).toEqual([1, 1, 1]);
    expect([...bn.bias!.data.toArray()]).toEqual([0, 0, 0]);
  });

  it("selectable per layer: zeros, constant, xavier/kaiming statistics, rng option", () => {
    const z = new Linear(4, 3, { engine: js, init: "zeros" });
    expect(z.weight.data.toArray().every((v) => v === 0) && z.bias!.data.toArray().every((v) => v === 0)).toBe(true);
    const c = new Linear(4, 3, { engine: js, weightInit: { name: "constant", value: 0.5 }, biasInit: "ones" });
    expect(c.weight.data.toArray().every((v) => v === 0.5) && c.bias!.data.toArray().every((v) => v === 1)).toBe(true);
    const std = (a: ArrayLike<number>) => {
      let m = 0;
      for (let i = 0; i < a.length; i++) m += a[i]!;
      m /= a.length;
      let s = 0;
      for (let i = 0; i < a.length; i++) s += (a[i]! - m) ** 2;
      return Math.sqrt(s / a.length);
    };
    // 200×300 = 60,000 draws: the sample std is within 1% of the target with overwhelming probability.
    const xn = new Linear(300, 200, { engine: js, weightInit: "xavierNormal", rng: 3 });
    expect(std(xn.weight.data.toArray()) / Math.sqrt(2 / 500)).toBeCloseTo(1, 1);
    const xu = new Linear(300, 200, { engine: js, weightInit: "xavierUniform", rng: 3 });
    expect(std(xu.weight.data.toArray()) / (Math.sqrt(6 / 500) / Math.sqrt(3))).toBeCloseTo(1, 1);
    const kn = new Linear(300, 200, { engine: js, weightInit: { name: "kaimingNormal", nonlinearity: "relu" }, rng: 3 });
    expect(std(kn.weight.data.toArray()) / Math.sqrt(2 / 300)).toBeCloseTo(1, 1);
    const ku = new Linear(300, 200, { engine: js, weightInit: { name: "kaimingUniform", mode: "fanOut", nonlinearity: "relu" }, rng: 3 });
    expect(std(ku.weight.data.toArray()) / Math.sqrt(2 / 200)).toBeCloseTo(1, 1);
    const n = new Linear(300, 200, { engine: js, weightInit: { name: "normal", mean: 0, std: 0.05 }, rng: 3 });
    expect(std(n.weight.data.toArray()) / 0.05).toBeCloseTo(1, 1);
    expect(new Linear(3, 3, { engine: js, rng: 9 }).weight.data.toArray()).toEqual(new Linear(3, 3, { engine: js, rng: 9 }).weight.data.toArray());
  });
});

describe("state dict", () => {
  it("PyTorch key names and a round trip", () => {
    manualSeed(1);
    const a = c1(js);
    const keys = [...a.stateDict().keys()];
    expect(keys).toEqual([
      "0.weight", "0.bias", "4.weight", "4.bias", "5.weight", "5.bias", "5.running_mean", "5.running_var",
      "10.weight", "10.bias", "12.weight", "12.bias",
    ]);
    expect(a.stateDict().get("10.weight")!.shape).toEqual([64, 800]);
    expect(a.namedParameters().map(([k]) => k)).toEqual(keys.filter((k) => !k.includes("running")));
    expect(a.namedBuffers().map(([k]) => k)).toEqual(["5.running_mean", "5.running_var"]);
    manualSeed(2);
    const b = c1(js);
    expect(b.stateDict().get("0.weight")!.data).not.toEqual(a.stateDict().get("0.weight")!.data);
    const dict = a.stateDict();
    dict.set("5.num_batches_tracked", { shape: [], data: new Float32Array([3]) }); // PyTorch dicts carry it; ignored
    b.loadStateDict(dict);
    for (const [k, v] of a.stateDict()) expect(b.stateDict().get(k)!.data, k).toEqual(v.data);
  });

  it("a failed load names the problem and leaves the model unchanged", () => {
    manualSeed(1);
    const m = c1(js);
    const before = m.stateDict();
    const bad = m.stateDict();
    for (const v of bad.values()) v.data.fill(7);
    bad.set("12.weight", { shape: [10, 63], data: new Float32Array(630) });
    expect(() => m.loadStateDict(bad)).toThrow('loadStateDict "12.weight" shape: expected [10, 64], got [10, 63]');
    const missing = m.stateDict();
    for (const v of missing.values()) v.data.fill(7);
    missing.delete("5.running_var");
    expect(() => m.loadStateDict(missing)).toThrow('loadStateDict key "5.running_var": expected a tensor of shape [32], got nothing (missing key)');
    const extra = m.stateDict();
    for (const v of extra.values()) v.data.fill(7);
    extra.set("13.weight", { shape: [1], data: new Float32Array(1) });
    expect(() => m.loadStateDict(extra)).toThrow(/loadStateDict key "13.weight": expected one of the model's keys \(0.weight, .*\), got an unexpected key/);
    const nan = m.stateDict();
    nan.get("0.bias")!.data[3] = Number.NaN;
    expect(() => m.loadStateDict(nan)).toThrow('loadStateDict "0.bias" data[3]: expected a finite number, got NaN');
    const ints = m.stateDict();
    ints.set("0.weight", { shape: [32, 1, 3, 3], data: new Int32Array(288) as unknown as Float32Array });
    expect(() => m.loadStateDict(ints)).toThrow('loadStateDict "0.weight" data: expected a Float32Array, got Int32Array(288)');
    expect(() => m.loadStateDict(null as never)).toThrow("loadStateDict dict: expected a Map or an object of name → { shape, data }, got null");
    expect(() => m.loadStateDict(3 as never)).toThrow("loadStateDict dict: expected a Map or an object of name → { shape, data }, got 3");
    for (const [k, v] of m.stateDict()) expect(v.data, k).toEqual(before.get(k)!.data);
  });

  it("config round trip rebuilds the same architecture", () => {
    const m = c1(js);
    const cfg = JSON.parse(JSON.stringify(m.config())) as ModuleConfig;
    const back = moduleFromConfig(cfg, { engine: js }) as Sequential;
    expect(back.config()).toEqual(m.config());
    expect(back.summary([1, 28, 28]).totalParams).toBe(61546);
    expect(() => moduleFromConfig({ type: "Sequential", layers: [{ type: "Linear", inFeatures: 2, outFeatures: 3, colour: 1 }] }, { engine: js }))
      .toThrow(/^module config layers\[0\]: Linear options: unknown option "colour"/);
    expect(() => moduleFromConfig({ type: "Conv3d" }, { engine: js })).toThrow(/module config type: expected one of Linear, Conv2d/);
  });
});

describe("train/eval modes", () => {
  it("propagate to children; dropout passes through in eval; batch-norm uses running statistics", () => {
    const m = new Sequential(new Linear(3, 4, { engine: js }), new BatchNorm1d(4, { engine: js }), new Dropout(0.5, { engine: js }));
    expect(m.layers.every((l) => l.training)).toBe(true);
    m.eval();
    expect(m.layers.every((l) => !l.training)).toBe(true);
    const x = js.tensor(new TestRandom(1).floats(6), [2, 3]);
    // In eval mode BatchNorm with fresh statistics (mean 0, var 1) is x/√(1+eps): the output is the Linear's, scaled.
    const y = m.forward(x).toArray();
    const lin = (m.get(0) as Linear).forward(x).toArray();
    for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(lin[i]! / Math.sqrt(1 + 1e-5), 6);
    m.train();
    expect(m.layers.every((l) => l.training)).toBe(true);
  });
});

describe("dropout", () => {
  it("zeroes about p of the elements, scales the rest by 1/(1 − p), advances its offset; eval passes x through", () => {
    const d = new Dropout(0.3, { engine: js, seed: 11 });
    const x = js.tensor(new Float32Array(10000).fill(2), [100, 100]);
    const y = d.forward(x).toArray();
    const zeros = y.filter((v) => v === 0).length;
    // Binomial(10000, 0.3): std ≈ 46, so ±300 is a > 6σ band.
    expect(Math.abs(zeros - 3000)).toBeLessThan(300);
    expect(y.every((v) => v === 0 || Math.abs(v - 2 / 0.7) < 1e-6)).toBe(true);
    expect(d.offset).toBe(10000);
    const again = d.forward(x).toArray();
    expect(again).not.toEqual(y); // a new mask each call
    d.offset = 0;
    expect(d.forward(x).toArray()).toEqual(y); // same (seed, offset), same mask
    d.eval();
    expect(d.forward(x)).toBe(x);
  });

  it("reseedDropout makes runs repeat; modules() lists every module; zeroGrad clears gradients", () => {
    const m = new Sequential(new Linear(4, 4, { engine: js }), new Dropout(0.5, { engine: js }), new Sequential(new Dropout(0.5, { engine: js })));
    expect(m.modules().map((x) => x.type)).toEqual(["Sequential", "Linear", "Dropout", "Sequential", "Dropout"]);
    const x = js.tensor(new Float32Array(16).fill(1), [4, 4]);
    reseedDropout(m, 5);
    const a = m.forward(x).toArray();
    const b = m.forward(x).toArray();
    reseedDropout(m, 5);
    expect(m.forward(x).toArray()).toEqual(a);
    expect(m.forward(x).toArray()).toEqual(b);
    m.backward(js.tensor(new Float32Array(16).fill(1), [4, 4]));
    expect(m.parameters().some((p) => p.grad.toArray().some((v) => v !== 0))).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad.toArray().every((v) => v === 0))).toBe(true);
  });
});

describe("training", () => {
  it("a tiny MLP separates two Gaussian blobs", () => {
    manualSeed(0);
    const rnd = new TestRandom(4);
    const n = 64;
    const xs = new Float32Array(n * 2);
    const ys = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      ys[i] = i % 2;
      xs[2 * i] = (ys[i] ? 1 : -1) + rnd.uniform(-0.6, 0.6);
      xs[2 * i + 1] = (ys[i] ? -1 : 1) + rnd.uniform(-0.6, 0.6);
    }
    const model = new Sequential(new Linear(2, 8, { engine: js }), new Tanh({ engine: js }), new Linear(8, 2, { engine: js }));
    const loss = new CrossEntropyLoss({ engine: js });
    const opt = new SGD(model, { lr: 0.5, momentum: 0.9 });
    const x = js.tensor(xs, [n, 2]);
    const y = js.tensor(ys, [n]);
    const first = loss.forward(model.forward(x), y);
    let last = first;
    for (let step = 0; step < 100; step++) {
      opt.zeroGrad();
      last = loss.forward(model.forward(x), y);
      model.backward(loss.backward());
      opt.step();
    }
    expect(first).toBeGreaterThan(0.3);
    expect(last).toBeLessThan(0.05);
    const logits = model.forward(x).toArray();
    let correct = 0;
    for (let i = 0; i < n; i++) if ((logits[2 * i + 1]! > logits[2 * i]! ? 1 : 0) === ys[i]) correct++;
    expect(correct).toBe(n);
  });

  it("same seed, same backend: bit-identical weights after training with dropout", () => {
    const run = () => {
      manualSeed(77);
      const model = new Sequential(new Linear(3, 16, { engine: js }), new ReLU({ engine: js }), new Dropout(0.5, { engine: js }), new Linear(16, 2, { engine: js }));
      const loss = new CrossEntropyLoss({ engine: js });
      const opt = new Adam(model, { lr: 0.01 });
      const rnd = new TestRandom(1);
      const x = js.tensor(rnd.floats(24), [8, 3]);
      const y = js.tensor(rnd.ints(8, 0, 1), [8]);
      for (let i = 0; i < 20; i++) {
        opt.zeroGrad();
        loss.forward(model.forward(x), y);
        model.backward(loss.backward());
        opt.step();
      }
      return [...model.stateDict().values()].map((v) => [...v.data]);
    };
    expect(run()).toEqual(run());
  });

  it("zero init does not learn (P1b): weights stay zero, loss stays at log 2", () => {
    const model = new Sequential(new Linear(2, 4, { engine: js, init: "zeros" }), new ReLU({ engine: js }), new Linear(4, 2, { engine: js, init: "zeros" }));
    const loss = new CrossEntropyLoss({ engine: js });
    const opt = new SGD(model, { lr: 0.1 });
    const x = js.tensor(Float32Array.from([1, 2, -1, -2, 2, -1, -2, 1]), [4, 2]);
    const y = js.tensor(Int32Array.from([0, 1, 0, 1]), [4]);
    for (let step = 0; step < 20; step++) {
      opt.zeroGrad();
      loss.forward(model.forward(x), y);
      model.backward(loss.backward());
      opt.step();
    }
    expect(loss.forward(model.forward(x), y)).toBeCloseTo(Math.log(2), 6);
    expect((model.get(0) as Linear).weight.data.toArray().every((v) => v === 0)).toBe(true);
  });
});

describe("steady state allocates nothing", () => {
  it("after the first step, liveBytes, liveBlocks, memory size and alloc calls stay constant over 1000 steps", async () => {
    // A small net touching every buffer kind: conv (work space), batch norm, max pool (argmax),
    // dropout (mask), flatten (view), linear (gemm work), loss gradient, Adam state.
    const engine = await createEngine();
    manualSeed(3);
    const model = new Sequential(
      new Conv2d(1, 4, 3, { engine, padding: 1 }), new BatchNorm2d(4, { engine }), new ReLU({ engine }), new MaxPool2d(2, { engine }),
      new Dropout(0.25, { engine }), new Flatten({ engine }), new Linear(64, 16, { engine }), new ReLU({ engine }),
      new Linear(16, 3, { engine }),
    );
    model.inputGrad = false;
    const loss = new CrossEntropyLoss({ engine });
    const opt = new Adam(model, { lr: 1e-3 });
    const rnd = new TestRandom(8);
    const x = engine.tensor(rnd.floats(4 * 64), [4, 1, 8, 8]);
    const y = engine.tensor(rnd.ints(4, 0, 2), [4]);
    const step = () => {
      opt.zeroGrad();
      loss.forward(model.forward(x), y);
      model.backward(loss.backward());
      opt.step();
    };
    step();
    const a = engine.allocator;
    const before = { live: a.liveBytes, blocks: a.liveBlocks, memory: a.memoryBytes };
    let allocs = 0;
    const alloc = a.alloc.bind(a);
    a.alloc = (bytes: number) => {
      allocs++;
      return alloc(bytes);
    };
    for (let i = 0; i < 1000; i++) step();
    a.alloc = alloc;
    expect({ live: a.liveBytes, blocks: a.liveBlocks, memory: a.memoryBytes }).toEqual(before);
    expect(allocs).toBe(0);
    // A new batch size reallocates once and frees the old buffers: no leak when going back.
    const x2 = engine.tensor(rnd.floats(3 * 64), [3, 1, 8, 8]);
    const y2 = engine.tensor(rnd.ints(3, 0, 2), [3]);
    loss.forward(model.forward(x2), y2);
    model.backward(loss.backward());
    step();
    // Only x2 (768 bytes) and y2 (12 bytes, one 64-byte block) remain on top of the old state.
    expect({ live: a.liveBytes, blocks: a.liveBlocks }).toEqual({ live: before.live + 768 + 64, blocks: before.blocks + 2 });
  });
});
