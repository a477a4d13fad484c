/**
 * Mini-batch iteration without per-batch allocation.
 *
 * @module
 */

import { fail, checkOptions } from "../errors.js";
import { optBoolean, optInteger } from "../validate.js";
import { Rng, toRng } from "./random.js";
import type { Targets } from "./split.js";

/**
 * One mini-batch. The loader owns it and refills it in place: the arrays (and this object) are
 * the same on every batch of the same size, so copy what must outlive the next step.
 */
export interface Batch<Y extends Targets = Int32Array> {
  /** size × sampleShape values, row-major (NCHW for images). */
  x: Float32Array;
  /** size × (labels per sample) values. */
  y: Y;
  /** Samples in this batch (batchSize, or fewer for the last batch when dropLast is false). */
  size: number;
  /** Shape of one sample, e.g. [1, 28, 28] or [2]. */
  sampleShape: readonly number[];
  /**
   * The epoch's sample order (shared, not a copy): sample j of this batch is dataset sample
   * `order[start + j]`. Kept as order + start because a subarray view would allocate per batch.
   */
  order: Int32Array;
  /** Position of this batch's first sample in `order`. */
  start: number;
  /** Batch number within the epoch, from 0. */
  index: number;
  /** Epoch number, from 0 (counts calls to {@link DataLoader.epoch} / iterations). */
  epoch: number;
}

/**
 * A hook that changes a batch in place (augmentation), using the loader's generator. Declared as
 * a method type so that it is bivariant: otherwise `DataLoader<Int32Array<ArrayBuffer>>` (what
 * TypeScript infers for `new Int32Array(n)`) would not be assignable to `DataLoader<Int32Array>`.
 */
export type BatchHook<Y extends Targets = Int32Array> = { hook(batch: Batch<Y>, rng: Rng): void }["hook"];

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions<Y extends Targets = Int32Array> {
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Reshuffle the sample order at the start of every epoch (default true). */
  shuffle?: boolean;
  /** Skip the last batch when it would be smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Seed or generator for shuffling and augmentation (default seed 0). */
  rng?: Rng | number;
  /** Called on every batch after it is filled, e.g. augmentation from `augment.ts`. */
  augment?: BatchHook<Y>;
}

const LOADER_OPTIONS = ["batchSize", "shuffle", "dropLast", "rng", "augment"] as const;

/**
 * Iterates over (x, y) in mini-batches, PyTorch `DataLoader` style:
 *
 * ```ts
 * const loader = new DataLoader(train.images, train.labels, [1, 28, 28], { batchSize: 32, rng: 1 });
 * for (let e = 0; e < 10; e++) for (const batch of loader) model.trainStep(batch.x, batch.y);
 * ```
 *
 * Two batch buffers are allocated up front — one of batchSize samples, one for the smaller last
 * batch when n is not a multiple and dropLast is false — and refilled for every batch. The
 * iterator reuses its result object too, so a steady-state epoch allocates nothing. Each
 * `for … of` (or {@link DataLoader.epoch}) is one epoch; the order is reshuffled at its start with
 * the loader's seeded generator, so the sequence of epochs is reproducible from the seed.
 */
export class DataLoader<Y extends Targets = Int32Array> implements Iterable<Batch<Y>> {
  readonly n: number;
  readonly batchSize: number;
  readonly sampleShape: readonly number[];
  readonly sampleSize: number;
  /** Labels (or target values) per sample: y.length / n. */
  readonly labelSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly rng: Rng;
  private readonly x: Float32Array;
  private readonly y: Y;
  private readonly augment: BatchHook<Y> | undefined;
  private readonly order: Int32Array;
  private readonly full: Batch<Y> | null;
  private readonly tail: Batch<Y> | null;
  private epochCount = 0;
  /** Views of large samples, made on first use and reused every epoch (see copySample). */
  private readonly sampleViews: (Float32Array | undefined)[] = [];

  /**
   * @param x Float32Array of n × product(sampleShape) values.
   * @param y Int32Array (class indices) or Float32Array (targets) with n × k values.
   * @param sampleShape shape of one sample, e.g. [1, 28, 28] for MNIST or [2] for 2-D points.
   */
  constructor(x: Float32Array, y: Y, sampleShape: readonly number[], options: DataLoaderOptions<Y> = {}) {
    checkOptions("DataLoader options", options, LOADER_OPTIONS);
    if (!(x instanceof Float32Array)) fail("DataLoader x", "a Float32Array", x);
    if (!(y instanceof Int32Array || y instanceof Float32Array)) fail("DataLoader y", "an Int32Array or Float32Array", y);
    if (sampleShape.length === 0 || !sampleShape.every((d) => Number.isInteger(d) && d >= 1)) {
      fail("DataLoader sampleShape", "a non-empty list of positive integers", sampleShape);
    }
    const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
    if (x.length === 0 || x.length % sampleSize !== 0) {
      fail("DataLoader x length", `a positive multiple of product(sampleShape) = ${sampleSize}`, x.length);
    }
    const n = x.length / sampleSize;
    if (y.length === 0 || y.length % n !== 0) fail("DataLoader y length", `a positive multiple of n = ${n} samples`, y.length);
    const batchSize = optInteger("DataLoader batchSize", options.batchSize, 32, 1);
    if (options.augment !== undefined && typeof options.augment !== "function") fail("DataLoader augment", "a function (batch, rng) => void", options.augment);
    this.n = n;
    this.x = x;
    this.y = y;
    this.sampleShape = [...sampleShape];
    this.sampleSize = sampleSize;
    this.labelSize = y.length / n;
    this.batchSize = batchSize;
    this.shuffle = optBoolean("DataLoader shuffle", options.shuffle, true);
    this.dropLast = optBoolean("DataLoader dropLast", options.dropLast, false);
    this.rng = toRng(options.rng);
    this.augment = options.augment;
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    // As PyTorch: with batchSize > n there is one short batch, or none with dropLast.
    this.full = n >= batchSize ? this.makeBatch(batchSize) : null;
    const rest = n % batchSize;
    this.tail = rest > 0 && !this.dropLast ? this.makeBatch(rest) : null;
  }

  private makeBatch(size: number): Batch<Y> {
    const YArray = this.y.constructor as new (length: number) => Y;
    return {
      x: new Float32Array(size * this.sampleSize),
      y: new YArray(size * this.labelSize),
      size,
      sampleShape: this.sampleShape,
      order: this.order,
      start: 0,
      index: 0,
      epoch: 0,
    };
  }

  /** Batches per epoch. */
  get length(): number {
    return this.dropLast ? Math.floor(this.n / this.batchSize) : Math.ceil(this.n / this.batchSize);
  }

  /** Epochs started so far. */
  get epochs(): number {
    return this.epochCount;
  }

  /**
   * Starts a new epoch (reshuffling when enabled) and returns its batch iterator. The iterator and
   * its result object are reused for every batch: do not keep a batch past the next call.
   */
  epoch(): Iterator<Batch<Y>> & Iterable<Batch<Y>> {
    if (this.shuffle) this.rng.shuffle(this.order);
    const epoch = this.epochCount++;
    const count = this.length;
    let b = 0;
    const result: IteratorResult<Batch<Y>> = { done: false, value: (this.full ?? this.tail)! };
    const done: IteratorResult<Batch<Y>> = { done: true, value: undefined };
    const it = {
      next: (): IteratorResult<Batch<Y>> => {
        if (b >= count) return done;
        result.value = this.fill(b, epoch);
        b++;
        return result;
      },
      [Symbol.iterator]: () => it,
    };
    return it;
  }

  [Symbol.iterator](): Iterator<Batch<Y>> {
    return this.epoch();
  }

  /** Calls `fn` for each batch of one epoch; awaits it when it returns a promise. */
  async forEach(fn: (batch: Batch<Y>) => void | Promise<void>): Promise<void> {
    const it = this.epoch();
    for (let r = it.next(); !r.done; r = it.next()) await fn(r.value);
  }

  private fill(b: number, epoch: number): Batch<Y> {
    const start = b * this.batchSize;
    const size = Math.min(this.batchSize, this.n - start);
    const batch = size === this.batchSize ? this.full! : this.tail!;
    const { sampleSize, labelSize, x, y, order } = this;
    for (let i = 0; i < size; i++) {
      const src = order[start + i]!;
      copySample(batch.x, i * sampleSize, x, src, sampleSize, this.sampleViews);
      const yo = src * labelSize;
      const yd = i * labelSize;
      for (let k = 0; k < labelSize; k++) batch.y[yd + k] = y[yo + k]!;
    }
    batch.start = start;
    batch.index = b;
    batch.epoch = epoch;
    if (this.augment) this.augment(batch, this.rng);
    return batch;
  }
}

/** Samples at least this long are copied through a cached view (a memcpy); shorter ones value by value. */
const VIEW_MIN = 64;

/**
 * Copies sample `index` of x (sampleSize values) to dst at `at` without allocating per step:
 * set(subarray) is a memcpy (7 ms per MNIST epoch of 784-float samples against ~2× that for an
 * element loop) but makes a view object per sample, so long samples keep one view per sample,
 * made on first use and reused every epoch (the heap stays flat once every sample was seen);
 * short samples, where a view would cost more than the copy, go value by value.
 */
function copySample(dst: Float32Array, at: number, x: Float32Array, index: number, sampleSize: number, views: (Float32Array | undefined)[]): void {
  const from = index * sampleSize;
  if (sampleSize < VIEW_MIN) {
    for (let k = 0; k < sampleSize; k++) dst[at + k] = x[from + k]!;
    return;
  }
  let view = views[index];
  if (view === undefined) view = views[index] = x.subarray(from, from + sampleSize);
  dst.set(view, at);
}
