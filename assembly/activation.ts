// Kernels of the activation family (contract: src/backend/contract/activation.ts).
// Elementwise kernels are one f32x4 loop plus a scalar tail; the tail goes through the same
// vector code on a single splatted lane (exp4 etc. have no scalar twin), so every element of a
// tensor gets the same rounding whatever its position. relu/leaky/backward kernels use no FMA
// and agree with the JS reference bit for bit; exp-based forwards use the vectorised exp of
// math.ts (error bound stated there and tested).
import { exp4, hsum, rowExpSum, rowExpSumOnly, rowMax, sigmoid4, tanh4 } from "./math";

export function reluForward(n: i32, x: usize, y: usize): void {
  // pmax(x, 0) = x < 0 ? 0 : x is one maxps on x64 (wasm's max needs a NaN/−0 fix-up sequence)
  // and keeps NaN; adding +0 turns its −0 into +0, so the result equals max(x, 0) bit for bit.
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(f32x4.pmax(v128.load(x + o), zero), zero));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, max(load<f32>(x + o), <f32>0));
  }
}

export function reluBackward(n: i32, y: usize, dy: usize, dx: usize): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, load<f32>(y + o) > 0 ? load<f32>(dy + o) : <f32>0);
  }
}

export function leakyReluForward(n: i32, slope: f32, x: usize, y: usize): void {
  const zero = f32x4.splat(0), a = f32x4.splat(slope);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const t = v128.load(x + o);
    v128.store(y + o, v128.bitselect(t, f32x4.mul(a, t), f32x4.gt(t, zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const t = load<f32>(x + o);
    store<f32>(y + o, t > 0 ? t : slope * t);
  }
}

export function leakyReluBackward(n: i32, slope: f32, x: usize, dy: usize, dx: usize): void {
  const zero = f32x4.splat(0), a = f32x4.splat(slope);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(dy + o);
    v128.store(dx + o, v128.bitselect(g, f32x4.mul(a, g), f32x4.gt(v128.load(x + o), zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(dy + o);
    store<f32>(dx + o, load<f32>(x + o) > 0 ? g : slope * g);
  }
}

export function sigmoidForward(n: i32, x: usize, y: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, sigmoid4(v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(sigmoid4(f32x4.splat(load<f32>(x + o))), 0));
  }
}

export function sigmoidBackward(n: i32, y: usize, dy: usize, dx: usize): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const s = v128.load(y + o);
    v128.store(dx + o, f32x4.mul(f32x4.mul(v128.load(dy + o), s), f32x4.sub(one, s)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const s = load<f32>(y + o);
    store<f32>(dx + o, (load<f32>(dy + o) * s) * (<f32>1 - s));
  }
}

export function tanhForward(n: i32, x: usize, y: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, tanh4(v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(tanh4(f32x4.splat(load<f32>(x + o))), 0));
  }
}

export function tanhBackward(n: i32, y: usize, dy: usize, dx: usize): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const t = v128.load(y + o);
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), f32x4.sub(one, f32x4.mul(t, t))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const t = load<f32>(y + o);
    store<f32>(dx + o, load<f32>(dy + o) * (<f32>1 - t * t));
  }
}

export function expForward(n: i32, x: usize, y: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, exp4(v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(exp4(f32x4.splat(load<f32>(x + o))), 0));
  }
}

/** x[i] *= a for n floats. */
function rowScale(x: usize, n: i32, a: f32): void {
  const va = f32x4.splat(a);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(v128.load(x + o), va));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * a);
  }
}

export function softmaxForward(rows: i32, cols: i32, x: usize, y: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes, yr = y + <usize>r * rowBytes;
    const m = rowMax(xr, cols);
    const s = rowExpSum(xr, yr, cols, m);
    rowScale(yr, cols, <f32>(1.0 / s));
  }
}

export function softmaxBackward(rows: i32, cols: i32, y: usize, dy: usize, dx: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const yr = y + <usize>r * rowBytes, gr = dy + <usize>r * rowBytes, dr = dx + <usize>r * rowBytes;
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      acc = f32x4.add(acc, f32x4.mul(v128.load(gr + o), v128.load(yr + o)));
    }
    let dot = hsum(acc);
    for (; j < cols; j++) dot += load<f32>(gr + (<usize>j << 2)) * load<f32>(yr + (<usize>j << 2));
    const vdot = f32x4.splat(dot);
    j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(dr + o, f32x4.mul(v128.load(yr + o), f32x4.sub(v128.load(gr + o), vdot)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(dr + o, load<f32>(yr + o) * (load<f32>(gr + o) - dot));
    }
  }
}

export function logSoftmaxForward(rows: i32, cols: i32, x: usize, y: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes, yr = y + <usize>r * rowBytes;
    const m = rowMax(xr, cols);
    // y = (x − m) − log Σ, not x − (m + log Σ): with logits of 1e4 a rounded f32 shift m + log Σ
    // would be off by up to half an ulp of 1e4 (5e-4), while x − m is exact for every x within a
    // factor of two of m and log Σ ≤ log(cols) rounds with a tiny absolute error.
    const lse = f32x4.splat(<f32>Math.log(rowExpSumOnly(xr, cols, m)));
    const vm = f32x4.splat(m);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(yr + o, f32x4.sub(f32x4.sub(v128.load(xr + o), vm), lse));
    }
    const l = f32x4.extract_lane(lse, 0);
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, (load<f32>(xr + o) - m) - l);
    }
  }
}

export function logSoftmaxBackward(rows: i32, cols: i32, y: usize, dy: usize, dx: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const yr = y + <usize>r * rowBytes, gr = dy + <usize>r * rowBytes, dr = dx + <usize>r * rowBytes;
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) acc = f32x4.add(acc, v128.load(gr + (<usize>j << 2)));
    let s = hsum(acc);
    for (; j < cols; j++) s += load<f32>(gr + (<usize>j << 2));
    const vs = f32x4.splat(s);
    j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(dr + o, f32x4.sub(v128.load(gr + o), f32x4.mul(exp4(v128.load(yr + o)), vs)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(yr + o))), 0);
      store<f32>(dr + o, load<f32>(gr + o) - e * s);
    }
  }
}
