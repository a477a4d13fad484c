import { describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine.js";
import { pool2dOutputSize } from "../../src/backend/shapes.js";
import { assertClose, Scratch, testEngines } from "../helpers/engines.js";
import { TestRandom } from "../helpers/random.js";

interface PoolCase {
  planes: number; inH: number; inW: number; kH: number; kW: number;
  sH: number; sW: number; pH: number; pW: number;
}

function outSize(c: PoolCase): { outH: number; outW: number } {
  return pool2dOutputSize(c.inH, c.inW, c.kH, c.kW, c.sH, c.sW, c.pH, c.pW);
}

function maxForward(e: Engine, c: PoolCase, x: Float32Array): { y: Float32Array; argmax: Int32Array } {
  const { outH, outW } = outSize(c);
  const s = new Scratch(e);
  const n = c.planes * outH * outW;
  const xp = s.put(x);
  const yp = s.alloc(n * 4);
  const ap = s.alloc(n * 4);
  e.kernels.maxPool2dForward(c.planes, c.inH, c.inW, c.kH, c.kW, c.sH, c.sW, c.pH, c.pW, outH, outW, xp, yp, ap);
  const out = { y: s.f32(yp, n), argmax: s.i32(ap, n) };
  s.freeAll();
  return out;
}

function maxBackward(e: Engine, c: PoolCase, dy: Float32Array, argmax: Int32Array): Float32Array {
  const { outH, outW } = outSize(c);
  const s = new Scratch(e);
  const dyp = s.put(dy);
  const ap = s.put(argmax);
  const dxp = s.alloc(c.planes * c.inH * c.inW * 4);
  e.kernels.maxPool2dBackward(c.planes, c.inH, c.inW, outH, outW, dyp, ap, dxp);
  const dx = s.f32(dxp, c.planes * c.inH * c.inW);
  s.freeAll();
  return dx;
}

function avgForward(e: Engine, c: PoolCase, includePad: boolean, x: Float32Array): Float32Array {
  const { outH, outW } = outSize(c);
  const s = new Scratch(e);
  const n = c.planes * outH * outW;
  const xp = s.put(x);
  const yp = s.alloc(n * 4);
  e.kernels.avgPool2dForward(c.planes, c.inH, c.inW, c.kH, c.kW, c.sH, c.sW, c.pH, c.pW, outH, outW, includePad ? 1 : 0, xp, yp);
  const y = s.f32(yp, n);
  s.freeAll();
  return y;
}

function avgBackward(e: Engine, c: PoolCase, includePad: boolean, dy: Float32Array): Float32Array {
  const { outH, outW } = outSize(c);
  const s = new Scratch(e);
  const dyp = s.put(dy);
  const dxp = s.alloc(c.planes * c.inH * c.inW * 4);
  e.kernels.avgPool2dBackward(c.planes, c.inH, c.inW, c.kH, c.kW, c.sH, c.sW, c.pH, c.pW, outH, outW, includePad ? 1 : 0, dyp, dxp);
  const dx = s.f32(dxp, c.planes * c.inH * c.inW);
  s.freeAll();
  return dx;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): { value: number; abs: number } {
  let value = 0;
  let abs = 0;
  for (let i = 0; i < a.length; i++) {
    value += a[i]! * b[i]!;
    abs += Math.abs(a[i]! * b[i]!);
  }
  return { value, abs };
}

async function allEngines(): Promise<Engine[]> {
  const { js, wasm } = await testEngines();
  return [js, ...wasm];
}

const range16 = Float32Array.from({ length: 16 }, (_, i) => i + 1); // [[1..4],[5..8],[9..12],[13..16]]
const single = (k: number, s: number, p: number): PoolCase => ({ planes: 1, inH: 4, inW: 4, kH: k, kW: k, sH: s, sW: s, pH: p, pW: p });

// Sums of at most 25 window cells or of ≤ 9 overlapping window gradients, in f32 (WASM) vs f64
// (JS): each rounding step costs ≤ 2⁻²⁴ relative, so 1e-6 relative plus 1e-7 absolute (values are
// O(1)) covers every ordering with margin.
const AVG_TOL = { rtol: 1e-6, atol: 1e-7 };

describe("pooling on hand-computed matrices", () => {
  it("2x2 stride 2 max and average pooling of a 4x4 matrix", async () => {
    for (const e of await allEngines()) {
      const c = single(2, 2, 0);
      const { y, argmax } = maxForward(e, c, range16);
      expect(Array.from(y), e.backend).toEqual([6, 8, 14, 16]);
      expect(Array.from(argmax), e.backend).toEqual([5, 7, 13, 15]);
      expect(Array.from(avgForward(e, c, true, range16)), e.backend).toEqual([3.5, 5.5, 11.5, 13.5]);
      expect(Array.from(avgForward(e, c, false, range16)), e.backend).toEqual([3.5, 5.5, 11.5, 13.5]);
      const dy = new Float32Array([1, 2, 3, 4]);
      expect(Array.from(maxBackward(e, c, dy, argmax)), e.backend).toEqual([0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]);
      expect(Array.from(avgBackward(e, c, true, dy)), e.backend)
        .toEqual([0.25, 0.25, 0.5, 0.5, 0.25, 0.25, 0.5, 0.5, 0.75, 0.75, 1, 1, 0.75, 0.75, 1, 1]);
    }
  });

  it("3x3 stride 2 padding 1: countIncludePad divides by 9 or by the in-image cells", async () => {
    for (const e of await allEngines()) {
      const c = single(3, 2, 1);
      expect(outSize(c)).toEqual({ outH: 2, outW: 2 });
      // Window sums: (1+2+5+6) = 14, (2+3+4+6+7+8) = 30, (5+6+9+10+13+14) = 57, (6+7+8+10+11+12+14+15+16) = 99.
      assertClose(avgForward(e, c, true, range16), [14 / 9, 30 / 9, 57 / 9, 11], AVG_TOL, `${e.backend} include pad`);
      assertClose(avgForward(e, c, false, range16), [3.5, 5, 9.5, 11], AVG_TOL, `${e.backend} exclude pad`);
      const { y, argmax } = maxForward(e, c, range16);
      expect(Array.from(y), e.backend).toEqual([6, 8, 14, 16]);
      expect(Array.from(argmax), e.backend).toEqual([5, 7, 13, 15]);
      // Padding is −∞ for max pooling: all-negative input must not produce 0.
      const neg = range16.map((v) => -v);
      const m = maxForward(e, c, neg);
      expect(Array.from(m.y), e.backend).toEqual([-1, -2, -5, -6]);
      expect(Array.from(m.argmax), e.backend).toEqual([0, 1, 4, 5]);
      // Backward with countIncludePad = 0: the corner window has 4 cells, so each gets dy/4.
      const dx = avgBackward(e, c, false, new Float32Array([4, 0, 0, 0]));
      expect(Array.from(dx), e.backend).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      const dxIncl = avgBackward(e, c, true, new Float32Array([9, 0, 0, 0]));
      expect(Array.from(dxIncl), e.backend).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    }
  });

  it("overlapping max windows accumulate gradients at a shared argmax", async () => {
    for (const e of await allEngines()) {
      // 3x3 windows, stride 1, on 4x4: the 16 is in all four windows.
      const c = single(3, 1, 0);
      const { y, argmax } = maxForward(e, c, range16);
      expect(Array.from(y), e.backend).toEqual([11, 12, 15, 16]);
      const peak = new Float32Array(16);
      peak[5] = 100;
      const p = maxForward(e, c, peak);
      expect(Array.from(p.argmax), e.backend).toEqual([5, 5, 5, 5]);
      const dx = maxBackward(e, c, new Float32Array([1, 2, 3, 4]), p.argmax);
      expect(dx[5], e.backend).toBe(10);
      expect(argmax.length).toBe(4);
    }
  });

  it("max backward writes each 2x2 block whole, and falls back when an argmax leaves its block", async () => {
    // The WASM kernel writes a plane in one pass while every argmax lies in its output's 2x2 block
    // (zeroing cells no block covers: the odd last row and column here) and starts the plane over
    // as zero + scatter at the first argmax outside it (from 8 outputs a row). Plane 0: 2x2 stride 2 on 9x17 (blocks
    // hold). Plane 1: the same indices except the last output's, moved one column right into the
    // next block's cell, after the earlier rows were already written by the block pass.
    const c: PoolCase = { planes: 2, inH: 9, inW: 17, kH: 2, kW: 2, sH: 2, sW: 2, pH: 0, pW: 0 };
    const { outH, outW } = outSize(c);
    const n = outH * outW;
    const rnd = new TestRandom(4242);
    const argmax = new Int32Array(2 * n);
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const at = (2 * oy + rnd.int(0, 1)) * c.inW + 2 * ox + rnd.int(0, 1);
        argmax[oy * outW + ox] = at;
        argmax[n + oy * outW + ox] = at;
      }
    }
    argmax[2 * n - 1] = (2 * (outH - 1)) * c.inW + 2 * (outW - 1) + 2; // column 16: outside the last block
    argmax[2 * n - 2] = argmax[2 * n - 1]!; // and shared with its neighbour: the two gradients add up
    const dy = rnd.floats(2 * n);
    const expected = new Float32Array(2 * c.inH * c.inW);
    for (let i = 0; i < 2 * n; i++) expected[(i < n ? 0 : c.inH * c.inW) + argmax[i]!]! += dy[i]!;
    for (const e of await allEngines()) {
      // Each cell receives at most two gradients: the sum is exact up to one rounding.
      assertClose(maxBackward(e, c, dy, argmax), expected, { rtol: 1e-6, atol: 1e-30 }, `${e.backend} max backward`);
    }
  });

  it("ties pick the first cell of the window and NaN propagates", async () => {
    for (const e of await allEngines()) {
      const c: PoolCase = { planes: 2, inH: 2, inW: 8, kH: 2, kW: 2, sH: 2, sW: 2, pH: 0, pW: 0 };
      const x = new Float32Array(32).fill(3);
      // Plane 1: NaN in the bottom-right cell of window 0 and the top-left of window 2.
      x[16 + 9] = Number.NaN;
      x[16 + 4] = Number.NaN;
      const { y, argmax } = maxForward(e, c, x);
      expect(Array.from(argmax.subarray(0, 4)), e.backend).toEqual([0, 2, 4, 6]);
      expect(Number.isNaN(y[4]!), e.backend).toBe(true);
      expect(argmax[4], e.backend).toBe(9);
      expect(Number.isNaN(y[6]!), e.backend).toBe(true);
      expect(argmax[6], e.backend).toBe(4);
      expect(Array.from(y.subarray(0, 4)), e.backend).toEqual([3, 3, 3, 3]);
    }
  });

  it("pool2dOutputSize follows PyTorch (floor mode) and rejects padding over half the window", () => {
    expect(pool2dOutputSize(26, 26, 2, 2, 2, 2, 0, 0)).toEqual({ outH: 13, outW: 13 });
    expect(pool2dOutputSize(11, 11, 2, 2, 2, 2, 0, 0)).toEqual({ outH: 5, outW: 5 });
    expect(pool2dOutputSize(7, 5, 3, 3, 2, 2, 1, 1)).toEqual({ outH: 4, outW: 3 });
    expect(() => pool2dOutputSize(4, 4, 2, 2, 2, 2, 2, 0)).toThrow(/pool2d height padding: expected at most half the kernel size \(1\), got 2/);
    expect(() => pool2dOutputSize(1, 4, 2, 2, 2, 2, 0, 0)).toThrow(/pool2d height output size/);
  });
});

describe("pooling on random shapes, every engine against the JS reference", () => {
  it("forward and backward, max and average, with and without countIncludePad", async () => {
    const { js, wasm } = await testEngines();
    const rnd = new TestRandom(20261125);
    let cases = 0;
    while (cases < 300) {
      const kH = rnd.int(1, 4), kW = rnd.int(1, 4);
      const c: PoolCase = {
        planes: rnd.int(1, 5), inH: rnd.int(1, 17), inW: rnd.int(1, 17), kH, kW,
        sH: rnd.int(1, 3), sW: rnd.int(1, 3), pH: rnd.int(0, kH >> 1), pW: rnd.int(0, kW >> 1),
      };
      // Every fourth case is the common 2x2 stride-2 window, which the WASM build vectorises.
      if (cases % 4 === 0) Object.assign(c, { kH: 2, kW: 2, sH: 2, sW: 2, pH: 0, pW: 0, inW: rnd.int(2, 33) });
      if (c.inH + 2 * c.pH < c.kH || c.inW + 2 * c.pW < c.kW) continue;
      cases++;
      const { outH, outW } = outSize(c);
      const context = JSON.stringify(c);
      // Max pooling only picks: duplicates would make argmax order-dependent, distinct values make it unique.
      const x = rnd.floats(c.planes * c.inH * c.inW, -2, 2);
      const dy = rnd.floats(c.planes * outH * outW);
      const includePad = rnd.next() < 0.5;
      const ref = maxForward(js, c, x);
      const refDx = maxBackward(js, c, dy, ref.argmax);
      const refAvg = avgForward(js, c, includePad, x);
      const refAvgDx = avgBackward(js, c, includePad, dy);

      // Adjointness of the JS reference itself: ⟨pool(x), dy⟩ = ⟨x, poolᵀ(dy)⟩ (max pooling is
      // linear in x once argmax is fixed). f64 dots of f32 data; 1e-6 of Σ|terms| covers the f32 kernels' rounding.
      for (const [yv, dxv, name] of [[ref.y, refDx, "max"], [refAvg, refAvgDx, "avg"]] as const) {
        const lhs = dot(yv, dy);
        const rhs = dot(x, dxv);
        expect(Math.abs(lhs.value - rhs.value), `${name} adjoint ${context}`).toBeLessThanOrEqual(1e-6 * (lhs.abs + rhs.abs) + 1e-9);
      }

      for (const e of wasm) {
        const got = maxForward(e, c, x);
        expect(Array.from(got.y), `${e.backend} max y ${context}`).toEqual(Array.from(ref.y));
        expect(Array.from(got.argmax), `${e.backend} argmax ${context}`).toEqual(Array.from(ref.argmax));
        // Overlapping windows add several dy into one cell in possibly different order.
        assertClose(maxBackward(e, c, dy, ref.argmax), refDx, AVG_TOL, `${e.backend} max dx ${context}`);
        assertClose(avgForward(e, c, includePad, x), refAvg, AVG_TOL, `${e.backend} avg y ${context}`);
        assertClose(avgBackward(e, c, includePad, dy), refAvgDx, AVG_TOL, `${e.backend} avg dx ${context}`);
      }
    }
  });

  it("backward matches finite differences of the forward (avg exactly linear, max away from ties)", async () => {
    const { js } = await testEngines();
    const rnd = new TestRandom(7);
    for (let t = 0; t < 20; t++) {
      const c: PoolCase = { planes: 2, inH: rnd.int(3, 7), inW: rnd.int(3, 7), kH: 3, kW: 2, sH: rnd.int(1, 2), sW: rnd.int(1, 2), pH: 1, pW: 1 };
      const { outH, outW } = outSize(c);
      const x = rnd.floats(c.planes * c.inH * c.inW);
      const dy = rnd.floats(c.planes * outH * outW);
      const loss = (xx: Float32Array, avg: boolean): number =>
        dot(avg ? avgForward(js, c, false, xx) : maxForward(js, c, xx).y, dy).value;
      const dxAvg = avgBackward(js, c, false, dy);
      const dxMax = maxBackward(js, c, dy, maxForward(js, c, x).argmax);
      for (let probe = 0; probe < 5; probe++) {
        const i = rnd.int(0, x.length - 1);
        // h = 1/64 keeps x ± h exact in f32 for |x| ≤ 1. A perturbation can reorder a max window,
        // where max pooling is not differentiable, so the max check skips probes that move an argmax.
        const h = 1 / 64;
        const up = Float32Array.from(x);
        const down = Float32Array.from(x);
        up[i]! += h;
        down[i]! -= h;
        const fdAvg = (loss(up, true) - loss(down, true)) / (2 * h);
        expect(fdAvg).toBeCloseTo(dxAvg[i]!, 4);
        const same = (a: Int32Array, b: Int32Array): boolean => a.every((v, k) => v === b[k]);
        const base = maxForward(js, c, x).argmax;
        if (same(maxForward(js, c, up).argmax, base) && same(maxForward(js, c, down).argmax, base)) {
          expect((loss(up, false) - loss(down, false)) / (2 * h)).toBeCloseTo(dxMax[i]!, 4);
        }
      }
    }
  });
});
