// Stride-1 convolution forward without an im2col copy, for output rows whose width is a multiple
// of 8 (helpers of assembly/conv.ts; not re-exported by assembly/index.ts).
//
//   y_n[o][q] = bias[o] + Σ_p W[o][p] · X_n(p, q),  p = (c, i, j) over CKK, q = (oy, ox) over HW
//
// X_n(p, q) = x_n[c][oy + i·dH][ox + j·dW] (of the zero-padded image when padding is in play), so
// for a fixed p, outputs adjacent in a row read adjacent floats of x: a tile's two B vectors are
// loaded from x itself, at the tile's origin + off[p], with off[p] a byte offset per step from a
// table built once per call (XNNPACK's igemm reads its B operand through an indirection buffer of
// row pointers in the same way; NCHW needs one offset per step instead). W comes packed in
// blocks of 4 rows (conv.ts packRows4), once per call.
//
// Tiles are 4 output channels × 8 adjacent outputs of one row, so they never cross a row end.
// For widths that are not a multiple of 8 the last tile of a row would have to overlap the one
// before it (or straddle two rows, which needs two loads and a blend per vector): measured on C1's
// 26- and 11-wide rows (one core, loaded machine, A/B in one process), recomputing the overlap
// cost as much as the im2col copy saves (0.64–0.99× the im2col path), so those stay on im2col.
// On C4's 8- and 24-wide rows this path is 1.22–1.25× (10→20 5x5) and 1.0–1.05× (1→10 5x5).

import { madd } from "./math";

/** Whether the direct path takes this convolution (else im2col + tileNN). */
// @ts-ignore: decorator
@inline
export function directForward(strideH: i32, strideW: i32, outH: i32, outW: i32): bool {
  return strideH == 1 && strideW == 1 && outW % 8 == 0 && outW > 0 && outH > 0;
}

// @ts-ignore: decorator
@inline
function align64(b: f64): f64 {
  return Math.ceil(b / 64) * 64;
}

/** Padding rows of the initial-value table past outC: a 4-row block may read 3 past the end. */
const INIT_SLACK = 4;

/**
 * Bytes the direct forward needs after the packed W: the offset table, the initial values, and
 * the zero-padded image (only with padding). f64 like conv2dWorkBytes.
 */
export function directForwardBytes(inC: i32, inH: i32, inW: i32, outC: i32, kH: i32, kW: i32, padH: i32, padW: i32): f64 {
  const ckk = <f64>inC * <f64>kH * <f64>kW;
  let b = align64(ckk * 4) + align64(<f64>(outC + INIT_SLACK) * 4);
  if (padH != 0 || padW != 0) b += align64(<f64>inC * <f64>(inH + 2 * padH) * <f64>(inW + 2 * padW) * 4);
  return b;
}

/**
 * nRows × nCols tiles of 4 rows × 8 outputs: tile (r, t) reads B(p, ·) at b + r·rowB + 32·t + off[p]
 * (two vectors) and stores C[i][0..7] at c + r·rowC + 32·t + i·ldc for i < rows, with
 * C = init + Σ_p A(i, p)·B(p, ·) in p order; A(i, p) at a + 16·p + 4·i. One call runs many
 * tiles, so a short k (25 steps for a 1→10 5x5 layer) does not pay a call per tile.
 * 8 accumulators, not the GEMM's 12: V8 (11.3) schedules a step's broadcast loads together ahead
 * of its multiply-adds here, and a 6×8 version (12 accumulators + 2 B vectors + 6 broadcasts)
 * spilled 4 accumulators inside the loop (--print-wasm-code) and ran at ~0.6× the im2col path;
 * 8 + 2 + 4 = 14 registers fit the 15 V8 allocates.
 */
function tile4x8(
  k: i32, a0: usize, offs0: usize, b: usize, init: usize, c: usize, ldc: usize, rows: i32,
  nRows: i32, nCols: i32, rowB: usize, rowC: usize,
): void {
  const end = offs0 + (<usize>k << 2);
  for (let r = 0; r < nRows; r++) {
    for (let t = 0; t < nCols; t++) {
      const bt = b + (<usize>t << 5);
      // Initial values re-loaded per tile: kept in registers across tiles they would spill.
      let s00 = v128.load32_splat(init), s01 = s00, s10 = v128.load32_splat(init, 4), s11 = s10;
      let s20 = v128.load32_splat(init, 8), s21 = s20, s30 = v128.load32_splat(init, 12), s31 = s30;
      let a = a0, offs = offs0;
      while (offs < end) {
        const q = bt + <usize>load<i32>(offs);
        const x0 = v128.load(q), x1 = v128.load(q, 16);
        let u = v128.load32_splat(a);
        s00 = madd(u, x0, s00); s01 = madd(u, x1, s01);
        u = v128.load32_splat(a, 4);
        s10 = madd(u, x0, s10); s11 = madd(u, x1, s11);
        u = v128.load32_splat(a, 8);
        s20 = madd(u, x0, s20); s21 = madd(u, x1, s21);
        u = v128.load32_splat(a, 12);
        s30 = madd(u, x0, s30); s31 = madd(u, x1, s31);
        a += 16;
        offs += 4;
      }
      let ct = c + (<usize>t << 5);
      v128.store(ct, s00); v128.store(ct, s01, 16);
      if (rows > 1) { ct += ldc; v128.store(ct, s10); v128.store(ct, s11, 16); }
      if (rows > 2) { ct += ldc; v128.store(ct, s20); v128.store(ct, s21, 16); }
      if (rows > 3) { ct += ldc; v128.store(ct, s30); v128.store(ct, s31, 16); }
    }
    b += rowB;
    c += rowC;
  }
}

/**
 * conv2dForward when directForward holds, with W already packed at `packed` (packRows4) and
 * `scratch` holding directForwardBytes. Every output is bias + Σ_p in p order, the sum tileNN
 * forms in its 4×8 tiles.
 */
export function conv2dForwardDirect(
  batch: i32, inC: i32, inH: i32, inW: i32, outC: i32, kH: i32, kW: i32,
  padH: i32, padW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32,
  x: usize, packed: usize, bias: usize, y: usize, scratch: usize,
): void {
  const ckk = inC * kH * kW;
  const hw = outH * outW;
  const padded = padH != 0 || padW != 0;
  const hp = inH + 2 * padH, wp = inW + 2 * padW;
  const offs = scratch;
  const init = offs + <usize>align64(<f64>ckk * 4);
  const image = init + <usize>align64(<f64>(outC + INIT_SLACK) * 4);
  // Byte offset of X(p, ·) from a tile's origin, p = (c, i, j) in W's order.
  let t = offs;
  for (let c = 0; c < inC; c++) {
    for (let i = 0; i < kH; i++) {
      for (let j = 0; j < kW; j++) {
        store<i32>(t, ((c * hp + i * dilH) * wp + j * dilW) << 2);
        t += 4;
      }
    }
  }
  // Initial accumulator values per output channel, zeros past outC (rows of the last block).
  for (let o = 0; o < outC + INIT_SLACK; o++) {
    store<f32>(init + (<usize>o << 2), bias != 0 && o < outC ? load<f32>(bias + (<usize>o << 2)) : 0);
  }
  const ldc = <usize>hw << 2;
  const rowB = <usize>wp << 2, rowC = <usize>outW << 2;
  const xImage = <usize>(inC * inH * inW) << 2;
  const block = <usize>ckk << 4;
  for (let n = 0; n < batch; n++) {
    let xn = x + <usize>n * xImage;
    if (padded) {
      padImage(inC, inH, inW, padH, padW, xn, image);
      xn = image;
    }
    const yn = y + <usize>n * (<usize>outC * ldc);
    for (let i0 = 0; i0 < outC; i0 += 4) {
      tile4x8(ckk, packed + <usize>(i0 >> 2) * block, offs, xn, init + (<usize>i0 << 2), yn + <usize>i0 * ldc, ldc,
        min(outC - i0, 4), outH, outW >> 3, rowB, rowC);
    }
  }
}

/** x_n (inC × inH × inW) into the middle of a zeroed inC × (inH + 2·padH) × (inW + 2·padW) image. */
function padImage(inC: i32, inH: i32, inW: i32, padH: i32, padW: i32, x: usize, dst: usize): void {
  const hp = inH + 2 * padH, wp = inW + 2 * padW;
  memory.fill(dst, 0, <usize>(inC * hp * wp) << 2);
  for (let c = 0; c < inC; c++) {
    for (let r = 0; r < inH; r++) {
      memory.copy(dst + (<usize>((c * hp + r + padH) * wp + padW) << 2), x + (<usize>((c * inH + r) * inW) << 2), <usize>inW << 2);
    }
  }
}
