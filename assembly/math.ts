// Vectorised elementary functions shared by the activation and loss kernels (f32x4 in, f32x4
// out), and the SIMD building blocks every family uses (madd, hsum, the 4×4 transpose): one
// definition each, so that no two kernels round a multiply-add or order a lane sum differently.
// Helpers only: assembly/index.ts does not re-export this file, so nothing here becomes a
// module export. All functions are pure (no state), as every kernel must be.

/** a·b + c: fused in the relaxed-SIMD build, two rounded operations otherwise. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/**
 * Sum of the four lanes as (l0 + l1) + (l2 + l3): the order every kernel uses (activation, conv),
 * so results that a test compares between kernels or paths are summed alike.
 */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * Stores the 4×4 transpose of rows x0..x3: lane r of every row, as one vector, at d + r·stride
 * bytes (stride 16: a dense 4×4 block; 24 or 32: the rows of a 6- or 8-wide packed panel).
 */
// @ts-ignore: decorator
@inline export function transpose4(x0: v128, x1: v128, x2: v128, x3: v128, d: usize, stride: usize): void {
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(d + stride, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(d + 2 * stride, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(d + 3 * stride, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/** Largest of the four lanes (NaN if any lane is NaN: wasm's f32.max propagates NaN). */
// @ts-ignore: decorator
@inline export function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/** Lanes 0 and 1 widened to f64x2 (exact). */
// @ts-ignore: decorator
@inline export function widenLow(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** Lanes 2 and 3 widened to f64x2 (exact). */
// @ts-ignore: decorator
@inline export function widenHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
}

// exp: Cody–Waite range reduction x = n·ln2 + r with ln2 = C1 + C2 (C1 has 9 significant bits,
// so n·C1 is exact for every n that occurs, |n| ≤ 150), |r| ≤ ln2/2, then Cephes' expf
// polynomial e^r ≈ 1 + r + r²·P(r) (P of degree 5). 2^n is applied as two exact power-of-two
// factors 2^(n>>1)·2^(n−(n>>1)), each built by integer arithmetic on the exponent bits: both
// stay normal for every n in [−150, 128], so results in the subnormal range are rounded once
// (gradual underflow) and results above FLT_MAX become +Inf through the final multiply.
// Inputs are clamped to [−104, 89] first (e^−104 < 2^−150 rounds to 0, e^89 > FLT_MAX); the
// clamp propagates NaN (wasm's f32x4.min/max do), so NaN in gives NaN out.
//
// Error bounds, measured against the exact value (f64) in ulps of the f32 result, over every
// input step of 2^-12 in [−88, 88] plus 2^16 random inputs of magnitude 2^-30..88, both builds
// (tests/kernels/activation.test.ts asserts the stated bounds):
//   exp      measured ≤ 1.26 ulp (max relative error 1.17e-7), stated bound 1.5 ulp
//   sigmoid  measured ≤ 2.41 ulp (exp, 1 + e, the divide and below 0 one multiply), bound 3 ulp
//   tanh     measured ≤ 1.50 ulp, bound 2 ulp
// Results in the subnormal range (exp below −87.3) count ulps of the subnormal spacing 2^-149.
const LOG2E: f32 = 1.44269504088896341;
const MAGIC: f32 = 12582912.0; // 1.5·2^23
const C1: f32 = 0.693359375;
const C2: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;

/** e^x per lane; see the comment above for range handling and the measured error bound. */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  // pmin/pmax (b < a ? b : a) are single minps/maxps on x64, where wasm's min/max need a NaN
  // and −0 fix-up sequence; a NaN x fails both comparisons and passes through unchanged.
  x = f32x4.pmax(f32x4.pmin(x, f32x4.splat(89.0)), f32x4.splat(-104.0));
  // Round x·log2e to the nearest integer by adding 1.5·2^23: the sum's low mantissa bits are
  // then n itself, so n comes out by an integer subtraction (no float→int conversion, which
  // wasm saturates at a cost of several instructions). Exact for |n| < 2^22; here |n| ≤ 150.
  const kf = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(MAGIC));
  const fn = f32x4.sub(kf, f32x4.splat(MAGIC));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(fn, f32x4.splat(C1))), f32x4.mul(fn, f32x4.splat(C2)));
  let p = madd(f32x4.splat(P0), r, f32x4.splat(P1));
  p = madd(p, r, f32x4.splat(P2));
  p = madd(p, r, f32x4.splat(P3));
  p = madd(p, r, f32x4.splat(P4));
  p = madd(p, r, f32x4.splat(P5));
  p = madd(p, f32x4.mul(r, r), f32x4.add(r, f32x4.splat(1.0)));
  // For NaN x the bits of kf are garbage and so is n, but p is NaN and so is the product.
  const n = i32x4.sub(kf, f32x4.splat(MAGIC));
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

// log for the loss kernels: Cephes' logf (x = m·2^e with m in [√½, √2), log(m) by a degree-9
// polynomial in m − 1, ln2 split as C1 + C2). Valid for positive normal inputs, which is all
// log1p01 below feeds it.
const SQRTHF: f32 = 0.707106781186547524;

// @ts-ignore: decorator
@inline function logPositive4(x: v128): v128 {
  const bits = x;
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126)));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000)); // in [0.5, 1)
  const lowM = f32x4.lt(m, f32x4.splat(SQRTHF));
  e = f32x4.sub(e, v128.and(lowM, f32x4.splat(1.0)));
  m = f32x4.sub(f32x4.add(m, v128.and(lowM, m)), f32x4.splat(1.0));
  const z = f32x4.mul(m, m);
  let y = madd(f32x4.splat(7.0376836292e-2), m, f32x4.splat(-1.1514610310e-1));
  y = madd(y, m, f32x4.splat(1.1676998740e-1));
  y = madd(y, m, f32x4.splat(-1.2420140846e-1));
  y = madd(y, m, f32x4.splat(1.4249322787e-1));
  y = madd(y, m, f32x4.splat(-1.6668057665e-1));
  y = madd(y, m, f32x4.splat(2.0000714765e-1));
  y = madd(y, m, f32x4.splat(-2.4999993993e-1));
  y = madd(y, m, f32x4.splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, m), z);
  y = madd(e, f32x4.splat(C2), y);
  y = madd(z, f32x4.splat(-0.5), y);
  return madd(e, f32x4.splat(C1), f32x4.add(m, y));
}

/**
 * log(1 + e) per lane for e in [0, 1] (the softplus tail of BCE with logits). 1 + e is rounded,
 * so the rounding error c = e − ((1 + e) − 1) is added back as c/(1 + e): measured within 1.76
 * ulp of log(1 + e^x) for every x step of 1/64 in [−100, 0] (tests/kernels/loss.test.ts asserts
 * 2.5), also where e is far below the f32 epsilon (there log(1 + e) ≈ e).
 */
// @ts-ignore: decorator
@inline export function log1p01(e: v128): v128 {
  const u = f32x4.add(e, f32x4.splat(1.0));
  const c = f32x4.sub(e, f32x4.sub(u, f32x4.splat(1.0)));
  return f32x4.add(logPositive4(u), f32x4.div(c, u));
}

/**
 * 1 / (1 + e^−x) per lane, from e = e^−|x| ≤ 1: 1/(1 + e) for x ≥ 0 and e·(1/(1 + e)) below, so
 * no exponent of a positive number is taken (no +Inf on the way) and small results keep the
 * relative accuracy of exp. 1 for x above 17, subnormal and then 0 below about −87.
 */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const inv = f32x4.div(one, f32x4.add(one, e));
  return v128.bitselect(inv, f32x4.mul(e, inv), f32x4.ge(x, f32x4.splat(0)));
}

// tanh: for |x| < 0.625 Cephes' odd polynomial x + x³·Q(x²), which has no cancellation (the
// exp form below would lose all relative accuracy as x → 0: 1 − e^−2|x| cancels). Above, with
// e = e^−2|x| ≤ 0.29, (1 − e)/(1 + e) has no cancellation and saturates to exactly 1 once e is
// below half an ulp of 1 (|x| ≳ 9); the sign is copied back from x. NaN takes the exp path and
// stays NaN.
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const signMask = f32x4.splat(-0.0);
  const a = v128.andnot(x, signMask);
  const z = f32x4.mul(a, a);
  let q = madd(f32x4.splat(-5.70498872745e-3), z, f32x4.splat(2.06390887954e-2));
  q = madd(q, z, f32x4.splat(-5.37397155531e-2));
  q = madd(q, z, f32x4.splat(1.33314422036e-1));
  q = madd(q, z, f32x4.splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(q, z), a, a);
  const one = f32x4.splat(1.0);
  const e = exp4(f32x4.mul(a, f32x4.splat(-2.0)));
  const large = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));
  const t = v128.bitselect(small, large, f32x4.lt(a, f32x4.splat(0.625)));
  return v128.or(t, v128.and(x, signMask));
}

/**
 * Largest of n floats at p (n ≥ 1), the shift of the softmax and loss kernels. The vector loop
 * uses pmax (one maxps on x64; wasm's max needs a NaN fix-up sequence), which may skip a NaN:
 * harmless, because exp(NaN − m) is NaN and makes the row sum, so the whole row, NaN anyway.
 */
export function rowMax(p: usize, n: i32): f32 {
  let i = 0;
  let m: f32 = -Infinity;
  if (n >= 4) {
    let mv = v128.load(p);
    for (i = 4; i + 4 <= n; i += 4) mv = f32x4.pmax(mv, v128.load(p + (<usize>i << 2)));
    m = hmax(mv);
  }
  for (; i < n; i++) m = max(m, load<f32>(p + (<usize>i << 2)));
  return m;
}

/**
 * Writes e = exp(x − m) for n floats from x to y (y may be x) and returns Σ e (f32 lanes, then
 * f64). The last 1–3 floats go through one partial vector, so a short row (a 2-class classifier)
 * costs one exp4, not one per element. Its padding lanes hold m (e^0 = 1) and are masked to 0
 * afterwards: padding with −Inf would be simpler, but exp4 reaches 0 from there through a
 * subnormal product, which costs a microcode assist of ~100 cycles on x86 (measured 5x slower
 * on softmax 32×10).
 */
export function rowExpSum(x: usize, y: usize, n: i32, m: f32): f64 {
  const vm = f32x4.splat(m);
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const e = exp4(f32x4.sub(v128.load(x + o), vm));
    acc = f32x4.add(acc, e);
    v128.store(y + o, e);
  }
  if (i < n) {
    const o = <usize>i << 2;
    const e = v128.and(exp4(f32x4.sub(loadPartialPad(x + o, n - i, vm), vm)), laneMask(n - i));
    acc = f32x4.add(acc, e);
    storePartial(y + o, e, n - i);
  }
  return <f64>hsum(acc);
}

/** Σ exp(x − m) over n floats (f32 lanes, then f64), writing nothing; tail as in rowExpSum. */
export function rowExpSumOnly(x: usize, n: i32, m: f32): f64 {
  const vm = f32x4.splat(m);
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, exp4(f32x4.sub(v128.load(x + (<usize>i << 2)), vm)));
  if (i < n) acc = f32x4.add(acc, v128.and(exp4(f32x4.sub(loadPartialPad(x + (<usize>i << 2), n - i, vm), vm)), laneMask(n - i)));
  return <f64>hsum(acc);
}

/**
 * The first `rem` floats at p (1 ≤ rem ≤ 3) in the low lanes, zeros above: lets a kernel finish
 * its last partial vector with the same vector code (no read past the end of a buffer).
 */
// @ts-ignore: decorator
@inline export function loadPartial(p: usize, rem: i32): v128 {
  return loadPartialPad(p, rem, f32x4.splat(0));
}

/** As loadPartial, with the lanes above `rem` taken from `pad`. */
// @ts-ignore: decorator
@inline export function loadPartialPad(p: usize, rem: i32, pad: v128): v128 {
  let v = f32x4.replace_lane(pad, 0, load<f32>(p));
  if (rem > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (rem > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores the low `rem` lanes of v at p (1 ≤ rem ≤ 3); nothing past them is written. */
// @ts-ignore: decorator
@inline export function storePartial(p: usize, v: v128, rem: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (rem > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (rem > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** All-ones in the low `rem` lanes (0 ≤ rem ≤ 4), zeros above: masks padding lanes out of a sum. */
// @ts-ignore: decorator
@inline export function laneMask(rem: i32): v128 {
  return i32x4.gt_s(i32x4.splat(rem), i32x4(0, 1, 2, 3));
}
