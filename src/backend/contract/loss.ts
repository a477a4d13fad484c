/**
 * Losses. Each returns the SUM of the per-sample losses (f64) and, when `grad` ≠ 0, writes the
 * gradient of (gradScale × that sum) w.r.t. its input; callers pass gradScale = 1/rows for a mean.
 */
export interface LossKernels {
  /**
   * Fused softmax + cross-entropy from logits (rows×cols, contiguous) and i32 labels in [0, cols).
   * With label smoothing s the target is (1 − s)·onehot + s/cols (PyTorch's definition).
   * grad = gradScale·(softmax(x) − target).
   */
  softmaxCrossEntropy(
    rows: number, cols: number, logits: number, labels: number, smoothing: number,
    grad: number, gradScale: number,
  ): number;
  /** Negative log-likelihood of log-probabilities (rows×cols) at i32 labels; grad = −gradScale at the label, 0 elsewhere. */
  nllLoss(rows: number, cols: number, logProbs: number, labels: number, grad: number, gradScale: number): number;
  /** Σ (pred − target)²; grad = 2·gradScale·(pred − target). */
  mseLoss(n: number, pred: number, target: number, grad: number, gradScale: number): number;
  /** Σ of numerically stable BCE with logits (targets in [0,1]); grad = gradScale·(σ(x) − t). */
  bceWithLogitsLoss(n: number, logits: number, targets: number, grad: number, gradScale: number): number;
}
