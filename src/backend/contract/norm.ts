/**
 * Batch normalisation over x: batch×channels×spatial (BatchNorm1d: spatial = 1; BatchNorm2d:
 * spatial = H·W). Per channel statistics over batch·spatial values. gamma/beta = 0 means
 * affine = false (scale 1, shift 0). PyTorch semantics: normalisation uses the biased batch
 * variance; the running variance is updated with the unbiased one (n/(n−1)), so training needs
 * n = batch·spatial ≥ 2 (callers check). Statistics are accumulated in f64; outputs are
 * y = (x − mean)·scale + shift with scale = gamma/sqrt(var + eps) rounded to f32. y, dx must not
 * alias x or dy.
 */
export interface NormKernels {
  /**
   * Training mode. Writes y, saveMean[c] and saveInvStd[c] = 1/sqrt(var + eps) (for backward), and
   * when runningMean ≠ 0 updates running = (1 − momentum)·running + momentum·batchStat
   * (mean; unbiased variance). momentum is PyTorch's (0.1 default); the cumulative-average mode
   * (momentum = None) is the caller's: pass 1/numBatchesTracked.
   */
  batchNormForwardTrain(
    batch: number, channels: number, spatial: number, x: number, gamma: number, beta: number,
    y: number, saveMean: number, saveInvStd: number, runningMean: number, runningVar: number,
    momentum: number, eps: number,
  ): void;
  /** Evaluation mode: y = (x − runningMean)/sqrt(runningVar + eps)·gamma + beta. */
  batchNormForwardEval(
    batch: number, channels: number, spatial: number, x: number, gamma: number, beta: number,
    runningMean: number, runningVar: number, eps: number, y: number,
  ): void;
  /**
   * Training-mode backward from the saved statistics: with x̂ = (x − mean)·invStd and sums over
   * a channel's n values, dx = (dy − Σdy/n − x̂·Σ(dy·x̂)/n)·gamma·invStd (overwrites);
   * dgamma += Σ(dy·x̂), dbeta += Σdy (each skipped when its pointer is 0).
   */
  batchNormBackward(
    batch: number, channels: number, spatial: number, x: number, dy: number, gamma: number,
    saveMean: number, saveInvStd: number, dx: number, dgamma: number, dbeta: number,
  ): void;
}
