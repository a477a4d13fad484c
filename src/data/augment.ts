/**
 * Data augmentation on NCHW image batches, in place, driven by the seeded {@link Rng}: random
 * shift / crop with padding, horizontal flip, brightness and contrast jitter (the torchvision
 * transforms the reference problems use). Apply them before normalisation: jitter assumes pixels
 * in [0, 1] and clamps to that range by default, as torchvision does for float images.
 *
 * ```ts
 * const loader = new DataLoader(x, y, [1, 28, 28], {
 *   augment: augmentation(randomShift(2), colorJitter({ brightness: 0.2, contrast: 0.2 })),
 * });
 * ```
 *
 * Scratch memory is allocated once per image size, on first use, so augmenting a stream of
 * batches allocates nothing after the first batch.
 *
 * @module
 */

import { fail } from "../errors.js";
import type { Rng } from "./random.js";
import type { Batch, BatchHook } from "./loader.js";
import type { Targets } from "./split.js";

/**
 * One augmentation: changes `n` samples of shape [c, h, w] stored in `x` (NCHW) in place, drawing
 * its randomness from `rng` in sample order (so a seed fixes the result).
 */
export type Augmentation = (x: Float32Array, n: number, shape: readonly [number, number, number], rng: Rng) => void;

function checkShape(what: string, x: Float32Array, n: number, shape: readonly number[]): void {
  if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d >= 1)) fail(`${what} shape`, "[C, H, W] of positive integers", shape);
  const size = n * shape[0]! * shape[1]! * shape[2]!;
  if (x.length < size) fail(`${what} x length`, `at least n × C × H × W = ${size}`, x.length);
}

/**
 * Shifts each image by a random whole number of pixels, independently in x and y, in
 * [−maxShift, maxShift]; pixels shifted in are `fill` (default 0). This is torchvision's
 * `RandomCrop(size, padding=maxShift)` with zero padding: pad by maxShift, then crop the original
 * size at a random offset.
 */
export function randomShift(maxShift: number, fill = 0): Augmentation {
  if (!Number.isInteger(maxShift) || maxShift < 0) fail("randomShift maxShift", "a non-negative integer", maxShift);
  let scratch = new Float32Array(0);
  return (x, n, shape, rng) => {
    checkShape("randomShift", x, n, shape);
    const [c, h, w] = shape;
    const plane = h * w;
    if (scratch.length !== plane) scratch = new Float32Array(plane);
    for (let s = 0; s < n; s++) {
      const dy = rng.int(-maxShift, maxShift);
      const dx = rng.int(-maxShift, maxShift);
      if (dx === 0 && dy === 0) continue;
      for (let ch = 0; ch < c; ch++) {
        const base = (s * c + ch) * plane;
        for (let i = 0; i < plane; i++) scratch[i] = x[base + i]!;
        // Output pixel (r, q) takes input pixel (r − dy, q − dx), or fill when that is outside.
        for (let r = 0; r < h; r++) {
          const sr = r - dy;
          for (let q = 0; q < w; q++) {
            const sq = q - dx;
            x[base + r * w + q] = sr >= 0 && sr < h && sq >= 0 && sq < w ? scratch[sr * w + sq]! : fill;
          }
        }
      }
    }
  };
}

/** torchvision `RandomCrop(size, padding)` for output size = input size: see {@link randomShift}. */
export function randomCrop(padding: number, fill = 0): Augmentation {
  return randomShift(padding, fill);
}

/** Mirrors each image left–right with probability p (default 0.5), as `RandomHorizontalFlip`. */
export function randomHorizontalFlip(p = 0.5): Augmentation {
  if (!(p >= 0 && p <= 1)) fail("randomHorizontalFlip p", "a probability in [0, 1]", p);
  return (x, n, shape, rng) => {
    checkShape("randomHorizontalFlip", x, n, shape);
    const [c, h, w] = shape;
    for (let s = 0; s < n; s++) {
      // Draw for every sample, flipped or not, so the stream position does not depend on the data.
      if (!(rng.next() < p)) continue;
      for (let row = s * c * h, end = (s + 1) * c * h; row < end; row++) {
        const base = row * w;
        for (let i = 0, j = w - 1; i < j; i++, j--) {
          const t = x[base + i]!;
          x[base + i] = x[base + j]!;
          x[base + j] = t;
        }
      }
    }
  };
}

/** Options of {@link colorJitter}. */
export interface ColorJitterOptions {
  /** Multiply by a factor uniform in [max(0, 1 − b), 1 + b] (default 0: off). */
  brightness?: number;
  /**
   * Blend with the image's mean (its grey level for 3 channels) by a factor uniform in
   * [max(0, 1 − c), 1 + c]: x = mean + f·(x − mean) (default 0: off).
   */
  contrast?: number;
  /** Clamp results to this range (default [0, 1]); null to leave unclamped. */
  clamp?: readonly [number, number] | null;
}

/**
 * Brightness then contrast jitter per image, as torchvision's `ColorJitter(brightness, contrast)`
 * (which picks the order at random; here it is fixed, brightness first).
 */
export function colorJitter(options: ColorJitterOptions): Augmentation {
  const b = options.brightness ?? 0;
  const ct = options.contrast ?? 0;
  if (!(b >= 0) || !(ct >= 0)) fail("colorJitter brightness/contrast", "numbers >= 0", [b, ct]);
  const clamp = options.clamp === undefined ? ([0, 1] as const) : options.clamp;
  return (x, n, shape, rng) => {
    checkShape("colorJitter", x, n, shape);
    const [c, h, w] = shape;
    const plane = h * w;
    const size = c * plane;
    for (let s = 0; s < n; s++) {
      const base = s * size;
      const end = base + size;
      if (b > 0) {
        const f = rng.uniform(Math.max(0, 1 - b), 1 + b);
        for (let i = base; i < end; i++) x[i] = clampTo(x[i]! * f, clamp);
      }
      if (ct > 0) {
        const f = rng.uniform(Math.max(0, 1 - ct), 1 + ct);
        let mean = 0;
        if (c === 3) {
          // torchvision's contrast uses the mean of the grey image (ITU-R 601 luma weights).
          for (let i = 0; i < plane; i++) {
            mean += 0.299 * x[base + i]! + 0.587 * x[base + plane + i]! + 0.114 * x[base + 2 * plane + i]!;
          }
          mean /= plane;
        } else {
          for (let i = base; i < end; i++) mean += x[i]!;
          mean /= size;
        }
        for (let i = base; i < end; i++) x[i] = clampTo(mean + f * (x[i]! - mean), clamp);
      }
    }
  };
}

function clampTo(v: number, range: readonly [number, number] | null): number {
  if (range === null) return v;
  return v < range[0] ? range[0] : v > range[1] ? range[1] : v;
}

/** Applies several augmentations in order to an NCHW array. */
export function composeAugmentations(...augs: Augmentation[]): Augmentation {
  return (x, n, shape, rng) => {
    for (const a of augs) a(x, n, shape, rng);
  };
}

/**
 * Turns augmentations into a {@link DataLoader} hook: each batch is augmented in place with the
 * loader's generator. The batch's sampleShape must be [C, H, W] (or [H, W], taken as C = 1).
 */
export function augmentation<Y extends Targets = Int32Array>(...augs: Augmentation[]): BatchHook<Y> {
  const all = composeAugmentations(...augs);
  let shape: [number, number, number] = [1, 1, 1];
  let from: readonly number[] | null = null;
  return (batch: Batch<Y>, rng: Rng) => {
    // Re-derive the [C, H, W] tuple only when the loader's shape object changes (no per-batch array).
    if (batch.sampleShape !== from) {
      const s = batch.sampleShape;
      if (s.length === 2) shape = [1, s[0]!, s[1]!];
      else if (s.length === 3) shape = [s[0]!, s[1]!, s[2]!];
      else fail("augmentation sampleShape", "[C, H, W] or [H, W]", s);
      from = s;
    }
    all(batch.x, batch.size, shape, rng);
  };
}
