/**
 * Type and range checks for option values, shared by every options object (layers, optimizers,
 * parseCsv, MNIST, loaders, model loading). Each returns the checked value (or the default when
 * the value is `undefined`) and throws a SimdnetError `${what}: expected …, got …` otherwise, so
 * a string where a number belongs, a number where a list belongs, or NaN never reaches the code
 * behind the option. Unknown keys are `checkOptions`'s job (src/errors.ts).
 *
 * @module
 */

import { fail } from "./errors.js";

/** A finite number in [lo, hi] (hi excluded when hiOpen); `dflt` when undefined. */
export function optNumber(what: string, v: unknown, dflt: number, lo = -Infinity, hi = Infinity, hiOpen = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) {
    fail(what, `a finite number in [${lo}, ${hi}${hiOpen ? ")" : "]"}`, v);
  }
  return v;
}

/** A finite number ≥ lo (and < hiOpen when given); `dflt` when undefined. The optimizers' wording. */
export function optNumberAtLeast(what: string, v: unknown, dflt: number, lo = 0, hiOpen = Infinity): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v >= hiOpen) {
    fail(what, `a finite number ≥ ${lo}${hiOpen === Infinity ? "" : ` and < ${hiOpen}`}`, v);
  }
  return v;
}

/** An integer in [lo, hi]; `dflt` when undefined. */
export function optInteger(what: string, v: unknown, dflt: number, lo = -Infinity, hi = Infinity): number {
  if (v === undefined) return dflt;
  return checkInteger(what, v, lo, hi);
}

/** An integer in [lo, hi] (required). */
export function checkInteger(what: string, v: unknown, lo = -Infinity, hi = Infinity): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < lo || v > hi) {
    const range = lo === 1 && hi === Infinity ? "a positive integer" : lo === -Infinity && hi === Infinity ? "an integer" : hi === Infinity ? `an integer ≥ ${lo}` : `an integer in [${lo}, ${hi}]`;
    fail(what, range, v);
  }
  return v;
}

/** A positive integer (required): sizes, counts. */
export function checkPositiveInteger(what: string, v: unknown): number {
  return checkInteger(what, v, 1);
}

/** true or false; `dflt` when undefined. */
export function optBoolean(what: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") fail(what, "true or false", v);
  return v;
}

/** A string (non-empty unless allowEmpty); `dflt` when undefined. */
export function optString(what: string, v: unknown, dflt: string, allowEmpty = false): string {
  if (v === undefined) return dflt;
  if (typeof v !== "string" || (!allowEmpty && v === "")) fail(what, allowEmpty ? "a string" : "a non-empty string", v);
  return v;
}

/** One of `choices`; `dflt` when undefined. */
export function optEnum<T extends string>(what: string, v: unknown, choices: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) {
    fail(what, `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`, v);
  }
  return v as T;
}

/**
 * An array (not a string, not an array-like) whose elements pass `each` (which gets the element's
 * name `${what}[i]`); `dflt` when undefined. At most `maxLength` elements.
 */
export function optArray<T>(
  what: string, v: unknown, dflt: readonly T[], each: (name: string, x: unknown) => T, maxLength = Infinity,
): T[] {
  if (v === undefined) return [...dflt];
  if (!Array.isArray(v)) fail(what, "an array", v);
  if (v.length > maxLength) fail(`${what} length`, `at most ${maxLength}`, v.length);
  return v.map((x, i) => each(`${what}[${i}]`, x));
}

/** Element check for optArray: a string. */
export function stringElement(what: string, x: unknown): string {
  if (typeof x !== "string") fail(what, "a string", x);
  return x;
}

/** A plain object (not null, not an array); `undefined` passes through. */
export function optObject(what: string, v: unknown): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== "object" || Array.isArray(v)) fail(what, "an object", v);
  return v as Record<string, unknown>;
}

/** `Object.hasOwn` for lookups of names that come from files or options ("constructor", "__proto__" are not entries). */
export function ownEntry<T>(table: Readonly<Record<string, T>>, name: unknown): T | undefined {
  return typeof name === "string" && Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}
