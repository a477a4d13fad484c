import type { VectorKernels } from "../contract/vector.js";
import type { MemoryViews } from "../memory.js";

/** f32 rounding: each product is rounded once, as the WASM f32 multiply is. */
const r = Math.fround;

/**
 * Plain-JS reference kernels for the vector family (see the contract for semantics). Every
 * operation is rounded to f32 in the order the WASM kernels perform it (no fused multiply-add
 * there), so all backends agree bit for bit; bias gradients over channels sum in f64.
 */
export function vectorKernels(v: MemoryViews): VectorKernels {
  return {
    fill(n, value, x) {
      v.f32().fill(value, x >> 2, (x >> 2) + n);
    },

    copy(n, x, y) {
      const f = v.f32();
      f.copyWithin(y >> 2, x >> 2, (x >> 2) + n);
    },

    scale(n, alpha, x) {
      const f = v.f32();
      const a = r(alpha);
      for (let i = x >> 2, end = i + n; i < end; i++) f[i] = a * f[i]!;
    },

    axpy(n, alpha, x, y) {
      const f = v.f32();
      const a = r(alpha);
      const xi = x >> 2, yi = y >> 2;
      for (let i = 0; i < n; i++) f[yi + i] = f[yi + i]! + r(a * f[xi + i]!);
    },

    mul(n, x, y, z) {
      const f = v.f32();
      const xi = x >> 2, yi = y >> 2, zi = z >> 2;
      for (let i = 0; i < n; i++) f[zi + i] = f[xi + i]! * f[yi + i]!;
    },

    biasAddRows(rows, cols, bias, y, ldy) {
      const f = v.f32();
      const bi = bias >> 2;
      for (let row = 0; row < rows; row++) {
        const yi = (y >> 2) + row * ldy;
        for (let j = 0; j < cols; j++) f[yi + j] = f[yi + j]! + f[bi + j]!;
      }
    },

    biasAddChannels(batch, channels, spatial, bias, y) {
      const f = v.f32();
      for (let b = 0; b < batch; b++) {
        for (let ch = 0; ch < channels; ch++) {
          const beta = f[(bias >> 2) + ch]!;
          const yi = (y >> 2) + (b * channels + ch) * spatial;
          for (let s = 0; s < spatial; s++) f[yi + s] = f[yi + s]! + beta;
        }
      }
    },

    biasGradRows(rows, cols, dy, lddy, db) {
      // Column sums in f32, rows in order, then one add into db: the order the SIMD kernel uses
      // (rows are a batch, at most a few thousand, so f32 partial sums lose little).
      const f = v.f32();
      const di = dy >> 2, bi = db >> 2;
      for (let j = 0; j < cols; j++) {
        let s = 0;
        for (let row = 0; row < rows; row++) s = r(s + f[di + row * lddy + j]!);
        f[bi + j] = f[bi + j]! + s;
      }
    },

    biasGradChannels(batch, channels, spatial, dy, db) {
      // f64 sums: one channel gathers batch·spatial terms (tens of thousands for a conv layer).
      const f = v.f32();
      for (let ch = 0; ch < channels; ch++) {
        let s = 0;
        for (let b = 0; b < batch; b++) {
          const yi = (dy >> 2) + (b * channels + ch) * spatial;
          for (let k = 0; k < spatial; k++) s += f[yi + k]!;
        }
        f[(db >> 2) + ch] = f[(db >> 2) + ch]! + s;
      }
    },
  };
}
