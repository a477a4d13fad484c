/** Reductions. Sums are accumulated in f64 where the kernel returns a number, so that a loss or
 *  norm over a million elements does not lose the small terms. */
export interface ReduceKernels {
  /** Σ x[i]. */
  sum(n: number, x: number): number;
  /** Σ x[i]². */
  sumSquares(n: number, x: number): number;
  /** Σ |x[i]|. */
  sumAbs(n: number, x: number): number;
  /** Index of the largest x[i] (first one on ties; NaN counts as largest). Returns -1 when n = 0. */
  argmax(n: number, x: number): number;
  /** out[r] = argmax of row r (i32), rows×cols with leading dimension ld. */
  argmaxRows(rows: number, cols: number, x: number, ld: number, out: number): void;
  /** Number of i with a[i] == b[i] over two i32 arrays (accuracy from argmax and labels). */
  countEqual(n: number, a: number, b: number): number;
  /** Number of i where x[i] is NaN or ±Inf (the NaN/Inf guard of the training loop). */
  countNonFinite(n: number, x: number): number;
}
