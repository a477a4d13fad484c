import { describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine.js";
import { Scratch, testEngines } from "../helpers/engines.js";
import { ODD_SIZES, TestRandom } from "../helpers/random.js";

async function allEngines(): Promise<Engine[]> {
  const { js, wasm } = await testEngines();
  return [js, ...wasm];
}

function dropout(e: Engine, p: number, seed: number, offset: number, x: Float32Array): { y: Float32Array; mask: Float32Array } {
  const s = new Scratch(e);
  const xp = s.put(x);
  const yp = s.alloc(x.length * 4);
  const mp = s.alloc(x.length * 4);
  e.kernels.dropoutForward(x.length, p, seed, offset, xp, yp, mp);
  const out = { y: s.f32(yp, x.length), mask: s.f32(mp, x.length) };
  s.freeAll();
  return out;
}

function uniform(e: Engine, n: number, seed: number, offset: number): Float32Array {
  const s = new Scratch(e);
  const op = s.alloc(n * 4);
  e.kernels.uniformFill(n, seed, offset, op);
  const out = s.f32(op, n);
  s.freeAll();
  return out;
}

/** Bit patterns, so that +0 / −0 and NaN payloads count as differences. */
function bitsOf(a: Float32Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length);
}

function expectBitEqual(actual: Float32Array, expected: Float32Array, context: string): void {
  const a = bitsOf(actual), b = bitsOf(expected);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) throw new Error(`${context}: element ${i} is ${actual[i]}, expected ${expected[i]} (bit-identical required)`);
  }
}

/** The generator written out independently of src/ (the contract's definition). */
function referenceUniform(seed: number, counter: number): number {
  const mix = (x: number): number => {
    x = (x ^ (x >>> 16)) >>> 0;
    x = Number((BigInt(x) * 0x7feb352dn) & 0xffffffffn);
    x = (x ^ (x >>> 15)) >>> 0;
    x = Number((BigInt(x) * 0x846ca68bn) & 0xffffffffn);
    return (x ^ (x >>> 16)) >>> 0;
  };
  const k1 = mix((seed ^ 0x9e3779b9) >>> 0), k2 = mix((seed ^ 0x6a09e667) >>> 0);
  return (mix((mix((counter ^ k1) >>> 0) ^ k2) >>> 0) >>> 8) / 2 ** 24;
}

describe("dropout RNG", () => {
  it("follows the contract's generator definition (checked with BigInt arithmetic)", async () => {
    const rnd = new TestRandom(11);
    for (const e of await allEngines()) {
      for (let t = 0; t < 20; t++) {
        const seed = rnd.int(0, 2 ** 32 - 1), offset = rnd.int(0, 2 ** 32 - 1);
        const n = rnd.pick(ODD_SIZES);
        const u = uniform(e, n, seed, offset);
        for (let i = 0; i < n; i++) {
          expect(u[i], `${e.backend} seed ${seed} offset ${offset} i ${i}`).toBe(referenceUniform(seed, (offset + i) % 2 ** 32));
        }
      }
    }
  });

  it("WASM masks, outputs and uniforms are bit-identical to js on 240 random shapes", async () => {
    const { js, wasm } = await testEngines();
    const rnd = new TestRandom(1);
    for (let t = 0; t < 240; t++) {
      const n = t < ODD_SIZES.length ? ODD_SIZES[t]! : rnd.int(0, 3000);
      const p = rnd.pick([0, 0.1, 0.25, 0.5, 0.8, 0.999, rnd.next()]);
      // Offsets near 2^32 exercise the counter wrap inside one call.
      const seed = rnd.int(0, 2 ** 32 - 1);
      const offset = rnd.pick([0, rnd.int(0, 2 ** 32 - 1), 2 ** 32 - rnd.int(1, 8)]);
      const x = rnd.floats(n, -3, 3);
      if (n > 0) x[0] = -x[0]! || -1; // a negative input dropped gives −0 in both (x·0)
      const ref = dropout(js, p, seed, offset, x);
      const uRef = uniform(js, n, seed, offset);
      for (const e of wasm) {
        const got = dropout(e, p, seed, offset, x);
        const ctx = `${e.backend} n ${n} p ${p} seed ${seed} offset ${offset}`;
        expectBitEqual(got.mask, ref.mask, `${ctx} mask`);
        expectBitEqual(got.y, ref.y, `${ctx} y`);
        expectBitEqual(uniform(e, n, seed, offset), uRef, `${ctx} uniform`);
      }
    }
  });

  it("masks are exactly 0 or 1/(1 − p) and y = x·mask; p = 0 keeps everything", async () => {
    const rnd = new TestRandom(2);
    for (const e of await allEngines()) {
      for (const p of [0, 0.2, 0.5, 0.7, 0.95]) {
        const n = 1001;
        const x = rnd.floats(n, -2, 2);
        const { y, mask } = dropout(e, p, 1234, 99, x);
        const scale = Math.fround(1 / Math.fround(1 - Math.fround(p)));
        for (let i = 0; i < n; i++) {
          const m = mask[i]!;
          expect(m === 0 || m === scale, `${e.backend} p ${p} mask[${i}] = ${m}`).toBe(true);
          expect(y[i], `${e.backend} y[${i}]`).toBe(Math.fround(x[i]! * m));
        }
        if (p === 0) expect(mask.every((m) => m === 1), `${e.backend} p = 0`).toBe(true);
      }
    }
  });

  it("empirical drop rate is within a binomial bound for several p", async () => {
    for (const e of await allEngines()) {
      for (const p of [0.05, 0.1, 0.3, 0.5, 0.9]) {
        for (const seed of [0, 1, 0xdeadbeef]) {
          const n = 100_000;
          const { mask } = dropout(e, p, seed, 7, new Float32Array(n).fill(1));
          let dropped = 0;
          for (let i = 0; i < n; i++) if (mask[i] === 0) dropped++;
          // 5 standard deviations of Binomial(n, p): a correct generator fails this with
          // probability < 1e-6 per case; a biased one (off by > 0.8 % at p = 0.5) does not pass.
          const sd = Math.sqrt(n * p * (1 - p));
          expect(Math.abs(dropped - n * p), `${e.backend} p ${p} seed ${seed}: ${dropped} dropped`).toBeLessThan(5 * sd);
        }
      }
    }
  });

  it("is deterministic in (seed, offset); other offsets and seeds give other masks; offsets compose", async () => {
    for (const e of await allEngines()) {
      const n = 4096;
      const x = new Float32Array(n).fill(1);
      const a = dropout(e, 0.5, 42, 1000, x).mask;
      expectBitEqual(dropout(e, 0.5, 42, 1000, x).mask, a, `${e.backend} repeat`);
      const agree = (u: Float32Array, v: Float32Array): number => u.reduce((acc, m, i) => acc + (m === v[i] ? 1 : 0), 0);
      // Independent masks at p = 0.5 agree on ~half of the elements (sd 32 for n = 4096).
      for (const other of [dropout(e, 0.5, 42, 1001, x).mask, dropout(e, 0.5, 42, 1000 + n, x).mask, dropout(e, 0.5, 43, 1000, x).mask]) {
        expect(Math.abs(agree(a, other) - n / 2), e.backend).toBeLessThan(5 * 32);
      }
      // Two calls of n/2 with the offset advanced by n/2 give the mask of one call of n (row splits).
      const first = dropout(e, 0.5, 42, 1000, x.subarray(0, 1500)).mask;
      const second = dropout(e, 0.5, 42, 2500, x.subarray(1500)).mask;
      const joined = new Float32Array(n);
      joined.set(first);
      joined.set(second, 1500);
      expectBitEqual(joined, a, `${e.backend} split`);
    }
  });

  it("uniformFill is in [0, 1) with mean and variance of U(0, 1), multiples of 2^-24, and uncorrelated neighbours", async () => {
    for (const e of await allEngines()) {
      for (const seed of [0, 5, 2 ** 32 - 1]) {
        const n = 200_000;
        const u = uniform(e, n, seed, 123);
        let sum = 0, sq = 0, lag = 0;
        let bad = -1;
        for (let i = 0; i < n; i++) {
          const v = u[i]!;
          if (bad < 0 && !(v >= 0 && v < 1 && Number.isInteger(v * 2 ** 24))) bad = i;
          sum += v;
          sq += (v - 0.5) ** 2;
          if (i > 0) lag += (v - 0.5) * (u[i - 1]! - 0.5);
        }
        expect(bad, `${e.backend} first value outside [0, 1) or off the 2^-24 grid: ${u[bad]}`).toBe(-1);
        // Mean of n uniforms: sd = sqrt(1/12/n) ≈ 6.5e-4; 5 sd bound. Variance estimate: sd of
        // (u − 0.5)² is sqrt(1/80 − 1/144) ≈ 0.075, over sqrt(n) ≈ 1.7e-4; 5 sd bound.
        // Lag-1 products have sd 1/12, so their mean has sd 1.9e-4; 5 sd bound.
        expect(Math.abs(sum / n - 0.5), `${e.backend} mean`).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
        expect(Math.abs(sq / n - 1 / 12), `${e.backend} variance`).toBeLessThan(5 * 0.075 / Math.sqrt(n));
        expect(Math.abs(lag / (n - 1)), `${e.backend} lag-1`).toBeLessThan(5 / 12 / Math.sqrt(n));
      }
    }
  });
});
