import { describe, expect, it } from "vitest";
import { formatTable, gridConfigs, gridSearch, randomSearch } from "../../src/data/search.js";

describe("grid search", () => {
  it("enumerates every combination, last parameter fastest", () => {
    expect(gridConfigs({ a: [1, 2], b: ["x", "y", "z"] })).toEqual([
      { a: 1, b: "x" }, { a: 1, b: "y" }, { a: 1, b: "z" },
      { a: 2, b: "x" }, { a: 2, b: "y" }, { a: 2, b: "z" },
    ]);
    expect(() => gridConfigs({ a: [] })).toThrow(/non-empty/);
  });

  it("evaluates each config once and sorts best first (max by default, min on request)", async () => {
    const seen: unknown[] = [];
    const score = (c: { lr: number; hidden: number }) => -Math.abs(c.lr - 0.01) * 100 + c.hidden / 1000;
    const results = await gridSearch({ lr: [0.1, 0.01, 0.001], hidden: [100, 500] }, async (c) => {
      seen.push(c);
      return score(c);
    });
    expect(seen.length).toBe(6);
    expect(results.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(results[0]!.config).toEqual({ lr: 0.01, hidden: 500 });
    for (let i = 1; i < results.length; i++) expect(results[i - 1]!.score).toBeGreaterThanOrEqual(results[i]!.score);
    const losses = await gridSearch({ x: [3, 1, 2] }, (c) => c.x, { mode: "min" });
    expect(losses.map((r) => r.config.x)).toEqual([1, 2, 3]);
  });

  it("ranks NaN scores last and reports progress", async () => {
    const progress: number[] = [];
    const results = await gridSearch({ x: [1, 2, 3] }, (c) => (c.x === 2 ? NaN : c.x), {
      onResult: (r) => progress.push(r.trial),
    });
    expect(progress).toEqual([0, 1, 2]);
    expect(results.map((r) => r.config.x)).toEqual([3, 1, 2]);
  });
});

describe("random search", () => {
  it("draws configurations within the space, reproducibly from the seed", async () => {
    const space = { lr: { min: 1e-4, max: 1e-1, log: true }, hidden: { min: 10, max: 20, int: true }, act: ["relu", "tanh"] } as const;
    const configs: Array<{ lr: number; hidden: number; act: string }> = [];
    const a = await randomSearch(space, 50, (c) => {
      configs.push(c);
      return c.lr;
    }, { rng: 3 });
    for (const c of configs) {
      expect(c.lr >= 1e-4 && c.lr <= 1e-1).toBe(true);
      expect(Number.isInteger(c.hidden) && c.hidden >= 10 && c.hidden <= 20).toBe(true);
      expect(["relu", "tanh"]).toContain(c.act);
    }
    // Log-uniform: about half the draws lie below the geometric middle 10^-2.5.
    const below = configs.filter((c) => c.lr < 10 ** -2.5).length;
    expect(below > 10 && below < 40).toBe(true);
    const b = await randomSearch(space, 50, (c) => c.lr, { rng: 3 });
    expect(b).toEqual(a);
  });
});

describe("formatTable", () => {
  it("prints an aligned table, best first", async () => {
    const results = await gridSearch({ lr: [0.1, 0.01], opt: ["sgd", "adam"] }, (c) => (c.opt === "adam" ? 0.98 : 0.9) + c.lr / 10);
    const table = formatTable(results, "accuracy");
    expect(table).toBe(
      [
        "rank    lr  opt   accuracy",
        "----  ----  ----  --------",
        "   1   0.1  adam      0.99",
        "   2  0.01  adam     0.981",
        "   3   0.1  sgd       0.91",
        "   4  0.01  sgd      0.901",
      ].join("\n"),
    );
  });
});
