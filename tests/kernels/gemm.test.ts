import { describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine.js";
import { assertClose, Scratch, testEngines } from "../helpers/engines.js";
import { ODD_SIZES, TestRandom } from "../helpers/random.js";

/** One gemm call: shapes, transposes, leading dimensions and scalars. */
interface GemmCase {
  transA: number; transB: number; m: number; n: number; k: number;
  lda: number; ldb: number; ldc: number; alpha: number; beta: number;
}

/** Value written into the leading-dimension padding of C: a kernel must leave it alone. */
const PAD_C = 777;

function describeCase(c: GemmCase): string {
  return `gemm(tA=${c.transA}, tB=${c.transB}, m=${c.m}, n=${c.n}, k=${c.k}, lda=${c.lda}, ldb=${c.ldb}, ldc=${c.ldc}, ` +
    `alpha=${c.alpha}, beta=${c.beta})`;
}

/** Stored shapes: A is m×k (k×m when transposed), B is k×n (n×k when transposed). */
function storedRows(c: GemmCase): { aRows: number; aCols: number; bRows: number; bCols: number } {
  return {
    aRows: c.transA ? c.k : c.m, aCols: c.transA ? c.m : c.k,
    bRows: c.transB ? c.n : c.k, bCols: c.transB ? c.k : c.n,
  };
}

/** rows×ld values: the rows×cols part random, the padding NaN (so reading it poisons a result). */
function paddedMatrix(rnd: TestRandom, rows: number, cols: number, ld: number): Float32Array {
  const out = new Float32Array(rows * ld).fill(Number.NaN);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * ld + j] = rnd.uniform(-1, 1);
  return out;
}

interface GemmData { a: Float32Array; b: Float32Array; c: Float32Array }

function makeData(rnd: TestRandom, g: GemmCase): GemmData {
  const s = storedRows(g);
  const a = paddedMatrix(rnd, s.aRows, s.aCols, g.lda);
  const b = paddedMatrix(rnd, s.bRows, s.bCols, g.ldb);
  const c = new Float32Array(g.m * g.ldc).fill(PAD_C);
  for (let i = 0; i < g.m; i++) {
    // beta = 0 must ignore C entirely, NaN included.
    for (let j = 0; j < g.n; j++) c[i * g.ldc + j] = g.beta === 0 ? Number.NaN : rnd.uniform(-1, 1);
  }
  return { a, b, c };
}

/**
 * Runs gemm in one engine with a work buffer of exactly gemmWorkBytes bytes followed by a guard
 * region, and returns the whole C buffer (padding included). Throws if the guard was written.
 */
function runGemm(e: Engine, g: GemmCase, d: GemmData): { c: Float32Array; workBytes: number; workTouched: boolean } {
  const s = new Scratch(e);
  const ap = s.put(d.a);
  const bp = s.put(d.b);
  const cp = s.put(d.c);
  const workBytes = e.kernels.gemmWorkBytes(g.m, g.n, g.k);
  expect(Number.isInteger(workBytes) && workBytes >= 0).toBe(true);
  expect(workBytes % 4).toBe(0);
  const GUARD = 64;
  const wp = s.alloc(workBytes + GUARD);
  const f = e.views.f32();
  const guardAt = (wp + workBytes) >> 2;
  f.fill(-4242, guardAt, guardAt + GUARD / 4);
  e.kernels.gemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, ap, g.lda, bp, g.ldb, g.beta, cp, g.ldc, workBytes > 0 ? wp : 0);
  const guard = s.f32(wp + workBytes, GUARD / 4);
  if (guard.some((x) => x !== -4242)) throw new Error(`${e.backend} ${describeCase(g)}: wrote past gemmWorkBytes`);
  const work = s.f32(wp, workBytes / 4);
  const workTouched = work.some((x) => !Number.isNaN(x));
  const c = s.f32(cp, d.c.length);
  s.freeAll();
  return { c, workBytes, workTouched };
}

/**
 * Computes C in several gemm calls over disjoint row (or column) ranges of C, each with offset
 * pointers, the same leading dimensions and its own work buffer, as threads would.
 */
function runSplit(e: Engine, g: GemmCase, d: GemmData, cuts: number[], along: "rows" | "cols"): Float32Array {
  const s = new Scratch(e);
  const ap = s.put(d.a), bp = s.put(d.b), cp = s.put(d.c);
  for (let q = 0; q + 1 < cuts.length; q++) {
    const lo = cuts[q]!, len = cuts[q + 1]! - lo;
    let a = ap, b = bp, c = cp, m = g.m, n = g.n;
    if (along === "rows") {
      m = len;
      a += 4 * (g.transA ? lo : lo * g.lda);
      c += 4 * lo * g.ldc;
    } else {
      n = len;
      b += 4 * (g.transB ? lo * g.ldb : lo);
      c += 4 * lo;
    }
    const wb = e.kernels.gemmWorkBytes(m, n, g.k);
    const w = wb > 0 ? s.alloc(wb) : 0;
    e.kernels.gemm(g.transA, g.transB, m, n, g.k, g.alpha, a, g.lda, b, g.ldb, g.beta, c, g.ldc, w);
  }
  const out = s.f32(cp, d.c.length);
  s.freeAll();
  return out;
}

/** float64 triple loop over the same f32 inputs, summing in the same order as the JS reference. */
function gemmF64(g: GemmCase, d: GemmData): Float64Array {
  const out = Float64Array.from(d.c);
  for (let i = 0; i < g.m; i++) {
    for (let j = 0; j < g.n; j++) {
      let sum = 0;
      for (let p = 0; p < g.k; p++) {
        const av = g.transA ? d.a[p * g.lda + i]! : d.a[i * g.lda + p]!;
        const bv = g.transB ? d.b[j * g.ldb + p]! : d.b[p * g.ldb + j]!;
        sum += av * bv;
      }
      const at = i * g.ldc + j;
      out[at] = g.beta === 0 ? g.alpha * sum : g.alpha * sum + g.beta * out[at]!;
    }
  }
  return out;
}

/**
 * Tolerance of an f32 kernel against the JS reference (which sums in float64 and rounds once).
 * An f32 dot product of length k accumulates up to k roundings of partial sums, each ≤ 2⁻²⁴ of a
 * partial sum bounded by Σ|a||b| ≤ k here (|a|, |b| ≤ 1), so the bound grows like k²·2⁻²⁴; random
 * signs make the real error grow like k·2⁻²⁴ with a small constant. We allow 8·k·2⁻²⁴ scaled
 * by |alpha| (plus the rounding of beta·C), and a relative 2⁻²⁰ for the final scaling, which
 * holds with a wide margin for blocked, reordered or fused (relaxed_madd) summation alike.
 */
function kernelTol(g: GemmCase): { rtol: number; atol: number } {
  const eps = 2 ** -24;
  return { rtol: 2 ** -20, atol: 8 * (g.k + 1) * eps * Math.abs(g.alpha) + 4 * eps * Math.abs(g.beta) };
}

function randomCase(rnd: TestRandom, transA: number, transB: number, maxSize: number): GemmCase {
  const size = (): number => (rnd.next() < 0.6 ? rnd.pick(ODD_SIZES) : rnd.int(1, maxSize));
  const m = size(), n = size(), k = size();
  const extra = (): number => (rnd.next() < 0.5 ? 0 : rnd.int(1, 9));
  const aCols = transA ? m : k;
  const bCols = transB ? k : n;
  return {
    transA, transB, m, n, k,
    lda: aCols + extra(), ldb: bCols + extra(), ldc: n + extra(),
    alpha: rnd.pick([1, 1, -1, 0.75, 2.5]),
    beta: rnd.pick([0, 0, 1, 1, -0.5, 2]),
  };
}

async function checkCase(g: GemmCase, rnd: TestRandom): Promise<void> {
  const { js, wasm } = await testEngines();
  const d = makeData(rnd, g);
  const ref = runGemm(js, g, d);
  expect(ref.workBytes).toBe(0);
  // The reference itself, against float64: one rounding to f32 of the float64 result.
  assertClose(ref.c, gemmF64(g, d), { rtol: 2 ** -23, atol: 1e-30 }, `js vs f64 ${describeCase(g)}`);
  for (const e of wasm) {
    const got = runGemm(e, g, d);
    assertClose(got.c, ref.c, kernelTol(g), `${e.backend} vs js ${describeCase(g)}`);
  }
}

const TRANSPOSES = [[0, 0], [0, 1], [1, 0], [1, 1]] as const;

describe("gemm", () => {
  it("matches the reference (and the reference float64) on 240 random small and odd shapes", async () => {
    const rnd = new TestRandom(0x6e33);
    for (let t = 0; t < 240; t++) {
      const [ta, tb] = TRANSPOSES[t % 4]!;
      await checkCase(randomCase(rnd, ta, tb, t < 200 ? 17 : 70), rnd);
    }
  });

  it("matches on shapes that cross the blocking (k > 256, m > 72, n > 1024) and the packing thresholds", async () => {
    const rnd = new TestRandom(77);
    const shapes: [number, number, number][] = [
      [7, 9, 300], [13, 8, 513], [80, 17, 5], [150, 9, 11], [6, 1030, 3], [3, 2051, 2], [73, 70, 260],
      [65, 66, 67], [1, 1, 600], [97, 1, 31], [1, 97, 31],
    ];
    for (const [m, n, k] of shapes) {
      for (const [ta, tb] of TRANSPOSES) {
        for (const wide of [false, true]) {
          // Leading dimensions over 256 switch large operands from in-place reads to packing.
          const pad = wide ? 300 : rnd.int(0, 3);
          await checkCase({
            transA: ta, transB: tb, m, n, k,
            lda: (ta ? m : k) + pad, ldb: (tb ? k : n) + pad, ldc: n + rnd.int(0, 3),
            alpha: rnd.pick([1, 0.5]), beta: rnd.pick([0, 1, -2]),
          }, rnd);
        }
      }
    }
  });

  it("matches for every row count around the 6- and 4-row panel split and the 72-row blocks", async () => {
    const rnd = new TestRandom(31);
    // Remainders mod 6 of 0..5 in one block (m ≤ 72) and after a full block (m > 72).
    const ms = [1, 2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 32, 34, 71, 76, 77, 79, 80, 150];
    for (const m of ms) {
      for (const [ta, tb] of TRANSPOSES) {
        const n = rnd.pick([3, 8, 17, 70]), k = rnd.pick([1, 5, 33]);
        await checkCase({
          transA: ta, transB: tb, m, n, k,
          lda: (ta ? m : k) + rnd.int(0, 2), ldb: (tb ? k : n) + rnd.int(0, 2), ldc: n + rnd.int(0, 2),
          alpha: rnd.pick([1, -0.5]), beta: rnd.pick([0, 1, 0.5]),
        }, rnd);
      }
    }
  });

  it("gives bit-identical C when split into row or column ranges (the multi-thread ABI)", async () => {
    const { wasm } = await testEngines();
    const rnd = new TestRandom(41);
    for (const e of wasm) {
      for (const [ta, tb] of TRANSPOSES) {
        const m = 83, n = 45, k = 300;
        const g: GemmCase = { transA: ta, transB: tb, m, n, k, lda: (ta ? m : k) + 3, ldb: (tb ? k : n) + 2, ldc: n + 5, alpha: 0.5, beta: 1.5 };
        const d = makeData(rnd, g);
        const whole = runGemm(e, g, d).c;
        // Row ranges: A's rows (or columns, when transposed) and C's rows move; B is shared.
        const byRows = runSplit(e, g, d, [0, 7, 40, 83], "rows");
        const byCols = runSplit(e, g, d, [0, 13, 14, 45], "cols");
        expect(Array.from(byRows)).toEqual(Array.from(whole));
        expect(Array.from(byCols)).toEqual(Array.from(whole));
      }
    }
  });

  it("gives bit-identical C when a split leaves a piece of at most 4×4 (the tiny in-place path)", async () => {
    const { wasm } = await testEngines();
    const rnd = new TestRandom(43);
    for (const e of wasm) {
      for (const [ta, tb] of TRANSPOSES) {
        // Whole products take the tiled path; pieces of ≤ 4 rows and ≤ 4 columns the tiny one.
        const tall: GemmCase = { transA: ta, transB: tb, m: 83, n: 3, k: 200, lda: (ta ? 83 : 200) + 1, ldb: (tb ? 200 : 3) + 2, ldc: 3 + 1, alpha: 0.7, beta: 1.5 };
        const d1 = makeData(rnd, tall);
        expect(Array.from(runSplit(e, tall, d1, [0, 3, 7, 83], "rows"))).toEqual(Array.from(runGemm(e, tall, d1).c));
        const wide: GemmCase = { transA: ta, transB: tb, m: 2, n: 45, k: 256, lda: (ta ? 2 : 256) + 3, ldb: (tb ? 256 : 45) + 1, ldc: 45, alpha: 1, beta: 0 };
        const d2 = makeData(rnd, wide);
        expect(Array.from(runSplit(e, wide, d2, [0, 1, 5, 45], "cols"))).toEqual(Array.from(runGemm(e, wide, d2).c));
      }
    }
  });

  it("k = 0 gives C = beta·C, and m = 0 or n = 0 touch nothing", async () => {
    const rnd = new TestRandom(5);
    for (const beta of [0, 1, 3]) {
      for (const [ta, tb] of TRANSPOSES) {
        await checkCase({ transA: ta, transB: tb, m: 5, n: 7, k: 0, lda: 3, ldb: 9, ldc: 9, alpha: 1, beta }, rnd);
        await checkCase({ transA: ta, transB: tb, m: 0, n: 7, k: 4, lda: 4, ldb: 9, ldc: 9, alpha: 1, beta }, rnd);
        await checkCase({ transA: ta, transB: tb, m: 3, n: 0, k: 4, lda: 4, ldb: 4, ldc: 2, alpha: 1, beta }, rnd);
      }
    }
  });

  it("uses its work buffer for the packed operands and stays inside gemmWorkBytes", async () => {
    const { wasm } = await testEngines();
    const rnd = new TestRandom(9);
    for (const e of wasm) {
      // A·Bᵀ always packs Bᵀ (transposing it), so the scratch must be written.
      const g: GemmCase = { transA: 0, transB: 1, m: 19, n: 21, k: 23, lda: 23, ldb: 23, ldc: 21, alpha: 1, beta: 0 };
      const r = runGemm(e, g, makeData(rnd, g));
      expect(r.workBytes).toBeGreaterThan(0);
      expect(r.workTouched).toBe(true);
    }
  });

  it("matches the engine's matmul for every transpose combination", async () => {
    const { js, wasm } = await testEngines();
    const rnd = new TestRandom(11);
    for (const [ta, tb] of TRANSPOSES) {
      const [m, n, k] = [9, 13, 11];
      const aData = rnd.floats(m * k);
      const bData = rnd.floats(k * n);
      const run = (e: Engine): Float32Array => {
        const a = e.tensor(aData, ta ? [k, m] : [m, k]);
        const b = e.tensor(bData, tb ? [n, k] : [k, n]);
        const c = e.matmul(a, b, { transA: ta === 1, transB: tb === 1 });
        const out = Float32Array.from(c.data);
        a.dispose(); b.dispose(); c.dispose();
        return out;
      };
      const ref = run(js);
      for (const e of wasm) assertClose(run(e), ref, { rtol: 2 ** -20, atol: 8 * 12 * 2 ** -24 }, `${e.backend} matmul tA=${ta} tB=${tb}`);
    }
  });
});
