// Kernels of the pool family (contract: src/backend/contract/pool.ts).
// The generic kernels are scalar: a pooling window is a handful of loads and the layers spend
// their time in the convolutions around them. 2x2 stride-2 unpadded max/avg pooling, the
// MaxPool2d(2) of every reference CNN, gets a SIMD path that makes four outputs per step, and its
// max backward writes whole 2x2 blocks in one pass where every argmax stays in its block (the
// average backward always does, for 2x2 stride 2 without padding).

// Picks `b` over `a` where b > a or b is NaN: ties keep the earlier cell, NaN propagates.
// @ts-ignore: decorator
@inline
function takeLater(a: v128, b: v128): v128 {
  return v128.or(f32x4.gt(b, a), f32x4.ne(b, b));
}

// Lanes of `yes` where mask is all ones, else of `no` (masks here always come from comparisons,
// so relaxed_laneselect, one blend instruction, agrees with the three-instruction bitselect).
// @ts-ignore: decorator
@inline
function pick(yes: v128, no: v128, mask: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(yes, no, mask);
  return v128.bitselect(yes, no, mask);
}

export function maxPool2dForward(
  planes: i32, inH: i32, inW: i32, kH: i32, kW: i32, strideH: i32, strideW: i32,
  padH: i32, padW: i32, outH: i32, outW: i32, x: usize, y: usize, argmax: usize,
): void {
  const inPlane = <usize>(inH * inW) << 2;
  const outPlane = <usize>(outH * outW) << 2;
  const fast = kH == 2 && kW == 2 && strideH == 2 && strideW == 2 && padH == 0 && padW == 0;
  for (let p = 0; p < planes; p++) {
    const xp = x + <usize>p * inPlane;
    const yp = y + <usize>p * outPlane;
    const ap = argmax + <usize>p * outPlane;
    for (let oy = 0; oy < outH; oy++) {
      let ox = 0;
      if (fast) {
        const top = 2 * oy * inW;
        const r0 = xp + (<usize>top << 2);
        const r1 = r0 + (<usize>inW << 2);
        const rowBase = i32x4.add(i32x4.splat(top), i32x4(0, 2, 4, 6));
        const offB = i32x4.splat(1);
        const offC = i32x4.splat(inW);
        const offD = i32x4.splat(inW + 1);
        // When outW is not a multiple of 4 the last group starts at outW − 4 and recomputes a
        // few outputs (same values) instead of leaving a slow scalar tail.
        for (; outW >= 4 && ox < outW; ox += 4) {
          const q = min(ox, outW - 4);
          const o = <usize>q << 3;
          const t0 = v128.load(r0 + o), t1 = v128.load(r0 + o, 16);
          const u0 = v128.load(r1 + o), u1 = v128.load(r1 + o, 16);
          const a = v128.shuffle<f32>(t0, t1, 0, 2, 4, 6);
          const b = v128.shuffle<f32>(t0, t1, 1, 3, 5, 7);
          const c = v128.shuffle<f32>(u0, u1, 0, 2, 4, 6);
          const d = v128.shuffle<f32>(u0, u1, 1, 3, 5, 7);
          const mb = takeLater(a, b);
          const m1 = pick(b, a, mb);
          const i1 = v128.and(offB, mb);
          const md = takeLater(c, d);
          const m2 = pick(d, c, md);
          const i2 = pick(offD, offC, md);
          const mm = takeLater(m1, m2);
          const base = i32x4.add(rowBase, i32x4.splat(2 * q));
          const out = <usize>(oy * outW + q) << 2;
          v128.store(yp + out, pick(m2, m1, mm));
          v128.store(ap + out, i32x4.add(base, pick(i2, i1, mm)));
        }
        // Rows narrower than 4 outputs: the same pairwise choice one at a time, branch-free: on random data the
        // comparisons would mispredict half the time. V8 turns an i32 select into a conditional
        // move but an f32 select into a branch, hence the selects on the values' bits.
        for (; ox < outW; ox++) {
          const at = top + 2 * ox;
          const p0 = r0 + (<usize>(2 * ox) << 2), p1 = r1 + (<usize>(2 * ox) << 2);
          const a = load<f32>(p0), b = load<f32>(p0, 4), c = load<f32>(p1), d = load<f32>(p1, 4);
          const tb = b > a || b != b, td = d > c || d != d;
          const m1 = reinterpret<f32>(select<i32>(load<i32>(p0, 4), load<i32>(p0), tb)), i1 = at + <i32>tb;
          const m2 = reinterpret<f32>(select<i32>(load<i32>(p1, 4), load<i32>(p1), td)), i2 = at + inW + <i32>td;
          const t2 = m2 > m1 || m2 != m2;
          const out = <usize>(oy * outW + ox) << 2;
          store<i32>(yp + out, select<i32>(reinterpret<i32>(m2), reinterpret<i32>(m1), t2));
          store<i32>(ap + out, select<i32>(i2, i1, t2));
        }
      }
      for (; ox < outW; ox++) {
        let best = -Infinity as f32;
        let bestAt = -1;
        for (let i = 0; i < kH; i++) {
          const iy = oy * strideH - padH + i;
          if (iy < 0 || iy >= inH) continue;
          for (let j = 0; j < kW; j++) {
            const ix = ox * strideW - padW + j;
            if (ix < 0 || ix >= inW) continue;
            const at = iy * inW + ix;
            const value = load<f32>(xp + (<usize>at << 2));
            // `bestAt < 0` takes the first in-image cell even when it is −∞.
            if (value > best || value != value || bestAt < 0) {
              best = value;
              bestAt = at;
            }
          }
        }
        const out = <usize>(oy * outW + ox) << 2;
        store<f32>(yp + out, best);
        store<i32>(ap + out, bestAt);
      }
    }
  }
}

export function maxPool2dBackward(
  planes: i32, inH: i32, inW: i32, outH: i32, outW: i32, dy: usize, argmax: usize, dx: usize,
): void {
  const inPlane = inH * inW;
  const outPlane = outH * outW;
  // When output (oy, ox) can own the 2x2 block at (2oy, 2ox), as in MaxPool2d(2), try writing each
  // plane in one pass instead of zeroing it and scattering: valid whenever every argmax lies in
  // its own block, since the blocks are disjoint (whatever the window and stride were). Measured
  // 1.2-1.3x faster on C1's 26x26 and C4's 24x24 planes, but slower below 8 outputs a row (C1's
  // 11x11, C4's 8x8), where one fill of all planes and the scatter win.
  const blocks = outW >= 8 && 2 * outH <= inH && 2 * outW <= inW;
  if (!blocks) memory.fill(dx, 0, <usize>(planes * inPlane) << 2);
  for (let p = 0; p < planes; p++) {
    const dxp = dx + (<usize>(p * inPlane) << 2);
    const dyp = dy + (<usize>(p * outPlane) << 2);
    const ap = argmax + (<usize>(p * outPlane) << 2);
    if (blocks) {
      if (blockPlane(inH, inW, outH, outW, dyp, ap, dxp)) continue;
      memory.fill(dxp, 0, <usize>inPlane << 2);
    }
    for (let o = 0; o < outPlane; o++) {
      const at = dxp + (<usize>load<i32>(ap + (<usize>o << 2)) << 2);
      store<f32>(at, load<f32>(at) + load<f32>(dyp + (<usize>o << 2)));
    }
  }
}

/**
 * One plane of maxPool2dBackward when each argmax lies in its output's 2x2 block: both rows of a
 * block row are written whole (dy at the argmax, 0 elsewhere), four outputs per step, then the
 * cells no block covers are zeroed. Returns false, having possibly written part of the plane
 * (the caller then zeroes and scatters it), as soon as an argmax lies outside its block.
 * Needs outW ≥ 4, 2·outH ≤ inH, 2·outW ≤ inW.
 */
function blockPlane(inH: i32, inW: i32, outH: i32, outW: i32, dy: usize, argmax: usize, dx: usize): bool {
  const lane = i32x4(0, 2, 4, 6);
  const one = i32x4.splat(1), below = i32x4.splat(inW), belowRight = i32x4.splat(inW + 1);
  const rowBytes = <usize>inW << 2;
  for (let oy = 0; oy < outH; oy++) {
    const r0 = dx + <usize>(2 * oy) * rowBytes, r1 = r0 + rowBytes;
    const top = i32x4.splat(2 * oy * inW);
    // As in the forward pass, the last group overlaps the one before (same values rewritten).
    for (let ox = 0; ox < outW; ox += 4) {
      const q = min(ox, outW - 4);
      const o = <usize>(oy * outW + q) << 2;
      const rel = i32x4.sub(v128.load(argmax + o), i32x4.add(top, i32x4.add(lane, i32x4.splat(2 * q))));
      const m00 = i32x4.eq(rel, i32x4.splat(0)), m01 = i32x4.eq(rel, one);
      const m10 = i32x4.eq(rel, below), m11 = i32x4.eq(rel, belowRight);
      if (!i32x4.all_true(v128.or(v128.or(m00, m01), v128.or(m10, m11)))) return false;
      const g = v128.load(dy + o);
      const a = v128.and(g, m00), b = v128.and(g, m01), c = v128.and(g, m10), d = v128.and(g, m11);
      const at = <usize>(2 * q) << 2;
      v128.store(r0 + at, v128.shuffle<f32>(a, b, 0, 4, 1, 5));
      v128.store(r0 + at, v128.shuffle<f32>(a, b, 2, 6, 3, 7), 16);
      v128.store(r1 + at, v128.shuffle<f32>(c, d, 0, 4, 1, 5));
      v128.store(r1 + at, v128.shuffle<f32>(c, d, 2, 6, 3, 7), 16);
    }
    // Usually one odd column, or none: stores, since memory.fill is a call into the runtime.
    for (let ix = 2 * outW; ix < inW; ix++) {
      const at = <usize>ix << 2;
      store<f32>(r0 + at, 0);
      store<f32>(r1 + at, 0);
    }
  }
  for (let at = <usize>(2 * outH) * rowBytes; at < <usize>(inH * inW) << 2; at += 4) store<f32>(dx + at, 0);
  return true;
}

export function avgPool2dForward(
  planes: i32, inH: i32, inW: i32, kH: i32, kW: i32, strideH: i32, strideW: i32,
  padH: i32, padW: i32, outH: i32, outW: i32, countIncludePad: i32, x: usize, y: usize,
): void {
  const inPlane = <usize>(inH * inW) << 2;
  const outPlane = <usize>(outH * outW) << 2;
  const fast = kH == 2 && kW == 2 && strideH == 2 && strideW == 2 && padH == 0 && padW == 0;
  const quarter = f32x4.splat(0.25);
  for (let p = 0; p < planes; p++) {
    const xp = x + <usize>p * inPlane;
    const yp = y + <usize>p * outPlane;
    for (let oy = 0; oy < outH; oy++) {
      let ox = 0;
      if (fast) {
        const r0 = xp + (<usize>(2 * oy * inW) << 2);
        const r1 = r0 + (<usize>inW << 2);
        // As for max pooling, a last group overlapping the one before replaces the scalar tail.
        for (; outW >= 4 && ox < outW; ox += 4) {
          const q = min(ox, outW - 4);
          const o = <usize>q << 3;
          const t0 = v128.load(r0 + o), t1 = v128.load(r0 + o, 16);
          const u0 = v128.load(r1 + o), u1 = v128.load(r1 + o, 16);
          const top = f32x4.add(v128.shuffle<f32>(t0, t1, 0, 2, 4, 6), v128.shuffle<f32>(t0, t1, 1, 3, 5, 7));
          const bottom = f32x4.add(v128.shuffle<f32>(u0, u1, 0, 2, 4, 6), v128.shuffle<f32>(u0, u1, 1, 3, 5, 7));
          v128.store(yp + (<usize>(oy * outW + q) << 2), f32x4.mul(f32x4.add(top, bottom), quarter));
        }
      }
      for (; ox < outW; ox++) {
        const ty = oy * strideH - padH;
        const tx = ox * strideW - padW;
        const y0 = max(ty, 0), y1 = min(ty + kH, inH);
        const x0 = max(tx, 0), x1 = min(tx + kW, inW);
        let sum: f32 = 0;
        for (let iy = y0; iy < y1; iy++) {
          const row = xp + (<usize>(iy * inW) << 2);
          for (let ix = x0; ix < x1; ix++) sum += load<f32>(row + (<usize>ix << 2));
        }
        const divisor = countIncludePad != 0 ? kH * kW : (y1 - y0) * (x1 - x0);
        store<f32>(yp + (<usize>(oy * outW + ox) << 2), sum / <f32>divisor);
      }
    }
  }
}

export function avgPool2dBackward(
  planes: i32, inH: i32, inW: i32, kH: i32, kW: i32, strideH: i32, strideW: i32,
  padH: i32, padW: i32, outH: i32, outW: i32, countIncludePad: i32, dy: usize, dx: usize,
): void {
  const inPlane = <usize>(inH * inW) << 2;
  const outPlane = <usize>(outH * outW) << 2;
  if (kH == 2 && kW == 2 && strideH == 2 && strideW == 2 && padH == 0 && padW == 0 && outW >= 4) {
    // Disjoint 2x2 blocks, no padding: each dx cell is dy/4 of its block or 0 (odd last row or
    // column), written in one pass instead of zero + four scattered adds per output.
    const quarter = f32x4.splat(0.25);
    for (let p = 0; p < planes; p++) {
      const dxp = dx + <usize>p * inPlane;
      const dyp = dy + <usize>p * outPlane;
      for (let oy = 0; oy < outH; oy++) {
        const r0 = dxp + (<usize>(2 * oy * inW) << 2);
        const r1 = r0 + (<usize>inW << 2);
        // As in the forward pass, the last group overlaps the one before (same values rewritten).
        for (let ox = 0; ox < outW; ox += 4) {
          const q = min(ox, outW - 4);
          const g = f32x4.mul(v128.load(dyp + (<usize>(oy * outW + q) << 2)), quarter);
          const lo = v128.shuffle<f32>(g, g, 0, 0, 1, 1), hi = v128.shuffle<f32>(g, g, 2, 2, 3, 3);
          const at = <usize>q << 3;
          v128.store(r0 + at, lo); v128.store(r0 + at, hi, 16);
          v128.store(r1 + at, lo); v128.store(r1 + at, hi, 16);
        }
        for (let ix = 2 * outW; ix < inW; ix++) {
          store<f32>(r0 + (<usize>ix << 2), 0);
          store<f32>(r1 + (<usize>ix << 2), 0);
        }
      }
      for (let at = <usize>(2 * outH * inW) << 2; at < inPlane; at += 4) store<f32>(dxp + at, 0);
    }
    return;
  }
  memory.fill(dx, 0, <usize>planes * inPlane);
  for (let p = 0; p < planes; p++) {
    const dxp = dx + <usize>p * inPlane;
    const dyp = dy + <usize>p * outPlane;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const ty = oy * strideH - padH;
        const tx = ox * strideW - padW;
        const y0 = max(ty, 0), y1 = min(ty + kH, inH);
        const x0 = max(tx, 0), x1 = min(tx + kW, inW);
        const divisor = countIncludePad != 0 ? kH * kW : (y1 - y0) * (x1 - x0);
        const g = load<f32>(dyp + (<usize>(oy * outW + ox) << 2)) / <f32>divisor;
        for (let iy = y0; iy < y1; iy++) {
          const row = dxp + (<usize>(iy * inW) << 2);
          for (let ix = x0; ix < x1; ix++) {
            const at = row + (<usize>ix << 2);
            store<f32>(at, load<f32>(at) + g);
          }
        }
      }
    }
  }
}
