// Kernels of the vector family (contract: src/backend/contract/vector.ts).
// Memory-bound streams: plain f32x4 loops, two vectors per step where a loop carries no
// dependency, and no fused multiply-add (it buys nothing here), so every build rounds exactly
// as the JS reference does and they agree bit for bit.
import { loadPartial, widenHigh, widenLow } from "./math";

export function fill(n: i32, value: f32, x: usize): void {
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(x + o, v);
    v128.store(x + o, v, 16);
  }
  for (; i < n; i++) store<f32>(x + (<usize>i << 2), value);
}

export function copy(n: i32, x: usize, y: usize): void {
  memory.copy(y, x, <usize>n << 2);
}

export function scale(n: i32, alpha: f32, x: usize): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(a, v128.load(x + o)));
    v128.store(x + o, f32x4.mul(a, v128.load(x + o, 16)), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, alpha * load<f32>(x + o));
  }
}

export function axpy(n: i32, alpha: f32, x: usize, y: usize): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(a, v128.load(x + o))));
    v128.store(y + o, f32x4.add(v128.load(y + o, 16), f32x4.mul(a, v128.load(x + o, 16))), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

export function mul(n: i32, x: usize, y: usize, z: usize): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    // Both loads of a pair precede its store, so z may alias x or y exactly.
    v128.store(z + o, f32x4.mul(v128.load(x + o), v128.load(y + o)));
    v128.store(z + o, f32x4.mul(v128.load(x + o, 16), v128.load(y + o, 16)), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(z + o, load<f32>(x + o) * load<f32>(y + o));
  }
}

/** y[i] += b for n floats (one splatted bias value). */
// @ts-ignore: decorator
@inline function addScalar(n: i32, b: f32, y: usize): void {
  const v = f32x4.splat(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), v));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + b);
  }
}

export function biasAddRows(rows: i32, cols: i32, bias: usize, y: usize, ldy: i32): void {
  // Rows narrower than a vector, stored back to back (a 2- or 3-unit layer over a batch): the
  // matrix is one flat stream whose bias repeats every lcm(cols, 4) floats, so it runs four
  // elements per add instead of a scalar tail per row. Each element still gets one f32 add.
  if (cols < 4 && ldy == cols && rows > 0) {
    biasAddNarrow(rows * cols, cols, bias, y);
    return;
  }
  const rowBytes = <usize>ldy << 2;
  for (let r = 0; r < rows; r++) {
    const yr = y + <usize>r * rowBytes;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(yr + o, f32x4.add(v128.load(yr + o), v128.load(bias + o)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, load<f32>(yr + o) + load<f32>(bias + o));
    }
  }
}

/** y[e] += bias[e mod cols] over n contiguous floats, cols = 1, 2 or 3. */
function biasAddNarrow(n: i32, cols: i32, bias: usize, y: usize): void {
  const b0 = load<f32>(bias);
  const b1 = cols > 1 ? load<f32>(bias, 4) : b0;
  const b2 = cols > 2 ? load<f32>(bias, 8) : b0;
  // The pattern of bias values for floats 0–11 of every 12 (12 = lcm(3, 4); 2 and 1 divide 4).
  let p0: v128, p1: v128, p2: v128;
  if (cols == 3) {
    p0 = f32x4(b0, b1, b2, b0); p1 = f32x4(b1, b2, b0, b1); p2 = f32x4(b2, b0, b1, b2);
  } else if (cols == 2) {
    p0 = f32x4(b0, b1, b0, b1); p1 = p0; p2 = p0;
  } else {
    p0 = f32x4.splat(b0); p1 = p0; p2 = p0;
  }
  let i = 0;
  for (; i + 12 <= n; i += 12) {
    const o = y + (<usize>i << 2);
    v128.store(o, f32x4.add(v128.load(o), p0));
    v128.store(o, f32x4.add(v128.load(o, 16), p1), 16);
    v128.store(o, f32x4.add(v128.load(o, 32), p2), 32);
  }
  for (; i < n; i++) {
    const o = y + (<usize>i << 2);
    store<f32>(o, load<f32>(o) + load<f32>(bias + (<usize>(i % cols) << 2)));
  }
}

export function biasAddChannels(batch: i32, channels: i32, spatial: i32, bias: usize, y: usize): void {
  const planeBytes = <usize>spatial << 2;
  let plane = y;
  for (let b = 0; b < batch; b++) {
    for (let ch = 0; ch < channels; ch++) {
      addScalar(spatial, load<f32>(bias + (<usize>ch << 2)), plane);
      plane += planeBytes;
    }
  }
}

export function biasGradRows(rows: i32, cols: i32, dy: usize, lddy: i32, db: usize): void {
  // Four columns at a time down all rows, in f32 and in row order (the JS reference's order).
  const rowBytes = <usize>lddy << 2;
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const o = <usize>j << 2;
    let s = f32x4.splat(0);
    let p = dy + o;
    for (let r = 0; r < rows; r++) {
      s = f32x4.add(s, v128.load(p));
      p += rowBytes;
    }
    v128.store(db + o, f32x4.add(v128.load(db + o), s));
  }
  if (j < cols) {
    // The last 1–3 columns in the low lanes of one vector chain (one add per row for all of
    // them, not a scalar chain each): each column still sums its rows in order.
    const rem = cols - j;
    const o = <usize>j << 2;
    let s = f32x4.splat(0);
    let p = dy + o;
    for (let r = 0; r < rows; r++) {
      s = f32x4.add(s, loadPartial(p, rem));
      p += rowBytes;
    }
    store<f32>(db + o, load<f32>(db + o) + f32x4.extract_lane(s, 0));
    if (rem > 1) store<f32>(db + o, load<f32>(db + o, 4) + f32x4.extract_lane(s, 1), 4);
    if (rem > 2) store<f32>(db + o, load<f32>(db + o, 8) + f32x4.extract_lane(s, 2), 8);
  }
}

export function biasGradChannels(batch: i32, channels: i32, spatial: i32, dy: usize, db: usize): void {
  // One channel gathers batch·spatial terms, so the sums are f64 (two f64x2 per f32x4 load).
  const planeBytes = <usize>spatial << 2;
  const batchBytes = <usize>channels * planeBytes;
  for (let ch = 0; ch < channels; ch++) {
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    let tail: f64 = 0;
    for (let b = 0; b < batch; b++) {
      const p = dy + <usize>b * batchBytes + <usize>ch * planeBytes;
      let k = 0;
      for (; k + 4 <= spatial; k += 4) {
        const v = v128.load(p + (<usize>k << 2));
        lo = f64x2.add(lo, widenLow(v));
        hi = f64x2.add(hi, widenHigh(v));
      }
      for (; k < spatial; k++) tail += <f64>load<f32>(p + (<usize>k << 2));
    }
    const s = f64x2.add(lo, hi);
    const total = (f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1)) + tail;
    store<f32>(db + (<usize>ch << 2), <f32>(<f64>load<f32>(db + (<usize>ch << 2)) + total));
  }
}
