import { describe, expect, it } from "vitest";
import {
  bytesToUnit,
  fitMinMax,
  fitStandardizer,
  minMaxScale,
  normalizeChannels,
  splitIndices,
  standardize,
  trainTestSplit,
  trainValTestSplit,
} from "../../src/data/split.js";
import { makeBlobs } from "../../src/data/datasets.js";

function classCounts(y: Int32Array, classes: number): number[] {
  const c = new Array<number>(classes).fill(0);
  for (const v of y) c[v]!++;
  return c;
}

/** Data whose x row i is [i, −i], so every sample can be traced. */
function traceable(n: number, classes: (i: number) => number) {
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = i;
    x[2 * i + 1] = -i;
    y[i] = classes(i);
  }
  return { x, y, n };
}

describe("splits", () => {
  it("trainTestSplit partitions the samples and keeps rows with their labels", () => {
    const data = traceable(103, (i) => i % 3);
    const { train, test, indices } = trainTestSplit(data, 0.2, { rng: 1 });
    expect(train.n + test.n).toBe(103);
    expect(test.n).toBe(21); // 20.6 rounds to 21
    const all = [...indices.train, ...indices.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 103 }, (_, i) => i));
    for (const part of [train, test]) {
      for (let i = 0; i < part.n; i++) {
        const src = part.x[2 * i]!;
        expect(part.x[2 * i + 1]).toBe(-src);
        expect(part.y[i]).toBe(src % 3);
      }
    }
    expect(trainTestSplit(data, 0.2, { rng: 1 })).toEqual(trainTestSplit(data, 0.2, { rng: 1 }));
  });

  it("without shuffle the first samples are the train part", () => {
    const data = traceable(10, () => 0);
    const { train, test } = trainTestSplit(data, 0.3, { shuffle: false });
    expect([...train.x.filter((_, i) => i % 2 === 0)]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([...test.x.filter((_, i) => i % 2 === 0)]).toEqual([7, 8, 9]);
  });

  it("stratified split keeps class ratios in every part", () => {
    // Classes of 600, 300 and 100 samples (60 / 30 / 10 %).
    const data = traceable(1000, (i) => (i < 600 ? 0 : i < 900 ? 1 : 2));
    const { train, val, test } = trainValTestSplit(data, 0.15, 0.15, { stratify: true, rng: 3 });
    expect(classCounts(train.y, 3)).toEqual([420, 210, 70]);
    expect(classCounts(val.y, 3)).toEqual([90, 45, 15]);
    expect(classCounts(test.y, 3)).toEqual([90, 45, 15]);
  });

  it("stratified rounding still gives the overall part sizes", () => {
    // Three classes of 5 and a 10 % test part: 1.5 → 2 test samples overall, not 0.
    const data = traceable(15, (i) => Math.floor(i / 5));
    const { train, test } = trainTestSplit(data, 0.1, { stratify: true, rng: 2 });
    expect(test.n).toBe(2);
    expect(train.n).toBe(13);
    for (const c of classCounts(test.y, 3)) expect(c).toBeLessThanOrEqual(1);
  });

  it("stratified split of an imbalanced blob set matches the whole set's ratio within one sample", () => {
    const ds = makeBlobs(997, [[0, 0], [5, 5], [10, 0]], 1, { rng: 4 });
    const whole = classCounts(ds.y, 3);
    const { test } = trainTestSplit(ds, 0.25, { stratify: true, rng: 5 });
    const part = classCounts(test.y, 3);
    whole.forEach((w, c) => expect(Math.abs(part[c]! - w * 0.25)).toBeLessThanOrEqual(1));
  });

  it("splitIndices rejects fractions that do not sum to 1", () => {
    expect(() => splitIndices(10, [0.5, 0.4])).toThrow(/summing to 1/);
    expect(() => trainTestSplit({ x: new Float32Array(4), y: new Float32Array(2), n: 2 }, 0.5, { stratify: true })).toThrow(/Int32Array/);
  });
});

describe("scaling", () => {
  it("standardizer fitted on train gives mean 0 / std 1 on train and is applied as is to test", () => {
    const x = new Float32Array([1, 100, 2, 100, 3, 100, 4, 100]); // feature 1 is constant
    const s = fitStandardizer(x, 2);
    expect([...s.mean]).toEqual([2.5, 100]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(1.25), 6);
    expect(s.std[1]).toBe(1); // zero spread → 1, not a division by 0
    const z = standardize(x, s);
    expect(z[0]! + z[2]! + z[4]! + z[6]!).toBeCloseTo(0, 6);
    expect(z[1]).toBe(0);
    const test = standardize(new Float32Array([5, 101]), s);
    expect(test[0]).toBeCloseTo(2.5 / Math.sqrt(1.25), 5);
    expect(test[1]).toBe(1);
    const inPlace = x.slice();
    expect(standardize(inPlace, s, inPlace)).toBe(inPlace);
  });

  it("min-max maps the fitted range to [lo, hi]", () => {
    const x = new Float32Array([0, 5, 10, 5, 5, 5]);
    const m = fitMinMax(x, 2);
    expect([...minMaxScale(x, m)]).toEqual([0, 0, 1, 0, 0.5, 0]);
    expect([...minMaxScale(new Float32Array([20, 5]), m, undefined, -1, 1)]).toEqual([3, -1]);
  });

  it("bytesToUnit divides by 255; normalizeChannels uses per-channel mean/std", () => {
    expect([...bytesToUnit(new Uint8Array([0, 51, 255]))]).toEqual([0, 51 / 255, 1].map(Math.fround));
    // Two samples of 2 channels of 1×2 pixels.
    const x = new Float32Array([1, 2, 3, 4, 1, 2, 3, 4]);
    normalizeChannels(x, [2, 1, 2], [1, 3], [1, 0.5]);
    expect([...x]).toEqual([0, 1, 0, 2, 0, 1, 0, 2]);
    expect(() => normalizeChannels(x, [3, 1, 2], 0, 1)).toThrow(/multiple/);
  });
});
