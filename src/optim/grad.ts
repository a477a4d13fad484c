import { fail } from "../errors.js";
import { Module, type Parameter } from "../nn/module.js";
import { Tensor } from "../tensor.js";
import type { Params } from "./optimizer.js";

function list(what: string, params: Params): readonly Parameter[] {
  const l = params instanceof Module ? params.parameters() : params;
  if (!Array.isArray(l)) fail(what, "a list of parameters or a module", l);
  for (let i = 0; i < l.length; i++) {
    const p = l[i];
    if (p === null || typeof p !== "object" || !(p.data instanceof Tensor)) fail(`${what}[${i}]`, "a Parameter", p);
    p.data.checkLive(`${what}[${i}]`);
  }
  return l;
}

/**
 * Scales all gradients together so that their global norm is at most maxNorm (PyTorch
 * clip_grad_norm_: coefficient maxNorm/(norm + 1e-6), applied only when below 1). normType is
 * 2 (default), 1 or Infinity. Returns the total norm before clipping. Pass a pre-built array
 * (not a module) on the hot path so that nothing is allocated.
 */
export function clipGradNorm(params: Params, maxNorm: number, normType = 2): number {
  if (typeof maxNorm !== "number" || !(maxNorm >= 0)) fail("clipGradNorm maxNorm", "a number ≥ 0", maxNorm);
  const ps = list("clipGradNorm params", params);
  if (ps.length === 0) return 0;
  const engine = ps[0]!.grad.engine;
  const k = engine.kernels;
  let total = 0;
  if (normType === 2) {
    for (let i = 0; i < ps.length; i++) total += k.sumSquares(ps[i]!.size, ps[i]!.grad.ptr);
    total = Math.sqrt(total);
  } else if (normType === 1) {
    for (let i = 0; i < ps.length; i++) total += k.sumAbs(ps[i]!.size, ps[i]!.grad.ptr);
  } else if (normType === Infinity) {
    const f = engine.views.f32();
    for (let i = 0; i < ps.length; i++) {
      const g = ps[i]!.grad;
      const base = g.ptr >> 2;
      for (let j = 0; j < g.size; j++) total = Math.max(total, Math.abs(f[base + j]!));
    }
  } else fail("clipGradNorm normType", "1, 2 or Infinity", normType);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (let i = 0; i < ps.length; i++) k.scale(ps[i]!.size, coef, ps[i]!.grad.ptr);
  return total;
}

/**
 * L2 penalty λ/2·Σw² over `params`: adds its gradient λ·w to each param.grad and returns the
 * penalty (add it to the loss you report). This is the convention of the TensorFlow Playground
 * and of SGD's weightDecay (same gradient). Usually applied to weights only:
 * `model.parameters().filter((p) => p.name === "weight")`.
 */
export function addL2Penalty(params: Params, lambda: number): number {
  if (typeof lambda !== "number" || !(lambda >= 0)) fail("addL2Penalty lambda", "a number ≥ 0", lambda);
  const ps = list("addL2Penalty params", params);
  let sum = 0;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    const k = p.data.engine.kernels;
    sum += k.sumSquares(p.size, p.data.ptr);
    if (lambda !== 0) k.axpy(p.size, lambda, p.data.ptr, p.grad.ptr);
  }
  return 0.5 * lambda * sum;
}

/**
 * L1 penalty λ·Σ|w|: adds λ·sign(w) (sign(0) = 0, as PyTorch) to each gradient and returns the
 * penalty.
 */
export function addL1Penalty(params: Params, lambda: number): number {
  if (typeof lambda !== "number" || !(lambda >= 0)) fail("addL1Penalty lambda", "a number ≥ 0", lambda);
  const ps = list("addL1Penalty params", params);
  let sum = 0;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    const k = p.data.engine.kernels;
    sum += k.sumAbs(p.size, p.data.ptr);
    if (lambda === 0) continue;
    // No sign kernel in the contract; a plain loop over the memory view allocates nothing.
    const f = p.data.engine.views.f32();
    const w = p.data.ptr >> 2;
    const g = p.grad.ptr >> 2;
    for (let j = 0; j < p.size; j++) {
      const x = f[w + j]!;
      if (x > 0) f[g + j] = f[g + j]! + lambda;
      else if (x < 0) f[g + j] = f[g + j]! - lambda;
    }
  }
  return lambda * sum;
}
