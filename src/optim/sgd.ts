import { failText } from "../nn/module.js";
import type { Tensor } from "../tensor.js";
import { optBool, optNum, Optimizer, type Params } from "./optimizer.js";

/** Options of SGD (PyTorch names and defaults; lr default 1e-3 as in PyTorch ≥ 2.2). */
export interface SGDOptions {
  lr?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening of momentum (default 0). */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0, as PyTorch). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient: g += weightDecay·param (default 0). */
  weightDecay?: number;
}

/** Stochastic gradient descent with optional (Nesterov) momentum (PyTorch torch.optim.SGD). */
export class SGD extends Optimizer {
  readonly type = "SGD";
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  private readonly bufs: (Tensor | null)[] = [];

  constructor(params: Params, options: SGDOptions = {}) {
    super(params, options, ["momentum", "dampening", "nesterov", "weightDecay"], "SGD", 1e-3);
    this.momentum = optNum("SGD momentum", options.momentum, 0);
    this.dampening = optNum("SGD dampening", options.dampening, 0);
    this.nesterov = optBool("SGD nesterov", options.nesterov, false);
    this.weightDecay = optNum("SGD weightDecay", options.weightDecay, 0);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      failText("SGD nesterov", "momentum > 0 and dampening = 0", `momentum ${this.momentum}, dampening ${this.dampening}`);
    }
    for (let i = 0; i < this.params.length; i++) this.bufs.push(this.momentum > 0 ? this.addState(i, "momentum_buffer") : null);
  }

  step(): void {
    this.checkLive("step");
    const k = this.engine.kernels;
    const first = this.stepCount === 0 ? 1 : 0;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i]!;
      const buf = this.bufs[i]!;
      k.sgdStep(p.size, p.data.ptr, p.grad.ptr, buf === null ? 0 : buf.ptr, this.lr, this.momentum, this.dampening,
        this.weightDecay, this.nesterov ? 1 : 0, first);
    }
    this.stepCount++;
  }
}
