import { describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine.js";
import { assertClose, Scratch, testEngines } from "../helpers/engines.js";
import { ODD_SIZES, TestRandom } from "../helpers/random.js";

async function allEngines(): Promise<Engine[]> {
  const { js, wasm } = await testEngines();
  return [js, ...wasm];
}

const fr = Math.fround;

interface SgdOpts { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean }
interface AdamOpts { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean; amsgrad: boolean }
interface RmsOpts { lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean }

/** Final parameter and optimizer state after len(grads) steps. */
interface RunResult { param: Float32Array; state: Float32Array[] }

/** Runs `grads.length` updates of one kernel in one engine, state buffers starting at zero as in torch.optim. */
function runSgd(e: Engine, o: SgdOpts, param0: Float32Array, grads: Float32Array[]): RunResult {
  const s = new Scratch(e);
  const n = param0.length;
  const p = s.put(param0);
  const buf = o.momentum !== 0 ? s.alloc(n * 4) : 0; // NaN-filled: the first step must overwrite it
  for (let t = 0; t < grads.length; t++) {
    const g = s.put(grads[t]!);
    e.kernels.sgdStep(n, p, g, buf, o.lr, o.momentum, o.dampening, o.weightDecay, o.nesterov ? 1 : 0, t === 0 ? 1 : 0);
    expect(s.f32(g, n), "grad is read only").toEqual(grads[t]);
  }
  const out = { param: s.f32(p, n), state: buf !== 0 ? [s.f32(buf, n)] : [] };
  s.freeAll();
  return out;
}

function runAdam(e: Engine, o: AdamOpts, param0: Float32Array, grads: Float32Array[]): RunResult {
  const s = new Scratch(e);
  const n = param0.length;
  const zeros = new Float32Array(n);
  const p = s.put(param0), m = s.put(zeros), v = s.put(zeros);
  const vMax = o.amsgrad ? s.put(zeros) : 0;
  for (let t = 0; t < grads.length; t++) {
    const g = s.put(grads[t]!);
    e.kernels.adamStep(n, p, g, m, v, vMax, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, o.decoupled ? 1 : 0, o.amsgrad ? 1 : 0, t + 1);
    expect(s.f32(g, n), "grad is read only").toEqual(grads[t]);
  }
  const out = { param: s.f32(p, n), state: [s.f32(m, n), s.f32(v, n), ...(vMax !== 0 ? [s.f32(vMax, n)] : [])] };
  s.freeAll();
  return out;
}

function runRms(e: Engine, o: RmsOpts, param0: Float32Array, grads: Float32Array[]): RunResult {
  const s = new Scratch(e);
  const n = param0.length;
  const zeros = new Float32Array(n);
  const p = s.put(param0), sq = s.put(zeros);
  const ga = o.centered ? s.put(zeros) : 0;
  const buf = o.momentum > 0 ? s.put(zeros) : 0;
  for (let t = 0; t < grads.length; t++) {
    const g = s.put(grads[t]!);
    e.kernels.rmspropStep(n, p, g, sq, ga, buf, o.lr, o.alpha, o.eps, o.weightDecay, o.momentum, o.centered ? 1 : 0);
    expect(s.f32(g, n), "grad is read only").toEqual(grads[t]);
  }
  const state = [s.f32(sq, n)];
  if (ga !== 0) state.push(s.f32(ga, n));
  if (buf !== 0) state.push(s.f32(buf, n));
  const out = { param: s.f32(p, n), state };
  s.freeAll();
  return out;
}

// Float64 implementations of torch.optim's single-tensor formulas (sgd.py, adam.py / adamw.py,
// rmsprop.py), written from the PyTorch source rather than from the kernels. Scalars are first
// rounded to f32 because that is what the kernels receive (the WASM ABI); all else is f64.

function sgdRef(o: SgdOpts, param0: Float32Array, grads: Float32Array[]): { param: number[]; state: number[][] } {
  const lr = fr(o.lr), mom = fr(o.momentum), damp = fr(o.dampening), wd = fr(o.weightDecay);
  const p = Array.from(param0);
  const buf = new Array<number>(p.length).fill(0);
  grads.forEach((grad, t) => {
    for (let i = 0; i < p.length; i++) {
      let d = grad[i]!;
      if (wd !== 0) d += wd * p[i]!;
      if (mom !== 0) {
        buf[i] = t === 0 ? d : mom * buf[i]! + (1 - damp) * d;
        d = o.nesterov ? d + mom * buf[i]! : buf[i]!;
      }
      p[i] = p[i]! - lr * d;
    }
  });
  return { param: p, state: mom !== 0 ? [buf] : [] };
}

function adamRef(o: AdamOpts, param0: Float32Array, grads: Float32Array[]): { param: number[]; state: number[][] } {
  const lr = fr(o.lr), b1 = fr(o.beta1), b2 = fr(o.beta2), eps = fr(o.eps), wd = fr(o.weightDecay);
  const p = Array.from(param0);
  const m = new Array<number>(p.length).fill(0), v = m.slice(), vMax = m.slice();
  grads.forEach((grad, t) => {
    const step = t + 1;
    const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
    for (let i = 0; i < p.length; i++) {
      let g = grad[i]!;
      if (o.decoupled) p[i] = p[i]! * (1 - lr * wd);
      else if (wd !== 0) g += wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      let vh = v[i]!;
      if (o.amsgrad) vh = vMax[i] = Math.max(vMax[i]!, v[i]!);
      p[i] = p[i]! - (lr / bc1) * m[i]! / (Math.sqrt(vh) / Math.sqrt(bc2) + eps);
    }
  });
  return { param: p, state: [m, v, ...(o.amsgrad ? [vMax] : [])] };
}

function rmsRef(o: RmsOpts, param0: Float32Array, grads: Float32Array[]): { param: number[]; state: number[][] } {
  const lr = fr(o.lr), alpha = fr(o.alpha), eps = fr(o.eps), wd = fr(o.weightDecay), mom = fr(o.momentum);
  const p = Array.from(param0);
  const sq = new Array<number>(p.length).fill(0), ga = sq.slice(), buf = sq.slice();
  for (const grad of grads) {
    for (let i = 0; i < p.length; i++) {
      let g = grad[i]!;
      if (wd !== 0) g += wd * p[i]!;
      sq[i] = alpha * sq[i]! + (1 - alpha) * g * g;
      let avg: number;
      if (o.centered) {
        ga[i] = alpha * ga[i]! + (1 - alpha) * g;
        avg = Math.sqrt(sq[i]! - ga[i]! * ga[i]!) + eps;
      } else {
        avg = Math.sqrt(sq[i]!) + eps;
      }
      if (mom > 0) {
        buf[i] = mom * buf[i]! + g / avg;
        p[i] = p[i]! - lr * buf[i]!;
      } else {
        p[i] = p[i]! - lr * g / avg;
      }
    }
  }
  const state = [sq];
  if (o.centered) state.push(ga);
  if (mom > 0) state.push(buf);
  return { param: p, state };
}

// Five steps of ~10 f32 roundings each (every one ≤ 2^-24 ≈ 6e-8 relative) against exact f64
// state: ≤ ~3e-6 relative drift in a parameter's accumulated update and in the state, so rtol
// 2e-5 leaves margin; atol 1e-6 covers values that cancel to near zero (m with alternating-sign
// gradients, params crossing zero) where relative error is meaningless. Gradients are kept away
// from 0 in magnitude-relative terms by drawing them from [-1, 1] with weight on both signs.
const F64_TOL = { rtol: 2e-5, atol: 1e-6 };

function randomSteps(rnd: TestRandom, n: number, steps: number): { param0: Float32Array; grads: Float32Array[] } {
  return { param0: rnd.floats(n, -1, 1), grads: Array.from({ length: steps }, () => rnd.floats(n, -1, 1)) };
}

function sameBits(a: Float32Array, b: Float32Array, context: string): void {
  const x = new Int32Array(a.buffer, a.byteOffset, a.length), y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) throw new Error(`${context}: element ${i} is ${a[i]}, expected ${b[i]} (bit-identical required)`);
  }
}

function checkAgainstRef(got: RunResult, ref: { param: number[]; state: number[][] }, context: string): void {
  assertClose(got.param, ref.param, F64_TOL, `${context} param`);
  expect(got.state.length, context).toBe(ref.state.length);
  got.state.forEach((st, k) => assertClose(st, ref.state[k]!, F64_TOL, `${context} state ${k}`));
}

const SGD_CASES: SgdOpts[] = [];
for (const momentum of [0, 0.9]) {
  for (const dampening of momentum === 0 ? [0] : [0, 0.3]) {
    for (const nesterov of momentum !== 0 && dampening === 0 ? [false, true] : [false]) {
      for (const weightDecay of [0, 0.01]) SGD_CASES.push({ lr: 0.05, momentum, dampening, weightDecay, nesterov });
    }
  }
}
const ADAM_CASES: AdamOpts[] = [];
for (const decoupled of [false, true]) {
  for (const amsgrad of [false, true]) {
    for (const weightDecay of [0, 0.05]) ADAM_CASES.push({ lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, decoupled, amsgrad });
  }
}
ADAM_CASES.push({ lr: 0.003, beta1: 0.5, beta2: 0.9, eps: 1e-3, weightDecay: 0, decoupled: false, amsgrad: true });
const RMS_CASES: RmsOpts[] = [];
for (const centered of [false, true]) {
  for (const momentum of [0, 0.8]) {
    for (const weightDecay of [0, 0.02]) RMS_CASES.push({ lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay, momentum, centered });
  }
}
RMS_CASES.push({ lr: 0.001, alpha: 0.9, eps: 1e-4, weightDecay: 0, momentum: 0.5, centered: true });

describe("optimizer steps on hand-computed values", () => {
  it("SGD with momentum: two steps of param 1, grad 1, lr 0.1, momentum 0.9 (plain, nesterov, dampening, weight decay)", async () => {
    const p0 = new Float32Array([1]);
    const g = [new Float32Array([1]), new Float32Array([1])];
    const base: SgdOpts = { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false };
    for (const e of await allEngines()) {
      // buf = 1 → p = 0.9; buf = 0.9·1 + 1 = 1.9 → p = 0.9 − 0.19 = 0.71.
      let r = runSgd(e, base, p0, g);
      expect(r.param[0], e.backend).toBeCloseTo(0.71, 6);
      expect(r.state[0]![0], e.backend).toBeCloseTo(1.9, 6);
      // Nesterov: g = 1 + 0.9·1 → p = 0.81; buf = 1.9, g = 1 + 0.9·1.9 = 2.71 → p = 0.539.
      r = runSgd(e, { ...base, nesterov: true }, p0, g);
      expect(r.param[0], e.backend).toBeCloseTo(0.539, 6);
      // Dampening 0.5 (not applied on the first step): buf = 1, then 0.9 + 0.5 = 1.4 → p = 0.9 − 0.14.
      r = runSgd(e, { ...base, dampening: 0.5 }, p0, g);
      expect(r.param[0], e.backend).toBeCloseTo(0.76, 6);
      // Plain SGD with weight decay 0.1: g = 1 + 0.1·1 = 1.1 → p = 0.89.
      r = runSgd(e, { ...base, momentum: 0, weightDecay: 0.1 }, p0, [g[0]!]);
      expect(r.param[0], e.backend).toBeCloseTo(0.89, 6);
    }
  });

  it("Adam: one step moves each parameter by lr·sign(grad) (bias-corrected m̂/sqrt(v̂) = ±1)", async () => {
    const p0 = new Float32Array([1, 3, -2]);
    const g = [new Float32Array([0.5, -2, 1e-3])];
    for (const e of await allEngines()) {
      // m = 0.1·g, v = 0.001·g², m̂ = g, v̂ = g²: update = lr·g/(|g| + 1e-8), where eps shows at
      // g = 1e-3: 0.1·1e-3/(1e-3 + 1e-8) = 0.0999990.
      const r = runAdam(e, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: false }, p0, g);
      // f32 roundings of (1 − β), the bias corrections and the quotient: a few ulps of 1 (1.2e-7 each).
      assertClose(r.param, [0.9, 3.1, -2 - 0.1e-3 / (1e-3 + 1e-8)], { rtol: 0, atol: 5e-7 }, `${e.backend} Adam`);
      assertClose(r.state[0]!, [0.05, -0.2, 1e-4], { rtol: 1e-6, atol: 0 }, `${e.backend} m`);
      assertClose(r.state[1]!, [0.00025, 0.004, 1e-9], { rtol: 2e-5, atol: 0 }, `${e.backend} v (β2 = f32(0.999))`);
      // AdamW: p·(1 − 0.1·0.5) first, then the same step: 0.95 − 0.1 = 0.85, 2.85 + 0.1, −1.9 − 0.099999.
      const w = runAdam(e, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.5, decoupled: true, amsgrad: false }, p0, g);
      assertClose(w.param, [0.85, 2.95, -1.9 - 0.1e-3 / (1e-3 + 1e-8)], { rtol: 0, atol: 5e-7 }, `${e.backend} AdamW`);
    }
  });

  it("RMSprop: one step of param 1, grad 0.5, lr 0.01, α 0.99: sq = 0.0025, p = 1 − 0.01·0.5/0.05 = 0.9", async () => {
    for (const e of await allEngines()) {
      const r = runRms(e, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false }, new Float32Array([1]), [new Float32Array([0.5])]);
      expect(r.param[0], e.backend).toBeCloseTo(0.9, 5);
      expect(r.state[0]![0], e.backend).toBeCloseTo(0.0025, 8);
    }
  });
});

describe("optimizer steps vs float64 torch.optim formulas", () => {
  it("SGD, every option combination, 5 steps", async () => {
    const rnd = new TestRandom(21);
    for (const e of await allEngines()) {
      for (const o of SGD_CASES) {
        const { param0, grads } = randomSteps(rnd, 37, 5);
        checkAgainstRef(runSgd(e, o, param0, grads), sgdRef(o, param0, grads), `${e.backend} ${JSON.stringify(o)}`);
      }
    }
  });

  it("Adam / AdamW, every option combination, 5 steps", async () => {
    const rnd = new TestRandom(22);
    for (const e of await allEngines()) {
      for (const o of ADAM_CASES) {
        const { param0, grads } = randomSteps(rnd, 37, 5);
        checkAgainstRef(runAdam(e, o, param0, grads), adamRef(o, param0, grads), `${e.backend} ${JSON.stringify(o)}`);
      }
    }
  });

  it("RMSprop, every option combination, 5 steps", async () => {
    const rnd = new TestRandom(23);
    for (const e of await allEngines()) {
      for (const o of RMS_CASES) {
        const { param0, grads } = randomSteps(rnd, 37, 5);
        checkAgainstRef(runRms(e, o, param0, grads), rmsRef(o, param0, grads), `${e.backend} ${JSON.stringify(o)}`);
      }
    }
  });
});

describe("optimizer kernels: WASM vs js", () => {
  // No fused multiply-add in these kernels and the js reference rounds every op to f32 in the
  // same order, so every build must match to the bit (the determinism promise across backends).
  it("bit-identical params and state on 3 × 210 random shapes and options", async () => {
    const { js, wasm } = await testEngines();
    const rnd = new TestRandom(24);
    for (let t = 0; t < 210; t++) {
      const n = t < ODD_SIZES.length ? ODD_SIZES[t]! : rnd.int(0, 700);
      const steps = rnd.int(1, 3);
      const { param0, grads } = randomSteps(rnd, n, steps);
      const sgd = { ...rnd.pick(SGD_CASES), lr: rnd.uniform(1e-3, 0.5) };
      const adam = { ...rnd.pick(ADAM_CASES), lr: rnd.uniform(1e-4, 0.1) };
      const rms = { ...rnd.pick(RMS_CASES), lr: rnd.uniform(1e-4, 0.1) };
      const refs = [runSgd(js, sgd, param0, grads), runAdam(js, adam, param0, grads), runRms(js, rms, param0, grads)];
      for (const e of wasm) {
        const got = [runSgd(e, sgd, param0, grads), runAdam(e, adam, param0, grads), runRms(e, rms, param0, grads)];
        got.forEach((g, k) => {
          const ctx = `${e.backend} kernel ${k} n ${n} steps ${steps}`;
          sameBits(g.param, refs[k]!.param, `${ctx} param`);
          g.state.forEach((st, j) => sameBits(st, refs[k]!.state[j]!, `${ctx} state ${j}`));
        });
      }
    }
  });
});

describe("optimizer state never becomes subnormal", () => {
  // A parameter whose gradient is exactly 0 after some step has its state decay geometrically;
  // below 2^-100 the kernels store +0 (subnormal floats cost ~100 cycles per operation on x86).
  const TINY = 2 ** -100;
  const subnormal = (x: number): boolean => x !== 0 && Math.abs(x) < 2 ** -126;
  // Seven lanes (a vector and a tail): decaying values, a NaN that must survive, a large value.
  const first = Float32Array.from([1e-3, -1e-20, NaN, 1e-3, 2, -1e-30, 1e-3]);
  const zeros = new Float32Array(first.length);
  const grads = [first, ...Array.from({ length: 800 }, () => zeros)];

  function check(states: Float32Array[], label: string): void {
    for (const st of states) {
      for (let i = 0; i < st.length; i++) {
        const x = st[i]!;
        if (i === 2) expect(x, `${label}: NaN lane`).toBeNaN();
        else {
          expect(subnormal(x), `${label}: state[${i}] = ${x} is subnormal`).toBe(false);
          expect(x === 0 || Math.abs(x) >= TINY, `${label}: state[${i}] = ${x}`).toBe(true);
        }
      }
    }
  }

  it("SGD momentum, Adam's m and v, RMSprop's averages decay to exactly 0, identically on every backend", async () => {
    const engines = await allEngines();
    const p0 = new Float32Array(first.length).fill(0.5);
    const results = engines.map((e) => ({
      sgd: runSgd(e, { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false }, p0, grads),
      adam: runAdam(e, { lr: 1e-3, beta1: 0.9, beta2: 0.9, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: false }, p0, grads),
      rms: runRms(e, { lr: 1e-2, alpha: 0.9, eps: 1e-8, weightDecay: 0, momentum: 0.5, centered: true }, p0, grads),
    }));
    for (const [k, r] of results.entries()) {
      const b = engines[k]!.backend;
      check(r.sgd.state, `${b} SGD`);
      check(r.adam.state, `${b} Adam`);
      check(r.rms.state, `${b} RMSprop`);
      // 0.9^800 ≈ 5e-37: unflushed, a state of 1e-4 would now be a subnormal ~5e-41; flushed,
      // every finite lane's state has passed 2^-100 and is exactly 0.
      for (const st of [...r.sgd.state, ...r.adam.state, ...r.rms.state]) {
        expect(Array.from(st).filter((x, i) => i !== 2 && x !== 0)).toEqual([]);
      }
      expect(Array.from(r.adam.param)).toEqual(Array.from(results[0]!.adam.param));
      expect(Array.from(r.sgd.param)).toEqual(Array.from(results[0]!.sgd.param));
      expect(Array.from(r.rms.param)).toEqual(Array.from(results[0]!.rms.param));
    }
  });
});
