import type { GemmKernels } from "../contract/gemm.js";
import type { MemoryViews } from "../memory.js";

/**
 * Plain-JS reference kernels for the gemm family (see the contract for semantics).
 *
 * One dot product per element of C, written with element strides so that the four transpose
 * combinations are the same loop. The sum runs in JS numbers (float64) and is rounded to f32 once
 * on store, so this reference is at least as accurate as any f32 kernel it checks; it needs no
 * scratch (gemmWorkBytes = 0).
 */
export function gemmKernels(v: MemoryViews): Partial<GemmKernels> {
  return {
    gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, _work) {
      const f = v.f32();
      // op(A)[i, p] = f[a0 + i·aRow + p·aCol]; op(B)[p, j] = f[b0 + p·bRow + j·bCol].
      const aRow = transA ? 1 : lda;
      const aCol = transA ? lda : 1;
      const bRow = transB ? 1 : ldb;
      const bCol = transB ? ldb : 1;
      const a0 = a >> 2;
      const b0 = b >> 2;
      const c0 = c >> 2;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = 0; p < k; p++) sum += f[a0 + i * aRow + p * aCol]! * f[b0 + p * bRow + j * bCol]!;
          const at = c0 + i * ldc + j;
          // beta = 0 must not read C: 0 · NaN would be NaN.
          f[at] = beta === 0 ? alpha * sum : alpha * sum + beta * f[at]!;
        }
      }
    },

    gemmWorkBytes(_m, _n, _k) {
      return 0;
    },
  };
}
