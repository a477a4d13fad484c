/**
 * Optimizer updates, in place, with PyTorch's formulas exactly (torch.optim, single-tensor
 * "foreach=False" path). `step` is the 1-based step count after this update.
 */
export interface OptimKernels {
  /**
   * SGD. g = grad + weightDecay·param; with momentum: buf = g on the first step
   * (firstStep = 1) else momentum·buf + (1 − dampening)·g; g = nesterov ? g + momentum·buf : buf.
   * param −= lr·g. `buf` may be 0 when momentum = 0.
   */
  sgdStep(
    n: number, param: number, grad: number, buf: number, lr: number, momentum: number,
    dampening: number, weightDecay: number, nesterov: number, firstStep: number,
  ): void;
  /**
   * Adam / AdamW (decoupled = 1: param *= 1 − lr·weightDecay; else grad += weightDecay·param).
   * m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; with amsgrad vMax = max(vMax, v) is used
   * instead of v; param −= lr/(1 − β1^step) · m / (sqrt(v)/sqrt(1 − β2^step) + eps).
   * vMax may be 0 when amsgrad = 0.
   */
  adamStep(
    n: number, param: number, grad: number, m: number, v: number, vMax: number, lr: number,
    beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: number,
    amsgrad: number, step: number,
  ): void;
  /**
   * RMSprop. g = grad + weightDecay·param; sq = α·sq + (1 − α)·g²; centered: ga = α·ga + (1 − α)·g,
   * avg = sqrt(sq − ga²) + eps, else avg = sqrt(sq) + eps; momentum > 0: buf = momentum·buf + g/avg,
   * param −= lr·buf; else param −= lr·g/avg. gradAvg / buf may be 0 when unused.
   */
  rmspropStep(
    n: number, param: number, grad: number, squareAvg: number, gradAvg: number, buf: number,
    lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, centered: number,
  ): void;
}
