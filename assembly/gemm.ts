// Kernels of the gemm family (contract: src/backend/contract/gemm.ts).
//
// Goto/BLIS structure: C is cut into KC-deep slices of k and MC-row blocks of m; inside a block a
// register-resident MR×NR = 6×8 tile (12 f32x4 accumulators) runs over kc steps of
//     2 vector loads of B + 6 broadcast loads of A + 12 multiply-adds,
// the shape of XNNPACK's 6x8 wasmsimd "loadsplat" kernels. 12 accumulators + 2 B vectors + 1
// broadcast = 15 vector registers, exactly what V8 allocates on x64 (xmm15 is its scratch), and
// enough independent chains to cover the multiply-add latency on two FMA ports. 4×8 (8 chains)
// measured ~10% slower; "splat" (load 4 A values once, shuffle-broadcast them) costs shuffle-port
// µops where load-splat costs only load-port µops, so load-splat it is.
//
// The tile reads its operands through strides rather than a fixed layout:
//   A(i, p) at a + 4·i + p·aStep      (six A values of one step are adjacent)
//   B(p, j) at b + 4·j + p·bStep      (eight B values of one step are adjacent)
// so an operand already in that shape is read in place and only the others are packed into
// `work`: Aᵀ stored k×m is already "adjacent in i" (aStep = 4·lda), B stored k×n is already
// "adjacent in j" (bStep = 4·ldb). A stored m×k and Bᵀ stored n×k are transposed while packed.
// Partial edge panels are always packed (zero-padded), so the tile never reads past a matrix;
// partial edge tiles are computed whole and only their valid part is stored.
//
// Packing costs O(k·(m+n)) against O(m·n·k) multiply-adds, which is what makes the transposed
// products as fast as the plain one. Large in-place operands are packed anyway once they are
// reused enough: strided in-place reads of a 1024-wide matrix touch a new page every step.

const MR = 6;
const NR = 8;
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
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline
function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}

/** Stores one row of the tile: C = alpha·acc + beta·C (beta = 0 never reads C). */
// @ts-ignore: decorator
@inline
function storeRow(c: usize, s0: v128, s1: v128, va: v128, beta: f32, vb: v128): void {
  let r0 = f32x4.mul(s0, va);
  let r1 = f32x4.mul(s1, va);
  if (beta != 0) {
    r0 = madd(v128.load(c), vb, r0);
    r1 = madd(v128.load(c, 16), vb, r1);
  }
  v128.store(c, r0);
  v128.store(c, r1, 16);
}

/**
 * One MR×NR tile: C[mr × nr] = alpha·Σ_p A(·, p)·B(p, ·) + beta·C, reading A and B through the
 * strides described at the top. mr ≤ MR and nr ≤ NR; a partial tile goes through `tile`.
 */
function kernel6x8(
  kc: i32, a: usize, aStep: usize, b: usize, bStep: usize,
  alpha: f32, beta: f32, c: usize, ldc: usize, mr: i32, nr: i32, tile: usize,
): void {
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
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  if (mr == MR && nr == NR) {
    const lc = ldc << 2;
    storeRow(c, c00, c01, va, beta, vb); c += lc;
    storeRow(c, c10, c11, va, beta, vb); c += lc;
    storeRow(c, c20, c21, va, beta, vb); c += lc;
    storeRow(c, c30, c31, va, beta, vb); c += lc;
    storeRow(c, c40, c41, va, beta, vb); c += lc;
    storeRow(c, c50, c51, va, beta, vb);
    return;
  }
  const z = f32x4.splat(0);
  storeRow(tile, c00, c01, va, 0, z);
  storeRow(tile + 32, c10, c11, va, 0, z);
  storeRow(tile + 64, c20, c21, va, 0, z);
  storeRow(tile + 96, c30, c31, va, 0, z);
  storeRow(tile + 128, c40, c41, va, 0, z);
  storeRow(tile + 160, c50, c51, va, 0, z);
  for (let i = 0; i < mr; i++) {
    const t = tile + (<usize>i << 5);
    const ci = c + <usize>i * (ldc << 2);
    for (let j = 0; j < nr; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(t + o);
      store<f32>(ci + o, beta == 0 ? v : v + beta * load<f32>(ci + o));
    }
  }
}

/**
 * Packs rows [0, mc) × columns [0, kc) of op(A) into MR-row panels: panel q holds, for each step
 * p, the MR values op(A)(q·MR + r, p) adjacently at dst + 4·((q·kc + p)·MR + r); rows past mc
 * are zeros. op(A)(i, p) is at a + 4·(i·rs + p·cs) (rs, cs in elements).
 */
function packA(mc: i32, kc: i32, a: usize, rs: usize, cs: usize, dst: usize): void {
  const rsb = rs << 2, csb = cs << 2;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(mc - i0, MR);
    const src = a + <usize>i0 * rsb;
    if (cs == 1 && rows == MR) {
      // A stored m×k: six row pointers, one element of each per step (a transposing copy).
      const r0 = src, r1 = r0 + rsb, r2 = r1 + rsb, r3 = r2 + rsb, r4 = r3 + rsb, r5 = r4 + rsb;
      let d = dst;
      for (let p = 0; p < kc; p++) {
        const o = <usize>p << 2;
        store<f32>(d, load<f32>(r0 + o));
        store<f32>(d, load<f32>(r1 + o), 4);
        store<f32>(d, load<f32>(r2 + o), 8);
        store<f32>(d, load<f32>(r3 + o), 12);
        store<f32>(d, load<f32>(r4 + o), 16);
        store<f32>(d, load<f32>(r5 + o), 20);
        d += MR << 2;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const d = dst + (<usize>p * MR << 2);
        const s = src + <usize>p * csb;
        let r = 0;
        for (; r < rows; r++) store<f32>(d + (<usize>r << 2), load<f32>(s + <usize>r * rsb));
        for (; r < MR; r++) store<f32>(d + (<usize>r << 2), 0);
      }
    }
    dst += <usize>kc * (MR << 2);
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
        transpose4(v128.load(q0 + o), v128.load(q1 + o), v128.load(q2 + o), v128.load(q3 + o), d);
        transpose4(v128.load(q4 + o), v128.load(q5 + o), v128.load(q6 + o), v128.load(q7 + o), d + 16);
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

/** Writes the 4×4 transpose of rows x0..x3 as four 4-float rows 32 bytes apart (NR-panel rows). */
// @ts-ignore: decorator
@inline
function transpose4(x0: v128, x1: v128, x2: v128, x3: v128, d: usize): void {
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 32);
  v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 64);
  v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 96);
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
  // op(A)(i, p) = a[i·aRs + p·aCs], op(B)(p, j) = b[p·bRs + j·bCs] (element strides).
  const aRs: usize = transA ? 1 : <usize>lda, aCs: usize = transA ? <usize>lda : 1;
  const bRs: usize = transB ? 1 : <usize>ldb, bCs: usize = transB ? <usize>ldb : 1;
  // In-place reads need the operand adjacent along the tile's vector; they pay off while the
  // operand is reused little (packing is then a large share) and its rows are short.
  const aInPlace = transA != 0 && (n <= 64 || lda <= 256);
  const bInPlace = transB == 0 && (m <= 64 || ldb <= 256);
  const kcMax = min(k, KC);
  const tile = work;
  const aPack = work + TILE_BYTES;
  const bPack = aPack + <usize>roundUp(roundUp(min(m, MC), MR) * kcMax * 4, 64);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(n - jc, NC);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(k - pc, KC);
      const betaK: f32 = pc == 0 ? beta : 1;
      const bBlock = b + ((<usize>pc * bRs + <usize>jc * bCs) << 2);
      if (!bInPlace) {
        packB(kc, nc, bBlock, bRs, bCs, bPack);
      } else if (nc % NR != 0) {
        const full = nc - nc % NR;
        packB(kc, nc - full, bBlock + (<usize>full << 2), bRs, bCs, bPack + <usize>full * (<usize>kc << 2));
      }
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(m - ic, MC);
        const aBlock = a + ((<usize>ic * aRs + <usize>pc * aCs) << 2);
        if (!aInPlace) {
          packA(mc, kc, aBlock, aRs, aCs, aPack);
        } else if (mc % MR != 0) {
          const full = mc - mc % MR;
          packA(mc - full, kc, aBlock + (<usize>full << 2), aRs, aCs, aPack + <usize>full * (<usize>kc << 2));
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
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(mc - ir, MR);
            let ap: usize, aStep: usize;
            if (aInPlace && mr == MR) {
              ap = aBlock + (<usize>ir << 2);
              aStep = <usize>lda << 2;
            } else {
              ap = aPack + <usize>ir * (<usize>kc << 2);
              aStep = MR << 2;
            }
            kernel6x8(kc, ap, aStep, bp, bStep, alpha, betaK, cCol + ((<usize>ir * ldcU) << 2), ldcU, mr, nr, tile);
          }
        }
      }
    }
  }
}
