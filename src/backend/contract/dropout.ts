/**
 * Inverted dropout with a counter-based RNG inside the kernel: element i of a call draws from
 * bits(seed, offset + i), so a run is reproducible from (seed, offset) alone and any row range can
 * be computed independently (threads). Callers advance offset by n after each call.
 * seed and offset are u32 (pass values in [0, 2^32)); offset + i wraps modulo 2^32.
 *
 * The generator (identical in every backend, so js and wasm drop the same units):
 * ```
 * mix(x)  = lowbias32: x ^= x >>> 16; x *= 0x7feb352d; x ^= x >>> 15; x *= 0x846ca68b; x ^= x >>> 16
 * k1 = mix(seed ^ 0x9e3779b9), k2 = mix(seed ^ 0x6a09e667)
 * bits(seed, c) = mix(mix(c ^ k1) ^ k2)                       (u32; all products modulo 2^32)
 * u(seed, c)    = (bits >>> 8) · 2^-24                         (exact in f32, in [0, 1))
 * ```
 * Why a keyed two-round integer hash rather than Philox-4x32-10: it needs only 32-bit
 * multiplies, shifts and xors, which are single i32x4 instructions in WASM SIMD (Philox needs
 * the high half of 32×32 products, which WASM SIMD lacks), and every element is one independent
 * hash of its counter (Philox makes 4 words per counter, so an odd offset would split a block).
 * lowbias32 is a bijection with near-ideal avalanche (Wellons, hash-prospector); two keyed rounds
 * remove its residual bias and give each seed an unrelated stream. It is not cryptographic.
 */
export interface DropoutKernels {
  /**
   * mask[i] = 0 when u(seed, offset + i) < p, else 1/(1 − p) (rounded once to f32); y = x·mask.
   * p is used as f32, p in [0, 1); p = 0 gives mask = 1. y may alias x.
   */
  dropoutForward(n: number, p: number, seed: number, offset: number, x: number, y: number, mask: number): void;
  /** Uniform [0, 1) floats from the same generator: out[i] = u(seed, offset + i) (tests and data augmentation). */
  uniformFill(n: number, seed: number, offset: number, out: number): void;
}
