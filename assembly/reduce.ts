// Kernels of the reduce family (contract: src/backend/contract/reduce.ts).
// Sums widen every f32 lane to f64 (exact) and keep four f64 partial sums (two f64x2), so a
// million-element loss loses nothing to f32 rounding; the result differs from the sequential
// f64 sum of the JS reference only by f64 reassociation (relative ~1e-16 · n).
import { hmax, widenHigh, widenLow } from "./math";

export function sum(n: i32, x: usize): f64 {
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    lo = f64x2.add(lo, widenLow(v));
    hi = f64x2.add(hi, widenHigh(v));
  }
  const s = f64x2.add(lo, hi);
  let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) t += <f64>load<f32>(x + (<usize>i << 2));
  return t;
}

export function sumSquares(n: i32, x: usize): f64 {
  // Squares of f32 values are exact in f64 (48 significant bits).
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const a = widenLow(v), b = widenHigh(v);
    lo = f64x2.add(lo, f64x2.mul(a, a));
    hi = f64x2.add(hi, f64x2.mul(b, b));
  }
  const s = f64x2.add(lo, hi);
  let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) {
    const a = <f64>load<f32>(x + (<usize>i << 2));
    t += a * a;
  }
  return t;
}

export function sumAbs(n: i32, x: usize): f64 {
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = f32x4.abs(v128.load(x + (<usize>i << 2)));
    lo = f64x2.add(lo, widenLow(v));
    hi = f64x2.add(hi, widenHigh(v));
  }
  const s = f64x2.add(lo, hi);
  let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) t += <f64>abs(load<f32>(x + (<usize>i << 2)));
  return t;
}

/**
 * First index of the largest of n floats at x (NaN counts as largest), −1 for n = 0. Two
 * passes: the maximum by f32x4.max (which propagates NaN), then the first index holding it; the
 * row is usually still in L1 for the second pass.
 */
function argmaxAt(n: i32, x: usize): i32 {
  if (n <= 0) return -1;
  let m: f32 = load<f32>(x);
  let i = 0;
  if (n >= 4) {
    let mv = v128.load(x);
    for (i = 4; i + 4 <= n; i += 4) mv = f32x4.max(mv, v128.load(x + (<usize>i << 2)));
    m = hmax(mv);
  }
  for (; i < n; i++) m = max(m, load<f32>(x + (<usize>i << 2)));
  if (m != m) {
    for (i = 0; i < n; i++) {
      const t = load<f32>(x + (<usize>i << 2));
      if (t != t) return i;
    }
  }
  const vm = f32x4.splat(m);
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const mask = i32x4.bitmask(f32x4.eq(v128.load(x + (<usize>i << 2)), vm));
    if (mask != 0) return i + ctz(mask);
  }
  for (; i < n; i++) if (load<f32>(x + (<usize>i << 2)) == m) return i;
  return 0; // unreachable: m is one of the values
}

export function argmax(n: i32, x: usize): i32 {
  return argmaxAt(n, x);
}

export function argmaxRows(rows: i32, cols: i32, x: usize, ld: i32, out: usize): void {
  const rowBytes = <usize>ld << 2;
  for (let r = 0; r < rows; r++) store<i32>(out + (<usize>r << 2), argmaxAt(cols, x + <usize>r * rowBytes));
}

export function countEqual(n: i32, a: usize, b: usize): i32 {
  // Equal lanes are −1: subtracting the mask counts them.
  let c = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    c = i32x4.sub(c, i32x4.eq(v128.load(a + o), v128.load(b + o)));
  }
  let count = i32x4.extract_lane(c, 0) + i32x4.extract_lane(c, 1) + i32x4.extract_lane(c, 2) + i32x4.extract_lane(c, 3);
  for (; i < n; i++) if (load<i32>(a + (<usize>i << 2)) == load<i32>(b + (<usize>i << 2))) count++;
  return count;
}

export function countNonFinite(n: i32, x: usize): i32 {
  // NaN and ±Inf are exactly the values whose exponent bits are all ones.
  const expMask = i32x4.splat(0x7f800000);
  let c = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    c = i32x4.sub(c, i32x4.eq(v128.and(v128.load(x + (<usize>i << 2)), expMask), expMask));
  }
  let count = i32x4.extract_lane(c, 0) + i32x4.extract_lane(c, 1) + i32x4.extract_lane(c, 2) + i32x4.extract_lane(c, 3);
  for (; i < n; i++) if ((load<u32>(x + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) count++;
  return count;
}
