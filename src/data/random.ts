/**
 * The seeded random number generator shared by everything random in simdnet: weight
 * initialisation, dataset generators, shuffling, splits, augmentation, dropout seeds.
 *
 * Algorithm: xoshiro128** (Blackman & Vigna, 2018), 128 bits of state, period 2^128 − 1, seeded
 * through splitmix32. It uses only 32-bit integer operations (`Math.imul`, shifts, xor), so the
 * integer stream is bit-identical on every JavaScript engine and platform. Floats are built from
 * those integers with exact arithmetic, and normals use the Marsaglia polar method with a
 * logarithm written here in plain IEEE-754 arithmetic (`Math.log` is not required by the
 * language to be correctly rounded and differs between engines), so `normal()` is bit-identical
 * everywhere as well.
 *
 * @module
 */

import { fail } from "../errors.js";

/** The serialisable state of an {@link Rng}: plain numbers, safe for JSON. */
export interface RngState {
  /** The four 32-bit words of the xoshiro128** state, as unsigned integers. */
  s: [number, number, number, number];
  /** The second normal of the last polar-method pair, not yet returned (or null). */
  spare: number | null;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_NEG_53 = 1 / 9007199254740992;

/** splitmix32 step (a 32-bit variant of splitmix64): spreads a seed over the xoshiro state. */
function splitmix32(state: { x: number }): number {
  let z = (state.x = (state.x + 0x9e3779b9) | 0);
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A seeded pseudo-random generator (xoshiro128**). Deterministic across runs, engines and
 * platforms: the same seed gives the same numbers everywhere.
 *
 * ```ts
 * const rng = new Rng(42);
 * rng.uniform();        // in [0, 1)
 * rng.normal(0, 0.1);   // mean 0, standard deviation 0.1
 * rng.int(0, 9);        // integer in [0, 9], both ends included
 * rng.shuffle(indices); // Fisher–Yates, in place
 * const child = rng.fork(); // independent stream
 * ```
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /**
   * @param seed a non-negative integer below 2^53 (both 32-bit halves are used), default 0.
   */
  constructor(seed = 0) {
    if (!Number.isSafeInteger(seed) || seed < 0) fail("Rng seed", "an integer in [0, 2^53)", seed);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    // Mixing the high half in first makes seeds that differ only above bit 32 diverge too.
    const sm = { x: lo ^ Math.imul(hi, 0x6c078965) };
    this.s0 = splitmix32(sm);
    this.s1 = splitmix32(sm);
    this.s2 = splitmix32(sm);
    this.s3 = splitmix32(sm);
    // An all-zero state is the one fixed point of xoshiro; splitmix32 cannot give four zeros
    // in a row, but a state restored by hand could.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator restored from {@link Rng.getState} output; continues exactly where that one was. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  /** A copy of the current state (plain data, JSON-serialisable). */
  getState(): RngState {
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spare: this.spare };
  }

  /** Restores a state from {@link Rng.getState}. */
  setState(state: RngState): void {
    const s = state?.s;
    if (!Array.isArray(s) || s.length !== 4 || !s.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)) {
      fail("Rng.setState", "{ s: four unsigned 32-bit integers, spare }", s);
    }
    if ((s[0] | s[1] | s[2] | s[3]) === 0) fail("Rng.setState", "a state that is not all zeros", s);
    if (state.spare !== null && typeof state.spare !== "number") fail("Rng.setState spare", "a number or null", state.spare);
    this.s0 = s[0] | 0;
    this.s1 = s[1] | 0;
    this.s2 = s[2] | 0;
    this.s3 = s[3] | 0;
    this.spare = state.spare;
  }

  /** A generator with the same state as this one (both then produce the same numbers). */
  clone(): Rng {
    return Rng.fromState(this.getState());
  }

  /** Next 32-bit output as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /**
   * Advances the state by 2^64 outputs (the xoshiro128** jump polynomial). Used by
   * {@link Rng.fork} to give streams that cannot overlap for 2^64 draws each.
   */
  jump(): void {
    const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b];
    let t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (const word of JUMP) {
      for (let b = 0; b < 32; b++) {
        if (word & (1 << b)) {
          t0 ^= this.s0;
          t1 ^= this.s1;
          t2 ^= this.s2;
          t3 ^= this.s3;
        }
        this.nextUint32();
      }
    }
    this.s0 = t0;
    this.s1 = t1;
    this.s2 = t2;
    this.s3 = t3;
  }

  /**
   * Splits off an independent stream: the child starts at this generator's current state and
   * this generator jumps 2^64 steps ahead, so neither sees the other's numbers. Deterministic:
   * the n-th fork of a generator with a given seed is always the same stream.
   */
  fork(): Rng {
    const child = Rng.fromState({ ...this.getState(), spare: null });
    this.jump();
    this.spare = null;
    return child;
  }

  /** Uniform double in [0, 1) with 53 random bits. Without arguments; see {@link Rng.uniform} for ranges. */
  next(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) * TWO_POW_NEG_53;
  }

  /** Uniform double in [lo, hi) (default [0, 1)). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /**
   * Uniform integer in [lo, hi], both ends included, without modulo bias (rejection sampling).
   * The range hi − lo + 1 may be at most 2^32.
   */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) {
      fail("Rng.int(lo, hi)", "integers with lo <= hi", [lo, hi]);
    }
    const range = hi - lo + 1;
    if (range > TWO_POW_32) fail("Rng.int range hi - lo + 1", "at most 2^32", range);
    if (range === TWO_POW_32) return lo + this.nextUint32();
    // Accept only draws below the largest multiple of `range`, so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % range);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return lo + (x % range);
  }

  /** Integer in [0, n) — the common "index below n" case of {@link Rng.int}. */
  below(n: number): number {
    return this.int(0, n - 1);
  }

  /** True with probability p. */
  bernoulli(p = 0.5): boolean {
    return this.next() < p;
  }

  /**
   * Normal (Gaussian) sample with the given mean and standard deviation (not variance),
   * by the Marsaglia polar method; pairs are cached, so two calls cost one pair.
   */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * portableLog(s)) / s); // sqrt is correctly rounded by IEEE-754
    this.spare = v * f;
    return mean + std * (u * f);
  }

  /** Fills `out` with uniform values in [lo, hi) and returns it. */
  fillUniform<T extends Float32Array | Float64Array>(out: T, lo = 0, hi = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  /** Fills `out` with normal values (mean, standard deviation) and returns it. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /**
   * Shuffles `array` in place (Fisher–Yates, every permutation equally likely) and returns it.
   * @param length shuffle only the first `length` elements (default: all).
   */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T, length = array.length): T {
    for (let i = length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of 0..n−1 as an Int32Array. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0) fail("Rng.permutation n", "a non-negative integer", n);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** One element of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) fail("Rng.pick items", "a non-empty array", items);
    return items[this.below(items.length)]!;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const LN2_HI = 6.93147180369123816490e-1; // upper bits of ln 2: k·LN2_HI is exact for |k| < 2^11
const LN2_LO = 1.90821492927058770002e-10;
const SQRT2 = Math.SQRT2;

/**
 * Natural logarithm of x > 0 (finite, normal) using only +, −, ×, ÷, which IEEE-754 rounds the
 * same everywhere, so the result is identical on every engine. Accurate to about 1 ulp, which is
 * all a normal sample needs; what matters here is that it is the same everywhere.
 */
export function portableLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Math.log(x); // NaN, 0, negatives, Infinity: no stream value gets here
  // x = m · 2^k with m in [√2/2, √2): scaling by powers of two is exact.
  let k = 0;
  let m = x;
  while (m >= SQRT2) {
    m *= 0.5;
    k++;
  }
  while (m < SQRT2 / 2) {
    m *= 2;
    k--;
  }
  // log m = 2·atanh(t), t = (m − 1)/(m + 1), |t| ≤ 0.1716: the odd series converges fast.
  const t = (m - 1) / (m + 1);
  const t2 = t * t;
  // 2·(t + t³/3 + … + t^23/23): the last term is below 2^-60 relative, past double precision.
  let sum = 1 / 23;
  for (let d = 21; d >= 1; d -= 2) sum = 1 / d + t2 * sum;
  return k * LN2_HI + (2 * t * sum + k * LN2_LO);
}

/** Turns a seed or a generator into a generator: numbers become `new Rng(seed)`, generators pass through. */
export function toRng(rng: Rng | number | undefined, fallbackSeed = 0): Rng {
  if (rng instanceof Rng) return rng;
  return new Rng(rng ?? fallbackSeed);
}
