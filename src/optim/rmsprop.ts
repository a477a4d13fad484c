import type { Tensor } from "../tensor.js";
import { optBool, optNum, Optimizer, type Params } from "./optimizer.js";

/** Options of RMSprop (PyTorch names and defaults). */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2, as PyTorch). */
  lr?: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalise by the estimated variance of the gradient (default false). */
  centered?: boolean;
}

/** RMSprop (PyTorch torch.optim.RMSprop). */
export class RMSprop extends Optimizer {
  readonly type = "RMSprop";
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly centered: boolean;
  private readonly sq: Tensor[] = [];
  private readonly ga: (Tensor | null)[] = [];
  private readonly buf: (Tensor | null)[] = [];

  constructor(params: Params, options: RMSpropOptions = {}) {
    super(params, options, ["alpha", "eps", "weightDecay", "momentum", "centered"], "RMSprop", 1e-2);
    this.alpha = optNum("RMSprop alpha", options.alpha, 0.99);
    this.eps = optNum("RMSprop eps", options.eps, 1e-8);
    this.weightDecay = optNum("RMSprop weightDecay", options.weightDecay, 0);
    this.momentum = optNum("RMSprop momentum", options.momentum, 0);
    this.centered = optBool("RMSprop centered", options.centered, false);
    for (let i = 0; i < this.params.length; i++) {
      this.sq.push(this.addState(i, "square_avg"));
      this.ga.push(this.centered ? this.addState(i, "grad_avg") : null);
      this.buf.push(this.momentum > 0 ? this.addState(i, "momentum_buffer") : null);
    }
  }

  step(): void {
    this.checkLive("step");
    const k = this.engine.kernels;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i]!;
      const ga = this.ga[i]!;
      const buf = this.buf[i]!;
      k.rmspropStep(p.size, p.data.ptr, p.grad.ptr, this.sq[i]!.ptr, ga === null ? 0 : ga.ptr, buf === null ? 0 : buf.ptr,
        this.lr, this.alpha, this.eps, this.weightDecay, this.momentum, this.centered ? 1 : 0);
    }
    this.stepCount++;
  }
}
