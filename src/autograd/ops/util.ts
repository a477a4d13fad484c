import type { Engine } from "../../engine.js";
import { fail, SimdnetError } from "../../errors.js";
import { Tensor } from "../../tensor.js";
import { Parameter } from "../parameter.js";

/** What operations accept where a tensor goes: a Tensor or a Parameter (its data). */
export type TensorLike = Tensor | Parameter;

/** Unwraps a Parameter and checks a live float32 tensor (of `engine` when given). */
export function arg(what: string, x: TensorLike, engine?: Engine, dtype: "float32" | "int32" = "float32"): Tensor {
  const t = x instanceof Parameter ? x.data : x;
  if (!(t instanceof Tensor)) fail(what, "a Tensor", x);
  if (t.isDisposed) throw new SimdnetError(`${what}: expected a live tensor, got a disposed tensor`);
  if (engine !== undefined && t.engine !== engine) {
    throw new SimdnetError(`${what}: expected a tensor of the same engine (${engine.backend}), got a tensor of another engine (${t.engine.backend})`);
  }
  if (t.dtype !== dtype) fail(`${what} dtype`, `"${dtype}"`, t.dtype);
  return t;
}

/** Like arg but null/undefined pass through as null. */
export function optArg(what: string, x: TensorLike | null | undefined, engine: Engine): Tensor | null {
  return x === null || x === undefined ? null : arg(what, x, engine);
}

/** Normalises a possibly negative dimension index for a tensor of rank r. */
export function dimIndex(what: string, dim: number, r: number): number {
  if (!Number.isInteger(dim) || dim < -r || dim >= r) fail(what, `an integer in [${-r}, ${r})`, dim);
  return dim < 0 ? dim + r : dim;
}

/** Product of shape[from..to). */
export function prod(shape: readonly number[], from = 0, to = shape.length): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= shape[i]!;
  return p;
}

/** `[a, b]` text of a shape. */
export function showShape(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}
