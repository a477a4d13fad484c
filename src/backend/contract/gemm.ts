/** General matrix multiply. */
export interface GemmKernels {
  /**
   * C = alpha·op(A)·op(B) + beta·C, with op(X) = X or Xᵀ.
   * op(A) is m×k, op(B) is k×n, C is m×n; all row-major.
   * A is stored m×k (lda ≥ k) when transA = 0, k×m (lda ≥ m) when transA = 1; likewise B is
   * k×n (ldb ≥ n) or n×k (ldb ≥ k); ldc ≥ n. beta = 0 ignores C's old contents (NaN included).
   * `work` must point to at least gemmWorkBytes(m, n, k) bytes of scratch (may be 0 when that is 0).
   * Any of m, n, k may be 0 (k = 0 gives C = beta·C).
   * Threads split the work by calling gemm on disjoint row ranges of C (A's pointer and C's moved,
   * m shortened) or column ranges (B's and C's moved, n shortened), each with its own `work`; the
   * WASM kernel gives bit-identical results however C is split, and keeps no state between calls.
   */
  gemm(
    transA: number, transB: number, m: number, n: number, k: number,
    alpha: number, a: number, lda: number, b: number, ldb: number,
    beta: number, c: number, ldc: number, work: number,
  ): void;
  /** Bytes of scratch gemm needs for these sizes (packing buffers); 0 if none. */
  gemmWorkBytes(m: number, n: number, k: number): number;
}
