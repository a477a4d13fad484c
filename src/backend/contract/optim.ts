/**
 * Optimizer updates, in place, with PyTorch's formulas exactly (torch.optim 1.13, single-tensor
 * "foreach=False" path; checked against sgd.py, adam.py, adamw.py and rmsprop.py). `grad` is
 * read only: weight decay makes a local g, as PyTorch's `grad.add(param, alpha=wd)` does.
 * Scalars are f32 (the WASM ABI), so e.g. β2 = 0.999 is used as f32(0.999); every product and sum
 * is one f32 operation in the order written here, which makes all backends bit-identical.
 *
 * One deliberate difference from PyTorch: every state value written (SGD's buf, Adam's m and v,
 * RMSprop's sq and buf) whose magnitude is below 2^-100 is stored as +0, and centered RMSprop's ga
 * below 2^-50 (so ga·ga is 0 or ≥ 2^-100, and flushing sq alone cannot make sq − ga·ga negative); NaN is kept. A
 * parameter whose gradient stays exactly 0 would otherwise decay its state into subnormal floats,
 * which cost ~100 cycles per operation on x86 (WASM has no flush-to-zero); the update changes by
 * less than lr·2^-100/eps. See assembly/optim.ts.
 */
export interface OptimKernels {
  /**
   * SGD. g = grad + weightDecay·param; with momentum ≠ 0: buf = g on the first step
   * (firstStep = 1: PyTorch's "momentum_buffer is None" clone, no dampening) else
   * buf = momentum·buf + (1 − dampening)·g; then g = nesterov ? g + momentum·buf : buf.
   * param −= lr·g. `buf` may be 0 when momentum = 0.
   */
  sgdStep(
    n: number, param: number, grad: number, buf: number, lr: number, momentum: number,
    dampening: number, weightDecay: number, nesterov: number, firstStep: number,
  ): void;
  /**
   * Adam / AdamW. decoupled = 1 (AdamW): param *= 1 − lr·weightDecay; decoupled = 0 (Adam):
   * g = grad + weightDecay·param. m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g·g; with amsgrad
   * vMax = max(vMax, v) and v̂ = vMax, else v̂ = v;
   * param −= (lr/(1 − β1^step))·m / (sqrt(v̂)/sqrt(1 − β2^step) + eps), the two bias
   * corrections computed in f64 once per call then rounded to f32 (as PyTorch's Python floats
   * become f32 scalars). `step` ≥ 1 counts this update. vMax may be 0 when amsgrad = 0.
   */
  adamStep(
    n: number, param: number, grad: number, m: number, v: number, vMax: number, lr: number,
    beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: number,
    amsgrad: number, step: number,
  ): void;
  /**
   * RMSprop. g = grad + weightDecay·param; sq = α·sq + (1 − α)·g·g; centered: ga = α·ga + (1 − α)·g,
   * avg = sqrt(sq − ga·ga) + eps, else avg = sqrt(sq) + eps; momentum > 0: buf = momentum·buf + g/avg,
   * param −= lr·buf; else param −= lr·g/avg. gradAvg / buf may be 0 when unused.
   */
  rmspropStep(
    n: number, param: number, grad: number, squareAvg: number, gradAvg: number, buf: number,
    lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, centered: number,
  ): void;
}
