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

/** Element j of four consecutive rows (row stride `stride` bytes) as one vector, row k in lane k. */
// @ts-ignore: decorator
@inline function gather4(p: usize, stride: usize, j: i32): v128 {
  const q = p + (<usize>j << 2);
  let v = f32x4.splat(load<f32>(q));
  v = f32x4.replace_lane(v, 1, load<f32>(q + stride));
  v = f32x4.replace_lane(v, 2, load<f32>(q + 2 * stride));
  return f32x4.replace_lane(v, 3, load<f32>(q + 3 * stride));
}

/** Stores lane k of v as element j of row k (the inverse of gather4). */
// @ts-ignore: decorator
@inline function scatter4(p: usize, stride: usize, j: i32, v: v128): void {
  const q = p + (<usize>j << 2);
  store<f32>(q, f32x4.extract_lane(v, 0));
  store<f32>(q + stride, f32x4.extract_lane(v, 1));
  store<f32>(q + 2 * stride, f32x4.extract_lane(v, 2));
  store<f32>(q + 3 * stride, f32x4.extract_lane(v, 3));
}

/**
 * Σ over four rows (row k in lane k) of (1 − s)·(m − x_label) + s·(m − mean(x)), in f64 lanes:
 * the loss of each row minus its log Σ exp. sxLo/sxHi are the rows' sums of x (read only when
 * smoothing ≠ 0).
 */
// @ts-ignore: decorator
@inline function groupLabelTerms(
  mv: v128, xl: v128, oneMinusS: v128, s: f64, smoothing: f32, sxLo: v128, sxHi: v128, cols: i32,
): f64 {
  const mLo = widenLow(mv), mHi = widenHigh(mv);
  let t = f64x2.add(
    f64x2.mul(oneMinusS, f64x2.sub(mLo, widenLow(xl))),
    f64x2.mul(oneMinusS, f64x2.sub(mHi, widenHigh(xl))),
  );
  if (smoothing != 0) {
    const vs = f64x2.splat(s), vc = f64x2.splat(<f64>cols);
    t = f64x2.add(t, f64x2.mul(vs, f64x2.sub(mLo, f64x2.div(sxLo, vc))));
    t = f64x2.add(t, f64x2.mul(vs, f64x2.sub(mHi, f64x2.div(sxHi, vc))));
  }
  return hsum64(t);
}

/** The f64 label-gradient fix of one row (see softmaxCrossEntropy): grad at the label in f64. */
// @ts-ignore: decorator
@inline function storeLabelGrad(gr: usize, label: i32, eLabel: f32, sumExp: f32, gradScale: f32, s: f64, uniform: f64): void {
  store<f32>(gr + (<usize>label << 2), <f32>(<f64>gradScale * (<f64>eLabel / <f64>sumExp - (1 - s) - uniform)));
}

export function softmaxCrossEntropy(
  rows: i32, cols: i32, logits: usize, labels: usize, smoothing: f32, grad: usize, gradScale: f32,
): f64 {
  const rowBytes = <usize>cols << 2;
  const s = <f64>smoothing;
  const uniform = s / <f64>cols;
  let total: f64 = 0;
  // Σ_r log Σ_r is taken as the log of the product of the row sums, flushed before it could
  // overflow: one f64 log per at least 288/log10(cols) rows instead of one per row (a 2-class row
  // would otherwise spend most of its time in the log). Every row sum is ≥ 1 (the max contributes
  // e^0 = 1) and ≤ cols < 2^31, so a product ≤ 1e288 times one more sum stays finite; the
  // product's rounding (2^-53 per row, relative) is negligible next to the f32 sums themselves.
  let product: f64 = 1;
  let r = 0;
  if (cols < 8) {
    // Narrow rows (a 2-class problem, cols < 8): four rows at a time, row k in lane k, so each
    // exp4 does four useful lanes; row by row a 2-wide row would waste half of them, and the
    // per-row chain of max, sum, divide and stores would dominate. Same arithmetic per row as
    // the row loop below except the order of the f32 row sum.
    const vb = f32x4.splat(<f32>(-<f64>gradScale * uniform));
    const vscale = f32x4.splat(gradScale);
    const oneMinusS = f64x2.splat(1 - s);
    if (cols == 2) {
      // Two classes (the commonest narrow case): four rows are two contiguous vectors, split
      // into the column-0 and column-1 lanes by two shuffles instead of eight gathered loads,
      // and each exp is computed once and reused for the row sum, the gradient and the label
      // term. The values are those of the general loop below, bit for bit.
      for (; r + 4 <= rows; r += 4) {
        const x0 = logits + <usize>r * rowBytes;
        const lo = v128.load(x0), hi = v128.load(x0, 16);
        const c0 = v128.shuffle<f32>(lo, hi, 0, 2, 4, 6), c1 = v128.shuffle<f32>(lo, hi, 1, 3, 5, 7);
        const mv = f32x4.pmax(c0, c1);
        const e0 = exp4(f32x4.sub(c0, mv)), e1 = exp4(f32x4.sub(c1, mv));
        const sv = f32x4.add(e0, e1);
        const lab = v128.load(labels + (<usize>r << 2));
        const isOne = i32x4.eq(lab, i32x4.splat(1));
        const xl = v128.bitselect(c1, c0, isOne);
        const zero = f64x2.splat(0);
        const sxLo = smoothing != 0 ? f64x2.add(widenLow(c0), widenLow(c1)) : zero;
        const sxHi = smoothing != 0 ? f64x2.add(widenHigh(c0), widenHigh(c1)) : zero;
        total += groupLabelTerms(mv, xl, oneMinusS, s, smoothing, sxLo, sxHi, cols);
        const s0 = f32x4.extract_lane(sv, 0), s1 = f32x4.extract_lane(sv, 1);
        const s2 = f32x4.extract_lane(sv, 2), s3 = f32x4.extract_lane(sv, 3);
        product *= (<f64>s0 * <f64>s1) * (<f64>s2 * <f64>s3);
        if (product > 1e288) {
          total += Math.log(product);
          product = 1;
        }
        if (grad != 0) {
          const g0 = grad + <usize>r * rowBytes;
          const a = f32x4.div(vscale, sv);
          const d0 = madd(e0, a, vb), d1 = madd(e1, a, vb);
          v128.store(g0, v128.shuffle<f32>(d0, d1, 0, 4, 1, 5));
          v128.store(g0, v128.shuffle<f32>(d0, d1, 2, 6, 3, 7), 16);
          const el = v128.bitselect(e1, e0, isOne);
          storeLabelGrad(g0, i32x4.extract_lane(lab, 0), f32x4.extract_lane(el, 0), s0, gradScale, s, uniform);
          storeLabelGrad(g0 + 8, i32x4.extract_lane(lab, 1), f32x4.extract_lane(el, 1), s1, gradScale, s, uniform);
          storeLabelGrad(g0 + 16, i32x4.extract_lane(lab, 2), f32x4.extract_lane(el, 2), s2, gradScale, s, uniform);
          storeLabelGrad(g0 + 24, i32x4.extract_lane(lab, 3), f32x4.extract_lane(el, 3), s3, gradScale, s, uniform);
        }
      }
    }
    for (; r + 4 <= rows; r += 4) {
      const x0 = logits + <usize>r * rowBytes;
      let mv = gather4(x0, rowBytes, 0);
      for (let j = 1; j < cols; j++) mv = f32x4.pmax(mv, gather4(x0, rowBytes, j));
      let sv = f32x4.splat(0);
      let sxLo = f64x2.splat(0), sxHi = f64x2.splat(0);
      for (let j = 0; j < cols; j++) {
        const xj = gather4(x0, rowBytes, j);
        sv = f32x4.add(sv, exp4(f32x4.sub(xj, mv)));
        sxLo = f64x2.add(sxLo, widenLow(xj));
        sxHi = f64x2.add(sxHi, widenHigh(xj));
      }
      const lab = v128.load(labels + (<usize>r << 2));
      const l0 = i32x4.extract_lane(lab, 0), l1 = i32x4.extract_lane(lab, 1);
      const l2 = i32x4.extract_lane(lab, 2), l3 = i32x4.extract_lane(lab, 3);
      let xl = f32x4.splat(load<f32>(x0 + (<usize>l0 << 2)));
      xl = f32x4.replace_lane(xl, 1, load<f32>(x0 + rowBytes + (<usize>l1 << 2)));
      xl = f32x4.replace_lane(xl, 2, load<f32>(x0 + 2 * rowBytes + (<usize>l2 << 2)));
      xl = f32x4.replace_lane(xl, 3, load<f32>(x0 + 3 * rowBytes + (<usize>l3 << 2)));
      total += groupLabelTerms(mv, xl, oneMinusS, s, smoothing, sxLo, sxHi, cols);
      const s0 = f32x4.extract_lane(sv, 0), s1 = f32x4.extract_lane(sv, 1);
      const s2 = f32x4.extract_lane(sv, 2), s3 = f32x4.extract_lane(sv, 3);
      product *= (<f64>s0 * <f64>s1) * (<f64>s2 * <f64>s3);
      if (product > 1e288) {
        total += Math.log(product);
        product = 1;
      }
      if (grad != 0) {
        const g0 = grad + <usize>r * rowBytes;
        const a = f32x4.div(vscale, sv);
        for (let j = 0; j < cols; j++) scatter4(g0, rowBytes, j, madd(exp4(f32x4.sub(gather4(x0, rowBytes, j), mv)), a, vb));
        const el = exp4(f32x4.sub(xl, mv));
        storeLabelGrad(g0, l0, f32x4.extract_lane(el, 0), s0, gradScale, s, uniform);
        storeLabelGrad(g0 + rowBytes, l1, f32x4.extract_lane(el, 1), s1, gradScale, s, uniform);
        storeLabelGrad(g0 + 2 * rowBytes, l2, f32x4.extract_lane(el, 2), s2, gradScale, s, uniform);
        storeLabelGrad(g0 + 3 * rowBytes, l3, f32x4.extract_lane(el, 3), s3, gradScale, s, uniform);
      }
    }
  }
  for (; r < rows; r++) {
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
    total += (1 - s) * (<f64>m - xLabel);
    if (smoothing != 0) total += s * (<f64>m - sum(cols, xr) / <f64>cols);
    product *= sumExp;
    if (product > 1e288) {
      total += Math.log(product);
      product = 1;
    }
    if (grad != 0) {
      const eLabel = load<f32>(gr + (<usize>label << 2));
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
      storeLabelGrad(gr, label, eLabel, <f32>sumExp, gradScale, s, uniform);
    }
  }
  return total + Math.log(product);
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
