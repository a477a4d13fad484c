/**
 * The functional API: every operation with its gradient (PyTorch names, torch / F semantics),
 * and the Tensor methods bound to them. Outputs belong to the step (see tape.ts); never dispose them.
 *
 * @module
 */
import { installTensorMethods } from "../tensor.js";
import { add, div, mul, sub } from "./ops/binary.js";
import { matmul } from "./ops/linalg.js";
import { mean, sum } from "./ops/reduce.js";
import { flatten, reshape } from "./ops/shape.js";
import { relu } from "./ops/unary.js";
import { backward } from "./tape.js";

export { add, sub, mul, div, broadcastShape } from "./ops/binary.js";
export { relu, leakyRelu, sigmoid, tanh, gelu } from "./ops/unary.js";
export { matmul, linear } from "./ops/linalg.js";
export { conv2d, maxPool2d, avgPool2d, type Conv2dArgs, type Pool2dArgs, type AvgPool2dArgs, type Pair } from "./ops/conv.js";
export { batchNorm, layerNorm, dropoutWithSeed, type BatchNormArgs } from "./ops/norm.js";
export { reshape, flatten, cat, embedding } from "./ops/shape.js";
export { sum, mean, softmax, logSoftmax } from "./ops/reduce.js";
export { crossEntropy, nllLoss, mseLoss, bceWithLogits, type LossArgs, type CrossEntropyArgs, type LossReduction } from "./ops/loss.js";
export { noGrad } from "./tape.js";

export type { TensorLike } from "./ops/util.js";

installTensorMethods({
  backward, add, sub, mul, div, matmul, reshape, flatten, relu,
  sum: (a, dim) => sum(a, dim),
  mean: (a, dim) => mean(a, dim),
});
