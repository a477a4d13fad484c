/**
 * 2-D convolution, NCHW, cross-correlation as in PyTorch (groups = 1).
 * Shape arguments, in this order in every conv kernel:
 *   batch, inC, inH, inW, outC, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW
 * with outH = floor((inH + 2·padH − dilH·(kH − 1) − 1) / strideH) + 1 (likewise outW); the
 * caller computes and validates them (see `conv2dOutputSize` in src/backend/shapes.ts).
 * x: batch×inC×inH×inW, w: outC×inC×kH×kW, y: batch×outC×outH×outW.
 * `work` must hold conv2dWorkBytes(...) bytes (im2col/GEMM scratch, 4-byte aligned); its contents
 * on entry are ignored. The size is backend-specific: ask the same Kernels that will run the conv.
 * The scratch is bounded independently of the batch: kernels take the images one after another, or
 * (wasm backward filter) in groups whose column matrices or packed dy panels fit a fixed budget, so
 * it may grow with small batches but never beyond that budget. Ask with the batch that will run.
 */
export interface ConvKernels {
  /** y = conv(x, w) (+ bias[outC] when bias ≠ 0). Overwrites y. */
  conv2dForward(
    batch: number, inC: number, inH: number, inW: number, outC: number, kH: number, kW: number,
    strideH: number, strideW: number, padH: number, padW: number, dilH: number, dilW: number,
    outH: number, outW: number, x: number, w: number, bias: number, y: number, work: number,
  ): void;
  /** dx = gradient of the loss w.r.t. x given dy. Overwrites dx. */
  conv2dBackwardData(
    batch: number, inC: number, inH: number, inW: number, outC: number, kH: number, kW: number,
    strideH: number, strideW: number, padH: number, padW: number, dilH: number, dilW: number,
    outH: number, outW: number, dy: number, w: number, dx: number, work: number,
  ): void;
  /** dw += gradient w.r.t. w; db[outC] += Σ dy when db ≠ 0 (both accumulate). */
  conv2dBackwardFilter(
    batch: number, inC: number, inH: number, inW: number, outC: number, kH: number, kW: number,
    strideH: number, strideW: number, padH: number, padW: number, dilH: number, dilW: number,
    outH: number, outW: number, x: number, dy: number, dw: number, db: number, work: number,
  ): void;
  /** Scratch bytes needed by all three conv kernels for these shapes. */
  conv2dWorkBytes(
    batch: number, inC: number, inH: number, inW: number, outC: number, kH: number, kW: number,
    strideH: number, strideW: number, padH: number, padW: number, dilH: number, dilW: number,
    outH: number, outW: number,
  ): number;
  /**
   * im2col of ONE image: col[(c·kH + i)·kW + j][oy·outW + ox] = x[c][oy·sH − pH + i·dH][ox·sW − pW + j·dW]
   * (0 outside the image). col is (inC·kH·kW) × (outH·outW).
   */
  im2col(
    inC: number, inH: number, inW: number, kH: number, kW: number, strideH: number, strideW: number,
    padH: number, padW: number, dilH: number, dilW: number, outH: number, outW: number, x: number, col: number,
  ): void;
  /** Adjoint of im2col for ONE image: dx = 0, then dx[...] += col[...]. Overwrites dx. */
  col2im(
    inC: number, inH: number, inW: number, kH: number, kW: number, strideH: number, strideW: number,
    padH: number, padW: number, dilH: number, dilW: number, outH: number, outW: number, col: number, dx: number,
  ): void;
}
