import type { PoolKernels } from "../contract/pool.js";
import type { MemoryViews } from "../memory.js";

/** Plain-JS reference kernels for the pool family (see the contract for semantics). */
export function poolKernels(v: MemoryViews): Partial<PoolKernels> {
  return {
    maxPool2dForward(planes, inH, inW, kH, kW, strideH, strideW, padH, padW, outH, outW, x, y, argmax) {
      const f = v.f32();
      const idx = v.i32();
      const inPlane = inH * inW;
      const outPlane = outH * outW;
      for (let p = 0; p < planes; p++) {
        const xp = (x >> 2) + p * inPlane;
        const yp = (y >> 2) + p * outPlane;
        const ap = (argmax >> 2) + p * outPlane;
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) {
            let best = -Infinity;
            let bestAt = -1;
            for (let i = 0; i < kH; i++) {
              const iy = oy * strideH - padH + i;
              if (iy < 0 || iy >= inH) continue;
              for (let j = 0; j < kW; j++) {
                const ix = ox * strideW - padW + j;
                if (ix < 0 || ix >= inW) continue;
                const value = f[xp + iy * inW + ix]!;
                // `bestAt < 0` takes the first in-image cell even when it is −∞.
                if (value > best || Number.isNaN(value) || bestAt < 0) {
                  best = value;
                  bestAt = iy * inW + ix;
                }
              }
            }
            f[yp + oy * outW + ox] = best;
            idx[ap + oy * outW + ox] = bestAt;
          }
        }
      }
    },

    maxPool2dBackward(planes, inH, inW, outH, outW, dy, argmax, dx) {
      const f = v.f32();
      const idx = v.i32();
      const inPlane = inH * inW;
      const outPlane = outH * outW;
      f.fill(0, dx >> 2, (dx >> 2) + planes * inPlane);
      for (let p = 0; p < planes; p++) {
        const dxp = (dx >> 2) + p * inPlane;
        const dyp = (dy >> 2) + p * outPlane;
        const ap = (argmax >> 2) + p * outPlane;
        for (let o = 0; o < outPlane; o++) f[dxp + idx[ap + o]!]! += f[dyp + o]!;
      }
    },

    avgPool2dForward(planes, inH, inW, kH, kW, strideH, strideW, padH, padW, outH, outW, countIncludePad, x, y) {
      const f = v.f32();
      const inPlane = inH * inW;
      const outPlane = outH * outW;
      for (let p = 0; p < planes; p++) {
        const xp = (x >> 2) + p * inPlane;
        const yp = (y >> 2) + p * outPlane;
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) {
            const y0 = Math.max(oy * strideH - padH, 0);
            const y1 = Math.min(oy * strideH - padH + kH, inH);
            const x0 = Math.max(ox * strideW - padW, 0);
            const x1 = Math.min(ox * strideW - padW + kW, inW);
            let sum = 0;
            for (let iy = y0; iy < y1; iy++) {
              for (let ix = x0; ix < x1; ix++) sum += f[xp + iy * inW + ix]!;
            }
            const divisor = countIncludePad !== 0 ? kH * kW : (y1 - y0) * (x1 - x0);
            f[yp + oy * outW + ox] = sum / divisor;
          }
        }
      }
    },

    avgPool2dBackward(planes, inH, inW, kH, kW, strideH, strideW, padH, padW, outH, outW, countIncludePad, dy, dx) {
      const f = v.f32();
      const inPlane = inH * inW;
      const outPlane = outH * outW;
      f.fill(0, dx >> 2, (dx >> 2) + planes * inPlane);
      for (let p = 0; p < planes; p++) {
        const dxp = (dx >> 2) + p * inPlane;
        const dyp = (dy >> 2) + p * outPlane;
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) {
            const y0 = Math.max(oy * strideH - padH, 0);
            const y1 = Math.min(oy * strideH - padH + kH, inH);
            const x0 = Math.max(ox * strideW - padW, 0);
            const x1 = Math.min(ox * strideW - padW + kW, inW);
            const divisor = countIncludePad !== 0 ? kH * kW : (y1 - y0) * (x1 - x0);
            const g = f[dyp + oy * outW + ox]! / divisor;
            for (let iy = y0; iy < y1; iy++) {
              for (let ix = x0; ix < x1; ix++) f[dxp + iy * inW + ix]! += g;
            }
          }
        }
      }
    },
  };
}
