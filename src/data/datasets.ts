/**
 * Two-dimensional toy datasets with the semantics of scikit-learn (`make_moons`, `make_blobs`,
 * `make_circles`) and of the TensorFlow Playground (circle, XOR, gaussian, spiral), plus the
 * Playground's derived input features.
 *
 * Every generator is deterministic given its seed or {@link Rng}. The randomness differs from
 * NumPy's (a different generator), so the points are not the ones scikit-learn would draw for
 * the same `random_state`, but their distribution is the same.
 *
 * @module
 */

import { fail, checkOptions } from "../errors.js";
import { Rng, toRng } from "./random.js";

/**
 * A labelled dataset held as flat typed arrays.
 *
 * - `x`: Float32Array of length `n × features`, row-major (sample i is `x[i*features .. (i+1)*features)`).
 * - `y`: Int32Array of length `n`, class indices in [0, classes).
 */
export interface Dataset {
  x: Float32Array;
  y: Int32Array;
  /** Number of samples. */
  n: number;
  /** Values per sample (2 for the generators here). */
  features: number;
  /** Number of classes (labels are 0 .. classes − 1). */
  classes: number;
}

/** Options shared by all generators. */
export interface GeneratorOptions {
  /** Seed or generator; a generator is advanced, so successive calls give different data. Default seed 0. */
  rng?: Rng | number;
  /**
   * Shuffle the samples (default true, as scikit-learn). With false the samples come grouped by
   * class, in generation order (class 0 first, then 1, …).
   */
  shuffle?: boolean;
}

const GEN_OPTIONS = ["rng", "shuffle"] as const;

function checkCount(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) fail(`${what} n`, "a positive integer", n);
}

function checkNoise(what: string, noise: number): void {
  if (!(noise >= 0) || !Number.isFinite(noise)) fail(`${what} noise`, "a finite number >= 0", noise);
}

/** Evenly spaced values like NumPy's linspace(start, stop, count, endpoint). */
function linspace(start: number, stop: number, count: number, endpoint: boolean): Float64Array {
  const out = new Float64Array(count);
  const div = endpoint ? count - 1 : count;
  const step = div > 0 ? (stop - start) / div : 0;
  for (let i = 0; i < count; i++) out[i] = start + i * step;
  if (endpoint && count > 1) out[count - 1] = stop;
  return out;
}

/** Builds the Dataset from float64 coordinates, shuffling rows with `rng` when asked. */
function finish(
  xs: Float64Array,
  ys: Int32Array,
  classes: number,
  rng: Rng,
  shuffle: boolean,
  noise: number,
): Dataset {
  const n = ys.length;
  // Same order of operations as scikit-learn: shuffle first, then add the Gaussian noise.
  const order = shuffle ? rng.permutation(n) : null;
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const src = order ? order[i]! : i;
    y[i] = ys[src]!;
    x[2 * i] = xs[2 * src]! + (noise > 0 ? rng.normal(0, noise) : 0);
    x[2 * i + 1] = xs[2 * src + 1]! + (noise > 0 ? rng.normal(0, noise) : 0);
  }
  return { x, y, n, features: 2, classes };
}

/**
 * Two interleaving half circles (scikit-learn `make_moons`). Class 0 is the upper half circle of
 * radius 1 centred at (0, 0); class 1 the lower one centred at (1, 0.5). floor(n/2) samples are
 * class 0, the rest class 1. Points are evenly spaced along each arc, then Gaussian noise with
 * standard deviation `noise` is added to both coordinates.
 *
 * @param n number of samples.
 * @param noise standard deviation of the added Gaussian noise (default 0, exact arcs).
 */
export function makeMoons(n: number, noise = 0, options: GeneratorOptions = {}): Dataset {
  checkCount("makeMoons", n);
  checkNoise("makeMoons", noise);
  checkOptions("makeMoons options", options, GEN_OPTIONS);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const xs = new Float64Array(2 * n);
  const ys = new Int32Array(n);
  const tOut = linspace(0, Math.PI, nOut, true);
  const tIn = linspace(0, Math.PI, nIn, true);
  for (let i = 0; i < nOut; i++) {
    xs[2 * i] = Math.cos(tOut[i]!);
    xs[2 * i + 1] = Math.sin(tOut[i]!);
  }
  for (let i = 0; i < nIn; i++) {
    const r = nOut + i;
    xs[2 * r] = 1 - Math.cos(tIn[i]!);
    xs[2 * r + 1] = 1 - Math.sin(tIn[i]!) - 0.5;
    ys[r] = 1;
  }
  return finish(xs, ys, 2, toRng(options.rng), options.shuffle ?? true, noise);
}

/**
 * A large circle containing a smaller one (scikit-learn `make_circles`). Class 0 is the outer
 * circle of radius 1 (floor(n/2) points), class 1 the inner circle of radius `factor`; points are
 * evenly spaced in angle, then Gaussian noise with standard deviation `noise` is added.
 *
 * @param noise standard deviation of the added noise (default 0).
 * @param factor inner radius relative to the outer, in [0, 1) (default 0.8 as scikit-learn).
 */
export function makeCircles(n: number, noise = 0, factor = 0.8, options: GeneratorOptions = {}): Dataset {
  checkCount("makeCircles", n);
  checkNoise("makeCircles", noise);
  if (!(factor >= 0 && factor < 1)) fail("makeCircles factor", "a number in [0, 1)", factor);
  checkOptions("makeCircles options", options, GEN_OPTIONS);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const xs = new Float64Array(2 * n);
  const ys = new Int32Array(n);
  const tOut = linspace(0, 2 * Math.PI, nOut, false);
  const tIn = linspace(0, 2 * Math.PI, nIn, false);
  for (let i = 0; i < nOut; i++) {
    xs[2 * i] = Math.cos(tOut[i]!);
    xs[2 * i + 1] = Math.sin(tOut[i]!);
  }
  for (let i = 0; i < nIn; i++) {
    const r = nOut + i;
    xs[2 * r] = factor * Math.cos(tIn[i]!);
    xs[2 * r + 1] = factor * Math.sin(tIn[i]!);
    ys[r] = 1;
  }
  return finish(xs, ys, 2, toRng(options.rng), options.shuffle ?? true, noise);
}

/** Options of {@link makeBlobs}. */
export interface BlobsOptions extends GeneratorOptions {
  /** When `centers` is a count, centres are drawn uniformly in this box (default [−10, 10] as scikit-learn). */
  centerBox?: [number, number];
}

/**
 * Isotropic Gaussian blobs (scikit-learn `make_blobs` with 2 features). Samples are split as
 * evenly as possible between the centres (the first n mod k centres get one more); blob i has
 * label i.
 *
 * @param centers number of blobs (centres drawn uniformly in `centerBox`) or their coordinates.
 * @param std standard deviation of each blob, one for all or one per centre (default 1).
 */
export function makeBlobs(
  n: number,
  centers: number | ReadonlyArray<readonly [number, number]> = 3,
  std: number | readonly number[] = 1,
  options: BlobsOptions = {},
): Dataset {
  checkCount("makeBlobs", n);
  checkOptions("makeBlobs options", options, [...GEN_OPTIONS, "centerBox"]);
  const rng = toRng(options.rng);
  let points: Array<readonly [number, number]>;
  if (typeof centers === "number") {
    if (!Number.isInteger(centers) || centers < 1) fail("makeBlobs centers", "a positive integer or a list of [x, y]", centers);
    const [lo, hi] = options.centerBox ?? [-10, 10];
    points = [];
    for (let i = 0; i < centers; i++) points.push([rng.uniform(lo, hi), rng.uniform(lo, hi)]);
  } else {
    if (centers.length < 1 || !centers.every((c) => c.length === 2 && c.every(Number.isFinite))) {
      fail("makeBlobs centers", "a positive integer or a non-empty list of [x, y]", centers);
    }
    points = [...centers];
  }
  const k = points.length;
  const stds = typeof std === "number" ? new Array<number>(k).fill(std) : [...std];
  if (stds.length !== k || !stds.every((s) => s >= 0 && Number.isFinite(s))) {
    fail("makeBlobs std", `a number >= 0 or ${k} of them (one per centre)`, std);
  }
  const xs = new Float64Array(2 * n);
  const ys = new Int32Array(n);
  let row = 0;
  for (let c = 0; c < k; c++) {
    const count = Math.floor(n / k) + (c < n % k ? 1 : 0);
    const [cx, cy] = points[c]!;
    for (let i = 0; i < count; i++, row++) {
      xs[2 * row] = rng.normal(cx, stds[c]!);
      xs[2 * row + 1] = rng.normal(cy, stds[c]!);
      ys[row] = c;
    }
  }
  return finish(xs, ys, k, rng, options.shuffle ?? true, 0);
}

// ---------------------------------------------------------------------------------------------
// TensorFlow Playground datasets. The Playground's noise slider (0–50) is `noise` × 100 here,
// as in its own code; its labels +1 / −1 are classes 1 / 0. Points span about [−6, 6]².

/** Builds the dataset from (x, y, label) triples produced in class order. */
function fromTriples(xs: Float64Array, ys: Int32Array, rng: Rng, shuffle: boolean): Dataset {
  return finish(xs, ys, 2, rng, shuffle, 0);
}

function checkPlayground(what: string, n: number, noise: number, options: GeneratorOptions): void {
  checkCount(what, n);
  if (!(noise >= 0 && noise <= 1)) fail(`${what} noise`, "a fraction in [0, 1] (the Playground slider 0–50 is 0–0.5)", noise);
  checkOptions(`${what} options`, options, GEN_OPTIONS);
}

/**
 * Playground "circle": class 1 uniform in radius within 2.5 of the origin, class 0 in the ring
 * 3.5–5. Noise does not move the points: it perturbs the point used to decide the label
 * (by up to ±5·noise per coordinate), so with noise some labels cross the boundary of radius 2.5.
 * n/2 (rounded up) points are drawn per class, as in the Playground.
 */
export function makePlaygroundCircle(n: number, noise = 0, options: GeneratorOptions = {}): Dataset {
  checkPlayground("makePlaygroundCircle", n, noise, options);
  const rng = toRng(options.rng);
  const radius = 5;
  const half = Math.ceil(n / 2);
  const total = 2 * half;
  const xs = new Float64Array(2 * total);
  const ys = new Int32Array(total);
  let row = 0;
  for (const [rLo, rHi] of [[0, radius * 0.5], [radius * 0.7, radius]] as const) {
    for (let i = 0; i < half; i++, row++) {
      const r = rng.uniform(rLo, rHi);
      const angle = rng.uniform(0, 2 * Math.PI);
      const x = r * Math.sin(angle);
      const y = r * Math.cos(angle);
      const nx = rng.uniform(-radius, radius) * noise;
      const ny = rng.uniform(-radius, radius) * noise;
      xs[2 * row] = x;
      xs[2 * row + 1] = y;
      ys[row] = Math.hypot(x + nx, y + ny) < radius * 0.5 ? 1 : 0;
    }
  }
  return trim(fromTriples(xs, ys, rng, options.shuffle ?? true), n);
}

/**
 * Playground "XOR": points uniform in [−5, 5]², pushed 0.3 away from both axes; class 1 where
 * x·y ≥ 0 (first and third quadrants). Noise perturbs the point used for the label by up to
 * ±5·noise per coordinate.
 */
export function makeXor(n: number, noise = 0, options: GeneratorOptions = {}): Dataset {
  checkPlayground("makeXor", n, noise, options);
  const rng = toRng(options.rng);
  const xs = new Float64Array(2 * n);
  const ys = new Int32Array(n);
  const padding = 0.3;
  for (let i = 0; i < n; i++) {
    let x = rng.uniform(-5, 5);
    x += x > 0 ? padding : -padding;
    let y = rng.uniform(-5, 5);
    y += y > 0 ? padding : -padding;
    const nx = rng.uniform(-5, 5) * noise;
    const ny = rng.uniform(-5, 5) * noise;
    xs[2 * i] = x;
    xs[2 * i + 1] = y;
    ys[i] = (x + nx) * (y + ny) >= 0 ? 1 : 0;
  }
  return fromTriples(xs, ys, rng, options.shuffle ?? true);
}

/**
 * Playground "gaussian": two Gaussian clouds, class 1 around (2, 2) and class 0 around (−2, −2),
 * n/2 (rounded up) each. The variance grows linearly with noise from 0.5 (noise 0) to 4
 * (noise 0.5), as in the Playground, so the standard deviation is √variance.
 */
export function makeGaussian(n: number, noise = 0, options: GeneratorOptions = {}): Dataset {
  checkPlayground("makeGaussian", n, noise, options);
  const rng = toRng(options.rng);
  const variance = 0.5 + (noise / 0.5) * 3.5;
  const std = Math.sqrt(variance);
  const half = Math.ceil(n / 2);
  const xs = new Float64Array(4 * half);
  const ys = new Int32Array(2 * half);
  let row = 0;
  for (const [c, label] of [[2, 1], [-2, 0]] as const) {
    for (let i = 0; i < half; i++, row++) {
      xs[2 * row] = rng.normal(c, std);
      xs[2 * row + 1] = rng.normal(c, std);
      ys[row] = label;
    }
  }
  return trim(fromTriples(xs, ys, rng, options.shuffle ?? true), n);
}

/**
 * Playground "spiral": two interleaved spirals of 1.75 turns reaching radius 5; class 1 starts at
 * angle 0, class 0 at π. Each coordinate gets uniform noise in ±noise (not ×5: the Playground's
 * spiral is the one dataset where noise is not scaled by the radius).
 */
export function makeSpiral(n: number, noise = 0, options: GeneratorOptions = {}): Dataset {
  checkPlayground("makeSpiral", n, noise, options);
  const rng = toRng(options.rng);
  const half = Math.ceil(n / 2);
  const xs = new Float64Array(4 * half);
  const ys = new Int32Array(2 * half);
  let row = 0;
  for (const [delta, label] of [[0, 1], [Math.PI, 0]] as const) {
    for (let i = 0; i < half; i++, row++) {
      const r = (i / half) * 5;
      const t = ((1.75 * i) / half) * 2 * Math.PI + delta;
      xs[2 * row] = r * Math.sin(t) + rng.uniform(-1, 1) * noise;
      xs[2 * row + 1] = r * Math.cos(t) + rng.uniform(-1, 1) * noise;
      ys[row] = label;
    }
  }
  return trim(fromTriples(xs, ys, rng, options.shuffle ?? true), n);
}

/** Keeps the first n samples (the per-class generators draw ceil(n/2) per class). */
function trim(ds: Dataset, n: number): Dataset {
  if (ds.n === n) return ds;
  return { ...ds, x: ds.x.slice(0, n * ds.features), y: ds.y.slice(0, n), n };
}

/** The Playground's dataset names, as in its URL (`dataset=circle`). */
export type PlaygroundDatasetName = "circle" | "xor" | "gauss" | "spiral";

/** Generates a Playground dataset by its URL name; see the individual generators. */
export function playgroundDataset(name: PlaygroundDatasetName, n = 500, noise = 0, options: GeneratorOptions = {}): Dataset {
  switch (name) {
    case "circle":
      return makePlaygroundCircle(n, noise, options);
    case "xor":
      return makeXor(n, noise, options);
    case "gauss":
      return makeGaussian(n, noise, options);
    case "spiral":
      return makeSpiral(n, noise, options);
    default:
      return fail("playgroundDataset name", '"circle", "xor", "gauss" or "spiral"', name);
  }
}

// ---------------------------------------------------------------------------------------------
// Playground derived features.

/**
 * The Playground's input features, by their URL keys (`x`, `y`, `xSquared`, …). In the
 * Playground's UI they are X₁, X₂, X₁², X₂², X₁X₂, sin(X₁), sin(X₂) (cos is in its code but hidden).
 */
export const PLAYGROUND_FEATURES = {
  x: { label: "x1", f: (a: number, _b: number) => a },
  y: { label: "x2", f: (_a: number, b: number) => b },
  xSquared: { label: "x1²", f: (a: number, _b: number) => a * a },
  ySquared: { label: "x2²", f: (_a: number, b: number) => b * b },
  xTimesY: { label: "x1·x2", f: (a: number, b: number) => a * b },
  sinX: { label: "sin(x1)", f: (a: number, _b: number) => Math.sin(a) },
  sinY: { label: "sin(x2)", f: (_a: number, b: number) => Math.sin(b) },
  cosX: { label: "cos(x1)", f: (a: number, _b: number) => Math.cos(a) },
  cosY: { label: "cos(x2)", f: (_a: number, b: number) => Math.cos(b) },
} as const;

/** A key of {@link PLAYGROUND_FEATURES}. */
export type PlaygroundFeature = keyof typeof PLAYGROUND_FEATURES;

/**
 * Expands 2-D points into the chosen Playground features, in the order given.
 *
 * @param x Float32Array of n × 2 points, row-major.
 * @param features feature keys, e.g. `["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]`.
 * @param out optional destination of length n × features.length (reused to avoid allocating).
 * @returns Float32Array of n × features.length, row-major.
 */
export function expandFeatures(
  x: Float32Array,
  features: readonly PlaygroundFeature[],
  out?: Float32Array,
): Float32Array {
  if (x.length % 2 !== 0) fail("expandFeatures x", "a Float32Array of n × 2 values", x);
  if (features.length === 0) fail("expandFeatures features", "at least one feature", features);
  const fns = features.map((name) => {
    const spec = PLAYGROUND_FEATURES[name];
    if (!spec) fail("expandFeatures feature", `one of ${Object.keys(PLAYGROUND_FEATURES).join(", ")}`, name);
    return spec.f;
  });
  const n = x.length / 2;
  const k = fns.length;
  const dst = out ?? new Float32Array(n * k);
  if (dst.length !== n * k) fail("expandFeatures out length", `${n * k} (n × features)`, dst.length);
  for (let i = 0; i < n; i++) {
    const a = x[2 * i]!;
    const b = x[2 * i + 1]!;
    for (let j = 0; j < k; j++) dst[i * k + j] = fns[j]!(a, b);
  }
  return dst;
}

/** Applies {@link expandFeatures} to a dataset, returning a new dataset with the expanded x. */
export function withFeatures(ds: Dataset, features: readonly PlaygroundFeature[]): Dataset {
  if (ds.features !== 2) fail("withFeatures dataset features", "2 (a 2-D dataset)", ds.features);
  return { ...ds, x: expandFeatures(ds.x, features), features: features.length };
}
