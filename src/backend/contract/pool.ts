/**
 * 2-D pooling over planes = batch·channels independent inH×inW planes (NCHW, contiguous).
 * Padding is implicit −∞ for max pooling and 0 for average pooling (PyTorch semantics).
 * outH/outW are computed and validated by the caller (see `pool2dOutputSize` in src/backend/shapes.ts,
 * which also ensures padding ≤ kernel/2, so every window holds at least one cell of the image).
 */
export interface PoolKernels {
  /**
   * y = window max; argmax[i] (i32) = index within the plane (iy·inW + ix) of the chosen input.
   * Ties pick the first cell in row-major window order; a NaN in the window propagates (y = NaN,
   * argmax = the last NaN), as PyTorch does. y and argmax are planes×outH×outW.
   */
  maxPool2dForward(
    planes: number, inH: number, inW: number, kH: number, kW: number, strideH: number, strideW: number,
    padH: number, padW: number, outH: number, outW: number, x: number, y: number, argmax: number,
  ): void;
  /** dx = 0, then dx[argmax] += dy (overwrites dx). */
  maxPool2dBackward(
    planes: number, inH: number, inW: number, outH: number, outW: number, dy: number, argmax: number, dx: number,
  ): void;
  /** y = window mean; divisor = kH·kW when countIncludePad = 1, else the number of in-image cells. */
  avgPool2dForward(
    planes: number, inH: number, inW: number, kH: number, kW: number, strideH: number, strideW: number,
    padH: number, padW: number, outH: number, outW: number, countIncludePad: number, x: number, y: number,
  ): void;
  /** Adjoint of avgPool2dForward; overwrites dx. */
  avgPool2dBackward(
    planes: number, inH: number, inW: number, kH: number, kW: number, strideH: number, strideW: number,
    padH: number, padW: number, outH: number, outW: number, countIncludePad: number, dy: number, dx: number,
  ): void;
}
