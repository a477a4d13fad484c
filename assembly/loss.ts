// Kernels of the loss family (contract: src/backend/contract/loss.ts).
// Losses return f64 sums, as the JS reference does: per-element terms are formed in f32 lanes
// where that is exact or within an ulp, and widened to f64 before they are added up, so a loss
// over a large batch loses none of its small terms. Each kernel finishes its last partial vector
// with the same vector code (loadPartial/storePartial), so every element of a buffer gets the
// same rounding whatever its position, and nothing past the end is read or written.
import { exp4, laneMask, loadPartial, log1p01, madd, rowExpSum, rowExpSumOnly, rowMax, storePartial, widenHigh, widenLow } from "./math";
import { sum } from "./reduce";

/** Sum of the two f64 lanes. */
// @ts-ignore: decorator
@inline function hsum64(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

export function softmaxCrossEntropy(
  rows: i32, cols: i32, logits: usize, labels: usize, smoothing: f32, grad: usize, gradScale: f32,
): f64 {
  const rowBytes = <usize>cols << 2;
  const s = <f64>smoothing;
  const uniform = s / <f64>cols;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const xr = logits + <usize>r * rowBytes;
    const label = load<i32>(labels + (<usize>r << 2));
    const m = rowMax(xr, cols);
    // With a gradient, the grad row holds e = exp(x − m) between the two passes (no scratch).
    const gr = grad + <usize>r * rowBytes;
    const sumExp = grad != 0 ? rowExpSum(xr, gr, cols, m) : rowExpSumOnly(xr, cols, m);
    // −Σ target·log p with target (1 − s)·onehot + s/cols is lse − (1 − s)·x_label − s·mean(x)
    // with lse = m + log Σ; summed as log Σ + (1 − s)·(m − x_label) + s·(m − mean(x)) so that a
    // huge m never absorbs log Σ (m − x_label is exact in f64).
    const xLabel = <f64>load<f32>(xr + (<usize>label << 2));
    let row = Math.log(sumExp) + (1 - s) * (<f64>m - xLabel);
    if (smoothing != 0) row += s * (<f64>m - sum(cols, xr) / <f64>cols);
    total += row;
    if (grad != 0) {
      const eLabel = <f64>load<f32>(gr + (<usize>label << 2));
      // grad = scale·e/Σ − scale·s/cols off the label: one multiply-add per element.
      const a = f32x4.splat(<f32>(<f64>gradScale / sumExp));
      const b = f32x4.splat(<f32>(-<f64>gradScale * uniform));
      let j = 0;
      for (; j + 4 <= cols; j += 4) {
        const o = <usize>j << 2;
        v128.store(gr + o, madd(v128.load(gr + o), a, b));
      }
      if (j < cols) {
        const o = <usize>j << 2;
        storePartial(gr + o, madd(loadPartial(gr + o, cols - j), a, b), cols - j);
      }
      // At the label p − target nears 0 as training converges: form it in f64 so the small
      // difference is not the remainder of two rounded f32 terms.
      store<f32>(gr + (<usize>label << 2), <f32>(<f64>gradScale * (eLabel / sumExp - (1 - s) - uniform)));
    }
  }
  return total;
}

export function nllLoss(rows: i32, cols: i32, logProbs: usize, labels: usize, grad: usize, gradScale: f32): f64 {
  const rowBytes = <usize>cols << 2;
  const zero = f32x4.splat(0);
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const label = load<i32>(labels + (<usize>r << 2));
    total -= <f64>load<f32>(logProbs + <usize>r * rowBytes + (<usize>label << 2));
    if (grad != 0) {
      const gr = grad + <usize>r * rowBytes;
      let j = 0;
      for (; j + 4 <= cols; j += 4) v128.store(gr + (<usize>j << 2), zero);
      for (; j < cols; j++) store<f32>(gr + (<usize>j << 2), 0);
      store<f32>(gr + (<usize>label << 2), -gradScale);
    }
  }
  return total;
}

/** Adds d² of the four lanes of d to (lo, hi) in f64; f32 squares are exact there. */
// @ts-ignore: decorator
@inline function sq64(d: v128): v128 {
  const a = widenLow(d), b = widenHigh(d);
  return f64x2.add(f64x2.mul(a, a), f64x2.mul(b, b));
}

export function mseLoss(n: i32, pred: usize, target: usize, grad: usize, gradScale: f32): f64 {
  // d = pred − target is rounded to f32 (as in the reference); 2·scale is exact, so the
  // gradient 2·scale·d is one rounded multiply: bit-identical to the reference.
  const two = f32x4.splat(<f32>2 * gradScale);
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const d = f32x4.sub(v128.load(pred + o), v128.load(target + o));
    acc = f64x2.add(acc, sq64(d));
    if (grad != 0) v128.store(grad + o, f32x4.mul(two, d));
  }
  if (i < n) {
    const o = <usize>i << 2, rem = n - i;
    // Padding lanes are 0 − 0 = 0 and add nothing.
    const d = f32x4.sub(loadPartial(pred + o, rem), loadPartial(target + o, rem));
    acc = f64x2.add(acc, sq64(d));
    if (grad != 0) storePartial(grad + o, f32x4.mul(two, d), rem);
  }
  return hsum64(acc);
}

/**
 * BCE-with-logits terms of four lanes: returns the loss max(x, 0) − x·t + log(1 + e^−|x|) as
 * two f64x2 summed (x·t and the max are exact in f64, only the softplus tail is an f32
 * approximation, so |x| = 100 loses nothing to cancellation), and writes the gradient
 * scale·(σ(x) − t) through `g` when g ≠ 0. σ comes from the same e = e^−|x| ≤ 1 (1/(1+e) for
 * x ≥ 0, e/(1+e) below), so no exponent of a positive number is ever taken.
 */
// @ts-ignore: decorator
@inline function bce4(x: v128, t: v128, keep: v128, vscale: v128, g: usize, rem: i32): v128 {
  const one = f32x4.splat(1);
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const tail = v128.and(log1p01(e), keep);
  const xlo = widenLow(x), xhi = widenHigh(x);
  const zero = f64x2.splat(0);
  const lo = f64x2.add(f64x2.sub(f64x2.max(xlo, zero), f64x2.mul(xlo, widenLow(t))), widenLow(tail));
  const hi = f64x2.add(f64x2.sub(f64x2.max(xhi, zero), f64x2.mul(xhi, widenHigh(t))), widenHigh(tail));
  if (g != 0) {
    const inv = f32x4.div(one, f32x4.add(one, e));
    const sig = v128.bitselect(inv, f32x4.mul(e, inv), f32x4.ge(x, f32x4.splat(0)));
    const gv = f32x4.mul(vscale, f32x4.sub(sig, t));
    if (rem == 4) v128.store(g, gv);
    else storePartial(g, gv, rem);
  }
  // Padding lanes hold x = t = 0: their max − x·t is 0 and their tail is masked to 0.
  return f64x2.add(lo, hi);
}

export function bceWithLogitsLoss(n: i32, logits: usize, targets: usize, grad: usize, gradScale: f32): f64 {
  const vscale = f32x4.splat(gradScale);
  const all = laneMask(4);
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    acc = f64x2.add(acc, bce4(v128.load(logits + o), v128.load(targets + o), all, vscale, grad != 0 ? grad + o : 0, 4));
  }
  if (i < n) {
    const o = <usize>i << 2, rem = n - i;
    acc = f64x2.add(acc, bce4(loadPartial(logits + o, rem), loadPartial(targets + o, rem), laneMask(rem), vscale, grad != 0 ? grad + o : 0, rem));
  }
  return hsum64(acc);
}
