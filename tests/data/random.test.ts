import { describe, expect, it } from "vitest";
import { Rng, portableLog } from "../../src/data/random.js";
import { SimdnetError } from "../../src/errors.js";

describe("Rng (xoshiro128**)", () => {
  it("matches the reference xoshiro128** outputs from state [1, 2, 3, 4]", () => {
    // Outputs of the C reference implementation (prng.di.unimi.it) for s = {1, 2, 3, 4}.
    const rng = Rng.fromState({ s: [1, 2, 3, 4], spare: null });
    const out = Array.from({ length: 6 }, () => rng.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const d = new Rng(123 + 2 ** 32); // differs only above bit 32
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(sa);
    expect(Array.from({ length: 20 }, () => d.nextUint32())).not.toEqual(sa);
  });

  it("serialises and restores its state, including the cached normal", () => {
    const a = new Rng(7);
    a.normal(); // leaves a spare
    const state = JSON.parse(JSON.stringify(a.getState()));
    const b = Rng.fromState(state);
    for (let i = 0; i < 50; i++) {
      expect(b.normal()).toBe(a.normal());
      expect(b.uniform()).toBe(a.uniform());
    }
    expect(() => Rng.fromState({ s: [0, 0, 0, 0], spare: null })).toThrow(SimdnetError);
    expect(() => new Rng(-1)).toThrow(/Rng seed/);
  });

  it("uniform draws have mean 1/2 and variance 1/12", () => {
    const rng = new Rng(1);
    const n = 200_000;
    let s = 0, s2 = 0, min = 1, max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      s += u;
      s2 += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    // Standard error of the mean is sqrt(1/12 / n) ≈ 6.5e-4; 5 standard errors.
    expect(Math.abs(mean - 0.5)).toBeLessThan(3.3e-3);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(2e-3);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
  });

  it("normal draws have the requested mean, standard deviation, zero skew and kurtosis 3", () => {
    const rng = new Rng(2);
    const n = 200_000;
    const mu = 3, sigma = 2;
    let s = 0, s2 = 0, s3 = 0, s4 = 0;
    for (let i = 0; i < n; i++) {
      const z = (rng.normal(mu, sigma) - mu) / sigma;
      s += z;
      s2 += z * z;
      s3 += z * z * z;
      s4 += z * z * z * z;
    }
    // Standard errors at n = 2e5: mean 2.2e-3, variance 3.2e-3, skew 5.5e-3, kurtosis 1.1e-2; ~5 each.
    expect(Math.abs(s / n)).toBeLessThan(0.012);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.016);
    expect(Math.abs(s3 / n)).toBeLessThan(0.03);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.06);
  });

  it("int(lo, hi) covers the range evenly, both ends included", () => {
    const rng = new Rng(3);
    const counts = new Array<number>(7).fill(0);
    const n = 70_000;
    for (let i = 0; i < n; i++) counts[rng.int(-3, 3) + 3]!++;
    // Each count ~ Binomial(n, 1/7): sd ≈ 93; allow 5 sd.
    for (const c of counts) expect(Math.abs(c - n / 7)).toBeLessThan(470);
    expect(rng.int(5, 5)).toBe(5);
    expect(() => rng.int(3, 2)).toThrow(SimdnetError);
  });

  it("permutation is a permutation, and shuffle keeps the multiset", () => {
    const rng = new Rng(4);
    for (const n of [0, 1, 2, 3, 17, 1000]) {
      const p = rng.permutation(n);
      expect(p.length).toBe(n);
      expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    const arr = ["a", "b", "c", "d", "e"];
    rng.shuffle(arr);
    expect([...arr].sort()).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("shuffle makes every permutation of 3 items about equally likely", () => {
    const rng = new Rng(5);
    const counts = new Map<string, number>();
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      const key = rng.shuffle([0, 1, 2]).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    // Each ~ Binomial(n, 1/6): sd ≈ 91; allow 5 sd.
    for (const c of counts.values()) expect(Math.abs(c - n / 6)).toBeLessThan(460);
  });

  it("fork gives a reproducible stream independent of the parent's", () => {
    const a = new Rng(9);
    const childA = a.fork();
    const b = new Rng(9);
    const childB = b.fork();
    const ca = Array.from({ length: 10 }, () => childA.nextUint32());
    expect(Array.from({ length: 10 }, () => childB.nextUint32())).toEqual(ca);
    // The parent has jumped: it does not replay the child's numbers.
    const pa = Array.from({ length: 10 }, () => a.nextUint32());
    expect(pa).not.toEqual(ca);
    // The child starts where the parent was: it replays an unforked generator's stream.
    const plain = new Rng(9);
    expect(Array.from({ length: 10 }, () => plain.nextUint32())).toEqual(ca);
  });

  it("portableLog agrees with Math.log to within 2 ulp over many magnitudes", () => {
    const rng = new Rng(6);
    for (let i = 0; i < 20_000; i++) {
      const x = rng.next() * 2 ** rng.int(-60, 60) + Number.MIN_VALUE;
      const ref = Math.log(x);
      const ulp = Math.max(Math.abs(ref), 1e-300) * 2 ** -52;
      expect(Math.abs(portableLog(x) - ref)).toBeLessThanOrEqual(2 * ulp + 1e-300);
    }
    expect(portableLog(1)).toBe(0);
  });
});
