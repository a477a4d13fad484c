// Kernels of the gemm family (contract: src/backend/contract/gemm.ts).
//
// Goto/BLIS structure: C is cut into KC-deep slices of k and MC-row blocks of m; inside a block a
// register-resident MR×NR = 6×8 tile (12 f32x4 accumulators) runs over kc steps of
//     2 vector loads of B + 6 broadcast loads of A + 12 multiply-adds,
// the shape of XNNPACK's 6x8 wasmsimd "loadsplat" kernels. 12 accumulators + 2 B vectors + 1
// broadcast = 15 vector registers, exactly what V8 allocates on x64 (xmm15 is its scratch), and
// enough independent chains to cover the multiply-add latency on two FMA ports. Measured alone
// (L1-resident panels), 6×8 reaches ~57 GFLOP/s relaxed / ~43 plain, 4×8 a few % less; "splat"
// (load 4 A values once, shuffle-broadcast them) costs shuffle-port µops where load-splat costs
// only load-port µops, so load-splat it is. Unrolling the k loop by 2 measured ~25 % slower (V8
// schedules the second step's loads early and spills accumulators). A block's last rows use 4×8 tiles when that computes
// fewer padding rows (sixRows), a last column panel of ≤ 4 columns uses 6×4/4×4 tiles.
//
// The tile reads its operands through strides rather than a fixed layout:
//   A(i, p) at a + 4·i + p·aStep      (six A values of one step are adjacent)
//   B(p, j) at b + 4·j + p·bStep      (eight B values of one step are adjacent)
// so an operand already in that shape can be read in place and only the others are packed into
// `work`: Aᵀ stored k×m is already "adjacent in i" (aStep = 4·lda), B stored k×n is already
// "adjacent in j" (bStep = 4·ldb). A stored m×k and Bᵀ stored n×k are transposed while packed
// (4×4 register transposes). Partial edge panels are always packed (zero-padded), so a tile never
// reads past a matrix; partial edge tiles are computed into a small buffer and merged.
//
// Packing costs O(k·(m+n)) against O(m·n·k) multiply-adds, which is what makes the transposed
// products as fast as the plain one. In-place reads only pay while the operand is reused little
// (the other dimension ≤ 64): a strided panel touches a new cache line every step, and with a
// power-of-two leading dimension those lines alias to a few L1 sets (256² TN: 77 → 89 % of peak
// once packed).

import { madd, transpose4 } from "./math";
import { MR, NR, panelRows, sixRows } from "./tiling";

/** Depth of a k slice: a 6×KC A panel (6 KB) and an 8×KC B panel (8 KB) stay in L1 together. */
const KC = 256;
/** Rows of A per block: the packed MC×KC A block (72 KB) stays in L2 while B panels stream by. */
const MC = 72;
/** Columns per B block: KC×NC packed B (1 MB) stays in the 2 MB L2 of current x64 server cores. */
const NC = 1024;
/** Bytes of the edge-tile buffer at the start of `work` (one MR×NR tile, cache-line rounded). */
const TILE_BYTES: usize = 256;

// @ts-ignore: decorator
@inline
function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}

/**
 * One MR×NR tile: C[6×8] (+)= Σ_p A(·, p)·B(p, ·), reading A and B through the strides described
 * at the top; `accumulate` = 0 overwrites C without reading it, 1 adds to it.
 *
 * alpha and beta are deliberately not parameters: with two f32 scalars live across the loop and an
 * epilogue that needs 12 accumulators + alpha + beta + temporaries at once, V8's register allocator
 * (15 usable xmm registers on x64) spilled 4 accumulators inside the loop and the tile ran at ~38
 * instead of ~57 GFLOP/s (relaxed). With this epilogue each accumulator dies as it is stored, and
 * the loop keeps 12 accumulators + 2 B vectors + 1 broadcast in registers. gemm folds alpha into
 * the packed A panel and beta into the first k slice (overwrite, accumulate, or a pre-scaled C).
 */
function kernel6x8(kc: i32, a: usize, aStep: usize, b: usize, bStep: usize, c: usize, ldc: usize, accumulate: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  let c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    x = v128.load32_splat(a, 16);
    c40 = madd(x, b0, c40); c41 = madd(x, b1, c41);
    x = v128.load32_splat(a, 20);
    c50 = madd(x, b0, c50); c51 = madd(x, b1, c51);
    a += aStep;
    b += bStep;
  }
  const lc = ldc << 2;
  if (accumulate) {
    v128.store(c, f32x4.add(v128.load(c), c00)); v128.store(c, f32x4.add(v128.load(c, 16), c01), 16); c += lc;
    v128.store(c, f32x4.add(v128.load(c), c10)); v128.store(c, f32x4.add(v128.load(c, 16), c11), 16); c += lc;
    v128.store(c, f32x4.add(v128.load(c), c20)); v128.store(c, f32x4.add(v128.load(c, 16), c21), 16); c += lc;
    v128.store(c, f32x4.add(v128.load(c), c30)); v128.store(c, f32x4.add(v128.load(c, 16), c31), 16); c += lc;
    v128.store(c, f32x4.add(v128.load(c), c40)); v128.store(c, f32x4.add(v128.load(c, 16), c41), 16); c += lc;
    v128.store(c, f32x4.add(v128.load(c), c50)); v128.store(c, f32x4.add(v128.load(c, 16), c51), 16);
  } else {
    v128.store(c, c00); v128.store(c, c01, 16); c += lc;
    v128.store(c, c10); v128.store(c, c11, 16); c += lc;
    v128.store(c, c20); v128.store(c, c21, 16); c += lc;
    v128.store(c, c30); v128.store(c, c31, 16); c += lc;
    v128.store(c, c40); v128.store(c, c41, 16); c += lc;
    v128.store(c, c50); v128.store(c, c51, 16);
  }
}

/**
 * The 4×8 variant of kernel6x8 for the last rows of a block: m = 32 (a batch) in 6-row panels
 * would compute 36 rows, in 6+6+6+6+4+4 it computes exactly 32.
 */
function kernel4x8(kc: i32, a: usize, aStep: usize, b: usize, bStep: usize, c: usize, ldc: usize, accumulate: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    a += aStep;
    b += bStep;
  }
  const lc = ldc << 2;
  if (accumulate) {
    v128.store(c, f32x4.add(v128.load(c), c00)); v128.store(c, f32x4.add(v128.load(c, 16), c01), 16); c += lc;
    v128.store(c, f32x4.add(v128.load(c), c10)); v128.store(c, f32x4.add(v128.load(c, 16), c11), 16); c += lc;
    v128.store(c, f32x4.add(v128.load(c), c20)); v128.store(c, f32x4.add(v128.load(c, 16), c21), 16); c += lc;
    v128.store(c, f32x4.add(v128.load(c), c30)); v128.store(c, f32x4.add(v128.load(c, 16), c31), 16);
  } else {
    v128.store(c, c00); v128.store(c, c01, 16); c += lc;
    v128.store(c, c10); v128.store(c, c11, 16); c += lc;
    v128.store(c, c20); v128.store(c, c21, 16); c += lc;
    v128.store(c, c30); v128.store(c, c31, 16);
  }
}

/** Columns 0–3 of a 6×8 tile into `tile` (rows 32 bytes apart): the B panel's first vector only. */
function kernel6x4(kc: i32, a: usize, aStep: usize, b: usize, bStep: usize, tile: usize): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    c0 = madd(v128.load32_splat(a), b0, c0);
    c1 = madd(v128.load32_splat(a, 4), b0, c1);
    c2 = madd(v128.load32_splat(a, 8), b0, c2);
    c3 = madd(v128.load32_splat(a, 12), b0, c3);
    c4 = madd(v128.load32_splat(a, 16), b0, c4);
    c5 = madd(v128.load32_splat(a, 20), b0, c5);
    a += aStep;
    b += bStep;
  }
  v128.store(tile, c0); v128.store(tile, c1, 32); v128.store(tile, c2, 64);
  v128.store(tile, c3, 96); v128.store(tile, c4, 128); v128.store(tile, c5, 160);
}

/** Columns 0–3 of a 4×8 tile into `tile` (rows 32 bytes apart). */
function kernel4x4(kc: i32, a: usize, aStep: usize, b: usize, bStep: usize, tile: usize): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    c0 = madd(v128.load32_splat(a), b0, c0);
    c1 = madd(v128.load32_splat(a, 4), b0, c1);
    c2 = madd(v128.load32_splat(a, 8), b0, c2);
    c3 = madd(v128.load32_splat(a, 12), b0, c3);
    a += aStep;
    b += bStep;
  }
  v128.store(tile, c0); v128.store(tile, c1, 32); v128.store(tile, c2, 64); v128.store(tile, c3, 96);
}

/** One tile of an h-row panel (h = 6 or 4): whole tiles straight into C, partial ones via `tile`. */
// @ts-ignore: decorator
@inline
function runTile(
  h: i32, kc: i32, a: usize, aStep: usize, b: usize, bStep: usize, c: usize, ldc: usize, accumulate: i32,
  mr: i32, nr: i32, tile: usize,
): void {
  if (mr == h && nr == NR) {
    if (h == MR) kernel6x8(kc, a, aStep, b, bStep, c, ldc, accumulate);
    else kernel4x8(kc, a, aStep, b, bStep, c, ldc, accumulate);
    return;
  }
  // A partial tile is computed into `tile` (h×8, in work) and only its valid part merged; up to 4
  // columns need only the first B vector (n = 10 computes 12 columns, not 16).
  if (nr <= 4) {
    if (h == MR) kernel6x4(kc, a, aStep, b, bStep, tile);
    else kernel4x4(kc, a, aStep, b, bStep, tile);
  } else if (h == MR) kernel6x8(kc, a, aStep, b, bStep, tile, NR, 0);
  else kernel4x8(kc, a, aStep, b, bStep, tile, NR, 0);
  for (let i = 0; i < mr; i++) {
    const t = tile + (<usize>i << 5);
    const ci = c + <usize>i * (ldc << 2);
    for (let j = 0; j < nr; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(t + o);
      store<f32>(ci + o, accumulate ? v + load<f32>(ci + o) : v);
    }
  }
}

/**
 * Packs rows [0, mc) × columns [0, kc) of alpha·op(A) into panels of h rows (6 below row `six`,
 * 4 after it, see sixRows): the panel starting at row i0 holds, for each step p, the h values
 * alpha·op(A)(i0 + r, p) adjacently at dst + 4·(i0·kc + p·h + r); rows past mc are zeros.
 * op(A)(i, p) is at a + 4·(i·rs + p·cs) (rs, cs in elements). Scaling here costs one multiply
 * per packed element instead of one per element of C per k slice.
 */
function packA(mc: i32, kc: i32, a: usize, rs: usize, cs: usize, alpha: f32, six: i32, dst: usize): void {
  const rsb = rs << 2, csb = cs << 2;
  for (let i0 = 0; i0 < mc;) {
    const h = panelRows(i0, six);
    const rows = min(mc - i0, h);
    const src = a + <usize>i0 * rsb;
    if (cs == 1 && rows == MR && h == MR) {
      // A stored m×k: six row pointers, a transposing copy. Four steps at a time: rows 0–3 go
      // through a 4×4 register transpose, rows 4–5 are interleaved into pairs, and each step's
      // six values are written as one 4-float and one 2-float store (~4× fewer instructions than
      // element by element; packing A was 8% of the 32×100×784 products).
      const r0 = src, r1 = r0 + rsb, r2 = r1 + rsb, r3 = r2 + rsb, r4 = r3 + rsb, r5 = r4 + rsb;
      const va = f32x4.splat(alpha);
      let d = dst;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        const x0 = f32x4.mul(v128.load(r0 + o), va), x1 = f32x4.mul(v128.load(r1 + o), va);
        const x2 = f32x4.mul(v128.load(r2 + o), va), x3 = f32x4.mul(v128.load(r3 + o), va);
        const x4 = f32x4.mul(v128.load(r4 + o), va), x5 = f32x4.mul(v128.load(r5 + o), va);
        transpose4(x0, x1, x2, x3, d, MR << 2);
        const lo = v128.shuffle<f32>(x4, x5, 0, 4, 1, 5);
        const hi = v128.shuffle<f32>(x4, x5, 2, 6, 3, 7);
        v128.store64_lane(d, lo, 0, 16);
        v128.store64_lane(d, lo, 1, 40);
        v128.store64_lane(d, hi, 0, 64);
        v128.store64_lane(d, hi, 1, 88);
        d += MR << 4;
      }
      for (; p < kc; p++) {
        const o = <usize>p << 2;
        store<f32>(d, alpha * load<f32>(r0 + o));
        store<f32>(d, alpha * load<f32>(r1 + o), 4);
        store<f32>(d, alpha * load<f32>(r2 + o), 8);
        store<f32>(d, alpha * load<f32>(r3 + o), 12);
        store<f32>(d, alpha * load<f32>(r4 + o), 16);
        store<f32>(d, alpha * load<f32>(r5 + o), 20);
        d += MR << 2;
      }
    } else if (cs == 1 && rows == 4 && h == 4 && kc >= 4) {
      // The same for a 4-row panel: one 4×4 transpose per four steps, scalar steps after.
      const r0 = src, r1 = r0 + rsb, r2 = r1 + rsb, r3 = r2 + rsb;
      const va = f32x4.splat(alpha);
      let d = dst;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        const x0 = f32x4.mul(v128.load(r0 + o), va), x1 = f32x4.mul(v128.load(r1 + o), va);
        const x2 = f32x4.mul(v128.load(r2 + o), va), x3 = f32x4.mul(v128.load(r3 + o), va);
        transpose4(x0, x1, x2, x3, d, 16);
        d += 64;
      }
      for (; p < kc; p++) {
        const o = <usize>p << 2;
        store<f32>(d, alpha * load<f32>(r0 + o));
        store<f32>(d, alpha * load<f32>(r1 + o), 4);
        store<f32>(d, alpha * load<f32>(r2 + o), 8);
        store<f32>(d, alpha * load<f32>(r3 + o), 12);
        d += 16;
      }
    } else if (rs == 1 && rows == MR && h == MR) {
      // Aᵀ stored k×m: six adjacent values per step, copied as one 4-float and one 2-float move.
      const va = f32x4.splat(alpha);
      let s = src, d = dst;
      for (let p = 0; p < kc; p++) {
        v128.store(d, f32x4.mul(v128.load(s), va));
        v128.store64_lane(d, f32x4.mul(v128.load64_zero(s, 16), va), 0, 16);
        s += csb;
        d += MR << 2;
      }
    } else if (rs == 1 && rows == 4 && h == 4) {
      // The same for a 4-row panel: one vector per step.
      const va = f32x4.splat(alpha);
      let s = src, d = dst;
      for (let p = 0; p < kc; p++) {
        v128.store(d, f32x4.mul(v128.load(s), va));
        s += csb;
        d += 16;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const d = dst + (<usize>(p * h) << 2);
        const s = src + <usize>p * csb;
        let r = 0;
        for (; r < rows; r++) store<f32>(d + (<usize>r << 2), alpha * load<f32>(s + <usize>r * rsb));
        for (; r < h; r++) store<f32>(d + (<usize>r << 2), 0);
      }
    }
    dst += <usize>kc * (<usize>h << 2);
    i0 += h;
  }
}

/**
 * Packs op(B) rows [0, kc) × columns [0, nc) into NR-column panels: panel q holds, for each step p,
 * op(B)(p, q·NR + j) at dst + 4·((q·kc + p)·NR + j); columns past nc are zeros.
 * op(B)(p, j) is at b + 4·(p·rs + j·cs).
 */
function packB(kc: i32, nc: i32, b: usize, rs: usize, cs: usize, dst: usize): void {
  const rsb = rs << 2, csb = cs << 2;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = min(nc - j0, NR);
    const src = b + <usize>j0 * csb;
    if (cs == 1 && cols == NR) {
      let s = src, d = dst;
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        s += rsb;
        d += NR << 2;
      }
    } else if (rs == 1 && cols == NR) {
      // Bᵀ stored n×k: eight column pointers, 4×4 blocks transposed in registers.
      const q0 = src, q1 = q0 + csb, q2 = q1 + csb, q3 = q2 + csb;
      const q4 = q3 + csb, q5 = q4 + csb, q6 = q5 + csb, q7 = q6 + csb;
      let p = 0;
      let d = dst;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        transpose4(v128.load(q0 + o), v128.load(q1 + o), v128.load(q2 + o), v128.load(q3 + o), d, NR << 2);
        transpose4(v128.load(q4 + o), v128.load(q5 + o), v128.load(q6 + o), v128.load(q7 + o), d + 16, NR << 2);
        d += NR << 4;
      }
      for (; p < kc; p++) {
        const o = <usize>p << 2;
        store<f32>(d, load<f32>(q0 + o));
        store<f32>(d, load<f32>(q1 + o), 4);
        store<f32>(d, load<f32>(q2 + o), 8);
        store<f32>(d, load<f32>(q3 + o), 12);
        store<f32>(d, load<f32>(q4 + o), 16);
        store<f32>(d, load<f32>(q5 + o), 20);
        store<f32>(d, load<f32>(q6 + o), 24);
        store<f32>(d, load<f32>(q7 + o), 28);
        d += NR << 2;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const d = dst + (<usize>p * NR << 2);
        const s = src + <usize>p * rsb;
        let j = 0;
        for (; j < cols; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + <usize>j * csb));
        for (; j < NR; j++) store<f32>(d + (<usize>j << 2), 0);
      }
    }
    dst += <usize>kc * (NR << 2);
  }
}

/** C = beta·C for an m×n block (beta = 0 writes zeros without reading). */
function scaleC(m: i32, n: i32, beta: f32, c: usize, ldc: usize): void {
  for (let i = 0; i < m; i++) {
    const row = c + <usize>i * (ldc << 2);
    for (let j = 0; j < n; j++) {
      const at = row + (<usize>j << 2);
      store<f32>(at, beta == 0 ? 0 : beta * load<f32>(at));
    }
  }
}

/**
 * C for op(A)·op(B) with m ≤ 4 and n ≤ 4 (a weight gradient of a tiny layer: the 2-3-2
 * make-moons net's Δ·xᵀ is 3×2 over k = 200), read in place. Through the tiled path, packing
 * the partial panels and merging the edge tile cost more than the multiply-adds; here four
 * row chains (one per lane group) run straight over the strides. Each element gets the tile's
 * arithmetic (alpha·A rounded first, the same madd in the same p order from 0, then stored or
 * added to C), so the result is bit-identical to the tiled path and a split of C between
 * threads may take either path. Needs k ≤ KC (one k slice). Missing rows read row 0 and
 * missing columns read zeros; neither is stored.
 */
function gemmTiny(
  m: i32, n: i32, k: i32, alpha: f32, a: usize, aRs: usize, aCs: usize,
  b: usize, bRs: usize, bCs: usize, c: usize, ldc: usize, accumulate: i32,
): void {
  const aRsB = aRs << 2, aCsB = aCs << 2, bRsB = bRs << 2, bCsB = bCs << 2;
  const a0 = a, a1 = m > 1 ? a + aRsB : a, a2 = m > 2 ? a + 2 * aRsB : a, a3 = m > 3 ? a + 3 * aRsB : a;
  const va = f32x4.splat(alpha);
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  for (let p = 0; p < k; p++) {
    const ao = <usize>p * aCsB, bp = b + <usize>p * bRsB;
    let bv: v128;
    if (n == 4 && bCs == 1) {
      bv = v128.load(bp);
    } else {
      bv = f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(bp));
      if (n > 1) bv = f32x4.replace_lane(bv, 1, load<f32>(bp + bCsB));
      if (n > 2) bv = f32x4.replace_lane(bv, 2, load<f32>(bp + 2 * bCsB));
      if (n > 3) bv = f32x4.replace_lane(bv, 3, load<f32>(bp + 3 * bCsB));
    }
    c0 = madd(f32x4.mul(v128.load32_splat(a0 + ao), va), bv, c0);
    c1 = madd(f32x4.mul(v128.load32_splat(a1 + ao), va), bv, c1);
    c2 = madd(f32x4.mul(v128.load32_splat(a2 + ao), va), bv, c2);
    c3 = madd(f32x4.mul(v128.load32_splat(a3 + ao), va), bv, c3);
  }
  storeTinyRow(c, c0, n, accumulate);
  if (m > 1) storeTinyRow(c + (ldc << 2), c1, n, accumulate);
  if (m > 2) storeTinyRow(c + 2 * (ldc << 2), c2, n, accumulate);
  if (m > 3) storeTinyRow(c + 3 * (ldc << 2), c3, n, accumulate);
}

/** The first n (≤ 4) lanes of v into a row of C, added to it when accumulating. */
// @ts-ignore: decorator
@inline
function storeTinyRow(c: usize, v: v128, n: i32, accumulate: i32): void {
  for (let j = 0; j < n; j++) {
    const at = c + (<usize>j << 2);
    let x: f32;
    if (j == 0) x = f32x4.extract_lane(v, 0);
    else if (j == 1) x = f32x4.extract_lane(v, 1);
    else if (j == 2) x = f32x4.extract_lane(v, 2);
    else x = f32x4.extract_lane(v, 3);
    store<f32>(at, accumulate ? load<f32>(at) + x : x);
  }
}

/** Bytes of `work` that gemm uses for these sizes: edge tile + one packed A block + one packed B block. */
export function gemmWorkBytes(m: i32, n: i32, k: i32): i32 {
  if (m <= 0 || n <= 0 || k <= 0) return 0;
  const kc = min(k, KC);
  const aBytes = roundUp(min(m, MC), MR) * kc * 4;
  const bBytes = roundUp(min(n, NC), NR) * kc * 4;
  return <i32>TILE_BYTES + roundUp(aBytes, 64) + bBytes;
}

/**
 * C = alpha·op(A)·op(B) + beta·C (contract: src/backend/contract/gemm.ts). Also called directly
 * by other families' AssemblyScript; keep this signature stable.
 */
export function gemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  const ldcU = <usize>ldc;
  if (k <= 0) {
    if (beta != 1) scaleC(m, n, beta, c, ldcU);
    return;
  }
  // The tiles only overwrite (first k slice, beta = 0) or accumulate; any other beta scales C first.
  if (beta != 0 && beta != 1) scaleC(m, n, beta, c, ldcU);
  const firstAcc: i32 = beta != 0 ? 1 : 0;
  // op(A)(i, p) = a[i·aRs + p·aCs], op(B)(p, j) = b[p·bRs + j·bCs] (element strides).
  const aRs: usize = transA ? 1 : <usize>lda, aCs: usize = transA ? <usize>lda : 1;
  const bRs: usize = transB ? 1 : <usize>ldb, bCs: usize = transB ? <usize>ldb : 1;
  if (k <= KC && m <= 4 && n <= 4) {
    gemmTiny(m, n, k, alpha, a, aRs, aCs, b, bRs, bCs, c, ldcU, firstAcc);
    return;
  }
  // In-place reads need the operand adjacent along the tile's vector; they pay off while the
  // operand is reused little (packing is then a large share) and its rows are short. alpha is
  // applied while packing A, so a scaled product always packs A.
  const aInPlace = transA != 0 && alpha == 1 && n <= 64;
  const bInPlace = transB == 0 && m <= 64;
  const kcMax = min(k, KC);
  const tile = work;
  const aPack = work + TILE_BYTES;
  const bPack = aPack + <usize>roundUp(roundUp(min(m, MC), MR) * kcMax * 4, 64);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(n - jc, NC);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(k - pc, KC);
      const acc: i32 = pc == 0 ? firstAcc : 1;
      const bBlock = b + ((<usize>pc * bRs + <usize>jc * bCs) << 2);
      if (!bInPlace) {
        packB(kc, nc, bBlock, bRs, bCs, bPack);
      } else if (nc % NR != 0) {
        const full = nc - nc % NR;
        packB(kc, nc - full, bBlock + (<usize>full << 2), bRs, bCs, bPack + <usize>full * (<usize>kc << 2));
      }
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(m - ic, MC);
        const six = sixRows(mc);
        const aBlock = a + ((<usize>ic * aRs + <usize>pc * aCs) << 2);
        if (!aInPlace) {
          packA(mc, kc, aBlock, aRs, aCs, alpha, six, aPack);
        } else {
          // In place, only a partial last panel is packed (so no tile reads past A).
          for (let ir = 0; ir < mc;) {
            const h = panelRows(ir, six);
            if (mc - ir < h) {
              packA(mc - ir, kc, aBlock + (<usize>ir << 2), aRs, aCs, alpha, h == MR ? MR : 0, aPack + <usize>ir * (<usize>kc << 2));
            }
            ir += h;
          }
        }
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(nc - jr, NR);
          let bp: usize, bStep: usize;
          if (bInPlace && nr == NR) {
            bp = bBlock + (<usize>jr << 2);
            bStep = <usize>ldb << 2;
          } else {
            bp = bPack + <usize>jr * (<usize>kc << 2);
            bStep = NR << 2;
          }
          const cCol = c + ((<usize>(ic) * ldcU + <usize>(jc + jr)) << 2);
          for (let ir = 0; ir < mc;) {
            const h = panelRows(ir, six);
            const mr = min(mc - ir, h);
            let ap: usize, aStep: usize;
            if (aInPlace && mr == h) {
              ap = aBlock + (<usize>ir << 2);
              aStep = <usize>lda << 2;
            } else {
              ap = aPack + <usize>ir * (<usize>kc << 2);
              aStep = <usize>h << 2;
            }
            runTile(h, kc, ap, aStep, bp, bStep, cCol + ((<usize>ir * ldcU) << 2), ldcU, acc, mr, nr, tile);
            ir += h;
          }
        }
      }
    }
  }
}
