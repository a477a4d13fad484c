// Kernels of the conv family (contract: src/backend/contract/conv.ts).
//
// im2col + register-tiled matrix products, one image at a time (CKK = inC·kH·kW, HW = outH·outW):
//   forward          y_n[outC × HW]  = W[outC × CKK] · col[CKK × HW] (+ bias)   tileNN, A = W packed
//   backward data    col[CKK × HW]   = Wᵀ · dy_n, then dx_n = col2im(col)       tileNN, A = Wᵀ packed
//   backward filter  dW[outC × CKK] += Σ_n dy_n · col_nᵀ                       tileNT (dot products over
//                    a group of images; db summed from each row of dy while the tiles have it in cache)
// The products are written here rather than through the general gemm because the operands are
// already in the layouts the tiles want except W, which is packed once per call (not per image)
// into the work buffer; the bias is the accumulators' start value; and K can be as small as 9
// (1→32 3x3), where a general packing GEMM spends more time packing than multiplying (measured:
// gemm per image ran these layers at 0.58–0.87× of tileNN).
// A 1x1 stride-1 unpadded convolution needs no im2col: x_n is its own column matrix.
// Two paths skip im2col by reading x in place through a table of per-tap offsets:
//   - forward, stride 1, output rows a multiple of 8 wide (assembly/convdirect.ts);
//   - backward filter, stride 1, unpadded, CKK ≥ 64 (assembly/convfilter.ts).
// im2col alone was 17–29 % of the forward time and col2im 22–30 % of backward data on the C1/C4
// layers (one core, relaxed build). Where the rows are not a multiple of 8 (C1's 26 and 11) the
// im2col forward stays faster than the direct tiles, which would have to recompute overlapping
// outputs; a direct backward data with the col2im folded into the tiles' stores measured only
// 1.04–1.10× on C4 conv2 (0.34× with one input channel) and was not kept.

import { conv2dForwardDirect, directForward, directForwardBytes } from "./convdirect";
import { conv2dBackwardFilterDirect, directFilter, directFilterBytes } from "./convfilter";
import { hsum, madd, transpose4 } from "./math";

/** First and one-past-last output index whose input coordinate o·stride + offset lies in [0, size). */
// @ts-ignore: decorator
@inline
function validLo(offset: i32, stride: i32): i32 {
  // ceil(−offset / stride) for the first o with o·stride + offset ≥ 0.
  return offset >= 0 ? 0 : (-offset + stride - 1) / stride;
}

// @ts-ignore: decorator
@inline
function validHi(offset: i32, stride: i32, size: i32, outSize: i32): i32 {
  const last = size - 1 - offset; // o·stride ≤ last
  if (last < 0) return 0;
  return min(last / stride + 1, outSize);
}

/**
 * C[m × n] = init + Σ_p A(i, p)·B[p][·], where B's row p starts at b + 4·p·ldb and C's row i at
 * c + 4·i·ldc; init is bias[i] when bias ≠ 0, else 0. A comes packed in blocks of 4 rows
 * (packRows4 / packCols4): the 4 values of block r at step p are adjacent, at
 * a + 16·(r·k + p), zero-padded past row m. Adjacent values load from one pointer with
 * immediate offsets, so the inner loop is 2 vector loads + 4 broadcasts + 8 multiply-adds + two
 * pointer steps; the last partial block is computed whole (on zeros) and stores only its rows.
 * Tiles of 4 rows × 8 columns keep 8 accumulators (enough to hide the FMA latency) plus two B
 * vectors and four broadcasts in registers, under the 15 that V8 allocates on x64; unrolling
 * the k loop was measured slower, because V8 hoists the loads of both steps and spills.
 */
function tileNN(m: i32, n: i32, k: i32, a: usize, b: usize, ldb: i32, c: usize, ldc: i32, bias: usize): void {
  const bStep = <usize>ldb << 2;
  const lc = <usize>ldc << 2;
  for (let i = 0; i < m; i += 4) {
    const rows = min(m - i, 4);
    const blk = a + <usize>i * (<usize>k << 2);
    if (rows == 1) {
      // A last single row would waste 3/4 of a block: its own loop instead.
      tileNN1(n, k, blk, b, ldb, c + <usize>i * lc, bias != 0 ? load<f32>(bias + (<usize>i << 2)) : 0);
      break;
    }
    const bi = bias + (<usize>i << 2);
    const z0 = bias != 0 ? load<f32>(bi) : 0;
    const z1 = bias != 0 && rows > 1 ? load<f32>(bi, 4) : 0;
    const z2 = bias != 0 && rows > 2 ? load<f32>(bi, 8) : 0;
    const z3 = bias != 0 && rows > 3 ? load<f32>(bi, 12) : 0;
    const c0 = c + <usize>i * lc;
    const c1 = c0 + lc, c2 = c1 + lc, c3 = c2 + lc;
    // Two last rows (outC = 10 as in C4's conv1): 2x16 tiles rather than half-empty 4x8 ones.
    let j = rows == 2 ? tileNN2(n, k, blk, b, ldb, c0, lc, z0, z1) : 0;
    for (; j + 8 <= n; j += 8) {
      let s00 = f32x4.splat(z0), s01 = s00, s10 = f32x4.splat(z1), s11 = s10;
      let s20 = f32x4.splat(z2), s21 = s20, s30 = f32x4.splat(z3), s31 = s30;
      let bp = b + (<usize>j << 2);
      let q = blk;
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp), b1 = v128.load(bp, 16);
        let x = v128.load32_splat(q);
        s00 = madd(x, b0, s00); s01 = madd(x, b1, s01);
        x = v128.load32_splat(q, 4);
        s10 = madd(x, b0, s10); s11 = madd(x, b1, s11);
        x = v128.load32_splat(q, 8);
        s20 = madd(x, b0, s20); s21 = madd(x, b1, s21);
        x = v128.load32_splat(q, 12);
        s30 = madd(x, b0, s30); s31 = madd(x, b1, s31);
        bp += bStep;
        q += 16;
      }
      const o = <usize>j << 2;
      v128.store(c0 + o, s00); v128.store(c0 + o, s01, 16);
      if (rows > 1) { v128.store(c1 + o, s10); v128.store(c1 + o, s11, 16); }
      if (rows > 2) { v128.store(c2 + o, s20); v128.store(c2 + o, s21, 16); }
      if (rows > 3) { v128.store(c3 + o, s30); v128.store(c3 + o, s31, 16); }
    }
    for (; j + 4 <= n; j += 4) {
      let s0 = f32x4.splat(z0), s1 = f32x4.splat(z1), s2 = f32x4.splat(z2), s3 = f32x4.splat(z3);
      let bp = b + (<usize>j << 2);
      let q = blk;
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp);
        s0 = madd(v128.load32_splat(q), b0, s0);
        s1 = madd(v128.load32_splat(q, 4), b0, s1);
        s2 = madd(v128.load32_splat(q, 8), b0, s2);
        s3 = madd(v128.load32_splat(q, 12), b0, s3);
        bp += bStep;
        q += 16;
      }
      const o = <usize>j << 2;
      v128.store(c0 + o, s0);
      if (rows > 1) v128.store(c1 + o, s1);
      if (rows > 2) v128.store(c2 + o, s2);
      if (rows > 3) v128.store(c3 + o, s3);
    }
    // Fewer than 4 columns left: a column of B at a time, the 4 rows as one vector, over four
    // k-phases in separate sums (one chain would wait on the multiply-add latency at every step:
    // this column cost ~7 % of C1 conv2's forward, whose 121 columns leave one).
    for (; j < n; j++) {
      let s = f32x4(z0, z1, z2, z3), s1 = f32x4.splat(0), s2 = s1, s3 = s1;
      let bp = b + (<usize>j << 2);
      let q = blk;
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        s = madd(v128.load(q), v128.load32_splat(bp), s);
        s1 = madd(v128.load(q, 16), v128.load32_splat(bp + bStep), s1);
        s2 = madd(v128.load(q, 32), v128.load32_splat(bp + 2 * bStep), s2);
        s3 = madd(v128.load(q, 48), v128.load32_splat(bp + 3 * bStep), s3);
        bp += bStep << 2;
        q += 64;
      }
      for (; p < k; p++) {
        s = madd(v128.load(q), v128.load32_splat(bp), s);
        bp += bStep;
        q += 16;
      }
      s = f32x4.add(f32x4.add(s, s1), f32x4.add(s2, s3));
      const o = <usize>j << 2;
      store<f32>(c0 + o, f32x4.extract_lane(s, 0));
      if (rows > 1) store<f32>(c1 + o, f32x4.extract_lane(s, 1));
      if (rows > 2) store<f32>(c2 + o, f32x4.extract_lane(s, 2));
      if (rows > 3) store<f32>(c3 + o, f32x4.extract_lane(s, 3));
    }
  }
}

/**
 * Two rows of tileNN (a packed block whose rows 2 and 3 are padding): C[r][j..j+16) for r < 2 in
 * 2x16 tiles, 8 accumulators as in the 4x8 tile but no multiply-adds on padding. Returns the
 * first column it left (fewer than 16 remain) for tileNN's narrower loops.
 */
function tileNN2(n: i32, k: i32, a: usize, b: usize, ldb: i32, c0: usize, lc: usize, z0: f32, z1: f32): i32 {
  const bStep = <usize>ldb << 2;
  const c1 = c0 + lc;
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    let s0 = f32x4.splat(z0), s1 = s0, s2 = s0, s3 = s0;
    let t0 = f32x4.splat(z1), t1 = t0, t2 = t0, t3 = t0;
    let bp = b + (<usize>j << 2);
    let q = a;
    for (let p = 0; p < k; p++) {
      const b0 = v128.load(bp), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32), b3 = v128.load(bp, 48);
      const x = v128.load32_splat(q), y = v128.load32_splat(q, 4);
      s0 = madd(x, b0, s0); s1 = madd(x, b1, s1); s2 = madd(x, b2, s2); s3 = madd(x, b3, s3);
      t0 = madd(y, b0, t0); t1 = madd(y, b1, t1); t2 = madd(y, b2, t2); t3 = madd(y, b3, t3);
      bp += bStep;
      q += 16;
    }
    const o = <usize>j << 2;
    v128.store(c0 + o, s0); v128.store(c0 + o, s1, 16); v128.store(c0 + o, s2, 32); v128.store(c0 + o, s3, 48);
    v128.store(c1 + o, t0); v128.store(c1 + o, t1, 16); v128.store(c1 + o, t2, 32); v128.store(c1 + o, t3, 48);
  }
  return j;
}

/**
 * One row of tileNN: C[0][·] = z + Σ_p A(p)·B[p][·] with A(p) at a + 16·p (a packed block whose
 * other 3 rows are padding). Two k-steps per iteration into separate accumulators, since one row
 * alone has too few independent multiply-adds to hide their latency.
 */
function tileNN1(n: i32, k: i32, a: usize, b: usize, ldb: i32, c: usize, z: f32): void {
  const bStep = <usize>ldb << 2;
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    let s0 = f32x4.splat(z), s1 = s0, s2 = f32x4.splat(0), s3 = s2;
    let bp = b + (<usize>j << 2);
    let q = a;
    let p = 0;
    for (; p + 2 <= k; p += 2) {
      const x0 = v128.load32_splat(q), x1 = v128.load32_splat(q, 16);
      s0 = madd(x0, v128.load(bp), s0); s1 = madd(x0, v128.load(bp, 16), s1);
      s2 = madd(x1, v128.load(bp + bStep), s2); s3 = madd(x1, v128.load(bp + bStep, 16), s3);
      bp += bStep << 1;
      q += 32;
    }
    if (p < k) {
      const x0 = v128.load32_splat(q);
      s0 = madd(x0, v128.load(bp), s0); s1 = madd(x0, v128.load(bp, 16), s1);
    }
    const o = <usize>j << 2;
    v128.store(c + o, f32x4.add(s0, s2)); v128.store(c + o, f32x4.add(s1, s3), 16);
  }
  for (; j + 4 <= n; j += 4) {
    let s0 = f32x4.splat(z);
    let bp = b + (<usize>j << 2);
    let q = a;
    for (let p = 0; p < k; p++) {
      s0 = madd(v128.load32_splat(q), v128.load(bp), s0);
      bp += bStep;
      q += 16;
    }
    v128.store(c + (<usize>j << 2), s0);
  }
  for (; j < n; j++) {
    let s0 = z;
    let bp = b + (<usize>j << 2);
    let q = a;
    for (let p = 0; p < k; p++) {
      s0 += load<f32>(q) * load<f32>(bp);
      bp += bStep;
      q += 16;
    }
    store<f32>(c + (<usize>j << 2), s0);
  }
}

/** Σ of k floats at p: four independent sums, since one chain would wait on the add latency. */
function rowSum(p: usize, k: i32): f32 {
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  let q = 0;
  for (; q + 16 <= k; q += 16) {
    const at = p + (<usize>q << 2);
    s0 = f32x4.add(s0, v128.load(at)); s1 = f32x4.add(s1, v128.load(at, 16));
    s2 = f32x4.add(s2, v128.load(at, 32)); s3 = f32x4.add(s3, v128.load(at, 48));
  }
  for (; q + 4 <= k; q += 4) s0 = f32x4.add(s0, v128.load(p + (<usize>q << 2)));
  let t = hsum(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
  for (; q < k; q++) t += load<f32>(p + (<usize>q << 2));
  return t;
}

/**
 * C[i][j] += Σ_g Σ_p A_g[i][p]·B_g[j][p] for C m×n (row stride ldc), where A_g (m×k, row stride
 * lda) starts at a + g·aImage bytes and B_g (n×k, ldb) at b + g·bImage, for g < images: dot
 * products along contiguous rows, summed over a group of images before the lanes are reduced
 * (a per-image reduction costs a quarter of the time when k = HW is small, as 64 for 8x8).
 * Tiles of 3 rows × 3 columns: 9 accumulators and 6 loads per step fill exactly the 15 vector
 * registers V8 allocates on x64 (bigger tiles spill). Edge tiles repeat their last row/column
 * pointer, compute a whole tile and store only their own entries, so that every tile runs the
 * same full-speed loop. The last k mod 4 terms of each image are scalar.
 * When rowSums ≠ 0, also rowSums[i] += Σ_g Σ_p A_g[i][p] (the bias gradient when A is dy).
 */
function tileNT(
  m: i32, n: i32, k: i32, a: usize, lda: i32, aImage: usize, b: usize, ldb: i32, bImage: usize, images: i32,
  c: usize, ldc: i32, rowSums: usize,
): void {
  const kv = k & ~3;
  const la = <usize>lda << 2, lb = <usize>ldb << 2, lc = <usize>ldc << 2;
  // Columns (rows of B) outer: the 3 B rows of a group stay in L1 while every row block of A
  // streams past them; A (dy, outC rows) is the smaller operand and stays in L2. The other order
  // re-read the group's column matrices (up to 1 MB) from L3 once per row block of A.
  for (let j = 0; j < n; j += 3) {
    const cols = min(n - j, 3);
    const rb0 = b + <usize>j * lb;
    const rb1 = cols > 1 ? rb0 + lb : rb0, rb2 = cols > 2 ? rb1 + lb : rb1;
    for (let i = 0; i < m; i += 3) {
      const rows = min(m - i, 3);
      const ra0 = a + <usize>i * la;
      const ra1 = rows > 1 ? ra0 + la : ra0, ra2 = rows > 2 ? ra1 + la : ra1;
      const c0 = c + <usize>i * lc;
      let s00 = f32x4.splat(0), s01 = s00, s02 = s00, s10 = s00, s11 = s00, s12 = s00, s20 = s00, s21 = s00, s22 = s00;
      let t00: f32 = 0, t01: f32 = 0, t02: f32 = 0, t10: f32 = 0, t11: f32 = 0, t12: f32 = 0;
      let t20: f32 = 0, t21: f32 = 0, t22: f32 = 0;
      for (let g = 0; g < images; g++) {
        const ga = <usize>g * aImage, gb = <usize>g * bImage;
        const a0 = ra0 + ga, a1 = ra1 + ga, a2 = ra2 + ga;
        const b0 = rb0 + gb, b1 = rb1 + gb, b2 = rb2 + gb;
        for (let p = 0; p < kv; p += 4) {
          const o = <usize>p << 2;
          const x0 = v128.load(b0 + o), x1 = v128.load(b1 + o), x2 = v128.load(b2 + o);
          let y = v128.load(a0 + o);
          s00 = madd(y, x0, s00); s01 = madd(y, x1, s01); s02 = madd(y, x2, s02);
          y = v128.load(a1 + o);
          s10 = madd(y, x0, s10); s11 = madd(y, x1, s11); s12 = madd(y, x2, s12);
          y = v128.load(a2 + o);
          s20 = madd(y, x0, s20); s21 = madd(y, x1, s21); s22 = madd(y, x2, s22);
        }
        for (let p = kv; p < k; p++) {
          const o = <usize>p << 2;
          const x0 = load<f32>(b0 + o), x1 = load<f32>(b1 + o), x2 = load<f32>(b2 + o);
          let y = load<f32>(a0 + o); t00 += y * x0; t01 += y * x1; t02 += y * x2;
          y = load<f32>(a1 + o); t10 += y * x0; t11 += y * x1; t12 += y * x2;
          y = load<f32>(a2 + o); t20 += y * x0; t21 += y * x1; t22 += y * x2;
        }
      }
      t00 += hsum(s00); t01 += hsum(s01); t02 += hsum(s02);
      t10 += hsum(s10); t11 += hsum(s11); t12 += hsum(s12);
      t20 += hsum(s20); t21 += hsum(s21); t22 += hsum(s22);
      const r0 = c0 + (<usize>j << 2), r1 = r0 + lc, r2 = r1 + lc;
      store<f32>(r0, load<f32>(r0) + t00);
      if (cols > 1) store<f32>(r0, load<f32>(r0, 4) + t01, 4);
      if (cols > 2) store<f32>(r0, load<f32>(r0, 8) + t02, 8);
      if (rows > 1) {
        store<f32>(r1, load<f32>(r1) + t10);
        if (cols > 1) store<f32>(r1, load<f32>(r1, 4) + t11, 4);
        if (cols > 2) store<f32>(r1, load<f32>(r1, 8) + t12, 8);
      }
      if (rows > 2) {
        store<f32>(r2, load<f32>(r2) + t20);
        if (cols > 1) store<f32>(r2, load<f32>(r2, 4) + t21, 4);
        if (cols > 2) store<f32>(r2, load<f32>(r2, 8) + t22, 8);
      }
    }
  }
  if (rowSums != 0) {
    // The bias gradient, image by image: A (dy of the group) is still in L2.
    for (let i = 0; i < m; i++) {
      const at = rowSums + (<usize>i << 2);
      for (let g = 0; g < images; g++) store<f32>(at, load<f32>(at) + rowSum(a + <usize>i * la + <usize>g * aImage, k));
    }
  }
}

export function im2col(
  inC: i32, inH: i32, inW: i32, kH: i32, kW: i32, strideH: i32, strideW: i32,
  padH: i32, padW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, x: usize, col: usize,
): void {
  let dst = col;
  for (let c = 0; c < inC; c++) {
    const xc = x + (<usize>(c * inH * inW) << 2);
    for (let i = 0; i < kH; i++) {
      const offY = i * dilH - padH;
      const oyLo = validLo(offY, strideH), oyHi = validHi(offY, strideH, inH, outH);
      for (let j = 0; j < kW; j++) {
        const offX = j * dilW - padW;
        const lo = validLo(offX, strideW), hi = validHi(offX, strideW, inW, outW);
        if (strideW == 1 && lo == 0 && hi == outW && outW >= 4) {
          // Common case (no horizontal padding in play): whole rows of ≥ 4, copied as vectors,
          // the last ending exactly at the row end (overlapping the one before), so there is no
          // scalar tail and nothing outside the row is touched.
          const rowBytes = <usize>outW << 2;
          const last = rowBytes - 16;
          // memory.fill is a call into the runtime even for 0 bytes: only when padding needs it.
          if (oyLo > 0) memory.fill(dst, 0, <usize>oyLo * rowBytes);
          let d = dst + <usize>oyLo * rowBytes;
          let src = xc + (<usize>((oyLo * strideH + offY) * inW + offX) << 2);
          const srcStep = <usize>(strideH * inW) << 2;
          for (let oy = oyLo; oy < oyHi; oy++) {
            for (let t: usize = 0; t < last; t += 16) v128.store(d + t, v128.load(src + t));
            v128.store(d + last, v128.load(src + last));
            d += rowBytes;
            src += srcStep;
          }
          if (oyHi < outH) memory.fill(d, 0, <usize>(outH - oyHi) * rowBytes);
          dst += <usize>outH * rowBytes;
          continue;
        }
        for (let oy = 0; oy < outH; oy++) {
          if (oy < oyLo || oy >= oyHi || lo >= hi) {
            memory.fill(dst, 0, <usize>outW << 2);
          } else {
            const src = xc + (<usize>((oy * strideH + offY) * inW + offX) << 2);
            for (let ox = 0; ox < lo; ox++) store<f32>(dst + (<usize>ox << 2), 0);
            let ox = lo;
            if (strideW == 1) {
              for (; ox + 4 <= hi; ox += 4) v128.store(dst + (<usize>ox << 2), v128.load(src + (<usize>ox << 2)));
              for (; ox < hi; ox++) store<f32>(dst + (<usize>ox << 2), load<f32>(src + (<usize>ox << 2)));
            } else {
              for (; ox < hi; ox++) store<f32>(dst + (<usize>ox << 2), load<f32>(src + (<usize>(ox * strideW) << 2)));
            }
            for (; ox < outW; ox++) store<f32>(dst + (<usize>ox << 2), 0);
          }
          dst += <usize>outW << 2;
        }
      }
    }
  }
}

export function col2im(
  inC: i32, inH: i32, inW: i32, kH: i32, kW: i32, strideH: i32, strideW: i32,
  padH: i32, padW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32, col: usize, dx: usize,
): void {
  memory.fill(dx, 0, <usize>(inC * inH * inW) << 2);
  let src = col;
  const rowBytes = <usize>outW << 2;
  for (let c = 0; c < inC; c++) {
    const dc = dx + (<usize>(c * inH * inW) << 2);
    for (let i = 0; i < kH; i++) {
      const offY = i * dilH - padH;
      const oyLo = validLo(offY, strideH), oyHi = validHi(offY, strideH, inH, outH);
      for (let j = 0; j < kW; j++) {
        const offX = j * dilW - padW;
        const lo = validLo(offX, strideW), hi = validHi(offX, strideW, inW, outW);
        if (strideW == 1 && lo == 0 && hi == outW) {
          // Common case (whole rows): vectors, then a scalar tail rather than an overlapping
          // last vector, since re-loading lanes just stored would stall on store forwarding.
          const vecBytes = <usize>(outW & ~3) << 2;
          let s = src + <usize>oyLo * rowBytes;
          let d = dc + (<usize>((oyLo * strideH + offY) * inW + offX) << 2);
          const dStep = <usize>(strideH * inW) << 2;
          for (let oy = oyLo; oy < oyHi; oy++) {
            let t: usize = 0;
            for (; t < vecBytes; t += 16) v128.store(d + t, f32x4.add(v128.load(d + t), v128.load(s + t)));
            for (; t < rowBytes; t += 4) store<f32>(d + t, load<f32>(d + t) + load<f32>(s + t));
            s += rowBytes;
            d += dStep;
          }
        } else if (lo < hi) {
          for (let oy = oyLo; oy < oyHi; oy++) {
            const s = src + <usize>oy * rowBytes;
            const d = dc + (<usize>((oy * strideH + offY) * inW + offX) << 2);
            let ox = lo;
            if (strideW == 1) {
              // A scalar tail rather than an overlapping last vector: re-loading lanes just
              // stored by the previous vector would stall on store forwarding.
              for (; ox + 4 <= hi; ox += 4) {
                const at = d + (<usize>ox << 2);
                v128.store(at, f32x4.add(v128.load(at), v128.load(s + (<usize>ox << 2))));
              }
              for (; ox < hi; ox++) {
                const at = d + (<usize>ox << 2);
                store<f32>(at, load<f32>(at) + load<f32>(s + (<usize>ox << 2)));
              }
            } else {
              for (; ox < hi; ox++) {
                const at = d + (<usize>(ox * strideW) << 2);
                store<f32>(at, load<f32>(at) + load<f32>(s + (<usize>ox << 2)));
              }
            }
          }
        }
        src += <usize>outH * rowBytes;
      }
    }
  }
}

/**
 * W[rows × k] in blocks of 4 rows, the 4 values of one column adjacent:
 * out[r][p][q] = W[4r + q][p], zero where 4r + q ≥ rows. Forward's A operand for tileNN.
 */
function packRows4(rows: i32, k: i32, w: usize, out: usize): void {
  const rowBytes = <usize>k << 2;
  let dst = out;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const w0 = w + <usize>r * rowBytes;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      // Rows of W in, columns out.
      const o = <usize>p << 2;
      transpose4(v128.load(w0 + o), v128.load(w0 + rowBytes + o), v128.load(w0 + 2 * rowBytes + o), v128.load(w0 + 3 * rowBytes + o), dst, 16);
      dst += 64;
    }
    for (; p < k; p++) {
      const o = <usize>p << 2;
      store<f32>(dst, load<f32>(w0 + o));
      store<f32>(dst, load<f32>(w0 + rowBytes + o), 4);
      store<f32>(dst, load<f32>(w0 + 2 * rowBytes + o), 8);
      store<f32>(dst, load<f32>(w0 + 3 * rowBytes + o), 12);
      dst += 16;
    }
  }
  if (r < rows) {
    for (let p = 0; p < k; p++) {
      for (let q = 0; q < 4; q++) {
        store<f32>(dst + (<usize>q << 2), r + q < rows ? load<f32>(w + <usize>(r + q) * rowBytes + (<usize>p << 2)) : 0);
      }
      dst += 16;
    }
  }
}

/**
 * Wᵀ in blocks of 4 rows of Wᵀ (= 4 columns of W[outC × ckk]): out[r][o][q] = W[o][4r + q], zero
 * where 4r + q ≥ ckk. Backward data's A operand for tileNN.
 */
function packCols4(outC: i32, ckk: i32, w: usize, out: usize): void {
  const rowBytes = <usize>ckk << 2;
  let dst = out;
  for (let r = 0; r < ckk; r += 4) {
    const full = r + 4 <= ckk;
    for (let o = 0; o < outC; o++) {
      const src = w + <usize>o * rowBytes + (<usize>r << 2);
      if (full) {
        v128.store(dst, v128.load(src));
      } else {
        for (let q = 0; q < 4; q++) store<f32>(dst + (<usize>q << 2), r + q < ckk ? load<f32>(src + (<usize>q << 2)) : 0);
      }
      dst += 16;
    }
  }
}

/** Bytes of the packed-W area at the start of the work buffer (either packing), to a cache line. */
// @ts-ignore: decorator
@inline
function packedBytes(outC: i32, ckk: i32): usize {
  const rows = (<usize>(outC + 3) >> 2) * <usize>ckk;
  const cols = (<usize>(ckk + 3) >> 2) * <usize>outC;
  return ((max(rows, cols) << 4) + 63) & ~63;
}

/** Scratch budget for the column matrices of one group of images in backward filter. */
const GROUP_BYTES: f64 = 1048576;

/**
 * Images per group in backward filter: as many column matrices as fit GROUP_BYTES (at least 1,
 * at most the batch), so the tiles reduce their lanes once per group rather than per image.
 */
// @ts-ignore: decorator
@inline
function groupImages(batch: i32, colBytes: f64): i32 {
  return <i32>Math.max(1, Math.min(<f64>batch, Math.floor(GROUP_BYTES / Math.max(colBytes, 1))));
}

/** True when x itself is the column matrix (1x1 kernel, stride 1, no padding). */
// @ts-ignore: decorator
@inline
function isPointwise(kH: i32, kW: i32, strideH: i32, strideW: i32, padH: i32, padW: i32): bool {
  return kH == 1 && kW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0;
}

export function conv2dWorkBytes(
  batch: i32, inC: i32, inH: i32, inW: i32, outC: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32,
): f64 {
  // Layout: [W packed in blocks of 4 rows (forward) or of 4 columns (backward data)]
  // [column matrices of one group of images (backward filter; one image for the others), unless pointwise].
  // f64 so that sizes beyond 4 GiB come back as numbers the caller can reject, not wrapped ints.
  // The stride-1 forward (assembly/convdirect.ts) has a layout of its own in the same buffer.
  const ckk = <f64>inC * <f64>kH * <f64>kW;
  const blocks = Math.max(Math.ceil(<f64>outC / 4) * ckk, Math.ceil(ckk / 4) * <f64>outC);
  const packed = Math.ceil(blocks * 16 / 64) * 64;
  const direct = directForward(strideH, strideW, outH, outW) ? packed + directForwardBytes(inC, inH, inW, outC, kH, kW, padH, padW) : 0;
  const filter = directFilter(strideH, strideW, padH, padW, <i32>ckk) ? directFilterBytes(batch, inC, outC, kH, kW, outH, outW) : 0;
  if (isPointwise(kH, kW, strideH, strideW, padH, padW)) return Math.max(packed, Math.max(direct, filter));
  const colBytes = ckk * <f64>outH * <f64>outW * 4;
  return Math.max(packed + <f64>groupImages(batch, colBytes) * colBytes, Math.max(direct, filter));
}

export function conv2dForward(
  batch: i32, inC: i32, inH: i32, inW: i32, outC: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32,
  x: usize, w: usize, bias: usize, y: usize, work: usize,
): void {
  const ckk = inC * kH * kW;
  const hw = outH * outW;
  const direct = isPointwise(kH, kW, strideH, strideW, padH, padW);
  const packed = work;
  const colBuf = work + packedBytes(outC, ckk);
  packRows4(outC, ckk, w, packed);
  if (directForward(strideH, strideW, outH, outW)) {
    conv2dForwardDirect(batch, inC, inH, inW, outC, kH, kW, padH, padW, dilH, dilW, outH, outW, x, packed, bias, y, colBuf);
    return;
  }
  for (let n = 0; n < batch; n++) {
    const xn = x + (<usize>n * <usize>(inC * inH * inW) << 2);
    const yn = y + (<usize>n * <usize>(outC * hw) << 2);
    let col = xn;
    if (!direct) {
      im2col(inC, inH, inW, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW, xn, colBuf);
      col = colBuf;
    }
    tileNN(outC, hw, ckk, packed, col, hw, yn, hw, bias);
  }
}

export function conv2dBackwardData(
  batch: i32, inC: i32, inH: i32, inW: i32, outC: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32,
  dy: usize, w: usize, dx: usize, work: usize,
): void {
  const ckk = inC * kH * kW;
  const hw = outH * outW;
  const direct = isPointwise(kH, kW, strideH, strideW, padH, padW);
  const colBuf = work + packedBytes(outC, ckk);
  packCols4(outC, ckk, w, work);
  for (let n = 0; n < batch; n++) {
    const dyn = dy + (<usize>n * <usize>(outC * hw) << 2);
    const dxn = dx + (<usize>n * <usize>(inC * inH * inW) << 2);
    tileNN(ckk, hw, outC, work, dyn, hw, direct ? dxn : colBuf, hw, 0);
    if (!direct) col2im(inC, inH, inW, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW, colBuf, dxn);
  }
}

export function conv2dBackwardFilter(
  batch: i32, inC: i32, inH: i32, inW: i32, outC: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, dilH: i32, dilW: i32, outH: i32, outW: i32,
  x: usize, dy: usize, dw: usize, db: usize, work: usize,
): void {
  const ckk = inC * kH * kW;
  const hw = outH * outW;
  const direct = isPointwise(kH, kW, strideH, strideW, padH, padW);
  const colBuf = work + packedBytes(outC, ckk);
  const colBytes = <usize>ckk * <usize>hw * 4;
  const xImage = <usize>(inC * inH * inW) << 2;
  const dyImage = <usize>(outC * hw) << 2;
  if (directFilter(strideH, strideW, padH, padW, ckk)) {
    conv2dBackwardFilterDirect(batch, inC, inH, inW, outC, kH, kW, dilH, dilW, outH, outW, x, dy, dw, work);
    if (db != 0) {
      for (let o = 0; o < outC; o++) {
        const at = db + (<usize>o << 2);
        for (let n = 0; n < batch; n++) store<f32>(at, load<f32>(at) + rowSum(dy + <usize>n * dyImage + (<usize>(o * hw) << 2), hw));
      }
    }
    return;
  }
  const group = direct ? batch : groupImages(batch, <f64>colBytes);
  for (let n0 = 0; n0 < batch; n0 += group) {
    const count = min(group, batch - n0);
    const xn = x + <usize>n0 * xImage;
    const dyn = dy + <usize>n0 * dyImage;
    if (direct) {
      tileNT(outC, ckk, hw, dyn, hw, dyImage, xn, hw, xImage, count, dw, ckk, db);
    } else {
      for (let g = 0; g < count; g++) {
        im2col(inC, inH, inW, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW,
          xn + <usize>g * xImage, colBuf + <usize>g * colBytes);
      }
      tileNT(outC, ckk, hw, dyn, hw, dyImage, colBuf, hw, colBytes, count, dw, ckk, db);
    }
  }
}
