import type { LossKernels } from "../contract/loss.js";
import type { MemoryViews } from "../memory.js";

/**
 * Plain-JS reference kernels for the loss family (see the contract for the formulas). Every
 * loss and gradient is computed in f64 and rounded once when stored.
 */
export function lossKernels(v: MemoryViews): LossKernels {
  return {
    softmaxCrossEntropy(rows, cols, logits, labels, smoothing, grad, gradScale) {
      const f = v.f32();
      const lab = v.i32();
      const s = Math.fround(smoothing);
      const scale = Math.fround(gradScale);
      let total = 0;
      for (let row = 0; row < rows; row++) {
        const xi = (logits >> 2) + row * cols;
        const label = lab[(labels >> 2) + row]!;
        let m = -Infinity;
        for (let j = 0; j < cols; j++) m = Math.max(m, f[xi + j]!);
        let sumExp = 0;
        let sumX = 0;
        for (let j = 0; j < cols; j++) {
          sumExp += Math.exp(f[xi + j]! - m);
          sumX += f[xi + j]!;
        }
        // Target (1 − s)·onehot + s/cols: −Σ target·log p = lse − (1 − s)·x_label − s·mean(x)
        // with lse = m + log Σ, summed so that a huge m cannot absorb log Σ.
        const xLabel = f[xi + label]!;
        total += Math.log(sumExp) + (1 - s) * (m - xLabel) + s * (m - sumX / cols);
        if (grad !== 0) {
          const gi = (grad >> 2) + row * cols;
          for (let j = 0; j < cols; j++) {
            const target = (j === label ? 1 - s : 0) + s / cols;
            f[gi + j] = scale * (Math.exp(f[xi + j]! - m) / sumExp - target);
          }
        }
      }
      return total;
    },

    nllLoss(rows, cols, logProbs, labels, grad, gradScale) {
      const f = v.f32();
      const lab = v.i32();
      const scale = Math.fround(gradScale);
      let total = 0;
      for (let row = 0; row < rows; row++) {
        const label = lab[(labels >> 2) + row]!;
        total -= f[(logProbs >> 2) + row * cols + label]!;
        if (grad !== 0) {
          const gi = (grad >> 2) + row * cols;
          for (let j = 0; j < cols; j++) f[gi + j] = j === label ? -scale : 0;
        }
      }
      return total;
    },

    mseLoss(n, pred, target, grad, gradScale) {
      const f = v.f32();
      const twoScale = 2 * Math.fround(gradScale);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const d = Math.fround(f[(pred >> 2) + i]! - f[(target >> 2) + i]!);
        total += d * d;
        if (grad !== 0) f[(grad >> 2) + i] = twoScale * d;
      }
      return total;
    },

    bceWithLogitsLoss(n, logits, targets, grad, gradScale) {
      const f = v.f32();
      const scale = Math.fround(gradScale);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const x = f[(logits >> 2) + i]!;
        const t = f[(targets >> 2) + i]!;
        // Stable form: never exponentiates a positive number.
        total += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
        if (grad !== 0) f[(grad >> 2) + i] = scale * (1 / (1 + Math.exp(-x)) - t);
      }
      return total;
    },
  };
}
