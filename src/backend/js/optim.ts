import type { OptimKernels } from "../contract/optim.js";
import type { MemoryViews } from "../memory.js";

/** f32 rounding: every arithmetic result is rounded once, as a WASM f32 operation is. */
const r = Math.fround;

/**
 * Optimizer state below 2^-100 in magnitude is stored as 0, centered RMSprop's mean gradient
 * below 2^-50 (why: assembly/optim.ts); NaN is kept.
 */
const TINY = 2 ** -100;
const TINY_MEAN = 2 ** -50;
const flush = (x: number, tiny = TINY): number => (Math.abs(x) < tiny ? 0 : x);

/** base^e by binary powering (the WASM kernels do the same f64 multiplications; Math.pow varies by engine). */
function powi(base: number, e: number): number {
  let out = 1;
  let b = base;
  while (e > 0) {
    if (e & 1) out *= b;
    b *= b;
    e >>= 1;
  }
  return out;
}

/**
 * Plain-JS reference kernels for the optim family (see the contract for the formulas). Scalars
 * are rounded to f32 as the WASM ABI does, and each operation is rounded to f32 in the order the
 * contract writes it, so the WASM builds (which use no fused multiply-add here) match bit for bit.
 */
export function optimKernels(v: MemoryViews): OptimKernels {
  return {
    sgdStep(n, param, grad, buf, lr, momentum, dampening, weightDecay, nesterov, firstStep) {
      const f = v.f32();
      lr = r(lr); momentum = r(momentum); weightDecay = r(weightDecay);
      const keep = r(1 - r(dampening));
      const pi = param >> 2, gi = grad >> 2, bi = buf >> 2;
      for (let i = 0; i < n; i++) {
        const p = f[pi + i]!;
        let g = f[gi + i]!;
        if (weightDecay !== 0) g = r(g + r(weightDecay * p));
        if (momentum !== 0) {
          const b = firstStep !== 0 ? g : flush(r(r(momentum * f[bi + i]!) + r(keep * g)));
          f[bi + i] = b;
          g = nesterov !== 0 ? r(g + r(momentum * b)) : b;
        }
        f[pi + i] = p - r(lr * g);
      }
    },

    adamStep(n, param, grad, m, vv, vMax, lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad, step) {
      const f = v.f32();
      lr = r(lr); beta1 = r(beta1); beta2 = r(beta2); eps = r(eps); weightDecay = r(weightDecay);
      // Bias corrections in f64, once per call, as torch.optim computes them in Python floats.
      const stepSize = r(lr / (1 - powi(beta1, step)));
      const bc2Sqrt = r(Math.sqrt(1 - powi(beta2, step)));
      const decay = r(1 - lr * weightDecay);
      const omb1 = r(1 - beta1), omb2 = r(1 - beta2);
      const pi = param >> 2, gi = grad >> 2, mi = m >> 2, vi = vv >> 2, xi = vMax >> 2;
      for (let i = 0; i < n; i++) {
        let p = f[pi + i]!;
        let g = f[gi + i]!;
        if (decoupled !== 0) p = r(p * decay);
        else if (weightDecay !== 0) g = r(g + r(weightDecay * p));
        const mNew = flush(r(r(beta1 * f[mi + i]!) + r(omb1 * g)));
        let vNew = flush(r(r(beta2 * f[vi + i]!) + r(r(omb2 * g) * g)));
        f[mi + i] = mNew;
        f[vi + i] = vNew;
        if (amsgrad !== 0) {
          vNew = Math.max(f[xi + i]!, vNew);
          f[xi + i] = vNew;
        }
        const denom = r(r(r(Math.sqrt(vNew)) / bc2Sqrt) + eps);
        f[pi + i] = p - r(r(stepSize * mNew) / denom);
      }
    },

    rmspropStep(n, param, grad, squareAvg, gradAvg, buf, lr, alpha, eps, weightDecay, momentum, centered) {
      const f = v.f32();
      lr = r(lr); alpha = r(alpha); eps = r(eps); weightDecay = r(weightDecay); momentum = r(momentum);
      const oma = r(1 - alpha);
      const pi = param >> 2, gi = grad >> 2, si = squareAvg >> 2, ai = gradAvg >> 2, bi = buf >> 2;
      for (let i = 0; i < n; i++) {
        const p = f[pi + i]!;
        let g = f[gi + i]!;
        if (weightDecay !== 0) g = r(g + r(weightDecay * p));
        const sq = flush(r(r(alpha * f[si + i]!) + r(r(oma * g) * g)));
        f[si + i] = sq;
        let avg: number;
        if (centered !== 0) {
          const ga = flush(r(r(alpha * f[ai + i]!) + r(oma * g)), TINY_MEAN);
          f[ai + i] = ga;
          avg = r(r(Math.sqrt(r(sq - r(ga * ga)))) + eps);
        } else {
          avg = r(r(Math.sqrt(sq)) + eps);
        }
        if (momentum > 0) {
          const b = flush(r(r(momentum * f[bi + i]!) + r(g / avg)));
          f[bi + i] = b;
          f[pi + i] = p - r(lr * b);
        } else {
          f[pi + i] = p - r(r(lr * g) / avg);
        }
      }
    },
  };
}
