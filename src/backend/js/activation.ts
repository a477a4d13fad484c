import type { ActivationKernels } from "../contract/activation.js";
import type { MemoryViews } from "../memory.js";

/** f32 rounding: each result is rounded once, as a WASM f32 operation is. */
const r = Math.fround;

/**
 * Plain-JS reference kernels for the activation family (see the contract for semantics).
 * exp-based forwards are computed in f64 with Math.exp / Math.tanh and rounded once, so they
 * are (nearly) correctly rounded: the yardstick for the vectorised exp of the WASM builds.
 * The other kernels round every f32 operation in the order the WASM kernels do, so they agree
 * bit for bit.
 */
export function activationKernels(v: MemoryViews): ActivationKernels {
  return {
    reluForward(n, x, y) {
      const f = v.f32();
      const xi = x >> 2, yi = y >> 2;
      // Math.max keeps NaN (as PyTorch's relu does) and maps −0 to +0, like wasm's f32.max.
      for (let i = 0; i < n; i++) f[yi + i] = Math.max(f[xi + i]!, 0);
    },

    reluBackward(n, y, dy, dx) {
      const f = v.f32();
      const yi = y >> 2, gi = dy >> 2, di = dx >> 2;
      for (let i = 0; i < n; i++) f[di + i] = f[yi + i]! > 0 ? f[gi + i]! : 0;
    },

    leakyReluForward(n, slope, x, y) {
      const f = v.f32();
      const a = r(slope);
      const xi = x >> 2, yi = y >> 2;
      for (let i = 0; i < n; i++) {
        const t = f[xi + i]!;
        f[yi + i] = t > 0 ? t : a * t;
      }
    },

    leakyReluBackward(n, slope, x, dy, dx) {
      const f = v.f32();
      const a = r(slope);
      const xi = x >> 2, gi = dy >> 2, di = dx >> 2;
      for (let i = 0; i < n; i++) {
        const g = f[gi + i]!;
        f[di + i] = f[xi + i]! > 0 ? g : a * g;
      }
    },

    sigmoidForward(n, x, y) {
      const f = v.f32();
      const xi = x >> 2, yi = y >> 2;
      for (let i = 0; i < n; i++) f[yi + i] = 1 / (1 + Math.exp(-f[xi + i]!));
    },

    sigmoidBackward(n, y, dy, dx) {
      const f = v.f32();
      const yi = y >> 2, gi = dy >> 2, di = dx >> 2;
      for (let i = 0; i < n; i++) {
        const s = f[yi + i]!;
        f[di + i] = r(f[gi + i]! * s) * r(1 - s);
      }
    },

    tanhForward(n, x, y) {
      const f = v.f32();
      const xi = x >> 2, yi = y >> 2;
      for (let i = 0; i < n; i++) f[yi + i] = Math.tanh(f[xi + i]!);
    },

    tanhBackward(n, y, dy, dx) {
      const f = v.f32();
      const yi = y >> 2, gi = dy >> 2, di = dx >> 2;
      for (let i = 0; i < n; i++) {
        const t = f[yi + i]!;
        f[di + i] = f[gi + i]! * r(1 - r(t * t));
      }
    },

    softmaxForward(rows, cols, x, y) {
      const f = v.f32();
      for (let row = 0; row < rows; row++) {
        const xi = (x >> 2) + row * cols, yi = (y >> 2) + row * cols;
        let m = -Infinity;
        for (let j = 0; j < cols; j++) m = Math.max(m, f[xi + j]!);
        let s = 0;
        for (let j = 0; j < cols; j++) s += Math.exp(f[xi + j]! - m);
        for (let j = 0; j < cols; j++) f[yi + j] = Math.exp(f[xi + j]! - m) / s;
      }
    },

    softmaxBackward(rows, cols, y, dy, dx) {
      const f = v.f32();
      for (let row = 0; row < rows; row++) {
        const yi = (y >> 2) + row * cols, gi = (dy >> 2) + row * cols, di = (dx >> 2) + row * cols;
        let dot = 0;
        for (let j = 0; j < cols; j++) dot += f[gi + j]! * f[yi + j]!;
        for (let j = 0; j < cols; j++) f[di + j] = f[yi + j]! * (f[gi + j]! - dot);
      }
    },

    logSoftmaxForward(rows, cols, x, y) {
      const f = v.f32();
      for (let row = 0; row < rows; row++) {
        const xi = (x >> 2) + row * cols, yi = (y >> 2) + row * cols;
        let m = -Infinity;
        for (let j = 0; j < cols; j++) m = Math.max(m, f[xi + j]!);
        let s = 0;
        for (let j = 0; j < cols; j++) s += Math.exp(f[xi + j]! - m);
        // (x − m) − log s, not x − (m + log s): for m ≈ 3e38 the f64 sum m + log s drops log s.
        const lse = Math.log(s);
        for (let j = 0; j < cols; j++) f[yi + j] = f[xi + j]! - m - lse;
      }
    },

    logSoftmaxBackward(rows, cols, y, dy, dx) {
      const f = v.f32();
      for (let row = 0; row < rows; row++) {
        const yi = (y >> 2) + row * cols, gi = (dy >> 2) + row * cols, di = (dx >> 2) + row * cols;
        let s = 0;
        for (let j = 0; j < cols; j++) s += f[gi + j]!;
        for (let j = 0; j < cols; j++) f[di + j] = f[gi + j]! - Math.exp(f[yi + j]!) * s;
      }
    },

    expForward(n, x, y) {
      const f = v.f32();
      const xi = x >> 2, yi = y >> 2;
      for (let i = 0; i < n; i++) f[yi + i] = Math.exp(f[xi + i]!);
    },
  };
}
