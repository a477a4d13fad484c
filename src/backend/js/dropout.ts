import type { DropoutKernels } from "../contract/dropout.js";
import type { MemoryViews } from "../memory.js";

/** lowbias32 (Chris Wellons): a 32-bit bijection with near-ideal avalanche. */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The two per-seed keys of the generator (see the contract). */
function keys(seed: number): [number, number] {
  return [mix((seed ^ 0x9e3779b9) >>> 0), mix((seed ^ 0x6a09e667) >>> 0)];
}

/** 24 random bits for counter c: the integer behind u = bits · 2^-24. */
function bits24(k1: number, k2: number, c: number): number {
  return mix(mix((c ^ k1) >>> 0) ^ k2) >>> 8;
}

const TWO_POW_M24 = 1 / 16777216;

/** Plain-JS reference kernels for the dropout family (see the contract for semantics). */
export function dropoutKernels(v: MemoryViews): DropoutKernels {
  return {
    dropoutForward(n, p, seed, offset, x, y, mask) {
      const f = v.f32();
      const [k1, k2] = keys(seed >>> 0);
      // The WASM kernels take p as f32 and compute the scale in f32; do the same so masks and
      // outputs are bit-identical (one f64 op rounded to f32 equals the f32 op).
      const pf = Math.fround(p);
      const scale = Math.fround(1 / Math.fround(1 - pf));
      const xi = x >> 2, yi = y >> 2, mi = mask >> 2;
      for (let i = 0; i < n; i++) {
        const u = bits24(k1, k2, (offset + i) >>> 0) * TWO_POW_M24;
        const m = u < pf ? 0 : scale;
        f[mi + i] = m;
        f[yi + i] = f[xi + i]! * m;
      }
    },

    uniformFill(n, seed, offset, out) {
      const f = v.f32();
      const [k1, k2] = keys(seed >>> 0);
      const oi = out >> 2;
      for (let i = 0; i < n; i++) f[oi + i] = bits24(k1, k2, (offset + i) >>> 0) * TWO_POW_M24;
    },
  };
}
