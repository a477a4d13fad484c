import type { ConvKernels } from "../contract/conv.js";
import type { Kernels } from "../kernels.js";
import type { MemoryViews } from "../memory.js";

/** Bytes of `n` f32 rounded up to a cache line, so the GEMM scratch after the column buffer stays aligned. */
function alignedFloatBytes(n: number): number {
  return Math.ceil((n * 4) / 64) * 64;
}

/**
 * Plain-JS reference kernels for convolution, as im2col + GEMM one image at a time:
 *   forward          y_n[outC × HW]  = W[outC × CKK] · col_n[CKK × HW]
 *   backward filter  dW[outC × CKK] += dy_n[outC × HW] · col_nᵀ
 *   backward data    col[CKK × HW]   = Wᵀ · dy_n, then dx_n = col2im(col)
 * with CKK = inC·kH·kW and HW = outH·outW. `all` gives the whole backend (its GEMM).
 * Work layout: [column buffer, CKK·HW f32, padded to 64 bytes][GEMM scratch].
 */
export function convKernels(v: MemoryViews, all: () => Kernels): Partial<ConvKernels> {
  const kernels: Partial<ConvKernels> = {
    im2col(inC, inH, inW, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW, x, col) {
      const f = v.f32();
      const hw = outH * outW;
      let row = col >> 2;
      for (let c = 0; c < inC; c++) {
        const xc = (x >> 2) + c * inH * inW;
        for (let i = 0; i < kH; i++) {
          for (let j = 0; j < kW; j++) {
            for (let oy = 0; oy < outH; oy++) {
              const iy = oy * strideH - padH + i * dilH;
              for (let ox = 0; ox < outW; ox++) {
                const ix = ox * strideW - padW + j * dilW;
                const inside = iy >= 0 && iy < inH && ix >= 0 && ix < inW;
                f[row + oy * outW + ox] = inside ? f[xc + iy * inW + ix]! : 0;
              }
            }
            row += hw;
          }
        }
      }
    },

    col2im(inC, inH, inW, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW, col, dx) {
      const f = v.f32();
      const hw = outH * outW;
      f.fill(0, dx >> 2, (dx >> 2) + inC * inH * inW);
      let row = col >> 2;
      for (let c = 0; c < inC; c++) {
        const dxc = (dx >> 2) + c * inH * inW;
        for (let i = 0; i < kH; i++) {
          for (let j = 0; j < kW; j++) {
            for (let oy = 0; oy < outH; oy++) {
              const iy = oy * strideH - padH + i * dilH;
              if (iy < 0 || iy >= inH) continue;
              for (let ox = 0; ox < outW; ox++) {
                const ix = ox * strideW - padW + j * dilW;
                if (ix >= 0 && ix < inW) f[dxc + iy * inW + ix]! += f[row + oy * outW + ox]!;
              }
            }
            row += hw;
          }
        }
      }
    },

    conv2dWorkBytes(_batch, inC, _inH, _inW, outC, kH, kW, _strideH, _strideW, _padH, _padW, _dilH, _dilW, outH, outW) {
      const ckk = inC * kH * kW;
      const hw = outH * outW;
      const g = all();
      const gemmBytes = Math.max(g.gemmWorkBytes(outC, hw, ckk), g.gemmWorkBytes(outC, ckk, hw), g.gemmWorkBytes(ckk, hw, outC));
      return alignedFloatBytes(ckk * hw) + gemmBytes;
    },

    conv2dForward(batch, inC, inH, inW, outC, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW, x, w, bias, y, work) {
      const g = all();
      const ckk = inC * kH * kW;
      const hw = outH * outW;
      const col = work;
      const gemmWork = work + alignedFloatBytes(ckk * hw);
      for (let n = 0; n < batch; n++) {
        const xn = x + n * inC * inH * inW * 4;
        const yn = y + n * outC * hw * 4;
        g.im2col(inC, inH, inW, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW, xn, col);
        g.gemm(0, 0, outC, hw, ckk, 1, w, ckk, col, hw, 0, yn, hw, gemmWork);
        if (bias !== 0) {
          const f = v.f32();
          for (let o = 0; o < outC; o++) {
            const b = f[(bias >> 2) + o]!;
            const start = (yn >> 2) + o * hw;
            for (let i = 0; i < hw; i++) f[start + i]! += b;
          }
        }
      }
    },

    conv2dBackwardData(batch, inC, inH, inW, outC, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW, dy, w, dx, work) {
      const g = all();
      const ckk = inC * kH * kW;
      const hw = outH * outW;
      const col = work;
      const gemmWork = work + alignedFloatBytes(ckk * hw);
      for (let n = 0; n < batch; n++) {
        const dyn = dy + n * outC * hw * 4;
        const dxn = dx + n * inC * inH * inW * 4;
        g.gemm(1, 0, ckk, hw, outC, 1, w, ckk, dyn, hw, 0, col, hw, gemmWork);
        g.col2im(inC, inH, inW, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW, col, dxn);
      }
    },

    conv2dBackwardFilter(batch, inC, inH, inW, outC, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW, x, dy, dw, db, work) {
      const g = all();
      const ckk = inC * kH * kW;
      const hw = outH * outW;
      const col = work;
      const gemmWork = work + alignedFloatBytes(ckk * hw);
      for (let n = 0; n < batch; n++) {
        const xn = x + n * inC * inH * inW * 4;
        const dyn = dy + n * outC * hw * 4;
        g.im2col(inC, inH, inW, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW, xn, col);
        g.gemm(0, 1, outC, ckk, hw, 1, dyn, hw, col, hw, 1, dw, ckk, gemmWork);
        if (db !== 0) {
          const f = v.f32();
          for (let o = 0; o < outC; o++) {
            let s = 0;
            const start = (dyn >> 2) + o * hw;
            for (let i = 0; i < hw; i++) s += f[start + i]!;
            f[(db >> 2) + o]! += s;
          }
        }
      }
    },
  };
  return kernels;
}
