import type { ReduceKernels } from "../contract/reduce.js";
import type { MemoryViews } from "../memory.js";

/** First index of the largest of x[start], x[start+1], … x[start+n−1] (NaN counts as largest); −1 for n = 0. */
function argmaxAt(f: Float32Array, start: number, n: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = f[start + i]!;
    if (Number.isNaN(x)) return i;
    if (best < 0 || x > bestValue) {
      best = i;
      bestValue = x;
    }
  }
  return best;
}

/** Plain-JS reference kernels for the reduce family (see the contract for semantics). Sums are f64. */
export function reduceKernels(v: MemoryViews): ReduceKernels {
  return {
    sum(n, x) {
      const f = v.f32();
      let s = 0;
      for (let i = x >> 2, end = i + n; i < end; i++) s += f[i]!;
      return s;
    },

    sumSquares(n, x) {
      const f = v.f32();
      let s = 0;
      for (let i = x >> 2, end = i + n; i < end; i++) s += f[i]! * f[i]!;
      return s;
    },

    sumAbs(n, x) {
      const f = v.f32();
      let s = 0;
      for (let i = x >> 2, end = i + n; i < end; i++) s += Math.abs(f[i]!);
      return s;
    },

    argmax(n, x) {
      return argmaxAt(v.f32(), x >> 2, n);
    },

    argmaxRows(rows, cols, x, ld, out) {
      const f = v.f32();
      const o = v.i32();
      for (let row = 0; row < rows; row++) o[(out >> 2) + row] = argmaxAt(f, (x >> 2) + row * ld, cols);
    },

    countEqual(n, a, b) {
      const o = v.i32();
      let count = 0;
      for (let i = 0; i < n; i++) if (o[(a >> 2) + i] === o[(b >> 2) + i]) count++;
      return count;
    },

    countNonFinite(n, x) {
      const f = v.f32();
      let count = 0;
      for (let i = x >> 2, end = i + n; i < end; i++) if (!Number.isFinite(f[i]!)) count++;
      return count;
    },
  };
}
