import { engineOption } from "../engine.js";
import { checkPositiveInteger, optBoolean, optNumber } from "../validate.js";
import { checkOptions, fail } from "../errors.js";
import { Module, MODULE_OPTION_KEYS, type ModuleConfig, type ModuleOptions } from "./module.js";

/**
 * A built-in layer: checks its options once at construction. Its forward is one operation of
 * src/autograd (the fused kernel), so intermediates and gradients live in the step's plan.
 */
export abstract class Layer extends Module {
  constructor(options: ModuleOptions, allowed: readonly string[], given: object | undefined, what: string) {
    checkOptions(`${what} options`, given, [...allowed, ...MODULE_OPTION_KEYS]);
    // Checked here too so the message names the layer; Module's own check cannot (no type yet).
    if (options.engine !== undefined) engineOption(`${what} engine`, options.engine);
    super(options);
  }

  abstract override outputShape(inputShape: readonly number[], where?: string): number[];
  abstract override config(): ModuleConfig;
}

/** Formats an expected shape with symbolic sizes: expectShape(["N", 784]) → "[N, 784]". */
export function expectShape(dims: readonly (string | number)[]): string {
  return `[${dims.join(", ")}]`;
}

/** Throws `${where} input shape: expected ${expected}, got [..]` unless the rank is `rank`. */
export function checkRank(where: string, shape: readonly number[], rank: number, expected: string): void {
  if (shape.length !== rank) fail(`${where} input shape`, `${expected} (${rank} dimensions)`, shape);
}

/** Validates a positive-integer constructor argument (see src/validate.ts). */
export function checkPositiveInt(what: string, v: unknown): number {
  return checkPositiveInteger(what, v);
}

/** Validates a number or [h, w] pair of integers ≥ min and returns [h, w]. */
export function pair(what: string, v: unknown, min: number): [number, number] {
  const ok = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= min;
  if (ok(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
  return fail(what, `an integer ≥ ${min} or a pair [h, w] of them`, v);
}

/** Validates an optional boolean option (see src/validate.ts). */
export const bool = optBoolean;

/** Validates an optional finite number option in [lo, hi] (hiOpen excludes hi; see src/validate.ts). */
export const num = optNumber;
