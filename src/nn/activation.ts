import { fail } from "../errors.js";
import { gelu, leakyRelu, relu, sigmoid, tanh } from "../autograd/ops/unary.js";
import { logSoftmax, softmax } from "../autograd/ops/reduce.js";
import type { Tensor } from "../tensor.js";
import { checkRank, expectShape, Layer, num } from "./layer.js";
import type { ModuleConfig, ModuleOptions } from "./module.js";

/** An elementwise activation: any input shape, output of the same shape. */
abstract class Elementwise extends Layer {
  constructor(options: ModuleOptions, extra: readonly string[], what: string) {
    super(options, extra, options, what);
  }

  override outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    if (inputShape.length < 1) fail(`${where} input shape`, "at least 1 dimension", inputShape);
    return [...inputShape];
  }

  /** Counted as one operation per element (a convention: transcendental functions count 1 too). */
  override flops(inputShape: readonly number[]): number {
    let n = 1;
    for (const d of inputShape) n *= d;
    return n;
  }

  override config(): ModuleConfig {
    return { type: this.type };
  }
}

/** max(x, 0) (PyTorch nn.ReLU). */
export class ReLU extends Elementwise {
  override readonly type = "ReLU";
  constructor(options: ModuleOptions = {}) {
    super(options, [], "ReLU");
  }
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return relu(x);
  }
}

/** Options of LeakyReLU. */
export interface LeakyReLUOptions extends ModuleOptions {
  /** Slope for x < 0 (default 0.01, as PyTorch). */
  negativeSlope?: number;
}

/** x > 0 ? x : negativeSlope·x (PyTorch nn.LeakyReLU). */
export class LeakyReLU extends Elementwise {
  override readonly type = "LeakyReLU";
  readonly negativeSlope: number;
  constructor(options: LeakyReLUOptions = {}) {
    super(options, ["negativeSlope"], "LeakyReLU");
    this.negativeSlope = num("LeakyReLU negativeSlope", options.negativeSlope, 0.01);
  }
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return leakyRelu(x, this.negativeSlope);
  }
  override config(): ModuleConfig {
    return { type: this.type, negativeSlope: this.negativeSlope };
  }
}

/** 1 / (1 + exp(−x)) (PyTorch nn.Sigmoid). */
export class Sigmoid extends Elementwise {
  override readonly type = "Sigmoid";
  constructor(options: ModuleOptions = {}) {
    super(options, [], "Sigmoid");
  }
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return sigmoid(x);
  }
}

/** tanh(x) (PyTorch nn.Tanh). */
export class Tanh extends Elementwise {
  override readonly type = "Tanh";
  constructor(options: ModuleOptions = {}) {
    super(options, [], "Tanh");
  }
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return tanh(x);
  }
}

/** Options of Softmax / LogSoftmax. */
export interface SoftmaxOptions extends ModuleOptions {
  /** The class dimension: 1 or −1 (inputs are [N, C]); default 1. */
  dim?: number;
}

abstract class RowSoftmax extends Layer {
  readonly dim: number;
  constructor(options: SoftmaxOptions, what: string) {
    super(options, ["dim"], options, what);
    const dim = options.dim ?? 1;
    if (dim !== 1 && dim !== -1) fail(`${what} dim`, "1 or -1 (the class dimension of [N, C] input)", dim);
    this.dim = dim;
  }
  override outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    checkRank(where, inputShape, 2, expectShape(["N", "C"]));
    return [...inputShape];
  }
  /** exp, sum and divide (or subtract): counted as 3 operations per element. */
  override flops(inputShape: readonly number[]): number {
    return 3 * inputShape[0]! * inputShape[1]!;
  }
  override config(): ModuleConfig {
    return { type: this.type, dim: this.dim };
  }
}

/** Row-wise softmax over classes (PyTorch nn.Softmax(dim=1)). Input/output [N, C]. */
export class Softmax extends RowSoftmax {
  override readonly type = "Softmax";
  constructor(options: SoftmaxOptions = {}) {
    super(options, "Softmax");
  }
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return softmax(x, -1);
  }
}

/** Row-wise log-softmax (PyTorch nn.LogSoftmax(dim=1)); pair with NLLLoss. Input/output [N, C]. */
export class LogSoftmax extends RowSoftmax {
  override readonly type = "LogSoftmax";
  constructor(options: SoftmaxOptions = {}) {
    super(options, "LogSoftmax");
  }
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return logSoftmax(x, -1);
  }
}

/** x·Φ(x), Φ the standard normal CDF (PyTorch nn.GELU, approximate="none"). */
export class GELU extends Elementwise {
  override readonly type = "GELU";
  constructor(options: ModuleOptions = {}) {
    super(options, [], "GELU");
  }
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return gelu(x);
  }
}
