import type { NormKernels } from "../contract/norm.js";
import type { MemoryViews } from "../memory.js";

const r = Math.fround;

/**
 * Plain-JS reference kernels for the norm family (see the contract for semantics). Statistics
 * are two-pass sums in f64; the per-element maps are rounded to f32 step by step in the same
 * form as the WASM kernels ((x − mean)·scale + shift), so the SIMD build agrees to the last bits.
 */
export function normKernels(v: MemoryViews): NormKernels {
  return {
    batchNormForwardTrain(batch, channels, spatial, x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar, momentum, eps) {
      const f = v.f32();
      const count = batch * spatial;
      const mom = r(momentum);
      const at = (b: number, c: number, i: number): number => ((b * channels + c) * spatial + i);
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let b = 0; b < batch; b++) for (let i = 0; i < spatial; i++) sum += f[(x >> 2) + at(b, c, i)]!;
        const mean = sum / count;
        let sq = 0;
        for (let b = 0; b < batch; b++) {
          for (let i = 0; i < spatial; i++) {
            const d = f[(x >> 2) + at(b, c, i)]! - mean;
            sq += d * d;
          }
        }
        const variance = sq / count;
        const invStd = 1 / Math.sqrt(variance + r(eps));
        f[(saveMean >> 2) + c] = mean;
        f[(saveInvStd >> 2) + c] = invStd;
        if (runningMean !== 0) {
          const unbiased = variance * count / (count - 1);
          const rm = (runningMean >> 2) + c, rv = (runningVar >> 2) + c;
          f[rm] = mom * mean + (1 - mom) * f[rm]!;
          f[rv] = mom * unbiased + (1 - mom) * f[rv]!;
        }
        const scale64 = invStd * (gamma !== 0 ? f[(gamma >> 2) + c]! : 1);
        const scale = r(scale64);
        const meanF = r(mean);
        // What rounding the mean to f32 loses goes into the shift, so y stays accurate when |mean| ≫ std.
        const shift = r((beta !== 0 ? f[(beta >> 2) + c]! : 0) - (mean - meanF) * scale64);
        for (let b = 0; b < batch; b++) {
          for (let i = 0; i < spatial; i++) {
            const j = at(b, c, i);
            f[(y >> 2) + j] = r(r(f[(x >> 2) + j]! - meanF) * scale) + shift;
          }
        }
      }
    },

    batchNormForwardEval(batch, channels, spatial, x, gamma, beta, runningMean, runningVar, eps, y) {
      const f = v.f32();
      for (let c = 0; c < channels; c++) {
        const invStd = 1 / Math.sqrt(f[(runningVar >> 2) + c]! + r(eps));
        const scale = r(invStd * (gamma !== 0 ? f[(gamma >> 2) + c]! : 1));
        const shift = beta !== 0 ? f[(beta >> 2) + c]! : 0;
        const mean = f[(runningMean >> 2) + c]!;
        for (let b = 0; b < batch; b++) {
          const base = (b * channels + c) * spatial;
          for (let i = 0; i < spatial; i++) {
            f[(y >> 2) + base + i] = r(r(f[(x >> 2) + base + i]! - mean) * scale) + shift;
          }
        }
      }
    },

    batchNormBackward(batch, channels, spatial, x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta) {
      const f = v.f32();
      const count = batch * spatial;
      for (let c = 0; c < channels; c++) {
        const mean = f[(saveMean >> 2) + c]!;
        const invStd = f[(saveInvStd >> 2) + c]!;
        let sumDy = 0;
        let dot = 0;
        for (let b = 0; b < batch; b++) {
          const base = (b * channels + c) * spatial;
          for (let i = 0; i < spatial; i++) {
            const d = f[(dy >> 2) + base + i]!;
            sumDy += d;
            dot += (f[(x >> 2) + base + i]! - mean) * d;
          }
        }
        // dx = (dy − mean(dy) − x̂·mean(dy·x̂))·γ·invStd, with x̂ = (x − mean)·invStd.
        const w = gamma !== 0 ? f[(gamma >> 2) + c]! : 1;
        const k = r(dot * invStd * invStd / count);
        const gm = r(sumDy / count);
        const aw = r(invStd * w);
        for (let b = 0; b < batch; b++) {
          const base = (b * channels + c) * spatial;
          for (let i = 0; i < spatial; i++) {
            const xc = r(f[(x >> 2) + base + i]! - mean);
            f[(dx >> 2) + base + i] = r(r(f[(dy >> 2) + base + i]! - r(xc * k)) - gm) * aw;
          }
        }
        if (dgamma !== 0) f[(dgamma >> 2) + c] = f[(dgamma >> 2) + c]! + r(dot * invStd);
        if (dbeta !== 0) f[(dbeta >> 2) + c] = f[(dbeta >> 2) + c]! + r(sumDy);
      }
    },
  };
}
