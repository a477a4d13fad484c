import { fail } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { optBool, optNum, Optimizer, type Params } from "./optimizer.js";

/** Options of Adam / AdamW (PyTorch names and defaults). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** [β1, β2] (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** Adam: L2 added to the gradient (default 0); AdamW: decoupled decay (default 1e-2). */
  weightDecay?: number;
  /** Use the running maximum of v (default false). */
  amsgrad?: boolean;
}

class AdamBase extends Optimizer {
  readonly type: string;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  private readonly m: Tensor[] = [];
  private readonly v: Tensor[] = [];
  private readonly vMax: (Tensor | null)[] = [];

  constructor(params: Params, options: AdamOptions, what: string, private readonly decoupled: boolean) {
    super(params, options, ["betas", "eps", "weightDecay", "amsgrad"], what, 1e-3);
    this.type = what;
    const betas = options.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) fail(`${what} betas`, "[beta1, beta2]", betas);
    this.beta1 = optNum(`${what} betas[0]`, betas[0], 0.9, 0, 1);
    this.beta2 = optNum(`${what} betas[1]`, betas[1], 0.999, 0, 1);
    this.eps = optNum(`${what} eps`, options.eps, 1e-8);
    this.weightDecay = optNum(`${what} weightDecay`, options.weightDecay, decoupled ? 1e-2 : 0);
    this.amsgrad = optBool(`${what} amsgrad`, options.amsgrad, false);
    for (let i = 0; i < this.params.length; i++) {
      this.m.push(this.addState(i, "exp_avg"));
      this.v.push(this.addState(i, "exp_avg_sq"));
      this.vMax.push(this.amsgrad ? this.addState(i, "max_exp_avg_sq") : null);
    }
  }

  step(): void {
    this.checkLive("step");
    const k = this.engine.kernels;
    const t = this.stepCount + 1;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i]!;
      const vMax = this.vMax[i]!;
      k.adamStep(p.size, p.data.ptr, p.grad.ptr, this.m[i]!.ptr, this.v[i]!.ptr, vMax === null ? 0 : vMax.ptr, this.lr,
        this.beta1, this.beta2, this.eps, this.weightDecay, this.decoupled ? 1 : 0, this.amsgrad ? 1 : 0, t);
    }
    this.stepCount = t;
  }
}

/** Adam (PyTorch torch.optim.Adam): weightDecay is an L2 term added to the gradient. */
export class Adam extends AdamBase {
  constructor(params: Params, options: AdamOptions = {}) {
    super(params, options, "Adam", false);
  }
}

/** AdamW (PyTorch torch.optim.AdamW): decoupled weight decay param *= 1 − lr·weightDecay, default 1e-2. */
export class AdamW extends AdamBase {
  constructor(params: Params, options: AdamOptions = {}) {
    super(params, options, "AdamW", true);
  }
}
