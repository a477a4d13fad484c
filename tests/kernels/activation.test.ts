import { describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine.js";
import type { Kernels } from "../../src/backend/kernels.js";
import { Scratch, testEngines } from "../helpers/engines.js";
import { expectSame, output, putGuarded, readGuarded } from "../helpers/guarded.js";
import { ODD_SIZES, TestRandom } from "../helpers/random.js";

const U = 2 ** -24; // unit roundoff of f32

/**
 * Error bounds of the vectorised exp-based kernels against the exact (f64) value, in units in the
 * last place of the f32 result. They are the bounds stated in assembly/math.ts: measured over
 * every input step of 2⁻¹² in [−88, 88] plus random inputs of every magnitude, in both builds
 * (see the first test), then rounded up.
 */
const ULP_BOUND = { exp: 1.5, sigmoid: 3, tanh: 2 } as const;

/** One f32 ulp at the magnitude of v (subnormal spacing below 2⁻¹²⁶). */
function ulpOf(v: number): number {
  const a = Math.abs(Math.fround(v));
  return a < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
}

const exact = {
  exp: Math.exp,
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
} as const;
type Fn = keyof typeof exact;
const kernelOf: Record<Fn, "expForward" | "sigmoidForward" | "tanhForward"> = {
  exp: "expForward", sigmoid: "sigmoidForward", tanh: "tanhForward",
};

async function allEngines(): Promise<Engine[]> {
  const { js, wasm } = await testEngines();
  return [js, ...wasm];
}

function pickSize(rng: TestRandom): number {
  return rng.next() < 0.75 ? rng.pick(ODD_SIZES) : rng.int(1, 300);
}

/** Runs an elementwise kernel (n, ...inputs, out) on one engine; `inPlace` writes over the first input. */
function runElementwise(
  e: Engine, call: (k: Kernels, ptrs: number[], out: number) => void, inputs: Float32Array[], inPlace: boolean, context: string,
): Float32Array {
  const s = new Scratch(e);
  const n = inputs[0]!.length;
  const ptrs = inputs.map((a, i) => (i === 0 && inPlace ? putGuarded(s, a) : s.put(a)));
  const out = inPlace ? ptrs[0]! : output(s, n);
  call(e.kernels, ptrs, out);
  const y = readGuarded(s, out, n, `${e.backend} ${context}`);
  if (!inPlace) inputs.forEach((a, i) => expectSame(s.f32(ptrs[i]!, n), a, `${e.backend} ${context}: input ${i} is read only`));
  s.freeAll();
  return y;
}

/** Largest error of f(x) in ulps of the exact result over the given inputs. */
function maxUlpError(e: Engine, fn: Fn, xs: Float32Array): { ulps: number; at: number } {
  const s = new Scratch(e);
  const xp = s.put(xs), yp = s.alloc(xs.length * 4);
  e.kernels[kernelOf[fn]](xs.length, xp, yp);
  const y = s.f32(yp, xs.length);
  s.freeAll();
  let ulps = 0, at = Number.NaN;
  for (let i = 0; i < xs.length; i++) {
    const want = exact[fn](xs[i]!);
    const err = Math.abs(y[i]! - want) / ulpOf(want);
    if (!(err <= ulps)) {
      ulps = err;
      at = xs[i]!;
    }
  }
  return { ulps, at };
}

describe("vectorised exp, sigmoid, tanh: error bounds", () => {
  it("stay within the stated ulp bounds over [−88, 88] (every 2⁻¹² step + random magnitudes), every backend", async () => {
    const grid = new Float32Array(176 * 4096 + 1);
    for (let i = 0; i < grid.length; i++) grid[i] = -88 + i / 4096;
    // Random magnitudes from 2⁻³⁰ to 88 with both signs: tanh's small-argument branch and the
    // subnormal results of exp near −88 are covered, not only the steps of the grid.
    const rng = new TestRandom(31);
    const random = Float32Array.from({ length: 1 << 16 }, () => (rng.next() < 0.5 ? -1 : 1) * Math.min(88, 2 ** rng.uniform(-30, 6.46)));
    for (const e of await allEngines()) {
      for (const fn of ["exp", "sigmoid", "tanh"] as const) {
        for (const [name, xs] of [["grid", grid], ["random", random]] as const) {
          const { ulps, at } = maxUlpError(e, fn, xs);
          expect(ulps, `${e.backend} ${fn} ${name}: ${ulps.toFixed(3)} ulp at x = ${at}`).toBeLessThanOrEqual(ULP_BOUND[fn]);
        }
      }
    }
  });

  it("known values: exact points, saturation, overflow and underflow, NaN and infinities", async () => {
    const inf = Number.POSITIVE_INFINITY;
    const cases: Record<Fn, [number, number][]> = {
      exp: [[0, 1], [-0, 1], [89, inf], [1000, inf], [inf, inf], [-104, 0], [-1000, 0], [-inf, 0], [Number.NaN, Number.NaN],
        [1, Math.fround(Math.E)], [88.72, Math.exp(Math.fround(88.72))], [-87.3, Math.exp(Math.fround(-87.3))]],
      sigmoid: [[0, 0.5], [100, 1], [inf, 1], [-inf, 0], [-200, 0], [Number.NaN, Number.NaN]],
      tanh: [[0, 0], [-0, -0], [20, 1], [-20, -1], [inf, 1], [-inf, -1], [1e-20, 1e-20], [-3e-8, Math.fround(-3e-8)], [Number.NaN, Number.NaN]],
    };
    for (const e of await allEngines()) {
      for (const fn of ["exp", "sigmoid", "tanh"] as const) {
        const xs = Float32Array.from(cases[fn].map((c) => c[0]));
        const want = cases[fn].map((c) => c[1]);
        // 2k + 1 values: each case lands in two different lanes, in the vector loop and in the tail.
        const doubled = Float32Array.from([xs[0]!, ...xs, ...xs]);
        const y = runElementwise(e, (k, [x], out) => k[kernelOf[fn]](doubled.length, x!, out), [doubled], false, fn);
        for (let i = 0; i < y.length; i++) {
          const w = want[i === 0 ? 0 : (i - 1) % want.length]!;
          const ctx = `${e.backend} ${fn}(${doubled[i]}) = ${y[i]}, expected ${w}`;
          if (Number.isNaN(w) || !Number.isFinite(w) || w === 0) expect(Object.is(y[i], Math.fround(w)), ctx).toBe(true);
          else expect(Math.abs(y[i]! - w), ctx).toBeLessThanOrEqual(ULP_BOUND[fn] * ulpOf(w));
        }
      }
    }
  });
});

describe("elementwise activations vs the JS reference", () => {
  // ReLU, leaky ReLU and every backward kernel round the same f32 operations in the same order in
  // all backends (no FMA), so they must agree bit for bit.
  const bitExact: [string, (k: Kernels, p: number[], out: number, n: number, slope: number) => void, number][] = [
    ["reluForward", (k, [x], o, n) => k.reluForward(n, x!, o), 1],
    ["reluBackward", (k, [y, dy], o, n) => k.reluBackward(n, y!, dy!, o), 2],
    ["leakyReluForward", (k, [x], o, n, a) => k.leakyReluForward(n, a, x!, o), 1],
    ["leakyReluBackward", (k, [x, dy], o, n, a) => k.leakyReluBackward(n, a, x!, dy!, o), 2],
    ["sigmoidBackward", (k, [y, dy], o, n) => k.sigmoidBackward(n, y!, dy!, o), 2],
    ["tanhBackward", (k, [y, dy], o, n) => k.tanhBackward(n, y!, dy!, o), 2],
  ];

  it("relu, leaky relu and all elementwise backwards on 240 sizes: bit-identical, in place too", async () => {
    const rng = new TestRandom(32);
    const { js, wasm } = await testEngines();
    for (let c = 0; c < 240; c++) {
      const n = pickSize(rng);
      const slope = Math.fround(rng.uniform(0, 0.3));
      // Exact zeros and −0 appear, so the > 0 masks are tested at their edge.
      const a = rng.floats(n, -2, 2).map((v) => (rng.next() < 0.15 ? rng.pick([0, -0]) : v));
      const b = rng.floats(n, -2, 2);
      for (const [name, call, arity] of bitExact) {
        const inputs = arity === 1 ? [a] : [a, b];
        for (const inPlace of [false, true]) {
          const ctx = `${name} case ${c} n=${n}${inPlace ? " in place" : ""}`;
          const run = (e: Engine) => runElementwise(e, (k, p, o) => call(k, p, o, n, slope), inputs, inPlace, ctx);
          const want = run(js);
          for (const e of wasm) expectSame(run(e), want, `${e.backend} ${ctx}`);
        }
      }
    }
  });

  it("exp, sigmoid, tanh forward on 240 sizes: within bound + ½ ulp of the (correctly rounded) JS reference", async () => {
    const rng = new TestRandom(33);
    const { js, wasm } = await testEngines();
    for (let c = 0; c < 240; c++) {
      const n = pickSize(rng);
      const x = rng.floats(n, -12, 12);
      for (const fn of ["exp", "sigmoid", "tanh"] as const) {
        for (const inPlace of [false, true]) {
          const ctx = `${fn} case ${c} n=${n}${inPlace ? " in place" : ""}`;
          const run = (e: Engine) => runElementwise(e, (k, [p], o) => k[kernelOf[fn]](n, p!, o), [x], inPlace, ctx);
          const want = run(js);
          for (const e of wasm) {
            const got = run(e);
            // The JS result is exact rounded to f32 (≤ ½ ulp); the WASM one is within the bound.
            for (let i = 0; i < n; i++) {
              const tol = (ULP_BOUND[fn] + 0.5) * ulpOf(want[i]!);
              if (!(Math.abs(got[i]! - want[i]!) <= tol)) throw new Error(`${e.backend} ${ctx}: element ${i} is ${got[i]}, expected ${want[i]}`);
            }
          }
        }
      }
    }
  });

  it("known values: relu of −0, NaN passes through, leaky slope", async () => {
    for (const e of await allEngines()) {
      const x = Float32Array.from([-2, -0, 0, 3, Number.NaN, -1, 5]);
      const relu = runElementwise(e, (k, [p], o) => k.reluForward(7, p!, o), [x], false, "relu");
      expect(Array.from(relu).map((v) => (Object.is(v, -0) ? "-0" : v)), e.backend).toEqual([0, 0, 0, 3, Number.NaN, 0, 5]);
      const leaky = runElementwise(e, (k, [p], o) => k.leakyReluForward(7, 0.25, p!, o), [x], false, "leaky");
      expect(Array.from(leaky), e.backend).toEqual([-0.5, -0, 0, 3, Number.NaN, -0.25, 5]);
      const dy = Float32Array.from([1, 2, 3, 4, 5, 6, 7]);
      const back = runElementwise(e, (k, [p, g], o) => k.leakyReluBackward(7, 0.25, p!, g!, o), [x, dy], false, "leaky back");
      expect(Array.from(back), e.backend).toEqual([0.25, 0.5, 0.75, 4, 1.25, 1.5, 7]);
    }
  });
});

/** Exact softmax / log-softmax of f32 logits in f64. */
function softmaxExact(x: Float32Array, rows: number, cols: number, log: boolean): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, x[r * cols + j]!);
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[r * cols + j]! - m);
    for (let j = 0; j < cols; j++) {
      const d = x[r * cols + j]! - m;
      y[r * cols + j] = log ? d - Math.log(s) : Math.exp(d) / s;
    }
  }
  return y;
}

/**
 * Softmax / log-softmax error bounds per element (u = 2⁻²⁴). exp's argument d_j = x_j − max is
 * rounded (absolute error ≤ u·|d_j|), exp adds ≤ 1.5 ulp, and the f32 row sum of `cols` terms is
 * within cols·u relative; the argument errors reach Σ weighted by p_k ≤ e^−|d_k|, and
 * |d|·e^−|d| ≤ 1/e, so they add < 0.37·cols·u to it. 1/Σ and the product (or log Σ and two
 * subtractions) round once each. Hence softmax is within (|d_j| + 3·cols + 8)·u relative (plus a
 * few subnormal steps where the result underflows), log-softmax within (3·|y_j| + 3·cols + 8)·u
 * absolute (|d_j| ≤ |y_j| there). The bounds are rounded up generously in cols, not in |d_j|.
 */
function softmaxTol(x: Float32Array, yExact: Float64Array, rows: number, cols: number, log: boolean): Float64Array {
  const tol = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, x[r * cols + j]!);
    for (let j = 0; j < cols; j++) {
      const y = Math.abs(yExact[r * cols + j]!);
      const d = Math.abs(x[r * cols + j]! - m);
      tol[r * cols + j] = log ? (3 * y + 3 * cols + 8) * U : (d + 3 * cols + 8) * U * y + 4 * 2 ** -149;
    }
  }
  return tol;
}

function runRows(
  e: Engine, call: (k: Kernels, p: number[], out: number) => void, inputs: Float32Array[], n: number, context: string,
): Float32Array {
  const s = new Scratch(e);
  const ptrs = inputs.map((a) => s.put(a));
  const out = output(s, n);
  call(e.kernels, ptrs, out);
  const y = readGuarded(s, out, n, `${e.backend} ${context}`);
  inputs.forEach((a, i) => expectSame(s.f32(ptrs[i]!, a.length), a, `${e.backend} ${context}: input ${i} is read only`));
  s.freeAll();
  return y;
}

function expectWithin(actual: Float32Array, want: Float64Array, tol: Float64Array, context: string): void {
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i]! - want[i]!) <= tol[i]!)) {
      throw new Error(`${context}: element ${i} is ${actual[i]}, expected ${want[i]} ± ${tol[i]}`);
    }
  }
}

describe("softmax and log-softmax", () => {
  it("a NaN logit makes its own row NaN and leaves the other rows alone (NaN anywhere in a SIMD group or tail)", async () => {
    for (const e of await allEngines()) {
      for (const cols of [1, 3, 4, 5, 9, 17]) {
        for (let at = 0; at < cols; at++) {
          const x = Float32Array.from({ length: 2 * cols }, (_, i) => (i % 7) - 3);
          x[cols + at] = Number.NaN;
          for (const name of ["softmaxForward", "logSoftmaxForward"] as const) {
            const y = runRows(e, (k, [p], o) => k[name](2, cols, p!, o), [x], 2 * cols, name);
            const ctx = `${e.backend} ${name} cols=${cols} NaN at ${at}`;
            expect(y.subarray(0, cols).every((v) => Number.isFinite(v)), ctx).toBe(true);
            expect(y.subarray(cols).every((v) => Number.isNaN(v)), ctx).toBe(true);
          }
        }
      }
    }
  });

  it("forward on 220 shapes vs the exact f64 values, every backend", async () => {
    const rng = new TestRandom(34);
    const engines = await allEngines();
    for (let c = 0; c < 220; c++) {
      const rows = rng.int(1, 17), cols = pickSize(rng);
      const spread = rng.pick([1, 5, 20, 80]);
      const x = rng.floats(rows * cols, -spread, spread);
      for (const log of [false, true]) {
        const want = softmaxExact(x, rows, cols, log);
        const tol = softmaxTol(x, want, rows, cols, log);
        const name = log ? "logSoftmaxForward" : "softmaxForward";
        for (const e of engines) {
          const ctx = `${e.backend} ${name} case ${c} rows=${rows} cols=${cols} spread=${spread}`;
          const y = runRows(e, (k, [p], o) => k[name](rows, cols, p!, o), [x], rows * cols, ctx);
          expectWithin(y, want, tol, ctx);
        }
      }
    }
  });

  it("backward on 220 shapes vs the JS reference", async () => {
    const rng = new TestRandom(35);
    const { js, wasm } = await testEngines();
    for (let c = 0; c < 220; c++) {
      const rows = rng.int(1, 17), cols = pickSize(rng);
      const x = rng.floats(rows * cols, -4, 4), dy = rng.floats(rows * cols, -1, 1);
      const y = runRows(js, (k, [p], o) => k.softmaxForward(rows, cols, p!, o), [x], rows * cols, "softmax");
      const ly = runRows(js, (k, [p], o) => k.logSoftmaxForward(rows, cols, p!, o), [x], rows * cols, "logSoftmax");
      const runSm = (e: Engine) => runRows(e, (k, [a, b], o) => k.softmaxBackward(rows, cols, a!, b!, o), [y, dy], rows * cols, `softmaxBackward case ${c}`);
      const runLs = (e: Engine) => runRows(e, (k, [a, b], o) => k.logSoftmaxBackward(rows, cols, a!, b!, o), [ly, dy], rows * cols, `logSoftmaxBackward case ${c}`);
      const wantSm = runSm(js), wantLs = runLs(js);
      // Tolerances (u = 2⁻²⁴): the WASM kernels sum Σ dy·y (softmax) or Σ dy (log-softmax) in f32,
      // within cols·u·Σ|terms| of the f64 sum of the reference, exp(y) adds ≤ 1.5 ulp, and each
      // output rounds once or twice more. Per row, with S = Σ|dy·y| resp. Σ|dy|:
      //   softmax:     |Δdx_j| ≤ y_j·(cols + 2)·u·(S + |dy_j|)·2 + 2u·|dx_j|
      //   log-softmax: |Δdx_j| ≤ e^{y_j}·(cols + 4)·u·S·2 + 2u·(|dy_j| + |dx_j|)
      const tolSm = new Float64Array(rows * cols), tolLs = new Float64Array(rows * cols);
      for (let r = 0; r < rows; r++) {
        let sDot = 0, sSum = 0;
        for (let j = 0; j < cols; j++) {
          sDot += Math.abs(dy[r * cols + j]! * y[r * cols + j]!);
          sSum += Math.abs(dy[r * cols + j]!);
        }
        for (let j = 0; j < cols; j++) {
          const i = r * cols + j;
          tolSm[i] = y[i]! * (cols + 2) * U * (sDot + Math.abs(dy[i]!)) * 2 + 2 * U * Math.abs(wantSm[i]!);
          tolLs[i] = Math.exp(ly[i]!) * (cols + 4) * U * sSum * 2 + 2 * U * (Math.abs(dy[i]!) + Math.abs(wantLs[i]!));
        }
      }
      for (const e of wasm) {
        const ctx = `rows=${rows} cols=${cols} case ${c}`;
        expectWithin(runSm(e), Float64Array.from(wantSm), tolSm, `${e.backend} softmaxBackward ${ctx}`);
        expectWithin(runLs(e), Float64Array.from(wantLs), tolLs, `${e.backend} logSoftmaxBackward ${ctx}`);
      }
    }
  });

  it("large logits (±1e4, ±88, ±Inf-free): no overflow or NaN, exact-value agreement", async () => {
    const rows = [
      [1e4, 1e4 - 1, -1e4, 88, -88, 1e4, 0],
      [-1e4, -1e4, -1e4, -1e4, -1e4],
      [88, 88, 88, 87, -88, -88, -88, -88, 88],
      [1e4, -1e4],
      [3e38, 0, 3e38],
      [-88, -88.5, -89, -100, -104, -150, -200, -87, -1e4],
    ];
    for (const e of await allEngines()) {
      for (const values of rows) {
        const x = Float32Array.from(values);
        const cols = x.length;
        for (const log of [false, true]) {
          const name = log ? "logSoftmaxForward" : "softmaxForward";
          const y = runRows(e, (k, [p], o) => k[name](1, cols, p!, o), [x], cols, name);
          const ctx = `${e.backend} ${name}(${values})`;
          expect(y.every((v) => Number.isFinite(v)), `${ctx} = ${y}`).toBe(true);
          const want = softmaxExact(x, 1, cols, log);
          expectWithin(y, want, softmaxTol(x, want, 1, cols, log), ctx);
          if (!log) expect(Math.abs(y.reduce((a, b) => a + b, 0) - 1), ctx).toBeLessThanOrEqual((4 * cols + 8) * U);
        }
      }
      // Two equal huge logits: log-softmax is exactly −log 2 in f32, softmax exactly ½.
      const two = Float32Array.from([1e4, 1e4]);
      expect(Array.from(runRows(e, (k, [p], o) => k.logSoftmaxForward(1, 2, p!, o), [two], 2, "ls")), e.backend).toEqual([Math.fround(-Math.LN2), Math.fround(-Math.LN2)]);
      expect(Array.from(runRows(e, (k, [p], o) => k.softmaxForward(1, 2, p!, o), [two], 2, "sm")), e.backend).toEqual([0.5, 0.5]);
    }
  });
});
