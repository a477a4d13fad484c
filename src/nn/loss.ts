/**
 * Loss functions (PyTorch names, formulas and defaults). `forward(input, target)` returns the
 * loss as a number and computes the gradient at the same time (the kernels are fused);
 * `backward()` returns dLoss/dInput as a tensor OWNED BY THE LOSS (valid until its next forward,
 * never dispose it). The gradient buffer is allocated once per input shape, so steady-state
 * calls allocate nothing — label validation included.
 *
 * @module
 */

import { engineOption, type Engine } from "../engine.js";
import { checkOptions, fail, SimdnetError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { num } from "./layer.js";
import { sameShape, type ModuleConfig } from "./module.js";

/** How per-sample losses are combined: "mean" (default) or "sum". */
export type Reduction = "mean" | "sum";

/** Options every loss accepts. */
export interface LossOptions {
  /** "mean" (default; for class losses over the batch, for MSE/BCE over all elements) or "sum". */
  reduction?: Reduction;
  /** Engine; default getEngine(). */
  engine?: Engine;
}

/** Base class of the losses. */
export abstract class Loss {
  readonly engine: Engine;
  readonly reduction: Reduction;
  abstract readonly type: string;
  protected grad: Tensor | null = null;
  private ready = false;

  constructor(options: LossOptions, extra: readonly string[], what: string) {
    checkOptions(`${what} options`, options, ["reduction", "engine", ...extra]);
    const r = options.reduction ?? "mean";
    if (r !== "mean" && r !== "sum") fail(`${what} reduction`, '"mean" or "sum"', r);
    this.reduction = r;
    this.engine = engineOption(`${what} engine`, options.engine);
  }

  /** Loss of `input` against `target` (see each class for shapes); also prepares backward(). */
  abstract forward(input: Tensor, target: Tensor): number;

  /** dLoss/dInput of the last forward, owned by the loss. */
  backward(): Tensor {
    if (!this.ready || this.grad === null) throw new SimdnetError(`${this.type} backward: expected a forward call first, got none`);
    return this.grad;
  }

  /** Frees the gradient buffer. */
  dispose(): void {
    if (this.grad !== null && !this.grad.isDisposed) this.grad.dispose();
    this.grad = null;
    this.ready = false;
  }

  /** JSON description (type and options). */
  config(): ModuleConfig {
    return { type: this.type, reduction: this.reduction };
  }

  /** Validates a float input and returns the gradient buffer for its shape. */
  protected prepare(input: Tensor, what = "input"): Tensor {
    this.checkTensor(what, input, "float32");
    if (this.grad === null || !sameShape(this.grad.shape, input.shape)) {
      this.dispose();
      this.grad = this.engine.empty(input.shape);
    }
    this.ready = true;
    return this.grad;
  }

  protected checkTensor(what: string, t: Tensor, dtype: "float32" | "int32"): void {
    if (!(t instanceof Tensor)) fail(`${this.type} ${what}`, "a Tensor", t);
    if (t.engine !== this.engine) {
      throw new SimdnetError(`${this.type} ${what}: expected a tensor of the loss's engine (${this.engine.backend}), got a tensor of another engine (${t.engine.backend})`);
    }
    if (t.isDisposed) throw new SimdnetError(`${this.type} ${what}: expected a live tensor, got a disposed tensor`);
    if (t.dtype !== dtype) fail(`${this.type} ${what} dtype`, `"${dtype}"`, t.dtype);
  }

  /** Checks [N, C] logits and int32 labels [N] with every label in [0, C). */
  protected checkClassTarget(input: Tensor, target: Tensor): void {
    if (input.shape.length !== 2) fail(`${this.type} input shape`, "[N, C] (2 dimensions)", input.shape);
    this.checkTensor("target", target, "int32");
    const n = input.shape[0]!;
    const c = input.shape[1]!;
    if (target.shape.length !== 1 || target.shape[0] !== n) fail(`${this.type} target shape`, `[${n}] (one label per row of the input)`, target.shape);
    const labels = target.data;
    for (let i = 0; i < n; i++) {
      const l = labels[i]!;
      if (l < 0 || l >= c) fail(`${this.type} target[${i}]`, `a class index in [0, ${c})`, l);
    }
  }

  /** Checks a float target of the input's shape. */
  protected checkSameShapeTarget(input: Tensor, target: Tensor): void {
    this.checkTensor("target", target, "float32");
    if (!sameShape(input.shape, target.shape)) fail(`${this.type} target shape`, `[${input.shape.join(", ")}] (the input's)`, target.shape);
  }
}

/** Options of CrossEntropyLoss. */
export interface CrossEntropyLossOptions extends LossOptions {
  /** s in [0, 1]: the target becomes (1 − s)·onehot + s/C (PyTorch's label_smoothing). Default 0. */
  labelSmoothing?: number;
}

/**
 * Softmax cross-entropy from raw logits [N, C] and int32 class labels [N] (PyTorch
 * nn.CrossEntropyLoss): −Σ target·log softmax(x), averaged over N ("mean") or summed.
 */
export class CrossEntropyLoss extends Loss {
  readonly type = "CrossEntropyLoss";
  readonly labelSmoothing: number;
  constructor(options: CrossEntropyLossOptions = {}) {
    super(options, ["labelSmoothing"], "CrossEntropyLoss");
    this.labelSmoothing = num("CrossEntropyLoss labelSmoothing", options.labelSmoothing, 0, 0, 1);
  }
  forward(input: Tensor, target: Tensor): number {
    const grad = this.prepare(input);
    this.checkClassTarget(input, target);
    const n = input.shape[0]!;
    const scale = this.reduction === "mean" ? 1 / n : 1;
    const sum = this.engine.kernels.softmaxCrossEntropy(n, input.shape[1]!, input.ptr, target.ptr, this.labelSmoothing, grad.ptr, scale);
    return sum * scale;
  }
  override config(): ModuleConfig {
    return { ...super.config(), labelSmoothing: this.labelSmoothing };
  }
}

/** Negative log-likelihood of log-probabilities [N, C] (from LogSoftmax) at int32 labels [N] (PyTorch nn.NLLLoss). */
export class NLLLoss extends Loss {
  readonly type = "NLLLoss";
  constructor(options: LossOptions = {}) {
    super(options, [], "NLLLoss");
  }
  forward(input: Tensor, target: Tensor): number {
    const grad = this.prepare(input);
    this.checkClassTarget(input, target);
    const n = input.shape[0]!;
    const scale = this.reduction === "mean" ? 1 / n : 1;
    return this.engine.kernels.nllLoss(n, input.shape[1]!, input.ptr, target.ptr, grad.ptr, scale) * scale;
  }
}

/** Squared error (PyTorch nn.MSELoss): Σ(input − target)², "mean" divides by the element count. */
export class MSELoss extends Loss {
  readonly type = "MSELoss";
  constructor(options: LossOptions = {}) {
    super(options, [], "MSELoss");
  }
  forward(input: Tensor, target: Tensor): number {
    const grad = this.prepare(input);
    this.checkSameShapeTarget(input, target);
    const scale = this.reduction === "mean" ? 1 / input.size : 1;
    return this.engine.kernels.mseLoss(input.size, input.ptr, target.ptr, grad.ptr, scale) * scale;
  }
}

/**
 * Binary cross-entropy on logits (PyTorch nn.BCEWithLogitsLoss), numerically stable; targets
 * are floats in [0, 1] of the input's shape; "mean" divides by the element count.
 */
export class BCEWithLogitsLoss extends Loss {
  readonly type = "BCEWithLogitsLoss";
  constructor(options: LossOptions = {}) {
    super(options, [], "BCEWithLogitsLoss");
  }
  forward(input: Tensor, target: Tensor): number {
    const grad = this.prepare(input);
    this.checkSameShapeTarget(input, target);
    const scale = this.reduction === "mean" ? 1 / input.size : 1;
    return this.engine.kernels.bceWithLogitsLoss(input.size, input.ptr, target.ptr, grad.ptr, scale) * scale;
  }
}
