/**
 * Train/validation/test splits and feature scaling (standardisation, min-max, bytes to [0, 1]).
 *
 * All functions work on flat row-major arrays: `x` holds n samples of `sampleSize` values each
 * (sampleSize = x.length / n), `y` holds n labels (or n × k targets).
 *
 * @module
 */

import { fail, checkOptions } from "../errors.js";
import { Rng, toRng } from "./random.js";

/** Labels or targets: class indices (Int32Array) or real-valued targets (Float32Array). */
export type Targets = Int32Array | Float32Array;

/** A set of samples: `x` is n × sampleSize values, row-major; `y` is n × (y.length / n). */
export interface Samples<Y extends Targets = Int32Array> {
  x: Float32Array;
  y: Y;
  n: number;
}

/** Options of {@link trainTestSplit} and {@link splitIndices}. */
export interface SplitOptions {
  /** Shuffle before splitting (default true). Without shuffling the first samples go to train. */
  shuffle?: boolean;
  /**
   * Keep each class's share the same in every part (default false). Needs Int32Array labels;
   * each class is split separately with the same fractions, rounding so that totals match.
   */
  stratify?: boolean;
  /** Seed or generator for the shuffle (default seed 0). */
  rng?: Rng | number;
}

const SPLIT_OPTIONS = ["shuffle", "stratify", "rng"] as const;

function checkSamples<Y extends Targets>(what: string, data: Samples<Y>): { sampleSize: number; ySize: number } {
  const { x, y, n } = data;
  if (!Number.isInteger(n) || n < 1) fail(`${what} n`, "a positive integer", n);
  if (x.length % n !== 0) fail(`${what} x length`, `a multiple of n = ${n}`, x.length);
  if (y.length % n !== 0) fail(`${what} y length`, `a multiple of n = ${n}`, y.length);
  return { sampleSize: x.length / n, ySize: y.length / n };
}

/**
 * Overall part sizes, as scikit-learn: every part after the first (test, validation) gets
 * ceil(fraction × n) samples and the first (train) gets the rest. When that overshoots
 * (tiny n), fall back to largest-remainder rounding, which always adds up to n.
 */
function overallSizes(n: number, fractions: readonly number[]): number[] {
  // The 1e-9 keeps products like 0.1 × 30 = 3.0000000000000004 from rounding up to 4.
  const held = fractions.slice(1).map((f) => Math.ceil(f * n - 1e-9));
  const rest = n - held.reduce((a, b) => a + b, 0);
  return rest >= 0 ? [rest, ...held] : partSizes(n, fractions);
}

/** Part sizes for `n` items split by `fractions` (summing to 1): largest-remainder rounding, so they add up to n. */
function partSizes(n: number, fractions: readonly number[]): number[] {
  const exact = fractions.map((f) => f * n);
  const sizes = exact.map(Math.floor);
  let left = n - sizes.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) sizes[order[k]![1]]! += 1;
  return sizes;
}

/**
 * Splits the indices 0..n−1 into parts with the given fractions (which must sum to 1).
 *
 * @param labels needed when `stratify` is true: one class index per sample.
 * @returns one Int32Array of sample indices per part. Within a part indices are in shuffled order
 *   (or ascending without shuffle).
 */
export function splitIndices(
  n: number,
  fractions: readonly number[],
  options: SplitOptions & { labels?: Int32Array } = {},
): Int32Array[] {
  checkOptions("splitIndices options", options, [...SPLIT_OPTIONS, "labels"]);
  if (!fractions.every((f) => f >= 0 && f <= 1) || Math.abs(fractions.reduce((a, b) => a + b, 0) - 1) > 1e-9) {
    fail("split fractions", "numbers in [0, 1] summing to 1", fractions);
  }
  const shuffle = options.shuffle ?? true;
  const rng = toRng(options.rng);
  const parts: number[][] = fractions.map(() => []);
  if (options.stratify) {
    const labels = options.labels;
    if (!(labels instanceof Int32Array) || labels.length !== n) {
      fail("stratified split labels", `an Int32Array of n = ${n} class indices`, labels);
    }
    const byClass = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      let list = byClass.get(c);
      if (!list) byClass.set(c, (list = []));
      list.push(i);
    }
    // Rounding each class on its own can drift from the overall sizes (three classes of 5 with a
    // 10 % test part would all round their 0.5 down). So fix the overall part sizes first, give
    // every class the floor of its exact share, then hand out the remaining samples by largest
    // remainder wherever both the class and the part still lack samples.
    const classes = [...byClass.keys()].sort((a, b) => a - b);
    const totals = overallSizes(n, fractions);
    const alloc = classes.map((c) => fractions.map((f) => Math.floor(f * byClass.get(c)!.length)));
    const classLeft = classes.map((c, k) => byClass.get(c)!.length - alloc[k]!.reduce((a, b) => a + b, 0));
    const partLeft = totals.map((t, p) => t - alloc.reduce((a, row) => a + row[p]!, 0));
    const cells: Array<[number, number, number]> = [];
    classes.forEach((c, k) =>
      fractions.forEach((f, p) => {
        const exact = f * byClass.get(c)!.length;
        cells.push([exact - Math.floor(exact), k, p]);
      }),
    );
    cells.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
    for (let pass = 0; pass < 2; pass++) {
      for (const [rem, k, p] of cells) {
        // First pass: only cells with a fractional share; second: any cell, which always
        // finishes because the class and part deficits have the same total.
        if (pass === 0 && rem === 0) continue;
        while (classLeft[k]! > 0 && partLeft[p]! > 0) {
          alloc[k]![p]! += 1;
          classLeft[k]! -= 1;
          partLeft[p]! -= 1;
          if (pass === 0) break;
        }
      }
    }
    classes.forEach((c, k) => {
      const members = byClass.get(c)!;
      if (shuffle) rng.shuffle(members);
      let at = 0;
      alloc[k]!.forEach((size, p) => {
        for (let i = 0; i < size; i++) parts[p]!.push(members[at++]!);
      });
    });
    // Mix the classes inside each part, so that a part is not sorted by class.
    return parts.map((p) => {
      const arr = Int32Array.from(p);
      return shuffle ? rng.shuffle(arr) : arr.sort();
    });
  }
  const order = shuffle ? rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
  const sizes = overallSizes(n, fractions);
  const out: Int32Array[] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(order.slice(at, at + size));
    at += size;
  }
  return out;
}

/** Copies the samples at `indices` into new arrays. */
export function take<Y extends Targets>(data: Samples<Y>, indices: Int32Array): Samples<Y> {
  const { sampleSize, ySize } = checkSamples("take data", data);
  const m = indices.length;
  const x = new Float32Array(m * sampleSize);
  const y = new (data.y.constructor as new (length: number) => Y)(m * ySize);
  for (let i = 0; i < m; i++) {
    const src = indices[i]!;
    if (!(src >= 0 && src < data.n)) fail("take index", `an integer in [0, ${data.n})`, src);
    x.set(data.x.subarray(src * sampleSize, (src + 1) * sampleSize), i * sampleSize);
    y.set(data.y.subarray(src * ySize, (src + 1) * ySize) as never, i * ySize);
  }
  return { x, y, n: m };
}

/** A train/test split of {@link trainTestSplit}. */
export interface TrainTest<Y extends Targets> {
  train: Samples<Y>;
  test: Samples<Y>;
  /** Indices of the original samples in each part. */
  indices: { train: Int32Array; test: Int32Array };
}

/**
 * Splits samples into train and test parts (like scikit-learn's `train_test_split`).
 *
 * @param testRatio fraction of the samples in the test part, in [0, 1] (default 0.25 as
 *   scikit-learn; the Playground's "ratio of training data 50%" is testRatio 0.5).
 */
export function trainTestSplit<Y extends Targets>(
  data: Samples<Y>,
  testRatio = 0.25,
  options: SplitOptions = {},
): TrainTest<Y> {
  checkSamples("trainTestSplit data", data);
  checkOptions("trainTestSplit options", options, SPLIT_OPTIONS);
  if (!(testRatio >= 0 && testRatio <= 1)) fail("trainTestSplit testRatio", "a fraction in [0, 1]", testRatio);
  const labels = options.stratify ? stratifyLabels("trainTestSplit", data) : undefined;
  const [train, test] = splitIndices(data.n, [1 - testRatio, testRatio], { ...options, labels });
  return { train: take(data, train!), test: take(data, test!), indices: { train: train!, test: test! } };
}

/** A three-way split of {@link trainValTestSplit}. */
export interface TrainValTest<Y extends Targets> {
  train: Samples<Y>;
  val: Samples<Y>;
  test: Samples<Y>;
  indices: { train: Int32Array; val: Int32Array; test: Int32Array };
}

/**
 * Splits samples into train, validation and test parts.
 *
 * @param valRatio fraction for validation; @param testRatio fraction for test; the rest is train.
 */
export function trainValTestSplit<Y extends Targets>(
  data: Samples<Y>,
  valRatio: number,
  testRatio: number,
  options: SplitOptions = {},
): TrainValTest<Y> {
  checkSamples("trainValTestSplit data", data);
  checkOptions("trainValTestSplit options", options, SPLIT_OPTIONS);
  if (!(valRatio >= 0 && testRatio >= 0 && valRatio + testRatio <= 1)) {
    fail("trainValTestSplit [valRatio, testRatio]", "fractions >= 0 with a sum <= 1", [valRatio, testRatio]);
  }
  const labels = options.stratify ? stratifyLabels("trainValTestSplit", data) : undefined;
  const [train, val, test] = splitIndices(data.n, [1 - valRatio - testRatio, valRatio, testRatio], { ...options, labels });
  return {
    train: take(data, train!),
    val: take(data, val!),
    test: take(data, test!),
    indices: { train: train!, val: val!, test: test! },
  };
}

function stratifyLabels<Y extends Targets>(what: string, data: Samples<Y>): Int32Array {
  if (!(data.y instanceof Int32Array) || data.y.length !== data.n) {
    fail(`${what} stratify`, "Int32Array labels, one per sample", data.y);
  }
  return data.y;
}

// ---------------------------------------------------------------------------------------------
// Scaling.

/** Per-feature mean and standard deviation, fitted by {@link fitStandardizer}. */
export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
}

/**
 * Fits per-feature mean and (population) standard deviation on `x` (n × features). Features
 * with zero spread get std 1, so that standardising leaves them at 0 instead of dividing by 0
 * (as scikit-learn's StandardScaler does). Fit on the training part only, then apply to all parts.
 */
export function fitStandardizer(x: Float32Array, features: number): Standardizer {
  checkRows("fitStandardizer", x, features);
  const n = x.length / features;
  const mean = new Float64Array(features);
  const m2 = new Float64Array(features);
  // Welford's update: stable even when the mean is large compared with the spread.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < features; j++) {
      const v = x[i * features + j]!;
      const d = v - mean[j]!;
      mean[j]! += d / (i + 1);
      m2[j]! += d * (v - mean[j]!);
    }
  }
  const std = new Float32Array(features);
  for (let j = 0; j < features; j++) {
    const s = Math.sqrt(m2[j]! / n);
    std[j] = s > 0 ? s : 1;
  }
  return { mean: Float32Array.from(mean), std };
}

/**
 * Applies (x − mean) / std per feature. Writes into `out` (default: a new array; pass `x` to
 * work in place). @returns the standardised n × features values.
 */
export function standardize(x: Float32Array, scaler: Standardizer, out?: Float32Array): Float32Array {
  const features = scaler.mean.length;
  checkRows("standardize", x, features);
  const dst = out ?? new Float32Array(x.length);
  if (dst.length !== x.length) fail("standardize out length", String(x.length), dst.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % features;
    dst[i] = (x[i]! - scaler.mean[j]!) / scaler.std[j]!;
  }
  return dst;
}

/** Per-feature minimum and maximum, fitted by {@link fitMinMax}. */
export interface MinMaxScaler {
  min: Float32Array;
  max: Float32Array;
}

/** Fits per-feature min and max on `x` (n × features). */
export function fitMinMax(x: Float32Array, features: number): MinMaxScaler {
  checkRows("fitMinMax", x, features);
  const min = new Float32Array(features).fill(Infinity);
  const max = new Float32Array(features).fill(-Infinity);
  for (let i = 0; i < x.length; i++) {
    const j = i % features;
    const v = x[i]!;
    if (v < min[j]!) min[j] = v;
    if (v > max[j]!) max[j] = v;
  }
  return { min, max };
}

/**
 * Maps each feature linearly so that the fitted min goes to `lo` and max to `hi` (default [0, 1]);
 * constant features go to `lo`. Values outside the fitted range (test data) map outside [lo, hi].
 */
export function minMaxScale(x: Float32Array, scaler: MinMaxScaler, out?: Float32Array, lo = 0, hi = 1): Float32Array {
  const features = scaler.min.length;
  checkRows("minMaxScale", x, features);
  const dst = out ?? new Float32Array(x.length);
  if (dst.length !== x.length) fail("minMaxScale out length", String(x.length), dst.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % features;
    const span = scaler.max[j]! - scaler.min[j]!;
    dst[i] = span > 0 ? lo + ((x[i]! - scaler.min[j]!) / span) * (hi - lo) : lo;
  }
  return dst;
}

/** Converts bytes (pixels 0–255) to floats in [0, 1] (divide by 255). */
export function bytesToUnit(bytes: Uint8Array, out?: Float32Array): Float32Array {
  const dst = out ?? new Float32Array(bytes.length);
  if (dst.length !== bytes.length) fail("bytesToUnit out length", String(bytes.length), dst.length);
  for (let i = 0; i < bytes.length; i++) dst[i] = bytes[i]! / 255;
  return dst;
}

/**
 * Normalises an NCHW array per channel in place: x = (x − mean[c]) / std[c]
 * (torchvision's `Normalize`; MNIST uses mean 0.1307, std 0.3081 on [0, 1] pixels).
 *
 * @param x Float32Array of N × C × H × W values.
 * @param sampleShape [C, H, W] of one sample.
 * @param mean one value per channel, or one for all.
 * @param std one value per channel, or one for all; > 0.
 * @returns x.
 */
export function normalizeChannels(
  x: Float32Array,
  sampleShape: readonly [number, number, number],
  mean: number | readonly number[],
  std: number | readonly number[],
): Float32Array {
  const [channels, h, w] = sampleShape;
  if (!sampleShape.every((d) => Number.isInteger(d) && d >= 1)) fail("normalizeChannels sampleShape", "[C, H, W] of positive integers", sampleShape);
  const plane = h * w;
  if (x.length % (channels * plane) !== 0) fail("normalizeChannels x length", `a multiple of C×H×W = ${channels * plane}`, x.length);
  const means = typeof mean === "number" ? new Array<number>(channels).fill(mean) : mean;
  const stds = typeof std === "number" ? new Array<number>(channels).fill(std) : std;
  if (means.length !== channels || stds.length !== channels || !stds.every((s) => s > 0)) {
    fail("normalizeChannels mean/std", `${channels} values each, std > 0`, [means, stds]);
  }
  const planes = x.length / plane;
  for (let p = 0; p < planes; p++) {
    const c = p % channels;
    const m = means[c]!;
    const inv = 1 / stds[c]!;
    for (let i = p * plane, end = i + plane; i < end; i++) x[i] = (x[i]! - m) * inv;
  }
  return x;
}

function checkRows(what: string, x: Float32Array, features: number): void {
  if (!Number.isInteger(features) || features < 1) fail(`${what} features`, "a positive integer", features);
  if (x.length === 0 || x.length % features !== 0) fail(`${what} x length`, `a positive multiple of features = ${features}`, x.length);
}
