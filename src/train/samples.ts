/**
 * What `Model.predict` accepts besides `{ data, shape }`: one sample or a batch as nested arrays
 * (`[x1, x2]`, `[[x1, x2], …]`, an image as `[[[…]]]`), or one sample as a bare Float32Array.
 * Which of the two (one sample or a batch) is decided by the model's input shape, never guessed:
 * nested dimensions equal to it are one sample, one more leading dimension is a batch.
 *
 * @module
 */

import { fail, show } from "../errors.js";
import { failText } from "../nn/module.js";
import type { Inputs, ShapedArray } from "./data.js";

/** A number, or an array of nested arrays of numbers (rectangular). */
export type NestedArray = readonly number[] | readonly NestedArray[];

/** What `predict` / `predictProba` take: `Inputs`, or samples as nested arrays. */
export type PredictInput = Inputs | NestedArray;

/** The dimensions of a rectangular nested array, checking that every row agrees. */
function dimsOf(x: NestedArray, what: string): number[] {
  const dims: number[] = [];
  let level: unknown = x;
  while (Array.isArray(level)) {
    if (level.length === 0) fail(what, "non-empty arrays", x);
    dims.push(level.length);
    level = level[0];
  }
  if (typeof level !== "number") fail(`${what} values`, "numbers", level);
  return dims;
}

/** Flattens `x` (row-major) into `out`, checking rectangularity and types on the way. */
function flatten(x: unknown, dims: readonly number[], depth: number, out: Float32Array, at: number, what: string): number {
  if (depth === dims.length) {
    if (typeof x !== "number") fail(`${what} values`, "numbers", x);
    out[at] = x;
    return at + 1;
  }
  if (!Array.isArray(x) || x.length !== dims[depth]) {
    if (!Array.isArray(x)) fail(`${what} (not rectangular) at depth ${depth}`, `an array of ${dims[depth]}`, x);
    failText(`${what} (not rectangular) at depth ${depth}`, `an array of ${dims[depth]}`, `${x.length} items`);
  }
  for (const item of x) at = flatten(item, dims, depth + 1, out, at, what);
  return at;
}

/**
 * `x` as `Inputs` for a model whose sample shape is `sampleShape` (null: unknown, so only
 * `Inputs` pass). A bare Float32Array of whole samples gets the shape when the model does not
 * start with Linear (which fit already reads by itself).
 */
export function toInputs(x: PredictInput, sampleShape: readonly number[] | null, what: string): Inputs {
  if (!Array.isArray(x)) {
    if (x instanceof Float32Array && sampleShape !== null && sampleShape.length > 1) {
      const size = sampleShape.reduce((a, b) => a * b, 1);
      if (x.length > 0 && x.length % size === 0) return { data: x, shape: [x.length / size, ...sampleShape] } satisfies ShapedArray;
    }
    return x as Inputs;
  }
  const nested = x as NestedArray;
  if (sampleShape === null) {
    failText(what, "{ data: Float32Array, shape: [n, ...sampleShape] } (the model's input shape is not known yet: fit it, set model.inputShape, or load a saved model)", "a nested array");
  }
  const dims = dimsOf(nested, what);
  const one = dims.length === sampleShape.length && dims.every((d, i) => d === sampleShape[i]);
  const batch = dims.length === sampleShape.length + 1 && dims.slice(1).every((d, i) => d === sampleShape[i]);
  if (!one && !batch) fail(`${what} shape`, `${show(sampleShape)} (one sample) or [n, ${sampleShape.join(", ")}] (a batch)`, dims);
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  flatten(nested, dims, 0, data, 0, what);
  return { data, shape: one ? [1, ...dims] : dims };
}
