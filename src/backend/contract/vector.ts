/** Memory-bound vector and bias kernels. */
export interface VectorKernels {
  /** x[i] = value for i < n. */
  fill(n: number, value: number, x: number): void;
  /** y[i] = x[i]. x and y must not overlap unless equal. */
  copy(n: number, x: number, y: number): void;
  /** x[i] *= alpha. */
  scale(n: number, alpha: number, x: number): void;
  /** y[i] += alpha·x[i]. */
  axpy(n: number, alpha: number, x: number, y: number): void;
  /** z[i] = x[i]·y[i] (elementwise product; z may alias x or y). */
  mul(n: number, x: number, y: number, z: number): void;
  /** y[r·ldy + j] += bias[j] for r < rows, j < cols (Linear layer bias). */
  biasAddRows(rows: number, cols: number, bias: number, y: number, ldy: number): void;
  /** y[(b·channels + ch)·spatial + s] += bias[ch] (NCHW conv bias), for b < batch. */
  biasAddChannels(batch: number, channels: number, spatial: number, bias: number, y: number): void;
  /** db[j] += Σ_r dy[r·lddy + j]: bias gradient of biasAddRows (accumulates). */
  biasGradRows(rows: number, cols: number, dy: number, lddy: number, db: number): void;
  /** db[ch] += Σ_{b,s} dy[(b·channels + ch)·spatial + s]: bias gradient of biasAddChannels (accumulates). */
  biasGradChannels(batch: number, channels: number, spatial: number, dy: number, db: number): void;
}
