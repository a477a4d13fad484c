import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import { Linear, Parameter } from "../../src/nn/index.js";
import {
  Adam, AdamW, addL1Penalty, addL2Penalty, clipGradNorm, CosineAnnealingLR, ExponentialLR, ReduceLROnPlateau, RMSprop, SGD, StepLR,
  type Optimizer,
} from "../../src/optim/index.js";
import { assertClose, testEngines } from "../helpers/engines.js";
import { TestRandom } from "../helpers/random.js";

let js: Engine;
beforeAll(async () => {
  js = await createEngine({ backend: "js" });
});

function param(engine: Engine, values: number[], grads: number[] = values.map(() => 0)): Parameter {
  return new Parameter(engine.tensor(values, [values.length]), engine.tensor(grads, [grads.length]), "weight");
}

describe("hand-computed steps (PyTorch formulas worked by hand)", () => {
  it("SGD with momentum and Nesterov", () => {
    const p = param(js, [1], [0.5]);
    const sgd = new SGD([p], { lr: 0.1, momentum: 0.9 });
    sgd.step(); // buf = g = 0.5; p = 1 − 0.1·0.5
    expect(p.data.f32[0]).toBeCloseTo(0.95, 7);
    sgd.step(); // buf = 0.9·0.5 + 0.5 = 0.95; p = 0.95 − 0.095
    expect(p.data.f32[0]).toBeCloseTo(0.855, 7);
    const q = param(js, [1], [0.5]);
    new SGD([q], { lr: 0.1, momentum: 0.9, nesterov: true }).step(); // g + 0.9·buf = 0.95
    expect(q.data.f32[0]).toBeCloseTo(0.905, 7);
    const r = param(js, [2], [0.5]);
    new SGD([r], { lr: 0.1, weightDecay: 0.1 }).step(); // g = 0.5 + 0.2
    expect(r.data.f32[0]).toBeCloseTo(1.93, 6);
  });

  it("Adam's first step moves each weight by lr·sign(g); AdamW decays first", () => {
    const p = param(js, [1, -1], [0.5, -2]);
    new Adam([p], { lr: 0.1 }).step();
    // m̂ = g, v̂ = g², so the step is lr·g/(|g| + eps).
    expect(p.data.f32[0]).toBeCloseTo(0.9, 6);
    expect(p.data.f32[1]).toBeCloseTo(-0.9, 6);
    const q = param(js, [1], [0.5]);
    new AdamW([q], { lr: 0.1, weightDecay: 0.5 }).step(); // 1·(1 − 0.05) − 0.1
    expect(q.data.f32[0]).toBeCloseTo(0.85, 6);
  });

  it("RMSprop's first step is lr·g/(√(1−α)·|g|)", () => {
    const p = param(js, [1], [0.5]);
    new RMSprop([p], { lr: 0.01 }).step(); // sq = 0.01·0.25, step = 0.01·0.5/(0.05)
    expect(p.data.f32[0]).toBeCloseTo(0.9, 6);
  });
});

/** f64 re-implementations of torch.optim's single-tensor algorithms, for 3-step comparisons. */
type Ref = (p: Float64Array, g: Float64Array, t: number) => void;

function sgdRef(lr: number, mom: number, damp: number, nesterov: boolean, wd: number): Ref {
  let buf: Float64Array | null = null;
  return (p, g0) => {
    const g = g0.map((v, i) => v + wd * p[i]!);
    if (mom !== 0) {
      buf = buf === null ? Float64Array.from(g) : buf.map((b, i) => mom * b + (1 - damp) * g[i]!);
      const b = buf;
      for (let i = 0; i < g.length; i++) g[i] = nesterov ? g[i]! + mom * b[i]! : b[i]!;
    }
    for (let i = 0; i < p.length; i++) p[i] = p[i]! - lr * g[i]!;
  };
}

function adamRef(lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: boolean, amsgrad: boolean): Ref {
  let m: Float64Array, v: Float64Array, vmax: Float64Array;
  return (p, g0, t) => {
    if (t === 1) {
      m = new Float64Array(p.length);
      v = new Float64Array(p.length);
      vmax = new Float64Array(p.length);
    }
    for (let i = 0; i < p.length; i++) {
      let g = g0[i]!;
      if (decoupled) p[i] = p[i]! * (1 - lr * wd);
      else g += wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      vmax[i] = Math.max(vmax[i]!, v[i]!);
      const denom = Math.sqrt(amsgrad ? vmax[i]! : v[i]!) / Math.sqrt(1 - b2 ** t) + eps;
      p[i] = p[i]! - (lr / (1 - b1 ** t)) * (m[i]! / denom);
    }
  };
}

function rmspropRef(lr: number, alpha: number, eps: number, wd: number, mom: number, centered: boolean): Ref {
  let sq: Float64Array, ga: Float64Array, buf: Float64Array;
  return (p, g0, t) => {
    if (t === 1) {
      sq = new Float64Array(p.length);
      ga = new Float64Array(p.length);
      buf = new Float64Array(p.length);
    }
    for (let i = 0; i < p.length; i++) {
      const g = g0[i]! + wd * p[i]!;
      sq[i] = alpha * sq[i]! + (1 - alpha) * g * g;
      let avg: number;
      if (centered) {
        ga[i] = alpha * ga[i]! + (1 - alpha) * g;
        avg = Math.sqrt(sq[i]! - ga[i]! * ga[i]!) + eps;
      } else avg = Math.sqrt(sq[i]!) + eps;
      if (mom > 0) {
        buf[i] = mom * buf[i]! + g / avg;
        p[i] = p[i]! - lr * buf[i]!;
      } else p[i] = p[i]! - (lr * g) / avg;
    }
  };
}

const OPTIMIZERS: { name: string; make: (ps: Parameter[]) => Optimizer; ref: () => Ref }[] = [
  { name: "SGD", make: (ps) => new SGD(ps, { lr: 0.1 }), ref: () => sgdRef(0.1, 0, 0, false, 0) },
  { name: "SGD momentum dampening wd", make: (ps) => new SGD(ps, { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 }), ref: () => sgdRef(0.05, 0.8, 0.3, false, 0.01) },
  { name: "SGD nesterov", make: (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true }), ref: () => sgdRef(0.05, 0.9, 0, true, 0) },
  { name: "Adam", make: (ps) => new Adam(ps), ref: () => adamRef(1e-3, 0.9, 0.999, 1e-8, 0, false, false) },
  { name: "Adam wd amsgrad", make: (ps) => new Adam(ps, { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.1, amsgrad: true }), ref: () => adamRef(0.01, 0.8, 0.99, 1e-8, 0.1, false, true) },
  { name: "AdamW", make: (ps) => new AdamW(ps, { lr: 0.01 }), ref: () => adamRef(0.01, 0.9, 0.999, 1e-8, 0.01, true, false) },
  { name: "RMSprop", make: (ps) => new RMSprop(ps), ref: () => rmspropRef(0.01, 0.99, 1e-8, 0, 0, false) },
  { name: "RMSprop centered momentum wd", make: (ps) => new RMSprop(ps, { lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.1 }), ref: () => rmspropRef(0.01, 0.9, 1e-8, 0.1, 0.5, true) },
];

describe("three steps against f64 references of torch.optim", () => {
  // The kernels compute in f32: a few roundings of ~6e-8 relative per step; 1e-5 relative is ample.
  const tol = { rtol: 1e-5, atol: 1e-6 };
  for (const o of OPTIMIZERS) {
    it(o.name, async () => {
      const { js: jsEngine, wasm } = await testEngines();
      for (const engine of [jsEngine, ...wasm]) {
        const rnd = new TestRandom(12);
        const sizes = [1, 7, 33];
        const ps = sizes.map((n) => param(engine, [...rnd.floats(n)]));
        const refs = sizes.map(() => o.ref());
        const vals = ps.map((p) => Float64Array.from(p.data.f32));
        const opt = o.make(ps);
        for (let t = 1; t <= 3; t++) {
          opt.zeroGrad();
          ps.forEach((p, i) => {
            const g = rnd.floats(p.size);
            p.grad.f32.set(g);
            refs[i]!(vals[i]!, Float64Array.from(g), t);
          });
          opt.step();
          ps.forEach((p, i) => assertClose(p.data.f32, vals[i]!, tol, `${o.name} ${engine.backend} step ${t} param ${i}`));
        }
        expect(opt.stepCount).toBe(3);
      }
    });
  }
});

describe("optimizer API", () => {
  it("zeroGrad, params from a module, state dict round trip", () => {
    const lin = new Linear(3, 2, { engine: js });
    for (const p of lin.parameters()) p.grad.f32.fill(1);
    const opt = new Adam(lin, { lr: 0.01 });
    opt.step();
    const saved = opt.stateDict();
    expect([...saved.keys()]).toEqual(["step", "lr", "0.exp_avg", "0.exp_avg_sq", "1.exp_avg", "1.exp_avg_sq"]);
    opt.zeroGrad();
    expect(lin.parameters().every((p) => p.grad.toArray().every((v) => v === 0))).toBe(true);
    const other = new Adam(lin, { lr: 0.5 });
    other.loadStateDict(saved);
    expect(other.stepCount).toBe(1);
    expect(other.lr).toBeCloseTo(0.01, 8);
    expect(other.stateDict().get("0.exp_avg")!.data).toEqual(saved.get("0.exp_avg")!.data);
  });

  it("bad options", () => {
    const ps = [param(js, [1])];
    expect(() => new SGD(ps, { lr: 0.1, momentun: 0.9 } as never)).toThrow('SGD options: unknown option "momentun" (expected one of lr, momentum, dampening, nesterov, weightDecay)');
    expect(() => new SGD(ps, { nesterov: true })).toThrow("SGD nesterov: expected momentum > 0 and dampening = 0, got momentum 0, dampening 0");
    expect(() => new Adam(ps, { lr: -1 })).toThrow("Adam lr: expected a finite number ≥ 0, got -1");
    expect(() => new Adam(ps, { betas: [0.9, 1] })).toThrow("Adam betas[1]: expected a finite number ≥ 0 and < 1, got 1");
    expect(() => new RMSprop([], {})).toThrow("RMSprop params: expected a non-empty list of parameters (or a module with parameters), got []");
  });
});

describe("gradient utilities", () => {
  it("clipGradNorm scales all gradients by maxNorm/norm and returns the norm", () => {
    const a = param(js, [0, 0], [3, 0]);
    const b = param(js, [0], [4]);
    expect(clipGradNorm([a, b], 1)).toBeCloseTo(5, 6);
    expect([...a.grad.f32, ...b.grad.f32].map((v) => +v.toFixed(5))).toEqual([0.6, 0, 0.8]);
    expect(clipGradNorm([a, b], 10)).toBeCloseTo(1, 5); // under the limit: unchanged
    expect(b.grad.f32[0]).toBeCloseTo(0.8, 6);
    expect(clipGradNorm([a, b], 0.5, 1)).toBeCloseTo(1.4, 5);
    // The L1 clip above scaled [0.6, 0, 0.8] by 0.5/1.4, so the largest entry is now 0.8·0.5/1.4.
    expect(clipGradNorm([a, b], 1, Infinity)).toBeCloseTo((0.8 * 0.5) / 1.4, 5);
  });

  it("L2 and L1 penalties: value and gradient", () => {
    const w = param(js, [1, -2, 0], [0, 0, 0]);
    expect(addL2Penalty([w], 0.1)).toBeCloseTo(0.05 * 5, 6);
    expect([...w.grad.f32].map((v) => +v.toFixed(6))).toEqual([0.1, -0.2, 0]);
    w.grad.f32.fill(0);
    expect(addL1Penalty([w], 0.1)).toBeCloseTo(0.3, 6);
    expect([...w.grad.f32].map((v) => +v.toFixed(6))).toEqual([0.1, -0.1, 0]);
  });
});

describe("learning-rate schedules (PyTorch sequences)", () => {
  const lrs = (opt: Optimizer, n: number, step: (i: number) => void) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      step(i);
      out.push(+opt.lr.toFixed(10));
    }
    return out;
  };

  it("StepLR, ExponentialLR, CosineAnnealingLR", () => {
    const o1 = new SGD([param(js, [0])], { lr: 1 });
    const s1 = new StepLR(o1, { stepSize: 2, gamma: 0.1 });
    expect(lrs(o1, 5, () => s1.step())).toEqual([1, 0.1, 0.1, 0.01, 0.01]);
    const o2 = new SGD([param(js, [0])], { lr: 1 });
    const s2 = new ExponentialLR(o2, { gamma: 0.5 });
    expect(lrs(o2, 3, () => s2.step())).toEqual([0.5, 0.25, 0.125]);
    const o3 = new SGD([param(js, [0])], { lr: 1 });
    const s3 = new CosineAnnealingLR(o3, { tMax: 4, etaMin: 0 });
    expect(lrs(o3, 4, () => s3.step())).toEqual([0.8535533906, 0.5, 0.1464466094, 0]);
    expect(s3.getLastLr()).toBe(o3.lr);
    expect(() => new StepLR(o1, { stepSize: 0 })).toThrow("StepLR stepSize: expected a positive integer, got 0");
    expect(() => new StepLR(o1, { stepSize: 1, gama: 1 } as never)).toThrow('StepLR options: unknown option "gama"');
  });

  it("ReduceLROnPlateau: patience, cooldown, minLr, max mode", () => {
    const o = new SGD([param(js, [0])], { lr: 1 });
    const s = new ReduceLROnPlateau(o, { patience: 2, factor: 0.5 });
    const metrics = [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5];
    expect(lrs(o, metrics.length, (i) => s.step(metrics[i]!))).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]);
    const o2 = new SGD([param(js, [0])], { lr: 1 });
    const s2 = new ReduceLROnPlateau(o2, { mode: "max", patience: 0, cooldown: 1, factor: 0.1, minLr: 0.005 });
    // Every epoch without improvement reduces, except the cooldown epoch after each reduction.
    expect(lrs(o2, 6, () => s2.step(0.9))).toEqual([1, 0.1, 0.1, 0.01, 0.01, 0.005]);
  });
});
