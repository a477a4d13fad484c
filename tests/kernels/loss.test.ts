import { describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine.js";
import { Scratch, testEngines } from "../helpers/engines.js";
import { expectSame, output, readGuarded } from "../helpers/guarded.js";
import { ODD_SIZES, TestRandom } from "../helpers/random.js";

const U = 2 ** -24; // unit roundoff of f32

async function allEngines(): Promise<Engine[]> {
  const { js, wasm } = await testEngines();
  return [js, ...wasm];
}

function pickSize(rng: TestRandom): number {
  return rng.next() < 0.75 ? rng.pick(ODD_SIZES) : rng.int(1, 300);
}

function expectWithin(actual: ArrayLike<number>, want: ArrayLike<number>, tol: ArrayLike<number>, context: string): void {
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i]! - want[i]!) <= tol[i]!)) {
      throw new Error(`${context}: element ${i} is ${actual[i]}, expected ${want[i]} ± ${tol[i]}`);
    }
  }
}

/** Result of one loss call: the returned sum and the gradient (null when called without one). */
interface LossOut { loss: number; grad: Float32Array | null }

// --- softmax cross-entropy -------------------------------------------------------------------

interface CeCase { rows: number; cols: number; x: Float32Array; labels: Int32Array; smoothing: number; scale: number }

function runCe(e: Engine, c: CeCase, withGrad: boolean): LossOut {
  const s = new Scratch(e);
  const xp = s.put(c.x), lp = s.put(c.labels);
  const gp = withGrad ? output(s, c.x.length) : 0;
  const loss = e.kernels.softmaxCrossEntropy(c.rows, c.cols, xp, lp, c.smoothing, gp, c.scale);
  const grad = withGrad ? readGuarded(s, gp, c.x.length, `${e.backend} softmaxCrossEntropy`) : null;
  expectSame(s.f32(xp, c.x.length), c.x, `${e.backend}: logits are read only`);
  s.freeAll();
  return { loss, grad };
}

/**
 * The definition, in f64, independent of the kernels' algebra: p = softmax(x), target =
 * (1 − s)·onehot + s/cols, loss = −Σ target·log p, grad = scale·(p − target). Also returns the
 * tolerances (u = 2⁻²⁴), derived as in the activation tests: exp's argument x − max rounds
 * (≤ u·|x − max|), exp adds ≤ 1.5 ulp, and the f32 row sum of exps is within cols·u, so log Σ is
 * within (3·cols + 8)·u per row (absolute) and p_j within (|x_j − max| + 3·cols + 8)·u relative;
 * the gradient's subtraction and scaling round twice more (2u·|g|), and the f32 scale/Σ and
 * scale·s/cols factors once each (2u·|scale|·(p + s/cols)).
 */
function ceExact(c: CeCase): { loss: number; lossTol: number; grad: Float64Array; gradTol: Float64Array } {
  const { rows, cols, x, labels } = c;
  const s = Math.fround(c.smoothing), scale = Math.fround(c.scale);
  const grad = new Float64Array(rows * cols), gradTol = new Float64Array(rows * cols);
  let loss = 0, lossTol = 0, absLoss = 0;
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, x[r * cols + j]!);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[r * cols + j]! - m);
    let rowLoss = 0;
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      const logp = x[i]! - m - Math.log(sum);
      const p = Math.exp(logp);
      const target = (j === labels[r] ? 1 - s : 0) + s / cols;
      if (target !== 0) rowLoss -= target * logp;
      grad[i] = scale * (p - target);
      gradTol[i] = Math.abs(scale) * ((Math.abs(x[i]! - m) + 3 * cols + 8) * U * p + 2 * U * (p + s / cols)) + 2 * U * Math.abs(grad[i]!) + 2 ** -140;
    }
    loss += rowLoss;
    absLoss += Math.abs(rowLoss);
    lossTol += (3 * cols + 8) * U;
  }
  // The row terms are summed in f64 (1e-13 relative covers any order).
  return { loss, lossTol: lossTol + 1e-13 * absLoss, grad, gradTol };
}

// --- BCE with logits -------------------------------------------------------------------------

/** Exact BCE-with-logits terms in f64: softplus form for the loss, σ(x) − t for the gradient. */
function bceExact(x: number, t: number): { loss: number; sig: number; tail: number } {
  const tail = Math.log1p(Math.exp(-Math.abs(x)));
  const sig = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  return { loss: Math.max(x, 0) - x * t + tail, sig, tail };
}

function runBce(e: Engine, x: Float32Array, t: Float32Array, scale: number, withGrad: boolean): LossOut {
  const s = new Scratch(e);
  const xp = s.put(x), tp = s.put(t);
  const gp = withGrad ? output(s, x.length) : 0;
  const loss = e.kernels.bceWithLogitsLoss(x.length, xp, tp, gp, scale);
  const grad = withGrad ? readGuarded(s, gp, x.length, `${e.backend} bceWithLogitsLoss`) : null;
  expectSame(s.f32(xp, x.length), x, `${e.backend}: logits are read only`);
  expectSame(s.f32(tp, t.length), t, `${e.backend}: targets are read only`);
  s.freeAll();
  return { loss, grad };
}

/**
 * BCE tolerances (u = 2⁻²⁴): max(x, 0) − x·t is exact in f64 in the kernels, and only the
 * softplus tail log(1 + e^−|x|) ≤ log 2 is an f32 approximation, within TAIL_ULP ulp of its value
 * (measured below) → ≤ TAIL_ULP·2u·tail per element. σ is within 5u relative (exp's 1.5 ulp, one
 * add, one divide and for x < 0 one multiply); σ − t and the scaling round twice more.
 */
const TAIL_ULP = 2.5; // measured 1.76 ulp (both builds, worst near x = −9.7)

describe("softmaxCrossEntropy", () => {
  it("220 random shapes, with and without gradient, smoothing and scale, every backend vs the f64 definition", async () => {
    const rng = new TestRandom(41);
    const engines = await allEngines();
    for (let k = 0; k < 220; k++) {
      const rows = rng.int(1, 17), cols = pickSize(rng);
      const spread = rng.pick([1, 4, 20, 60]);
      const c: CeCase = {
        rows, cols, x: rng.floats(rows * cols, -spread, spread), labels: rng.ints(rows, 0, cols - 1),
        smoothing: rng.pick([0, 0, 0.1, Math.fround(rng.uniform(0, 1))]),
        scale: rng.pick([1, 1 / rows, Math.fround(rng.uniform(-2, 2))]),
      };
      const want = ceExact(c);
      for (const e of engines) {
        const ctx = `${e.backend} case ${k} rows=${rows} cols=${cols} s=${c.smoothing} scale=${c.scale}`;
        const withGrad = runCe(e, c, true);
        expect(Math.abs(withGrad.loss - want.loss), `${ctx}: loss ${withGrad.loss} vs ${want.loss}`).toBeLessThanOrEqual(want.lossTol);
        expectWithin(withGrad.grad!, want.grad, want.gradTol, `${ctx} grad`);
        // grad = 0 means no gradient: same loss, bit for bit (the same arithmetic either way).
        expect(runCe(e, c, false).loss, `${ctx} without grad`).toBe(withGrad.loss);
      }
    }
  });

  it("many rows: the log of the product of row sums is flushed before it overflows", async () => {
    const rng = new TestRandom(45);
    for (const e of await allEngines()) {
      // 1000 classes of equal logits: every row sum is 1000, so the product passes 1e288 every
      // 96 rows; the loss is exactly rows·ln 1000.
      const rows = 500, cols = 1000;
      const flat = runCe(e, { rows, cols, x: new Float32Array(rows * cols).fill(0.5), labels: rng.ints(rows, 0, cols - 1), smoothing: 0, scale: 1 }, false);
      expect(Math.abs(flat.loss - rows * Math.log(cols)), `${e.backend} flat`).toBeLessThanOrEqual(rows * 8 * U);
      // Two classes (the four-rows-at-a-time path): sums of 2 pass 1e288 every 957 rows.
      const flat2 = runCe(e, { rows: 2003, cols: 2, x: new Float32Array(4006).fill(-7), labels: rng.ints(2003, 0, 1), smoothing: 0, scale: 1 }, true);
      expect(Math.abs(flat2.loss - 2003 * Math.LN2), `${e.backend} flat 2-class`).toBeLessThanOrEqual(2003 * 8 * U);
      expect(flat2.grad!.every((g) => Math.abs(Math.abs(g) - 0.5) < 1e-7), `${e.backend} flat 2-class grad ±½`).toBe(true);
      for (const narrow of [1, 2, 3, 5, 7, 8]) {
        const cn: CeCase = { rows: 1999, cols: narrow, x: rng.floats(1999 * narrow, -20, 20), labels: rng.ints(1999, 0, narrow - 1), smoothing: 0.3, scale: 0.01 };
        const wn = ceExact(cn);
        const on = runCe(e, cn, true);
        expect(Math.abs(on.loss - wn.loss), `${e.backend} ${narrow} classes: ${on.loss} vs ${wn.loss}`).toBeLessThanOrEqual(wn.lossTol);
        expectWithin(on.grad!, wn.grad, wn.gradTol, `${e.backend} ${narrow} classes grad`);
      }
      // Random logits, with smoothing and gradient, against the definition.
      const c: CeCase = { rows: 300, cols: 257, x: rng.floats(300 * 257, -3, 3), labels: rng.ints(300, 0, 256), smoothing: 0.2, scale: 1 / 300 };
      const want = ceExact(c);
      const out = runCe(e, c, true);
      expect(Math.abs(out.loss - want.loss), `${e.backend} random: ${out.loss} vs ${want.loss}`).toBeLessThanOrEqual(want.lossTol);
      expectWithin(out.grad!, want.grad, want.gradTol, `${e.backend} random grad`);
    }
  });

  it("label smoothing against a hand computation", async () => {
    for (const e of await allEngines()) {
      // Logits [0, ln 3] give p = [¼, ¾] exactly in real arithmetic.
      const base = { rows: 1, cols: 2, x: Float32Array.from([0, Math.log(3)]), labels: Int32Array.from([1]), scale: 1 };
      const plain = runCe(e, { ...base, smoothing: 0 }, true);
      expect(plain.loss, `${e.backend} −ln ¾`).toBeCloseTo(0.2876820724517809, 6);
      expect(Array.from(plain.grad!).map((v) => Number(v.toFixed(6))), e.backend).toEqual([0.25, -0.25]);
      // s = ½: target = ½·onehot + ¼ = [¼, ¾] = p, so the gradient vanishes and the loss is the
      // entropy −(¼ ln ¼ + ¾ ln ¾).
      const smooth = runCe(e, { ...base, smoothing: 0.5 }, true);
      expect(smooth.loss, `${e.backend} entropy`).toBeCloseTo(0.5623351446188083, 6);
      for (const g of smooth.grad!) expect(Math.abs(g), `${e.backend} zero gradient`).toBeLessThan(1e-7);
      // Three classes, s = 0.1, label 0, batch of 2 with mean scaling: by hand,
      // p = softmax(1, 2, 3) = [0.0900306, 0.2447285, 0.6652410], −ln p = [2.4076060, 1.4076060, 0.4076060],
      // target = [0.9 + 0.1/3, 0.1/3, 0.1/3], loss per row = −Σ target·ln p = 2.3076060,
      // grad = ½·(p − target) = [−0.4216514, 0.1056976, 0.3159538].
      const three = runCe(e, {
        rows: 2, cols: 3, x: Float32Array.from([1, 2, 3, 1, 2, 3]), labels: Int32Array.from([0, 0]), smoothing: 0.1, scale: 0.5,
      }, true);
      expect(Math.abs(three.loss - 2 * 2.307606), `${e.backend} 3-class smoothed loss ${three.loss}`).toBeLessThan(2e-6);
      const g = [-0.4216514, 0.1056976, 0.3159538];
      three.grad!.forEach((v, i) => expect(Math.abs(v - g[i % 3]!), `${e.backend} 3-class grad ${i} = ${v}`).toBeLessThan(2e-7));
    }
  });

  it("large logits (±1e4, ±88, 3e38): finite loss and gradient, no NaN", async () => {
    const cases: [number[], number, number][] = [
      [[1e4, -1e4, 0], 1, 2e4], // the label's logit is 2e4 below the max
      [[1e4, -1e4, 0], 0, 0],
      [[88, -88, 88, 88, -88], 1, 176 + Math.log(3)],
      [[-1e4, -1e4, -1e4, -1e4], 2, Math.log(4)],
      [[3e38, 0, 3e38], 0, Math.log(2)], // m ≈ 3e38 must not absorb log Σ
    ];
    for (const e of await allEngines()) {
      for (const [values, label, loss] of cases) {
        const x = Float32Array.from(values);
        const out = runCe(e, { rows: 1, cols: x.length, x, labels: Int32Array.from([label]), smoothing: 0, scale: 1 }, true);
        const ctx = `${e.backend} CE(${values}; label ${label})`;
        expect(Math.abs(out.loss - loss), `${ctx} = ${out.loss}, expected ${loss}`).toBeLessThanOrEqual(1e-6 * Math.max(1, loss));
        expect(out.grad!.every((v) => Number.isFinite(v)), `${ctx} grad ${out.grad}`).toBe(true);
        // The gradient of a row sums to 0 (Σp − Σtarget = 1 − 1).
        expect(Math.abs(out.grad!.reduce((a, b) => a + b, 0)), ctx).toBeLessThan(1e-6);
      }
    }
  });
});

describe("softmaxCrossEntropy NaN", () => {
  it("a NaN logit anywhere in a row makes the loss and that row's gradient NaN, other rows stay finite", async () => {
    for (const e of await allEngines()) {
      for (const cols of [1, 3, 4, 5, 9, 17]) {
        for (let at = 0; at < cols; at++) {
          const x = Float32Array.from({ length: 2 * cols }, (_, i) => (i % 7) - 3);
          x[at] = Number.NaN;
          const out = runCe(e, { rows: 2, cols, x, labels: Int32Array.from([0, cols - 1]), smoothing: 0.1, scale: 0.5 }, true);
          const ctx = `${e.backend} cols=${cols} NaN at ${at}`;
          expect(out.loss, ctx).toBeNaN();
          expect(out.grad!.subarray(0, cols).every((v) => Number.isNaN(v)), ctx).toBe(true);
          expect(out.grad!.subarray(cols).every((v) => Number.isFinite(v)), ctx).toBe(true);
        }
      }
    }
  });
});

describe("nllLoss", () => {
  it("220 random shapes: exact loss and one-hot gradient, every backend", async () => {
    const rng = new TestRandom(42);
    const engines = await allEngines();
    for (let k = 0; k < 220; k++) {
      const rows = rng.int(1, 17), cols = pickSize(rng);
      const lp = rng.floats(rows * cols, -9, 0), labels = rng.ints(rows, 0, cols - 1);
      const scale = Math.fround(rng.pick([1, 1 / rows, rng.uniform(-2, 2)]));
      // The loss is −Σ of f32 values, added in row order in f64 by every backend: exact equality.
      let want = 0;
      for (let r = 0; r < rows; r++) want -= lp[r * cols + labels[r]!]!;
      const wantGrad = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) wantGrad[r * cols + labels[r]!] = -scale;
      for (const e of engines) {
        const s = new Scratch(e);
        const xp = s.put(lp), labp = s.put(labels), gp = output(s, rows * cols);
        const ctx = `${e.backend} case ${k} rows=${rows} cols=${cols}`;
        expect(e.kernels.nllLoss(rows, cols, xp, labp, gp, scale), ctx).toBe(want);
        expect(Array.from(readGuarded(s, gp, rows * cols, ctx)), ctx).toEqual(Array.from(wantGrad));
        expect(e.kernels.nllLoss(rows, cols, xp, labp, 0, scale), `${ctx} without grad`).toBe(want);
        s.freeAll();
      }
    }
  });
});

describe("mseLoss", () => {
  it("220 random sizes: f64 loss, gradient bit-identical to 2·scale·(pred − target) rounded once", async () => {
    const rng = new TestRandom(43);
    const engines = await allEngines();
    for (let k = 0; k < 220; k++) {
      const n = pickSize(rng);
      const pred = rng.floats(n, -3, 3), target = rng.floats(n, -3, 3);
      const scale = Math.fround(rng.pick([1, 1 / n, rng.uniform(-2, 2)]));
      let want = 0;
      const wantGrad = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        // pred − target rounds to f32 (the kernels subtract in f32); its square is exact in f64.
        const d = Math.fround(pred[i]! - target[i]!);
        want += d * d;
        wantGrad[i] = 2 * scale * d;
      }
      for (const e of engines) {
        const s = new Scratch(e);
        const pp = s.put(pred), tp = s.put(target), gp = output(s, n);
        const ctx = `${e.backend} case ${k} n=${n}`;
        // Exact squares summed in f64 in some order: within n·2⁻⁵³ of the total.
        expect(Math.abs(e.kernels.mseLoss(n, pp, tp, gp, scale) - want), ctx).toBeLessThanOrEqual(1e-13 * want);
        const grad = readGuarded(s, gp, n, ctx);
        for (let i = 0; i < n; i++) if (!Object.is(grad[i], wantGrad[i])) throw new Error(`${ctx}: grad ${i} is ${grad[i]}, expected ${wantGrad[i]}`);
        expect(Math.abs(e.kernels.mseLoss(n, pp, tp, 0, scale) - want), `${ctx} without grad`).toBeLessThanOrEqual(1e-13 * want);
        expectSame(s.f32(pp, n), pred, `${ctx}: pred is read only`);
        s.freeAll();
      }
    }
  });

  it("known values", async () => {
    for (const e of await allEngines()) {
      const s = new Scratch(e);
      const gp = output(s, 5);
      const loss = e.kernels.mseLoss(5, s.put(Float32Array.from([1, 2, 3, 0.5, -1])), s.put(Float32Array.from([1, 0, 5, 0, 1])), gp, 0.25);
      expect(loss, e.backend).toBe(0 + 4 + 4 + 0.25 + 4);
      expect(Array.from(readGuarded(s, gp, 5, e.backend)), e.backend).toEqual([0, 1, -1, 0.25, -1]);
      expect(e.kernels.mseLoss(0, gp, gp, 0, 1), `${e.backend} n = 0`).toBe(0);
      s.freeAll();
    }
  });
});

describe("bceWithLogitsLoss", () => {
  it(`softplus tail within ${TAIL_ULP} ulp: every x step of 1/64 in [−100, 100], one element per call`, async () => {
    const xs = Float32Array.from({ length: 12801 }, (_, i) => -100 + i / 64);
    for (const e of await allEngines()) {
      const s = new Scratch(e);
      const xp = s.put(new Float32Array(1)), tp = s.put(new Float32Array(1));
      let worst = 0, at = 0;
      for (const x of xs) {
        e.views.f32()[xp >> 2] = x;
        // t = 0 and x < 0 (or t = 1 and x > 0): the loss is the tail alone.
        e.views.f32()[tp >> 2] = x < 0 ? 0 : 1;
        const got = e.kernels.bceWithLogitsLoss(1, xp, tp, 0, 1);
        const { tail } = bceExact(x, x < 0 ? 0 : 1);
        const ulp = tail < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(Math.fround(tail))) - 23);
        const err = Math.abs(got - tail) / ulp;
        if (!(err <= worst)) {
          worst = err;
          at = x;
        }
      }
      expect(worst, `${e.backend}: ${worst.toFixed(2)} ulp at x = ${at}`).toBeLessThanOrEqual(TAIL_ULP);
      s.freeAll();
    }
  });

  it("220 random sizes with logits up to ±100: loss and gradient vs the f64 definition, every backend", async () => {
    const rng = new TestRandom(44);
    const engines = await allEngines();
    for (let k = 0; k < 220; k++) {
      const n = pickSize(rng);
      const x = rng.floats(n, -8, 8).map((v) => (rng.next() < 0.1 ? rng.pick([-100, 100, -30, 30, 0]) : v));
      const t = rng.floats(n, 0, 1).map((v) => (rng.next() < 0.5 ? Math.round(v) : v));
      const scale = Math.fround(rng.pick([1, 1 / n, rng.uniform(-2, 2)]));
      let want = 0, lossTol = 0;
      const grad = new Float64Array(n), gradTol = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const b = bceExact(x[i]!, t[i]!);
        want += b.loss;
        // 2⁻¹⁴⁸: a tail below 2⁻¹²⁶ (|x| > 87) is a subnormal f32 and carries one subnormal step.
        lossTol += TAIL_ULP * 2 * U * b.tail + 2 ** -148 + 1e-13 * Math.abs(b.loss);
        grad[i] = scale * (b.sig - t[i]!);
        gradTol[i] = Math.abs(scale) * 10 * U * b.sig + 2 * U * Math.abs(grad[i]!) + 2 ** -140;
      }
      for (const e of engines) {
        const ctx = `${e.backend} case ${k} n=${n} scale=${scale}`;
        const out = runBce(e, x, t, scale, true);
        expect(Math.abs(out.loss - want), `${ctx}: loss ${out.loss} vs ${want}`).toBeLessThanOrEqual(lossTol);
        expectWithin(out.grad!, grad, gradTol, `${ctx} grad`);
        expect(runBce(e, x, t, scale, false).loss, `${ctx} without grad`).toBe(out.loss);
      }
    }
  });

  it("stable at |x| = 100 (no overflow, no cancellation) and known values", async () => {
    const x = Float32Array.from([100, 100, -100, -100, 0, 0, 2, -2, 100]);
    const t = Float32Array.from([1, 0, 1, 0, 0.5, 1, 0.25, 0.25, 0.5]);
    const wantLoss = [Math.exp(-100), 100, 100, Math.exp(-100), Math.LN2, Math.LN2, 2 - 0.5 + Math.log1p(Math.exp(-2)), 0.5 + Math.log1p(Math.exp(-2)), 50];
    const wantGrad = [0, 1, -1, Math.exp(-100), 0, -0.5, 1 / (1 + Math.exp(-2)) - 0.25, 1 / (1 + Math.exp(2)) - 0.25, 0.5];
    for (const e of await allEngines()) {
      for (let i = 0; i < x.length; i++) {
        const one = runBce(e, x.subarray(i, i + 1), t.subarray(i, i + 1), 1, true);
        const ctx = `${e.backend} bce(x=${x[i]}, t=${t[i]})`;
        expect(Math.abs(one.loss - wantLoss[i]!), `${ctx} loss ${one.loss}`).toBeLessThanOrEqual(4 * U * wantLoss[i]! + 2 ** -149);
        expect(Math.abs(one.grad![0]! - wantGrad[i]!), `${ctx} grad ${one.grad![0]}`).toBeLessThanOrEqual(4 * U * Math.abs(wantGrad[i]!) + 2 ** -148);
      }
      // All at once (9 elements: a vector group, another, and a one-element tail).
      const all = runBce(e, x, t, 1, true);
      expect(Math.abs(all.loss - wantLoss.reduce((a, b) => a + b, 0)), e.backend).toBeLessThan(1e-5);
    }
  });
});
