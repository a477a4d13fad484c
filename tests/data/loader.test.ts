import { describe, expect, it } from "vitest";
import { DataLoader, type Batch } from "../../src/data/loader.js";
import {
  augmentation,
  colorJitter,
  composeAugmentations,
  randomHorizontalFlip,
  randomShift,
} from "../../src/data/augment.js";
import { Rng } from "../../src/data/random.js";
import { SimdnetError } from "../../src/errors.js";

/** n samples of shape [c, h, w]; every value of sample i is i + k/1000 so samples can be identified. */
function samples(n: number, sampleSize: number) {
  const x = new Float32Array(n * sampleSize);
  for (let i = 0; i < n; i++) for (let k = 0; k < sampleSize; k++) x[i * sampleSize + k] = i + k / 1000;
  const y = Int32Array.from({ length: n }, (_, i) => i);
  return { x, y };
}

function collect(loader: DataLoader, keep: (b: Batch) => number[] = (b) => [...b.y]): number[][] {
  const out: number[][] = [];
  for (const b of loader) out.push(keep(b));
  return out;
}

describe("DataLoader", () => {
  it("yields every sample exactly once per epoch, with its own features and label", () => {
    const { x, y } = samples(103, 6);
    const loader = new DataLoader(x, y, [1, 2, 3], { batchSize: 10, rng: 1 });
    expect(loader.length).toBe(11);
    for (let epoch = 0; epoch < 3; epoch++) {
      const seen: number[] = [];
      for (const b of loader) {
        expect(b.epoch).toBe(epoch);
        for (let j = 0; j < b.size; j++) {
          const label = b.y[j]!;
          seen.push(label);
          expect(b.order[b.start + j]).toBe(label);
          for (let k = 0; k < 6; k++) expect(b.x[j * 6 + k]).toBe(Math.fround(label + k / 1000));
        }
      }
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    }
  });

  it("reuses its buffers: the same arrays for every full batch, one other pair for the tail", () => {
    const { x, y } = samples(25, 4);
    const loader = new DataLoader(x, y, [4], { batchSize: 10 });
    const xs = new Set<Float32Array>();
    const ys = new Set<Int32Array>();
    const sizes: number[] = [];
    for (let e = 0; e < 3; e++) {
      for (const b of loader) {
        xs.add(b.x);
        ys.add(b.y);
        sizes.push(b.size);
        expect(b.x.length).toBe(b.size * 4);
      }
    }
    expect(sizes).toEqual([10, 10, 5, 10, 10, 5, 10, 10, 5]);
    expect(xs.size).toBe(2);
    expect(ys.size).toBe(2);
    // The iterator hands back one result object and one batch object, refilled each step.
    const it = loader.epoch();
    const r1 = it.next();
    const b1 = r1.value;
    const r2 = it.next();
    expect(r2).toBe(r1);
    expect(r2.value).toBe(b1);
  });

  it("dropLast skips the short batch; batchSize larger than n gives one batch", () => {
    const { x, y } = samples(25, 1);
    const dl = new DataLoader(x, y, [1], { batchSize: 10, dropLast: true });
    expect(dl.length).toBe(2);
    expect(collect(dl).map((b) => b.length)).toEqual([10, 10]);
    const big = new DataLoader(x, y, [1], { batchSize: 100 });
    expect(collect(big).map((b) => b.length)).toEqual([25]);
    // As PyTorch's drop_last: no complete batch, so no batch at all.
    const none = new DataLoader(x, y, [1], { batchSize: 100, dropLast: true });
    expect(none.length).toBe(0);
    expect(collect(none)).toEqual([]);
  });

  it("is deterministic with a seed, reshuffles every epoch, and keeps order without shuffle", () => {
    const { x, y } = samples(50, 2);
    const a = new DataLoader(x, y, [2], { batchSize: 8, rng: 42 });
    const b = new DataLoader(x, y, [2], { batchSize: 8, rng: 42 });
    const a1 = collect(a), a2 = collect(a);
    expect(collect(b)).toEqual(a1);
    expect(collect(b)).toEqual(a2);
    expect(a2).not.toEqual(a1);
    expect(collect(new DataLoader(x, y, [2], { batchSize: 8, rng: 43 }))).not.toEqual(a1);
    const plain = new DataLoader(x, y, [2], { batchSize: 8, shuffle: false });
    expect(collect(plain).flat()).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("supports Float32 targets with several values per sample", () => {
    const x = new Float32Array(12);
    const t = Float32Array.from({ length: 8 }, (_, i) => i); // 4 samples × 2 targets
    const loader = new DataLoader(x, t, [3], { batchSize: 4, shuffle: false });
    const [b] = [...loader];
    expect(b!.y).toBeInstanceOf(Float32Array);
    expect([...b!.y]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("runs the augmentation hook on each batch, with the loader's generator", () => {
    const { x, y } = samples(20, 1);
    const calls: number[] = [];
    const loader = new DataLoader(x, y, [1], {
      batchSize: 5,
      rng: 3,
      augment: (b, rng) => {
        calls.push(b.index);
        expect(rng).toBe(loader.rng);
        b.x.fill(-1);
      },
    });
    for (const b of loader) expect([...b.x]).toEqual([-1, -1, -1, -1, -1]);
    expect(calls).toEqual([0, 1, 2, 3]);
    expect([...x.subarray(0, 3)]).toEqual([0, 1, 2]); // the dataset itself is untouched
  });

  it("validates its inputs", () => {
    expect(() => new DataLoader(new Float32Array(10), new Int32Array(3), [2])).toThrow("DataLoader y length: expected a positive multiple of n = 5 samples, got 3");
    expect(() => new DataLoader(new Float32Array(10), new Int32Array(5), [3])).toThrow("DataLoader x length: expected a positive multiple of product(sampleShape) = 3, got 10");
    expect(() => new DataLoader(new Float32Array(10), new Int32Array(5), [2], { batchSize: 0 })).toThrow(SimdnetError);
    expect(() => new DataLoader(new Float32Array(10), new Int32Array(5), [2], { batchSize: 0 })).toThrow("DataLoader batchSize: expected a positive integer, got 0");
    expect(() => new DataLoader(new Float32Array(10), new Int32Array(5), [2], { batch: 2 } as never))
      .toThrow('DataLoader options: unknown option "batch" (expected one of batchSize, shuffle, dropLast, rng, augment)');
  });
});

describe("augmentation", () => {
  const shape = [2, 5, 7] as const;
  const n = 4;
  function batch(): Float32Array {
    const r = new Rng(99);
    return r.fillUniform(new Float32Array(n * 2 * 5 * 7), 0.2, 0.8);
  }

  it("randomShift keeps shape and values (moved, zero-filled), deterministic with a seed", () => {
    const src = batch();
    const a = src.slice();
    randomShift(2)(a, n, shape, new Rng(1));
    const b = src.slice();
    randomShift(2)(b, n, shape, new Rng(1));
    expect(a).toEqual(b);
    expect(a.length).toBe(src.length);
    // Every output pixel is either 0 (shifted in) or a pixel of the same image and channel.
    const plane = 35;
    for (let p = 0; p < n * 2; p++) {
      const from = new Set(src.subarray(p * plane, (p + 1) * plane));
      for (const v of a.subarray(p * plane, (p + 1) * plane)) expect(v === 0 || from.has(v)).toBe(true);
    }
    // Shift 0 is the identity.
    const c = src.slice();
    randomShift(0)(c, n, shape, new Rng(1));
    expect(c).toEqual(src);
  });

  it("randomShift moves a single bright pixel by the drawn offsets, the same for every channel", () => {
    const x = new Float32Array(1 * 2 * 5 * 5);
    x[12] = 1; // channel 0, centre (2, 2)
    x[25 + 12] = 1; // channel 1, centre
    const rng = new Rng(5);
    const probe = rng.clone();
    const dy = probe.int(-2, 2), dx = probe.int(-2, 2);
    randomShift(2)(x, 1, [2, 5, 5], rng);
    expect(x.indexOf(1)).toBe((2 + dy) * 5 + (2 + dx));
    expect(x.lastIndexOf(1)).toBe(25 + (2 + dy) * 5 + (2 + dx));
  });

  it("horizontal flip with p = 1 mirrors rows; twice is the identity; p = 0 does nothing", () => {
    const src = batch();
    const a = src.slice();
    randomHorizontalFlip(1)(a, n, shape, new Rng(1));
    expect(a[0]).toBe(src[6]);
    expect(a[6]).toBe(src[0]);
    randomHorizontalFlip(1)(a, n, shape, new Rng(1));
    expect(a).toEqual(src);
    const b = src.slice();
    randomHorizontalFlip(0)(b, n, shape, new Rng(1));
    expect(b).toEqual(src);
  });

  it("color jitter keeps shape, stays in [0, 1], is deterministic and changes contrast around the mean", () => {
    const src = batch();
    const jitter = colorJitter({ brightness: 0.5, contrast: 0.5 });
    const a = src.slice();
    jitter(a, n, shape, new Rng(2));
    const b = src.slice();
    jitter(b, n, shape, new Rng(2));
    expect(a).toEqual(b);
    expect(a).not.toEqual(src);
    for (const v of a) expect(v >= 0 && v <= 1).toBe(true);
    // Contrast alone preserves each image's mean (no clamping happens on this range).
    const c = src.slice();
    colorJitter({ contrast: 0.3 })(c, n, shape, new Rng(3));
    for (let s = 0; s < n; s++) {
      const mean = (arr: Float32Array) => arr.subarray(s * 70, (s + 1) * 70).reduce((p, q) => p + q, 0) / 70;
      expect(mean(c)).toBeCloseTo(mean(src), 5);
    }
  });

  it("plugs into DataLoader: same seed, same augmented batches; buffers still reused", () => {
    const x = batch();
    const y = new Int32Array(n);
    const make = () =>
      new DataLoader(x, y, [2, 5, 7], {
        batchSize: 3,
        rng: 7,
        augment: augmentation(randomShift(1), randomHorizontalFlip(), colorJitter({ brightness: 0.2 })),
      });
    const run = (dl: DataLoader) => {
      const out: number[][] = [];
      let first: Float32Array | null = null;
      for (let e = 0; e < 2; e++) {
        for (const b of dl) {
          if (b.size === 3) {
            first ??= b.x;
            expect(b.x).toBe(first);
          }
          out.push([...b.x]);
        }
      }
      return out;
    };
    expect(run(make())).toEqual(run(make()));
  });

  it("composeAugmentations applies in order; bad shapes are rejected", () => {
    const src = batch();
    const a = src.slice();
    composeAugmentations(randomHorizontalFlip(1), randomHorizontalFlip(1))(a, n, shape, new Rng(1));
    expect(a).toEqual(src);
    expect(() => randomShift(1)(new Float32Array(3), 1, [1, 2, 2], new Rng(1))).toThrow(/x length/);
  });
});
