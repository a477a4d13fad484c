/**
 * `dropout` of the functional API: the one operation that needs the nn random generator
 * (src/nn/init.ts) for its mask stream, so it lives above src/autograd.
 *
 * @module
 */
import { dropoutWithSeed } from "../autograd/ops/norm.js";
import type { TensorLike } from "../autograd/ops/util.js";
import { fail } from "../errors.js";
import { Tensor } from "../tensor.js";
import { Parameter } from "./module.js";
import { getDefaultRng } from "./init.js";

/**
 * Inverted dropout (F.dropout): with `training` (default true) zeroes each element with
 * probability p and scales the rest by 1/(1 − p), the mask drawn from the nn generator
 * (`manualSeed`); otherwise returns x itself.
 */
export function dropout(x: TensorLike, p = 0.5, training = true): Tensor {
  if (typeof training !== "boolean") fail("dropout training", "true or false", training);
  if (!training || p === 0) return x instanceof Parameter ? x.data : x;
  return dropoutWithSeed(x, p, getDefaultRng().nextUint32(), 0);
}
