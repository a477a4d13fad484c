// Stride-1, unpadded convolution backward filter without an im2col copy (helpers of
// assembly/conv.ts; not re-exported by assembly/index.ts).
//
//   dW[o][p] += Σ_n Σ_q dy_n[o][q] · X_n(p, q),  p = (c, i, j) over CKK, q = (oy, ox) over HW
//
// computed transposed, as dWᵀ[p][o]: a tile holds 4 taps p × 8 output channels o, and each step q
// multiplies 4 broadcasts X_n(p, q) = x_n[c][oy + i·dH][ox + j·dW], loaded from x itself at
// x_n + 4·(oy·inW + ox) + off[p], by two vectors of dy_n[o..o+7][q]. For that, 8 channels of dy_n
// at a time are packed per image into a panel, the 8 values of one q adjacent (zeros past outC). The tiles
// of a group of images accumulate in registers across the group and are added to a dWᵀ scratch,
// which is added to dW once per call. Unlike the dot-product tiles of the im2col path (tileNT),
// nothing depends on the output width: no row has a tail, and no lanes are summed at the end.
// 8 accumulators (4 taps × 2 vectors), not 12: V8 schedules a step's broadcast loads ahead of
// its multiply-adds, and 8 + 2 + 4 = 14 vector registers fit the 15 it allocates on x64.

import { madd } from "./math";

/** Scratch budget for the packed dy panels of one group of images. */
const GROUP_PANEL_BYTES: f64 = 262144;

/**
 * Whether the direct path takes this backward filter (else im2col + tileNT). Packing dy costs
 * one scalar copy per element of dy, against CKK multiply-adds per element: with CKK = 9 or 25
 * (a first layer on one channel) that measured 0.55–0.72× the im2col path, with 250 and 288
 * 1.2–1.34× (C4 conv2, C1 conv2; one core, A/B in one process).
 */
// @ts-ignore: decorator
@inline
export function directFilter(strideH: i32, strideW: i32, padH: i32, padW: i32, ckk: i32): bool {
  return strideH == 1 && strideW == 1 && padH == 0 && padW == 0 && ckk >= 64;
}

// @ts-ignore: decorator
@inline
function align64(b: f64): f64 {
  return Math.ceil(b / 64) * 64;
}

/** Output channels rounded up to whole 8-channel panels. */
// @ts-ignore: decorator
@inline
function panelWidth(outC: i32): i32 {
  return (outC + 7) & ~7;
}

/**
 * Images per group: as many 8-channel dy panels as fit GROUP_PANEL_BYTES (at least 1). It does
 * not depend on outC, so a split of the channels between threads sums every dW element in the
 * same groups as one call does (the same bits).
 */
// @ts-ignore: decorator
@inline
function groupOf(batch: i32, hw: i32): i32 {
  const per = <f64>hw * 32;
  return <i32>Math.max(1, Math.min(<f64>batch, Math.floor(GROUP_PANEL_BYTES / Math.max(per, 1))));
}

/** Bytes of the direct backward filter's scratch: offsets, dWᵀ, a group's dy panels. f64. */
export function directFilterBytes(batch: i32, inC: i32, outC: i32, kH: i32, kW: i32, outH: i32, outW: i32): f64 {
  const ckk4 = Math.ceil(<f64>inC * <f64>kH * <f64>kW / 4) * 4;
  const hw = outH * outW;
  const ldt = <f64>panelWidth(outC);
  return align64(ckk4 * 4) + align64(ckk4 * ldt * 4) + <f64>groupOf(batch, hw) * align64(<f64>hw * 32);
}

/**
 * dWᵀ[4 taps × 8 channels] += Σ_g Σ_q X_g(tap, q)·P_g[q][0..7] over `images` images: the taps'
 * byte offsets o0..o3 from x_g + 4·(oy·inW + ox), P_g a panel of 8 channels per q (hw·32 bytes,
 * `panelStride` bytes from one image's panels to the next). `wide` = 0 uses only the first
 * vector (a panel whose channels 4..7 are all padding).
 */
function tile4x8(
  images: i32, x: usize, xImage: usize, o0: usize, o1: usize, o2: usize, o3: usize,
  panel: usize, panelStride: usize, outH: i32, outW: i32, inW: i32, dwt: usize, ldt: usize, wide: i32,
): void {
  let s00 = f32x4.splat(0), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
  const rowSkip = <usize>(inW - outW) << 2;
  for (let g = 0; g < images; g++) {
    let xp = x + <usize>g * xImage;
    let pp = panel + <usize>g * panelStride;
    for (let oy = 0; oy < outH; oy++) {
      const rowEnd = xp + (<usize>outW << 2);
      if (wide) {
        while (xp < rowEnd) {
          const b0 = v128.load(pp), b1 = v128.load(pp, 16);
          let u = v128.load32_splat(xp + o0);
          s00 = madd(u, b0, s00); s01 = madd(u, b1, s01);
          u = v128.load32_splat(xp + o1);
          s10 = madd(u, b0, s10); s11 = madd(u, b1, s11);
          u = v128.load32_splat(xp + o2);
          s20 = madd(u, b0, s20); s21 = madd(u, b1, s21);
          u = v128.load32_splat(xp + o3);
          s30 = madd(u, b0, s30); s31 = madd(u, b1, s31);
          xp += 4;
          pp += 32;
        }
      } else {
        while (xp < rowEnd) {
          const b0 = v128.load(pp);
          s00 = madd(v128.load32_splat(xp + o0), b0, s00);
          s10 = madd(v128.load32_splat(xp + o1), b0, s10);
          s20 = madd(v128.load32_splat(xp + o2), b0, s20);
          s30 = madd(v128.load32_splat(xp + o3), b0, s30);
          xp += 4;
          pp += 32;
        }
      }
      xp += rowSkip;
    }
  }
  const l = ldt << 2;
  v128.store(dwt, f32x4.add(v128.load(dwt), s00)); v128.store(dwt, f32x4.add(v128.load(dwt, 16), s01), 16); dwt += l;
  v128.store(dwt, f32x4.add(v128.load(dwt), s10)); v128.store(dwt, f32x4.add(v128.load(dwt, 16), s11), 16); dwt += l;
  v128.store(dwt, f32x4.add(v128.load(dwt), s20)); v128.store(dwt, f32x4.add(v128.load(dwt, 16), s21), 16); dwt += l;
  v128.store(dwt, f32x4.add(v128.load(dwt), s30)); v128.store(dwt, f32x4.add(v128.load(dwt, 16), s31), 16);
}

/**
 * conv2dBackwardFilter's dw part when directFilter holds (db is summed by the caller), with
 * `scratch` holding directFilterBytes. Each dW element gains one f32 sum per call: over groups of
 * images, each group summed over images and q in order.
 */
export function conv2dBackwardFilterDirect(
  batch: i32, inC: i32, inH: i32, inW: i32, outC: i32, kH: i32, kW: i32, dilH: i32, dilW: i32,
  outH: i32, outW: i32, x: usize, dy: usize, dw: usize, scratch: usize,
): void {
  const ckk = inC * kH * kW;
  const ckk4 = (ckk + 3) & ~3;
  const hw = outH * outW;
  const ldt = panelWidth(outC);
  const offs = scratch;
  const dwt = offs + <usize>align64(<f64>ckk4 * 4);
  const panels = dwt + <usize>align64(<f64>ckk4 * <f64>ldt * 4);
  const panelStride = <usize>align64(<f64>hw * 32);
  // Byte offset of X(p, ·) from x_n + 4·(oy·inW + ox); taps past ckk repeat tap 0 (never added to dW).
  for (let p = 0; p < ckk4; p++) {
    let v = 0;
    if (p < ckk) {
      const c = p / (kH * kW), t = p - c * kH * kW, i = t / kW, j = t - i * kW;
      v = ((c * inH + i * dilH) * inW + j * dilW) << 2;
    }
    store<i32>(offs + (<usize>p << 2), v);
  }
  memory.fill(dwt, 0, <usize>ckk4 * <usize>ldt << 2);
  const xImage = <usize>(inC * inH * inW) << 2;
  const dyImage = <usize>(outC * hw) << 2;
  const group = groupOf(batch, hw);
  for (let n0 = 0; n0 < batch; n0 += group) {
    const count = min(group, batch - n0);
    const xg = x + <usize>n0 * xImage;
    for (let b = 0; b < ldt; b += 8) {
      // Channels b..b+7 of each image's dy into a panel: dy[b + j][q] at 4·(q·8 + j), zeros past outC.
      for (let g = 0; g < count; g++) {
        const src = dy + <usize>(n0 + g) * dyImage;
        const dst = panels + <usize>g * panelStride;
        for (let j = 0; j < 8; j++) {
          const o = b + j;
          let d = dst + (<usize>j << 2);
          if (o < outC) {
            let s = src + (<usize>(o * hw) << 2);
            for (let q = 0; q < hw; q++) { store<f32>(d, load<f32>(s)); s += 4; d += 32; }
          } else {
            for (let q = 0; q < hw; q++) { store<f32>(d, 0); d += 32; }
          }
        }
      }
      for (let p = 0; p < ckk4; p += 4) {
        const op = offs + (<usize>p << 2);
        const o0 = <usize>load<i32>(op), o1 = <usize>load<i32>(op, 4), o2 = <usize>load<i32>(op, 8), o3 = <usize>load<i32>(op, 12);
        tile4x8(count, xg, xImage, o0, o1, o2, o3, panels, panelStride, outH, outW, inW,
          dwt + ((<usize>p * <usize>ldt + <usize>b) << 2), <usize>ldt, b + 4 < outC ? 1 : 0);
      }
    }
  }
  // dW[o][p] += dWᵀ[p][o].
  for (let o = 0; o < outC; o++) {
    const row = dw + (<usize>(o * ckk) << 2);
    for (let p = 0; p < ckk; p++) {
      const at = row + (<usize>p << 2);
      store<f32>(at, load<f32>(at) + load<f32>(dwt + ((<usize>p * <usize>ldt + <usize>o) << 2)));
    }
  }
}
