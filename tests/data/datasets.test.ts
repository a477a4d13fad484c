import { describe, expect, it } from "vitest";
import {
  expandFeatures,
  makeBlobs,
  makeCircles,
  makeGaussian,
  makeMoons,
  makePlaygroundCircle,
  makeSpiral,
  makeXor,
  playgroundDataset,
  withFeatures,
  type Dataset,
} from "../../src/data/datasets.js";
import { Rng } from "../../src/data/random.js";
import { SimdnetError } from "../../src/errors.js";

function counts(ds: Dataset): number[] {
  const c = new Array<number>(ds.classes).fill(0);
  for (const v of ds.y) c[v]!++;
  return c;
}

function checkShape(ds: Dataset, n: number, classes: number): void {
  expect(ds.n).toBe(n);
  expect(ds.features).toBe(2);
  expect(ds.classes).toBe(classes);
  expect(ds.x).toBeInstanceOf(Float32Array);
  expect(ds.y).toBeInstanceOf(Int32Array);
  expect(ds.x.length).toBe(2 * n);
  expect(ds.y.length).toBe(n);
  for (const v of ds.y) expect(v >= 0 && v < classes).toBe(true);
  for (const v of ds.x) expect(Number.isFinite(v)).toBe(true);
}

describe("scikit-learn generators", () => {
  it("makeMoons: shape, balance (floor(n/2) of class 0), determinism", () => {
    for (const n of [1, 2, 7, 200]) {
      const ds = makeMoons(n, 0.2, { rng: 1 });
      checkShape(ds, n, 2);
      expect(counts(ds)).toEqual([Math.floor(n / 2), n - Math.floor(n / 2)]);
    }
    expect(makeMoons(200, 0.2, { rng: 5 })).toEqual(makeMoons(200, 0.2, { rng: 5 }));
    expect(makeMoons(200, 0.2, { rng: 5 }).x).not.toEqual(makeMoons(200, 0.2, { rng: 6 }).x);
  });

  it("makeMoons with noise 0 lies exactly on the two half circles, ends included", () => {
    const ds = makeMoons(101, 0, { rng: 3 });
    let endpoints = 0;
    for (let i = 0; i < ds.n; i++) {
      const x = ds.x[2 * i]!, y = ds.x[2 * i + 1]!;
      // Float32 storage of values of size ≤ 2: rounding error ≤ 2^-23 per coordinate.
      if (ds.y[i] === 0) {
        expect(Math.abs(Math.hypot(x, y) - 1)).toBeLessThan(1e-6);
        expect(y).toBeGreaterThanOrEqual(-1e-7);
        if (Math.abs(y) < 1e-6) endpoints++;
      } else {
        expect(Math.abs(Math.hypot(x - 1, y - 0.5) - 1)).toBeLessThan(1e-6);
        expect(y).toBeLessThanOrEqual(0.5 + 1e-7);
        if (Math.abs(y - 0.5) < 1e-6) endpoints++;
      }
    }
    expect(endpoints).toBe(4); // linspace includes both ends of each arc
  });

  it("makeMoons noise has the requested standard deviation", () => {
    const noise = 0.1;
    const clean = makeMoons(20_000, 0, { rng: 1 });
    const noisy = makeMoons(20_000, noise, { rng: 1 }); // same seed: same shuffle, then noise
    let s2 = 0;
    for (let i = 0; i < clean.x.length; i++) s2 += (noisy.x[i]! - clean.x[i]!) ** 2;
    const sd = Math.sqrt(s2 / clean.x.length);
    // 40000 draws: relative standard error of the sd ≈ 0.35 %; allow 2 %.
    expect(Math.abs(sd / noise - 1)).toBeLessThan(0.02);
  });

  it("shuffle: false keeps class order; default shuffles", () => {
    const ordered = makeMoons(10, 0, { shuffle: false });
    expect([...ordered.y]).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    const shuffled = makeMoons(100, 0, { rng: 1 });
    expect([...shuffled.y.slice(0, 50)].every((v) => v === 0)).toBe(false);
  });

  it("makeCircles: radii 1 and factor without noise, balance, determinism", () => {
    const ds = makeCircles(99, 0, 0.5, { rng: 2 });
    checkShape(ds, 99, 2);
    expect(counts(ds)).toEqual([49, 50]);
    for (let i = 0; i < ds.n; i++) {
      const r = Math.hypot(ds.x[2 * i]!, ds.x[2 * i + 1]!);
      expect(Math.abs(r - (ds.y[i] === 0 ? 1 : 0.5))).toBeLessThan(1e-6);
    }
    expect(makeCircles(50, 0.1, 0.8, { rng: 4 })).toEqual(makeCircles(50, 0.1, 0.8, { rng: 4 }));
    expect(() => makeCircles(10, 0, 1)).toThrow(/factor/);
  });

  it("makeBlobs: counts per centre, given centres and std", () => {
    const centers = [[0, 0], [10, 0], [0, 10], [10, 10]] as const;
    const ds = makeBlobs(4002, centers, 0.5, { rng: 9 });
    checkShape(ds, 4002, 4);
    expect(counts(ds)).toEqual([1001, 1001, 1000, 1000]);
    for (let c = 0; c < 4; c++) {
      let sx = 0, sy = 0, s2 = 0, m = 0;
      for (let i = 0; i < ds.n; i++) {
        if (ds.y[i] !== c) continue;
        sx += ds.x[2 * i]!;
        sy += ds.x[2 * i + 1]!;
        m++;
      }
      const mx = sx / m, my = sy / m;
      for (let i = 0; i < ds.n; i++) {
        if (ds.y[i] !== c) continue;
        s2 += (ds.x[2 * i]! - mx) ** 2 + (ds.x[2 * i + 1]! - my) ** 2;
      }
      // Mean of 1000 points with sd 0.5: standard error 0.016; allow 0.08.
      expect(Math.abs(mx - centers[c]![0])).toBeLessThan(0.08);
      expect(Math.abs(my - centers[c]![1])).toBeLessThan(0.08);
      expect(Math.abs(Math.sqrt(s2 / (2 * m)) - 0.5)).toBeLessThan(0.03);
    }
  });

  it("makeBlobs with a count draws centres in the box, deterministically", () => {
    const a = makeBlobs(300, 3, 1, { rng: 11 });
    expect(a).toEqual(makeBlobs(300, 3, 1, { rng: 11 }));
    checkShape(a, 300, 3);
    for (const v of a.x) expect(Math.abs(v)).toBeLessThan(10 + 6); // box ±10, 6 sd of margin
    expect(() => makeBlobs(10, [[0, 0]], [1, 2])).toThrow(SimdnetError);
  });

  it("a generator passed as rng advances, so successive calls differ", () => {
    const rng = new Rng(1);
    expect(makeMoons(50, 0.1, { rng }).x).not.toEqual(makeMoons(50, 0.1, { rng }).x);
  });

  it("rejects bad arguments and unknown options", () => {
    expect(() => makeMoons(0)).toThrow(/makeMoons n/);
    expect(() => makeMoons(10, -1)).toThrow(/noise/);
    // @ts-expect-error misspelt option
    expect(() => makeMoons(10, 0, { seed: 1 })).toThrow(/unknown option "seed"/);
  });
});

describe("TensorFlow Playground generators", () => {
  it("all four: shape, balance, determinism, by name", () => {
    for (const name of ["circle", "xor", "gauss", "spiral"] as const) {
      const ds = playgroundDataset(name, 500, 0, { rng: 1 });
      checkShape(ds, 500, 2);
      const [c0, c1] = counts(ds);
      // xor labels follow the quadrant of uniform points: ~250 each (sd 11); others exactly 250.
      if (name === "xor") expect(Math.abs(c0! - 250)).toBeLessThan(60);
      else expect([c0, c1]).toEqual([250, 250]);
      expect(playgroundDataset(name, 500, 0.2, { rng: 2 })).toEqual(playgroundDataset(name, 500, 0.2, { rng: 2 }));
    }
    checkShape(makeSpiral(7, 0), 7, 2);
  });

  it("circle without noise: class 1 within radius 2.5, class 0 in the ring 3.5–5", () => {
    const ds = makePlaygroundCircle(400, 0, { rng: 3 });
    for (let i = 0; i < ds.n; i++) {
      const r = Math.hypot(ds.x[2 * i]!, ds.x[2 * i + 1]!);
      if (ds.y[i] === 1) expect(r).toBeLessThan(2.5 + 1e-6);
      else expect(r >= 3.5 - 1e-6 && r <= 5 + 1e-6).toBe(true);
    }
  });

  it("circle with noise flips some labels but does not move points", () => {
    const ds = makePlaygroundCircle(1000, 0.5, { rng: 3 });
    let flipped = 0;
    for (let i = 0; i < ds.n; i++) {
      const r = Math.hypot(ds.x[2 * i]!, ds.x[2 * i + 1]!);
      expect(r).toBeLessThanOrEqual(5 + 1e-6);
      if ((r < 2.5) !== (ds.y[i] === 1)) flipped++;
    }
    expect(flipped).toBeGreaterThan(50);
  });

  it("xor without noise: label 1 exactly where x·y ≥ 0, points 0.3 away from the axes", () => {
    const ds = makeXor(500, 0, { rng: 4 });
    for (let i = 0; i < ds.n; i++) {
      const x = ds.x[2 * i]!, y = ds.x[2 * i + 1]!;
      expect(ds.y[i]).toBe(x * y >= 0 ? 1 : 0);
      expect(Math.min(Math.abs(x), Math.abs(y))).toBeGreaterThanOrEqual(0.3 - 1e-6);
      expect(Math.max(Math.abs(x), Math.abs(y))).toBeLessThanOrEqual(5.3 + 1e-6);
    }
  });

  it("gauss: clouds at (2, 2) / (−2, −2) with variance 0.5 + 7·noise", () => {
    for (const noise of [0, 0.5]) {
      const ds = makeGaussian(10_000, noise, { rng: 5 });
      let s = 0, s2 = 0;
      for (let i = 0; i < ds.n; i++) {
        const c = ds.y[i] === 1 ? 2 : -2;
        const d = ds.x[2 * i]! - c;
        s += d;
        s2 += d * d;
      }
      const variance = s2 / ds.n - (s / ds.n) ** 2;
      const expected = 0.5 + 7 * noise;
      // 10000 draws: relative standard error of a variance ≈ 1.4 %; allow 6 %.
      expect(Math.abs(variance / expected - 1)).toBeLessThan(0.06);
      expect(Math.abs(s / ds.n)).toBeLessThan(0.1);
    }
  });

  it("spiral without noise: radius grows linearly to 5, the classes are point reflections", () => {
    const ds = makeSpiral(200, 0, { shuffle: false });
    for (let i = 0; i < 100; i++) {
      const r = Math.hypot(ds.x[2 * i]!, ds.x[2 * i + 1]!);
      expect(Math.abs(r - (i / 100) * 5)).toBeLessThan(1e-5);
      // Class 0 is class 1 turned by π: (x, y) → (−x, −y).
      expect(ds.x[2 * (100 + i)]!).toBeCloseTo(-ds.x[2 * i]!, 5);
      expect(ds.x[2 * (100 + i) + 1]!).toBeCloseTo(-ds.x[2 * i + 1]!, 5);
    }
    expect([...ds.y.slice(0, 100)].every((v) => v === 1)).toBe(true);
    // With noise 0.3 each coordinate moves by at most ±0.3.
    const noisy = makeSpiral(200, 0.3, { shuffle: false, rng: 1 });
    for (let i = 0; i < ds.x.length; i++) expect(Math.abs(noisy.x[i]! - ds.x[i]!)).toBeLessThanOrEqual(0.3 + 1e-6);
  });

  it("rejects noise outside [0, 1] (the slider is 0–50 %)", () => {
    expect(() => makeXor(10, 25)).toThrow(/slider/);
  });
});

describe("Playground features", () => {
  it("expands x1, x2, x1², x2², x1·x2, sin x1, sin x2 in the order asked", () => {
    const x = new Float32Array([0.5, -2, 3, 1]);
    const out = expandFeatures(x, ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]);
    const f = (a: number, b: number) => [a, b, a * a, b * b, a * b, Math.sin(a), Math.sin(b)];
    expect([...out]).toEqual([...new Float32Array([...f(0.5, -2), ...f(3, 1)])]);
    const ds = withFeatures(makeXor(10, 0), ["xTimesY"]);
    expect(ds.features).toBe(1);
    expect(ds.x.length).toBe(10);
    // @ts-expect-error unknown feature
    expect(() => expandFeatures(x, ["z"])).toThrow(SimdnetError);
  });
});
