import { describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine.js";
import { Scratch, testEngines } from "../helpers/engines.js";
import { expectSame, output, putGuarded, readGuarded } from "../helpers/guarded.js";
import { ODD_SIZES, TestRandom } from "../helpers/random.js";

// The vector kernels use no fused multiply-add and round every f32 operation in the order of the
// JS reference, so every backend must agree with it bit for bit (checked with Object.is, which
// also tells −0 from +0). The one exception is biasGradChannels, which sums in f64 in a different
// order; its tolerance is stated where it is checked.

/** Sizes 1–17, primes and non-multiples of 4 and 8 most of the time, sometimes a longer run. */
function pickSize(rng: TestRandom): number {
  return rng.next() < 0.75 ? rng.pick(ODD_SIZES) : rng.int(1, 300);
}

async function engines(): Promise<{ js: Engine; wasm: Engine[] }> {
  return await testEngines();
}

/** Runs `run` on every engine and checks each WASM result equals the JS one bit for bit. */
async function compareAll(
  context: string, run: (e: Engine, s: Scratch) => Float32Array,
): Promise<void> {
  const { js, wasm } = await engines();
  const sj = new Scratch(js);
  const expected = run(js, sj);
  sj.freeAll();
  for (const e of wasm) {
    const s = new Scratch(e);
    expectSame(run(e, s), expected, `${e.backend} ${context}`);
    s.freeAll();
  }
}

describe("vector kernels vs the JS reference (bit-identical)", () => {
  it("fill, copy, scale, axpy, mul on 240 random sizes, with guard bands and exact aliasing", async () => {
    const rng = new TestRandom(11);
    for (let c = 0; c < 240; c++) {
      const n = pickSize(rng);
      const x = rng.floats(n, -3, 3), y = rng.floats(n, -3, 3);
      const alpha = Math.fround(rng.uniform(-2, 2));
      const ctx = `case ${c} n=${n}`;
      await compareAll(`fill ${ctx}`, (e, s) => {
        const p = output(s, n);
        e.kernels.fill(n, alpha, p);
        return readGuarded(s, p, n, `${e.backend} fill ${ctx}`);
      });
      await compareAll(`copy ${ctx}`, (e, s) => {
        const xp = s.put(x), yp = output(s, n);
        e.kernels.copy(n, xp, yp);
        expectSame(s.f32(xp, n), x, "copy leaves x alone");
        return readGuarded(s, yp, n, `${e.backend} copy ${ctx}`);
      });
      await compareAll(`scale ${ctx}`, (e, s) => {
        const p = putGuarded(s, x);
        e.kernels.scale(n, alpha, p);
        return readGuarded(s, p, n, `${e.backend} scale ${ctx}`);
      });
      await compareAll(`axpy ${ctx}`, (e, s) => {
        const xp = s.put(x), yp = putGuarded(s, y);
        e.kernels.axpy(n, alpha, xp, yp);
        return readGuarded(s, yp, n, `${e.backend} axpy ${ctx}`);
      });
      await compareAll(`mul ${ctx}`, (e, s) => {
        const xp = s.put(x), yp = s.put(y), zp = output(s, n);
        e.kernels.mul(n, xp, yp, zp);
        return readGuarded(s, zp, n, `${e.backend} mul ${ctx}`);
      });
      // Exact alias z = x: the contract allows it for elementwise kernels.
      await compareAll(`mul in place ${ctx}`, (e, s) => {
        const xp = putGuarded(s, x), yp = s.put(y);
        e.kernels.mul(n, xp, yp, xp);
        return readGuarded(s, xp, n, `${e.backend} mul in place ${ctx}`);
      });
    }
  });

  it("known values: axpy and scale by hand, n = 0 writes nothing", async () => {
    const { js, wasm } = await engines();
    for (const e of [js, ...wasm]) {
      const s = new Scratch(e);
      const x = s.put(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
      const y = putGuarded(s, Float32Array.from([10, 20, 30, 40, 50, 60, 70, 80, 90]));
      e.kernels.axpy(9, 0.5, x, y);
      expect(Array.from(readGuarded(s, y, 9, e.backend)), e.backend).toEqual([10.5, 21, 31.5, 42, 52.5, 63, 73.5, 84, 94.5]);
      e.kernels.scale(9, -2, y);
      expect(Array.from(readGuarded(s, y, 9, e.backend)), e.backend).toEqual([-21, -42, -63, -84, -105, -126, -147, -168, -189]);
      const z = putGuarded(s, new Float32Array(0));
      e.kernels.fill(0, 1, z);
      e.kernels.scale(0, 3, z);
      e.kernels.axpy(0, 3, x, z);
      e.kernels.mul(0, x, x, z);
      e.kernels.copy(0, x, z);
      readGuarded(s, z, 0, `${e.backend} n = 0`);
      s.freeAll();
    }
  });
});

describe("bias kernels vs the JS reference", () => {
  it("biasAddRows / biasGradRows on 220 shapes with ld > cols: padding untouched, gradients accumulate", async () => {
    const rng = new TestRandom(12);
    for (let c = 0; c < 220; c++) {
      const rows = rng.int(1, 17), cols = pickSize(rng);
      const ld = cols + rng.pick([0, 0, 1, 3, 5]);
      const ctx = `case ${c} rows=${rows} cols=${cols} ld=${ld}`;
      // Padding between rows holds NaN: a kernel that reads it gets NaN into db, one that
      // writes it changes the NaN pattern (checked bit for bit below).
      const y = rng.floats(rows * ld, -2, 2);
      for (let r = 0; r < rows; r++) y.fill(Number.NaN, r * ld + cols, (r + 1) * ld);
      const bias = rng.floats(cols, -1, 1);
      const db0 = rng.floats(cols, -1, 1);
      await compareAll(`biasAddRows ${ctx}`, (e, s) => {
        const bp = s.put(bias), yp = putGuarded(s, y);
        e.kernels.biasAddRows(rows, cols, bp, yp, ld);
        return readGuarded(s, yp, rows * ld, `${e.backend} biasAddRows ${ctx}`);
      });
      await compareAll(`biasGradRows ${ctx}`, (e, s) => {
        const yp = s.put(y), dbp = putGuarded(s, db0);
        e.kernels.biasGradRows(rows, cols, yp, ld, dbp);
        return readGuarded(s, dbp, cols, `${e.backend} biasGradRows ${ctx}`);
      });
    }
  });

  it("biasAddChannels / biasGradChannels on 220 NCHW shapes", async () => {
    const rng = new TestRandom(13);
    const { js, wasm } = await engines();
    for (let c = 0; c < 220; c++) {
      const batch = rng.int(1, 5), channels = rng.int(1, 9), spatial = pickSize(rng);
      const n = batch * channels * spatial;
      const ctx = `case ${c} batch=${batch} channels=${channels} spatial=${spatial}`;
      const y = rng.floats(n, -2, 2), bias = rng.floats(channels, -1, 1), db0 = rng.floats(channels, -1, 1);
      await compareAll(`biasAddChannels ${ctx}`, (e, s) => {
        const bp = s.put(bias), yp = putGuarded(s, y);
        e.kernels.biasAddChannels(batch, channels, spatial, bp, yp);
        return readGuarded(s, yp, n, `${e.backend} biasAddChannels ${ctx}`);
      });
      // f64 sums in any order differ from the exact sum by < n·2⁻⁵³·Σ|terms| (≪ one f32 ulp of
      // the result unless the terms cancel); the final rounding to f32 may then land one ulp
      // apart, so the tolerance is 1 ulp of the result plus 1e-12·Σ|terms|.
      const runDb = (e: Engine): Float32Array => {
        const s = new Scratch(e);
        const yp = s.put(y), dbp = putGuarded(s, db0);
        e.kernels.biasGradChannels(batch, channels, spatial, yp, dbp);
        const out = readGuarded(s, dbp, channels, `${e.backend} biasGradChannels ${ctx}`);
        s.freeAll();
        return out;
      };
      const expected = runDb(js);
      const absSum = new Float64Array(channels);
      const exact = Float64Array.from(db0);
      for (let i = 0; i < n; i++) {
        const ch = Math.floor(i / spatial) % channels;
        exact[ch]! += y[i]!;
        absSum[ch]! += Math.abs(y[i]!);
      }
      for (const [name, got] of [["js", expected], ...wasm.map((e) => [e.backend, runDb(e)] as const)] as const) {
        for (let ch = 0; ch < channels; ch++) {
          const tol = 2 ** -23 * Math.abs(exact[ch]!) + 1e-12 * (absSum[ch]! + Math.abs(db0[ch]!));
          expect(Math.abs(got[ch]! - exact[ch]!), `${name} biasGradChannels ${ctx} ch ${ch}`).toBeLessThanOrEqual(tol);
        }
      }
    }
  });

  it("known values: bias add and gradient by hand", async () => {
    const { js, wasm } = await engines();
    for (const e of [js, ...wasm]) {
      const s = new Scratch(e);
      // 2×5 with ld 6: the sixth float of each row is padding and must stay 99.
      const y = putGuarded(s, Float32Array.from([1, 2, 3, 4, 5, 99, 6, 7, 8, 9, 10, 99]));
      const b = s.put(Float32Array.from([10, 20, 30, 40, 50]));
      e.kernels.biasAddRows(2, 5, b, y, 6);
      expect(Array.from(readGuarded(s, y, 12, e.backend)), e.backend).toEqual([11, 22, 33, 44, 55, 99, 16, 27, 38, 49, 60, 99]);
      const db = putGuarded(s, Float32Array.from([1, 1, 1, 1, 1]));
      e.kernels.biasGradRows(2, 5, y, 6, db);
      expect(Array.from(readGuarded(s, db, 5, e.backend)), `${e.backend} accumulates`).toEqual([28, 50, 72, 94, 116]);
      // NCHW 2×2×3: channel 0 gets +1, channel 1 gets −1.
      const z = putGuarded(s, Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
      e.kernels.biasAddChannels(2, 2, 3, s.put(Float32Array.from([1, -1])), z);
      expect(Array.from(readGuarded(s, z, 12, e.backend)), e.backend).toEqual([1, 2, 3, 2, 3, 4, 7, 8, 9, 8, 9, 10]);
      const dc = putGuarded(s, Float32Array.from([0.5, -0.5]));
      e.kernels.biasGradChannels(2, 2, 3, z, dc);
      expect(Array.from(readGuarded(s, dc, 2, e.backend)), `${e.backend} accumulates`).toEqual([30.5, 35.5]);
      s.freeAll();
    }
  });
});
