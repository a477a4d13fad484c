import { describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine.js";
import { Scratch, testEngines } from "../helpers/engines.js";
import { GUARD, I32_SENTINEL } from "../helpers/guarded.js";
import { ODD_SIZES, TestRandom } from "../helpers/random.js";

async function allEngines(): Promise<Engine[]> {
  const { js, wasm } = await testEngines();
  return [js, ...wasm];
}

/** Sizes 1–17, primes and non-multiples of 4 and 8 most of the time, sometimes a longer run. */
function pickSize(rng: TestRandom): number {
  return rng.next() < 0.75 ? rng.pick(ODD_SIZES) : rng.int(1, 300);
}

/** Exact (f64) Σ x, Σ x², Σ |x| of f32 values: the f64 sums below are the yardstick. */
function reference(x: Float32Array): { sum: number; sumSquares: number; sumAbs: number; abs: number; squares: number } {
  let sum = 0, sumSquares = 0, sumAbs = 0;
  for (const v of x) {
    sum += v;
    sumSquares += v * v;
    sumAbs += Math.abs(v);
  }
  return { sum, sumSquares, sumAbs, abs: sumAbs, squares: sumSquares };
}

/** The argmax rule of the contract, written independently: first largest, NaN beats everything. */
function argmaxRef(x: ArrayLike<number>, start: number, n: number): number {
  let best = -1;
  for (let i = 0; i < n; i++) {
    const v = x[start + i]!;
    if (Number.isNaN(v)) return i;
    if (best < 0 || v > x[start + best]!) best = i;
  }
  return best;
}

describe("reductions vs f64 sums", () => {
  it("sum, sumSquares, sumAbs on 240 random sizes", async () => {
    const rng = new TestRandom(21);
    const engines = await allEngines();
    for (let c = 0; c < 240; c++) {
      const n = pickSize(rng);
      // Mixed magnitudes so that an f32 accumulator would visibly lose the small terms.
      const x = rng.floats(n, -1, 1).map((v, i) => (i % 5 === 0 ? v * 1e4 : v));
      const ref = reference(x);
      for (const e of engines) {
        const s = new Scratch(e);
        const p = s.put(x);
        // f64 sums of n terms in any order are within n·2⁻⁵³·Σ|terms| of the exact sum (and the
        // squares of f32 values are exact in f64), so 1e-13 relative to Σ|terms| is rigorous
        // for n ≤ 300 and ~1e8 times tighter than an f32 accumulator would manage.
        const ctx = `${e.backend} case ${c} n=${n}`;
        expect(Math.abs(e.kernels.sum(n, p) - ref.sum), `sum ${ctx}`).toBeLessThanOrEqual(1e-13 * ref.abs);
        expect(Math.abs(e.kernels.sumSquares(n, p) - ref.sumSquares), `sumSquares ${ctx}`).toBeLessThanOrEqual(1e-13 * ref.squares);
        expect(Math.abs(e.kernels.sumAbs(n, p) - ref.sumAbs), `sumAbs ${ctx}`).toBeLessThanOrEqual(1e-13 * ref.abs);
        expect(s.f32(p, n), "reductions read only").toEqual(x);
        s.freeAll();
      }
    }
  });

  it("known values: small terms survive next to large ones, n = 0 gives 0", async () => {
    for (const e of await allEngines()) {
      const s = new Scratch(e);
      // 2²⁵ + 9 × 1: an f32 accumulator returns 2²⁵ (1 is a quarter of an ulp of 2²⁵).
      const x = s.put(Float32Array.from([2 ** 25, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
      expect(e.kernels.sum(10, x), e.backend).toBe(2 ** 25 + 9);
      expect(e.kernels.sumAbs(10, x), e.backend).toBe(2 ** 25 + 9);
      expect(e.kernels.sumSquares(10, x), e.backend).toBe(2 ** 50 + 9);
      const y = s.put(Float32Array.from([-3, 4, -5, 0.5, -0.25]));
      expect(e.kernels.sum(5, y), e.backend).toBe(-3.75);
      expect(e.kernels.sumAbs(5, y), e.backend).toBe(12.75);
      expect(e.kernels.sumSquares(5, y), e.backend).toBe(50.3125);
      expect(e.kernels.sum(0, y), e.backend).toBe(0);
      expect(e.kernels.sumSquares(0, y), e.backend).toBe(0);
      expect(e.kernels.sumAbs(0, y), e.backend).toBe(0);
      s.freeAll();
    }
  });
});

describe("argmax", () => {
  it("argmax and argmaxRows (ld > cols) on 240 shapes with many ties, exact", async () => {
    const rng = new TestRandom(22);
    const engines = await allEngines();
    for (let c = 0; c < 240; c++) {
      const rows = rng.int(1, 17), cols = pickSize(rng), ld = cols + rng.pick([0, 0, 1, 2, 7]);
      // Values from a small set, so most rows hold ties for the maximum, some across SIMD lanes.
      const x = Float32Array.from({ length: rows * ld }, () => rng.int(-3, 3));
      // Padding holds +Inf: a kernel that looked past cols would pick it.
      for (let r = 0; r < rows; r++) x.fill(Number.POSITIVE_INFINITY, r * ld + cols, (r + 1) * ld);
      if (rng.next() < 0.2) x[rng.int(0, rows - 1) * ld + rng.int(0, cols - 1)] = Number.NaN;
      const expected = Int32Array.from({ length: rows }, (_, r) => argmaxRef(x, r * ld, cols));
      for (const e of engines) {
        const s = new Scratch(e);
        const xp = s.put(x);
        const out = s.put(new Int32Array(rows + GUARD).fill(I32_SENTINEL));
        e.kernels.argmaxRows(rows, cols, xp, ld, out);
        const ctx = `${e.backend} case ${c} rows=${rows} cols=${cols} ld=${ld}`;
        expect(Array.from(s.i32(out, rows)), `argmaxRows ${ctx}`).toEqual(Array.from(expected));
        expect(Array.from(s.i32(out + rows * 4, GUARD)), `guard ${ctx}`).toEqual(new Array(GUARD).fill(I32_SENTINEL));
        expect(e.kernels.argmax(cols, xp), `argmax ${ctx}`).toBe(expected[0]);
        s.freeAll();
      }
    }
  });

  it("known values: ties pick the first, NaN wins, −Inf rows, −0 vs +0, n = 0", async () => {
    const cases: [number[], number][] = [
      [[1, 3, 3, 2], 1],
      [[5, 5, 5, 5, 5, 5, 5, 5, 5], 0],
      [[0, 1, 2, 3, 4, 9, 6, 7, 8, 9, 9], 5], // tie across two SIMD groups
      [[0, 0, 0, 0, 0, 0, 0, 0, 7], 8], // maximum in the scalar tail
      [[Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY], 0],
      [[1, 2, Number.NaN, 3, Number.NaN], 2],
      [[1, 2, 3, 4, 5, 6, Number.NaN], 6],
      [[-0, 0, -1], 0],
      [[-1e30, -1e-30, -2], 1],
      [[2], 0],
    ];
    for (const e of await allEngines()) {
      const s = new Scratch(e);
      for (const [values, want] of cases) {
        expect(e.kernels.argmax(values.length, s.put(Float32Array.from(values))), `${e.backend} argmax ${values}`).toBe(want);
      }
      expect(e.kernels.argmax(0, s.put(Float32Array.from([1]))), `${e.backend} n = 0`).toBe(-1);
      s.freeAll();
    }
  });
});

describe("counts", () => {
  it("countEqual and countNonFinite on 240 random sizes, exact", async () => {
    const rng = new TestRandom(23);
    const engines = await allEngines();
    const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3.4e38, -3.4e38, 1e-45, -0];
    for (let c = 0; c < 240; c++) {
      const n = pickSize(rng);
      const a = rng.ints(n, 0, 3), b = rng.ints(n, 0, 3);
      const x = rng.floats(n, -1, 1);
      for (let i = 0; i < n; i++) if (rng.next() < 0.3) x[i] = rng.pick(specials);
      let equal = 0, nonFinite = 0;
      for (let i = 0; i < n; i++) {
        if (a[i] === b[i]) equal++;
        if (!Number.isFinite(x[i]!)) nonFinite++;
      }
      for (const e of engines) {
        const s = new Scratch(e);
        const ctx = `${e.backend} case ${c} n=${n}`;
        expect(e.kernels.countEqual(n, s.put(a), s.put(b)), `countEqual ${ctx}`).toBe(equal);
        expect(e.kernels.countNonFinite(n, s.put(x)), `countNonFinite ${ctx}`).toBe(nonFinite);
        s.freeAll();
      }
    }
  });

  it("known values: accuracy of argmax vs labels", async () => {
    for (const e of await allEngines()) {
      const s = new Scratch(e);
      const predicted = s.put(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0]));
      const labels = s.put(Int32Array.from([0, 1, 2, 0, 4, 0, 6, 7, 0, 9, 1]));
      expect(e.kernels.countEqual(11, predicted, labels), e.backend).toBe(7);
      expect(e.kernels.countEqual(0, predicted, labels), e.backend).toBe(0);
      expect(e.kernels.countEqual(11, predicted, predicted), e.backend).toBe(11);
      // Large ints differing in one high bit are not equal (no float comparison in between).
      expect(e.kernels.countEqual(1, s.put(Int32Array.from([0x40000001])), s.put(Int32Array.from([0x40000000]))), e.backend).toBe(0);
      const x = s.put(Float32Array.from([0, Number.NaN, 1, Number.POSITIVE_INFINITY, 3.4028234e38, Number.NEGATIVE_INFINITY]));
      expect(e.kernels.countNonFinite(6, x), e.backend).toBe(3);
      expect(e.kernels.countNonFinite(0, x), e.backend).toBe(0);
      s.freeAll();
    }
  });
});
