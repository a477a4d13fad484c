/**
 * Batch normalisation over x: batch×channels×spatial (BatchNorm1d: spatial = 1; BatchNorm2d:
 * spatial = H·W). Per channel statistics over batch·spatial values. gamma/beta = 0 means
 * affine = false (scale 1, shift 0). PyTorch semantics: normalisation uses the biased batch
 * variance; the running variance is updated with the unbiased one (n/(n−1)).
 */
export interface NormKernels {
  /**
   * Training mode. Writes y, saveMean[c] and saveInvStd[c] = 1/sqrt(var + eps) (for backward), and
   * when runningMean ≠ 0 updates running = (1 − momentum)·running + momentum·batchStat.
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
  /** Training-mode backward: overwrites dx; dgamma/dbeta accumulate (skipped when 0). */
  batchNormBackward(
    batch: number, channels: number, spatial: number, x: number, dy: number, gamma: number,
    saveMean: number, saveInvStd: number, dx: number, dgamma: number, dbeta: number,
  ): void;
}
