/**
 * Inverted dropout with a counter-based RNG inside the kernel: element i of a call draws from
 * hash(seed, offset + i), so a run is reproducible from (seed, offset) alone and any row range can
 * be computed independently (threads). Callers advance offset by n after each call.
 * seed and offset are u32 (pass values in [0, 2^32)).
 */
export interface DropoutKernels {
  /** mask[i] = 0 with probability p else 1/(1 − p); y = x·mask. p in [0, 1); p = 0 gives mask = 1. */
  dropoutForward(n: number, p: number, seed: number, offset: number, x: number, y: number, mask: number): void;
  /** Uniform [0, 1) floats from the same generator: out[i] = u(seed, offset + i) (tests and data augmentation). */
  uniformFill(n: number, seed: number, offset: number, out: number): void;
}
