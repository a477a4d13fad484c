/**
 * Hyper-parameter search: grid search and random search over a configuration object, with a
 * generic asynchronous `evaluate(config) => score` and a printable results table.
 *
 * ```ts
 * const results = await gridSearch({ lr: [0.1, 0.01], hidden: [100, 500] }, async (c) => train(c));
 * console.log(formatTable(results));
 * ```
 *
 * @module
 */

import { fail, checkOptions } from "../errors.js";
import { Rng, toRng } from "./random.js";

/** A value a hyper-parameter can take. */
export type ParamValue = number | string | boolean | null;

/** A configuration: parameter name → value. */
export type Config = Record<string, ParamValue>;

/** Grid search space: each parameter lists its candidate values. */
export type Grid = Record<string, readonly ParamValue[]>;

/** One evaluated configuration. */
export interface SearchResult<C extends Config = Config> {
  config: C;
  score: number;
  /** 1 for the best score. */
  rank: number;
  /** Position in evaluation order, from 0. */
  trial: number;
}

/** Options of {@link gridSearch} and {@link randomSearch}. */
export interface SearchOptions<C extends Config = Config> {
  /** "max" (default: accuracy-like scores, higher is better) or "min" (losses). */
  mode?: "max" | "min";
  /** Called after every evaluation, e.g. to print progress. */
  onResult?: (result: { config: C; score: number; trial: number; trials: number }) => void;
}

/** Every combination of the grid's values, in odometer order (the last parameter changes fastest). */
export function gridConfigs<G extends Grid>(grid: G): Array<{ [K in keyof G]: G[K][number] }> {
  const keys = Object.keys(grid);
  for (const k of keys) {
    if (!Array.isArray(grid[k]) || grid[k]!.length === 0) fail(`grid ${JSON.stringify(k)}`, "a non-empty list of values", grid[k]);
  }
  let configs: Config[] = [{}];
  for (const k of keys) {
    const next: Config[] = [];
    for (const c of configs) for (const v of grid[k]!) next.push({ ...c, [k]: v });
    configs = next;
  }
  return configs as Array<{ [K in keyof G]: G[K][number] }>;
}

/** Evaluates `configs` one after another and ranks them. NaN scores rank last. */
export async function runSearch<C extends Config>(
  configs: readonly C[],
  evaluate: (config: C) => number | Promise<number>,
  options: SearchOptions<C> = {},
): Promise<Array<SearchResult<C>>> {
  checkOptions("search options", options, ["mode", "onResult"]);
  const mode = options.mode ?? "max";
  if (mode !== "max" && mode !== "min") fail("search mode", '"max" or "min"', mode);
  const results: Array<SearchResult<C>> = [];
  // Sequential on purpose: each evaluation usually trains a model and uses the whole machine.
  for (let t = 0; t < configs.length; t++) {
    const config = configs[t]!;
    const score = await evaluate(config);
    if (typeof score !== "number") fail(`evaluate(${JSON.stringify(config)})`, "a number", score);
    results.push({ config, score, rank: 0, trial: t });
    options.onResult?.({ config, score, trial: t, trials: configs.length });
  }
  const sign = mode === "max" ? -1 : 1;
  results.sort((a, b) => {
    const an = Number.isNaN(a.score), bn = Number.isNaN(b.score);
    if (an || bn) return an === bn ? a.trial - b.trial : an ? 1 : -1;
    return sign * (a.score - b.score) || a.trial - b.trial;
  });
  results.forEach((r, i) => (r.rank = i + 1));
  return results;
}

/** Evaluates every combination of the grid; results sorted best first. */
export async function gridSearch<G extends Grid>(
  grid: G,
  evaluate: (config: { [K in keyof G]: G[K][number] }) => number | Promise<number>,
  options: SearchOptions<{ [K in keyof G]: G[K][number] }> = {},
): Promise<Array<SearchResult<{ [K in keyof G]: G[K][number] }>>> {
  return runSearch(gridConfigs(grid), evaluate, options);
}

/**
 * A random-search distribution for one parameter: a list to pick from uniformly, or a range.
 * Ranges: `{ min, max }` uniform; `log: true` uniform in log space (learning rates, weight decay);
 * `int: true` rounds to integers (both ends included).
 */
export type Distribution = readonly ParamValue[] | { min: number; max: number; log?: boolean; int?: boolean };

/** Random search space: parameter name → distribution. */
export type Space = Record<string, Distribution>;

/** The configuration type drawn from a {@link Space}. */
export type Sampled<S extends Space> = { [K in keyof S & string]: S[K] extends readonly (infer V extends ParamValue)[] ? V : number };

/** Draws one configuration from `space` with `rng`. */
export function sampleConfig<S extends Space>(space: S, rng: Rng): Sampled<S> {
  const out: Config = {};
  for (const [k, d] of Object.entries(space)) {
    if (Array.isArray(d)) {
      out[k] = rng.pick(d as readonly ParamValue[]);
      continue;
    }
    const { min, max, log = false, int = false } = d as { min: number; max: number; log?: boolean; int?: boolean };
    if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max) || (log && !(min > 0))) {
      fail(`search space ${JSON.stringify(k)}`, "{ min <= max } (min > 0 with log)", d);
    }
    if (int) {
      out[k] = log ? Math.round(Math.exp(rng.uniform(Math.log(min), Math.log(max)))) : rng.int(Math.ceil(min), Math.floor(max));
    } else {
      out[k] = log ? Math.exp(rng.uniform(Math.log(min), Math.log(max))) : rng.uniform(min, max);
    }
  }
  return out as Sampled<S>;
}

/** Evaluates `trials` configurations drawn from `space` (seeded, so reproducible); sorted best first. */
export async function randomSearch<S extends Space>(
  space: S,
  trials: number,
  evaluate: (config: Sampled<S>) => number | Promise<number>,
  options: SearchOptions<Sampled<S>> & { rng?: Rng | number } = {},
): Promise<Array<SearchResult<Sampled<S>>>> {
  if (!Number.isInteger(trials) || trials < 1) fail("randomSearch trials", "a positive integer", trials);
  const { rng: seed, ...rest } = options;
  const rng = toRng(seed);
  const configs: Array<Sampled<S>> = [];
  for (let t = 0; t < trials; t++) configs.push(sampleConfig(space, rng));
  return runSearch(configs, evaluate, rest);
}

/** Formats a number for the table: integers as they are, others with 4 significant digits. */
function cell(v: ParamValue): string {
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(3);
    return String(Number(v.toPrecision(4)));
  }
  return String(v);
}

/**
 * A plain-text table of search results, one row per configuration, best first:
 *
 * ```
 * rank  lr     hidden  score
 * ----  -----  ------  ------
 *    1  0.01      500  0.9812
 * ```
 *
 * @param scoreName header of the score column (default "score").
 */
export function formatTable<C extends Config>(results: ReadonlyArray<SearchResult<C>>, scoreName = "score"): string {
  const keys: string[] = [];
  for (const r of results) for (const k of Object.keys(r.config)) if (!keys.includes(k)) keys.push(k);
  const header = ["rank", ...keys, scoreName];
  const rows = results.map((r) => [String(r.rank), ...keys.map((k) => (k in r.config ? cell(r.config[k]!) : "")), cell(r.score)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const isNum = header.map((_, i) => rows.every((row) => row[i] === "" || !Number.isNaN(Number(row[i]))));
  const fmt = (row: string[]) =>
    row.map((v, i) => (isNum[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("  ").trimEnd();
  return [fmt(header.map((h, i) => (isNum[i] ? h.padStart(widths[i]!) : h))), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(fmt)].join("\n");
}
