import { checkOptions, fail } from "../errors.js";
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
    scratch: 2 * c,
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
  private readonly saveMean: Tensor;
  private readonly saveInvStd: Tensor;
  /** Whether the last forward normalised with batch statistics (so backward uses them). */
  private usedBatchStats = true;

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
    this.saveMean = this.allocating(() => this.engine.zeros([numFeatures]));
    const saveMean = this.saveMean;
    this.saveInvStd = this.allocating(() => this.engine.zeros([numFeatures]), saveMean);
  }

  /** Product of the dimensions after the channel one (1 for [N, C]). */
  private spatial(shape: readonly number[]): number {
    let s = 1;
    for (let i = 2; i < shape.length; i++) s *= shape[i]!;
    return s;
  }

  /** Subtract, multiply, scale and shift: counted as 4 operations per element. */
  override flops(inputShape: readonly number[]): number {
    let n = 1;
    for (const d of inputShape) n *= d;
    return 4 * n;
  }

  forward(x: Tensor): Tensor {
    this.prepare(x);
    const k = this.engine.kernels;
    const n = x.shape[0]!;
    const c = this.numFeatures;
    const sp = this.spatial(x.shape);
    const gamma = this.weight === null ? 0 : this.weight.data.ptr;
    const beta = this.bias === null ? 0 : this.bias.data.ptr;
    this.usedBatchStats = this.training || !this.trackRunningStats;
    if (this.usedBatchStats) {
      if (n * sp <= 1) fail(`${this.type} input shape`, "more than 1 value per channel when training", x.shape);
      const track = this.training && this.trackRunningStats;
      k.batchNormForwardTrain(n, c, sp, x.ptr, gamma, beta, this.out!.ptr, this.saveMean.ptr, this.saveInvStd.ptr,
        track ? this.runningMean!.ptr : 0, track ? this.runningVar!.ptr : 0, this.momentum, this.eps);
    } else {
      k.batchNormForwardEval(n, c, sp, x.ptr, gamma, beta, this.runningMean!.ptr, this.runningVar!.ptr, this.eps, this.out!.ptr);
    }
    return this.out!;
  }

  backward(dy: Tensor): Tensor {
    const dx = this.prepareBackward(dy);
    const x = this.x!;
    const n = x.shape[0]!;
    const c = this.numFeatures;
    const sp = this.spatial(x.shape);
    const dgamma = this.weight === null ? 0 : this.weight.grad.ptr;
    const dbeta = this.bias === null ? 0 : this.bias.grad.ptr;
    if (this.usedBatchStats) {
      this.engine.kernels.batchNormBackward(n, c, sp, x.ptr, dy.ptr, this.weight === null ? 0 : this.weight.data.ptr,
        this.saveMean.ptr, this.saveInvStd.ptr, dx.ptr, dgamma, dbeta);
      return this.inputGrad ? dx : dy;
    }
    // Eval mode is an affine map per channel; no kernel for this rare case (fine-tuning with
    // frozen statistics), so plain loops over the memory view (allocation-free).
    const f = this.engine.views.f32();
    const xi = x.ptr >> 2, dyi = dy.ptr >> 2, dxi = dx.ptr >> 2;
    const rm = this.runningMean!.ptr >> 2, rv = this.runningVar!.ptr >> 2;
    for (let ch = 0; ch < c; ch++) {
      const mean = f[rm + ch]!;
      const inv = 1 / Math.sqrt(f[rv + ch]! + this.eps);
      const g = this.weight === null ? 1 : f[(this.weight.data.ptr >> 2) + ch]!;
      let sumDy = 0;
      let sumDyXhat = 0;
      for (let b = 0; b < n; b++) {
        const base = (b * c + ch) * sp;
        for (let s = 0; s < sp; s++) {
          const d = f[dyi + base + s]!;
          sumDy += d;
          sumDyXhat += d * (f[xi + base + s]! - mean) * inv;
          f[dxi + base + s] = d * g * inv;
        }
      }
      if (dgamma !== 0) f[(dgamma >> 2) + ch] = f[(dgamma >> 2) + ch]! + sumDyXhat;
      if (dbeta !== 0) f[(dbeta >> 2) + ch] = f[(dbeta >> 2) + ch]! + sumDy;
    }
    return this.inputGrad ? dx : dy;
  }

  override dispose(): void {
    super.dispose();
    if (!this.saveMean.isDisposed) this.saveMean.dispose();
    if (!this.saveInvStd.isDisposed) this.saveInvStd.dispose();
  }

  config(): ModuleConfig {
    return { type: this.type, numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine: this.affine, trackRunningStats: this.trackRunningStats };
  }
}

/** Batch normalisation over [N, C] or [N, C, L] (PyTorch nn.BatchNorm1d). */
export class BatchNorm1d extends BatchNorm {
  readonly type = "BatchNorm1d";
  /** Checks the arguments without allocating; returns what the constructor would allocate. */
  static plan(numFeatures: unknown, options: BatchNormOptions = {}): StatePlan {
    return batchNormPlan(numFeatures, options, "BatchNorm1d");
  }
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options, "BatchNorm1d");
  }
  outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    const expected = `${expectShape(["N", this.numFeatures])} or ${expectShape(["N", this.numFeatures, "L"])}`;
    if ((inputShape.length !== 2 && inputShape.length !== 3) || inputShape[1] !== this.numFeatures) fail(`${where} input shape`, expected, inputShape);
    return [...inputShape];
  }
}

/** Batch normalisation over [N, C, H, W] per channel (PyTorch nn.BatchNorm2d). */
export class BatchNorm2d extends BatchNorm {
  readonly type = "BatchNorm2d";
  /** Checks the arguments without allocating; returns what the constructor would allocate. */
  static plan(numFeatures: unknown, options: BatchNormOptions = {}): StatePlan {
    return batchNormPlan(numFeatures, options, "BatchNorm2d");
  }
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options, "BatchNorm2d");
  }
  outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    const expected = expectShape(["N", this.numFeatures, "H", "W"]);
    if (inputShape.length !== 4 || inputShape[1] !== this.numFeatures) fail(`${where} input shape`, `${expected} (4 dimensions)`, inputShape);
    return [...inputShape];
  }
}
