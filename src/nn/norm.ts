import { checkOptions, fail } from "../errors.js";
import { batchNorm, layerNorm, type BatchNormArgs } from "../autograd/ops/norm.js";
import type { Tensor } from "../tensor.js";
import { bool, checkPositiveInt, expectShape, Layer, num } from "./layer.js";
import { MODULE_OPTION_KEYS, type ModuleConfig, type ModuleOptions, type Parameter, type StatePlan } from "./module.js";

/** Options of BatchNorm1d / BatchNorm2d (PyTorch names and defaults). */
export interface BatchNormOptions extends ModuleOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Weight of the new batch statistic in the running averages (default 0.1); null (cumulative) is not supported. */
  momentum?: number;
  /** Learnable per-channel scale `weight` (γ = 1) and shift `bias` (β = 0) (default true). */
  affine?: boolean;
  /** Keep running_mean/running_var and use them in eval mode (default true). */
  trackRunningStats?: boolean;
}

const BN_KEYS = ["eps", "momentum", "affine", "trackRunningStats"];

/** BatchNorm's checked options (shared by the constructor and the static plans). */
function batchNormSettings(numFeatures: unknown, options: BatchNormOptions, what: string) {
  checkOptions(`${what} options`, options, [...BN_KEYS, ...MODULE_OPTION_KEYS]);
  const c = checkPositiveInt(`${what} numFeatures`, numFeatures);
  const eps = num(`${what} eps`, options.eps, 1e-5, 0);
  if (options.momentum === null) fail(`${what} momentum`, "a number in [0, 1] (cumulative averaging is not supported)", null);
  const momentum = num(`${what} momentum`, options.momentum, 0.1, 0, 1);
  const affine = bool(`${what} affine`, options.affine, true);
  const trackRunningStats = bool(`${what} trackRunningStats`, options.trackRunningStats, true);
  return { numFeatures: c, eps, momentum, affine, trackRunningStats };
}

function batchNormPlan(numFeatures: unknown, options: BatchNormOptions, what: string): StatePlan {
  const s = batchNormSettings(numFeatures, options, what);
  const c = s.numFeatures;
  return {
    params: s.affine ? [["weight", [c]], ["bias", [c]]] : [],
    buffers: s.trackRunningStats ? [["running_mean", [c]], ["running_var", [c]]] : [],
    scratch: 0,
  };
}

abstract class BatchNorm extends Layer {
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  /** Running mean [C] (buffer "running_mean"), or null without trackRunningStats. */
  readonly runningMean: Tensor | null;
  /** Running (unbiased) variance [C] (buffer "running_var"), or null without trackRunningStats. */
  readonly runningVar: Tensor | null;
  private readonly args: BatchNormArgs;

  constructor(readonly numFeatures: number, options: BatchNormOptions, what: string) {
    super(options, BN_KEYS, options, what);
    // Everything is checked before the first allocation, so a bad option leaks nothing.
    const s = batchNormSettings(numFeatures, options, what);
    this.eps = s.eps;
    this.momentum = s.momentum;
    this.affine = s.affine;
    this.trackRunningStats = s.trackRunningStats;
    if (this.affine) {
      this.weight = this.addParameter("weight", [numFeatures]);
      this.weight.data.f32.fill(1);
      this.bias = this.addParameter("bias", [numFeatures]);
      this.bias.data.f32.fill(0);
    } else {
      this.weight = null;
      this.bias = null;
    }
    this.runningMean = this.trackRunningStats ? this.addBuffer("running_mean", [numFeatures], 0) : null;
    this.runningVar = this.trackRunningStats ? this.addBuffer("running_var", [numFeatures], 1) : null;
    this.args = { training: true, momentum: this.momentum, eps: this.eps };
  }

  /** Subtract, multiply, scale and shift: counted as 4 operations per element. */
  override flops(inputShape: readonly number[]): number {
    let n = 1;
    for (const d of inputShape) n *= d;
    return 4 * n;
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    // Eval mode without running statistics normalises with the batch's, as PyTorch does.
    this.args.training = this.training || !this.trackRunningStats;
    if (this.args.training && x.size / x.shape[1]! <= 1) fail(`${this.type} input shape`, "more than 1 value per channel when training", x.shape);
    return batchNorm(x, this.runningMean, this.runningVar, this.weight === null ? null : this.weight.data,
      this.bias === null ? null : this.bias.data, this.args);
  }

  override config(): ModuleConfig {
    return { type: this.type, numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine: this.affine, trackRunningStats: this.trackRunningStats };
  }
}

/** Batch normalisation over [N, C] or [N, C, L] (PyTorch nn.BatchNorm1d). */
export class BatchNorm1d extends BatchNorm {
  override readonly type = "BatchNorm1d";
  /** Checks the arguments without allocating; returns what the constructor would allocate. */
  static plan(numFeatures: unknown, options: BatchNormOptions = {}): StatePlan {
    return batchNormPlan(numFeatures, options, "BatchNorm1d");
  }
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options, "BatchNorm1d");
  }
  override outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    const expected = `${expectShape(["N", this.numFeatures])} or ${expectShape(["N", this.numFeatures, "L"])}`;
    if ((inputShape.length !== 2 && inputShape.length !== 3) || inputShape[1] !== this.numFeatures) fail(`${where} input shape`, expected, inputShape);
    return [...inputShape];
  }
}

/** Batch normalisation over [N, C, H, W] per channel (PyTorch nn.BatchNorm2d). */
export class BatchNorm2d extends BatchNorm {
  override readonly type = "BatchNorm2d";
  /** Checks the arguments without allocating; returns what the constructor would allocate. */
  static plan(numFeatures: unknown, options: BatchNormOptions = {}): StatePlan {
    return batchNormPlan(numFeatures, options, "BatchNorm2d");
  }
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options, "BatchNorm2d");
  }
  override outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    const expected = expectShape(["N", this.numFeatures, "H", "W"]);
    if (inputShape.length !== 4 || inputShape[1] !== this.numFeatures) fail(`${where} input shape`, `${expected} (4 dimensions)`, inputShape);
    return [...inputShape];
  }
}

/** Options of LayerNorm (PyTorch names and defaults). */
export interface LayerNormOptions extends ModuleOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learnable `weight` (1) and `bias` (0) of shape normalizedShape (default true). */
  elementwiseAffine?: boolean;
}

/**
 * Layer normalisation over the trailing `normalizedShape` dimensions (PyTorch nn.LayerNorm):
 * input [..., ...normalizedShape], output the same shape; same in training and eval mode.
 */
export class LayerNorm extends Layer {
  override readonly type = "LayerNorm";
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super(options, ["eps", "elementwiseAffine"], options, "LayerNorm");
    const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0) fail("LayerNorm normalizedShape", "a positive integer or a non-empty array of them", normalizedShape);
    shape.forEach((d, i) => checkPositiveInt(`LayerNorm normalizedShape[${i}]`, d));
    this.normalizedShape = [...shape];
    this.eps = num("LayerNorm eps", options.eps, 1e-5, 0);
    this.elementwiseAffine = bool("LayerNorm elementwiseAffine", options.elementwiseAffine, true);
    if (this.elementwiseAffine) {
      this.weight = this.addParameter("weight", this.normalizedShape);
      this.weight.data.f32.fill(1);
      this.bias = this.addParameter("bias", this.normalizedShape);
      this.bias.data.f32.fill(0);
    } else {
      this.weight = null;
      this.bias = null;
    }
  }

  override outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    const r = this.normalizedShape.length;
    const tail = inputShape.slice(inputShape.length - r);
    if (inputShape.length < r || tail.some((d, i) => d !== this.normalizedShape[i])) {
      fail(`${where} input shape`, expectShape(["…", ...this.normalizedShape]), inputShape);
    }
    return [...inputShape];
  }

  /** Mean, variance, normalise, scale and shift: counted as 5 operations per element. */
  override flops(inputShape: readonly number[]): number {
    let n = 1;
    for (const d of inputShape) n *= d;
    return 5 * n;
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return layerNorm(x, this.normalizedShape, this.weight === null ? null : this.weight.data, this.bias === null ? null : this.bias.data, this.eps);
  }

  override config(): ModuleConfig {
    return { type: this.type, normalizedShape: [...this.normalizedShape], eps: this.eps, elementwiseAffine: this.elementwiseAffine };
  }
}
