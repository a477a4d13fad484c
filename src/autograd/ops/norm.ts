/** batchNorm (kernels), layerNorm (loops over the memory view) and dropout (kernel). */
import { fail } from "../../errors.js";
import type { Tensor } from "../../tensor.js";
import { ATTR, begin, commit, gradAcc, gradDst, IN, needs, setOutput, type Node, type Op } from "../tape.js";
import { arg, optArg, prod, type TensorLike } from "./util.js";

/** Options of batchNorm (F.batch_norm). */
export interface BatchNormArgs {
  /** Normalise with batch statistics (and update the running ones when given); default true. */
  training?: boolean;
  /** Weight of the batch statistic in the running averages; default 0.1. */
  momentum?: number;
  /** Added to the variance; default 1e-5. */
  eps?: number;
}

function spatialOf(shape: readonly number[]): number {
  return prod(shape, 2);
}

const BATCHNORM: Op = {
  name: "batchNorm",
  backward(node, tape) {
    const x = node.inputs[0]!, rm = node.inputs[1], rv = node.inputs[2], w = node.inputs[3]!, b = node.inputs[4]!;
    const g = node.out!.grad!;
    const n = x.shape[0]!, c = x.shape[1]!, sp = spatialOf(x.shape);
    const needX = needs(node, 0, tape), needW = w !== null && needs(node, 3, tape), needB = b !== null && needs(node, 4, tape);
    if (node.s1 === 1) {
      // Batch statistics: the kernel computes dx, dγ and dβ in one pass (dγ, dβ accumulate).
      const e = node.engine;
      if (!needX && !needW && !needB) return;
      const dgamma = needW ? gradAcc(node, 3, tape) : 0;
      const dbeta = needB ? gradAcc(node, 4, tape) : 0;
      const dx = needX ? gradDst(node, 0, tape) : scratchDx(node);
      e.kernels.batchNormBackward(n, c, sp, x.ptr, g.ptr, w === null ? 0 : w.ptr, node.saved!.ptr, node.saved2!.ptr, dx, dgamma, dbeta);
      if (needX) commit(node, 0, tape);
      return;
    }
    // Running statistics: an affine map per channel (loops over the view; fine-tuning only).
    const dgamma = needW ? gradAcc(node, 3, tape) >> 2 : -1;
    const dbeta = needB ? gradAcc(node, 4, tape) >> 2 : -1;
    const dxi = needX ? gradDst(node, 0, tape) >> 2 : -1;
    const f = node.engine.views.f32();
    const xi = x.ptr >> 2, gi = g.ptr >> 2, rmi = rm!.ptr >> 2, rvi = rv!.ptr >> 2;
    const eps = node.s0;
    for (let ch = 0; ch < c; ch++) {
      const mean = f[rmi + ch]!;
      const inv = 1 / Math.sqrt(f[rvi + ch]! + eps);
      const gamma = w === null ? 1 : f[(w.ptr >> 2) + ch]!;
      let sumDy = 0, sumDyXhat = 0;
      for (let bi = 0; bi < n; bi++) {
        const base = (bi * c + ch) * sp;
        for (let s = 0; s < sp; s++) {
          const d = f[gi + base + s]!;
          sumDy += d;
          sumDyXhat += d * (f[xi + base + s]! - mean) * inv;
          if (dxi >= 0) f[dxi + base + s] = d * gamma * inv;
        }
      }
      if (dgamma >= 0) f[dgamma + ch] = f[dgamma + ch]! + sumDyXhat;
      if (dbeta >= 0) f[dbeta + ch] = f[dbeta + ch]! + sumDy;
    }
    if (needX) commit(node, 0, tape);
  },
};

/** dx buffer for a batch-norm backward whose input gradient nobody reads (the kernel always writes it). */
function scratchDx(node: Node): number {
  if (node.saved3 === null) node.saved3 = node.engine.empty(node.inputs[0]!.shape);
  return node.saved3.ptr;
}

function perChannel(what: string, t: Tensor | null, c: number): void {
  if (t !== null && (t.shape.length !== 1 || t.shape[0] !== c)) fail(`batchNorm ${what} shape`, `[${c}]`, t.shape);
}

const NO_OPTIONS: BatchNormArgs = Object.freeze({});

/**
 * Batch normalisation per channel (F.batch_norm): x [N, C] or [N, C, …]; runningMean and
 * runningVar [C] or null (updated in place when training); weight (γ) and bias (β) [C] or null.
 */
export function batchNorm(
  xIn: TensorLike, runningMean: Tensor | null, runningVar: Tensor | null, weightIn: TensorLike | null = null, biasIn: TensorLike | null = null,
  options: BatchNormArgs = NO_OPTIONS,
): Tensor {
  const x = arg("batchNorm x", xIn);
  const e = x.engine;
  if (x.shape.length < 2) fail("batchNorm x shape", "[N, C, …] (at least 2 dimensions)", x.shape);
  const c = x.shape[1]!;
  const rm = optArg("batchNorm runningMean", runningMean, e);
  const rv = optArg("batchNorm runningVar", runningVar, e);
  const w = optArg("batchNorm weight", weightIn, e);
  const b = optArg("batchNorm bias", biasIn, e);
  perChannel("runningMean", rm, c);
  perChannel("runningVar", rv, c);
  perChannel("weight", w, c);
  perChannel("bias", b, c);
  if ((rm === null) !== (rv === null)) fail("batchNorm runningVar", runningMean === null ? "null like runningMean" : "a tensor like runningMean", runningVar);
  const training = options.training ?? true;
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1)) fail("batchNorm momentum", "a number in [0, 1]", momentum);
  if (typeof eps !== "number" || !(eps >= 0) || !Number.isFinite(eps)) fail("batchNorm eps", "a finite number ≥ 0", eps);
  const batchStats = training || rm === null;
  const n = x.shape[0]!, sp = spatialOf(x.shape);
  if (batchStats && n * sp <= 1) fail("batchNorm x shape", "more than 1 value per channel when training", x.shape);
  IN[0] = x; IN[1] = rm; IN[2] = rv; IN[3] = w; IN[4] = b;
  const node = begin(e, BATCHNORM, 5, 0);
  if (node.out === null) {
    setOutput(node, e.empty(x.shape));
    node.saved = e.empty([c]);
    node.saved2 = e.empty([c]);
  }
  node.s0 = eps;
  node.s1 = batchStats ? 1 : 0;
  const y = node.out!;
  const k = e.kernels;
  if (batchStats) {
    const track = training && rm !== null;
    k.batchNormForwardTrain(n, c, sp, x.ptr, w === null ? 0 : w.ptr, b === null ? 0 : b.ptr, y.ptr, node.saved!.ptr, node.saved2!.ptr,
      track ? rm!.ptr : 0, track ? rv!.ptr : 0, momentum, eps);
  } else {
    k.batchNormForwardEval(n, c, sp, x.ptr, w === null ? 0 : w.ptr, b === null ? 0 : b.ptr, rm!.ptr, rv!.ptr, eps, y.ptr);
  }
  return y;
}

const LAYERNORM: Op = {
  name: "layerNorm",
  backward(node, tape) {
    const x = node.inputs[0]!, w = node.inputs[1]!, b = node.inputs[2]!;
    const g = node.out!.grad!;
    const d = node.attrs[0]!;
    const rows = x.size / d;
    const needX = needs(node, 0, tape), needW = w !== null && needs(node, 1, tape), needB = b !== null && needs(node, 2, tape);
    const dw = needW ? gradAcc(node, 1, tape) >> 2 : -1;
    const db = needB ? gradAcc(node, 2, tape) >> 2 : -1;
    const dx = needX ? gradDst(node, 0, tape) >> 2 : -1;
    const f = node.engine.views.f32();
    const xi = x.ptr >> 2, gi = g.ptr >> 2, st = node.saved!.ptr >> 2, wi = w === null ? -1 : w.ptr >> 2;
    for (let r = 0; r < rows; r++) {
      const mean = f[st + 2 * r]!, rstd = f[st + 2 * r + 1]!;
      const base = r * d;
      let sumG = 0, sumGX = 0;
      for (let j = 0; j < d; j++) {
        const xhat = (f[xi + base + j]! - mean) * rstd;
        const gv = f[gi + base + j]!;
        if (dw >= 0) f[dw + j] = f[dw + j]! + gv * xhat;
        if (db >= 0) f[db + j] = f[db + j]! + gv;
        const gh = wi >= 0 ? gv * f[wi + j]! : gv;
        sumG += gh;
        sumGX += gh * xhat;
      }
      if (dx < 0) continue;
      for (let j = 0; j < d; j++) {
        const xhat = (f[xi + base + j]! - mean) * rstd;
        const gh = wi >= 0 ? f[gi + base + j]! * f[wi + j]! : f[gi + base + j]!;
        f[dx + base + j] = rstd * (gh - sumG / d - xhat * sumGX / d);
      }
    }
    if (needX) commit(node, 0, tape);
  },
};

/**
 * Layer normalisation over the trailing dimensions `normalizedShape` (F.layer_norm): each
 * slice of that shape is shifted to mean 0 and scaled to variance 1 (biased, + eps), then
 * multiplied by weight and shifted by bias (both of shape normalizedShape, or null).
 */
export function layerNorm(xIn: TensorLike, normalizedShape: readonly number[], weightIn: TensorLike | null = null, biasIn: TensorLike | null = null, eps = 1e-5): Tensor {
  const x = arg("layerNorm x", xIn);
  const e = x.engine;
  const r = normalizedShape.length;
  const tail = x.shape.slice(x.shape.length - r);
  if (!Array.isArray(normalizedShape) || r === 0 || r > x.shape.length || tail.some((v, i) => v !== normalizedShape[i])) {
    fail("layerNorm x shape", `[…, ${normalizedShape.join(", ")}] (ending in normalizedShape)`, x.shape);
  }
  const d = prod(normalizedShape);
  const w = optArg("layerNorm weight", weightIn, e);
  const b = optArg("layerNorm bias", biasIn, e);
  if (w !== null && w.size !== d) fail("layerNorm weight shape", `[${normalizedShape.join(", ")}]`, w.shape);
  if (b !== null && b.size !== d) fail("layerNorm bias shape", `[${normalizedShape.join(", ")}]`, b.shape);
  if (typeof eps !== "number" || !(eps >= 0) || !Number.isFinite(eps)) fail("layerNorm eps", "a finite number ≥ 0", eps);
  IN[0] = x; IN[1] = w; IN[2] = b;
  ATTR[0] = d;
  const node = begin(e, LAYERNORM, 3, 1);
  const rows = x.size / d;
  if (node.out === null) {
    setOutput(node, e.empty(x.shape));
    node.saved = e.empty([2 * rows]);
  }
  const y = node.out!;
  const f = e.views.f32();
  const xi = x.ptr >> 2, yi = y.ptr >> 2, st = node.saved!.ptr >> 2;
  const wi = w === null ? -1 : w.ptr >> 2, bi = b === null ? -1 : b.ptr >> 2;
  for (let row = 0; row < rows; row++) {
    const base = row * d;
    let mean = 0;
    for (let j = 0; j < d; j++) mean += f[xi + base + j]!;
    mean /= d;
    let v = 0;
    for (let j = 0; j < d; j++) {
      const t = f[xi + base + j]! - mean;
      v += t * t;
    }
    const rstd = 1 / Math.sqrt(v / d + eps);
    f[st + 2 * row] = mean;
    f[st + 2 * row + 1] = rstd;
    for (let j = 0; j < d; j++) {
      let o = (f[xi + base + j]! - mean) * rstd;
      if (wi >= 0) o *= f[wi + j]!;
      if (bi >= 0) o += f[bi + j]!;
      f[yi + base + j] = o;
    }
  }
  return y;
}

const DROPOUT: Op = {
  name: "dropout",
  backward(node, tape) {
    if (!needs(node, 0, tape)) return;
    const y = node.out!;
    node.engine.kernels.mul(y.size, y.grad!.ptr, node.saved!.ptr, gradDst(node, 0, tape));
    commit(node, 0, tape);
  },
};

/**
 * Inverted dropout with an explicit mask stream: element i uses (seed, offset + i) of the
 * dropoutForward kernel's counter-based generator. Zeroes with probability p and scales the
 * rest by 1/(1 − p); p = 1 zeroes everything. The Dropout layer and `dropout` of the functional
 * API (src/nn/functional.ts, which draws the seed from the nn generator) call this.
 */
export function dropoutWithSeed(xIn: TensorLike, p: number, seed: number, offset: number): Tensor {
  const x = arg("dropout x", xIn);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) fail("dropout p", "a number in [0, 1]", p);
  const e = x.engine;
  IN[0] = x;
  const node = begin(e, DROPOUT, 1, 0);
  if (node.out === null) {
    setOutput(node, e.empty(x.shape));
    node.saved = e.empty(x.shape);
  }
  const k = e.kernels;
  const y = node.out!, mask = node.saved!;
  if (p === 1) {
    k.fill(x.size, 0, mask.ptr);
    k.fill(x.size, 0, y.ptr);
  } else {
    k.dropoutForward(x.size, p, seed >>> 0, offset >>> 0, x.ptr, y.ptr, mask.ptr);
  }
  return y;
}
