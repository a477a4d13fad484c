import { describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine.js";
import { conv2dOutputSize } from "../../src/backend/shapes.js";
import { Scratch, testEngines } from "../helpers/engines.js";
import { TestRandom } from "../helpers/random.js";

/** One convolution configuration (shape arguments in contract order) plus whether it has a bias. */
interface ConvCase {
  batch: number; inC: number; inH: number; inW: number; outC: number; kH: number; kW: number;
  sH: number; sW: number; pH: number; pW: number; dH: number; dW: number; outH: number; outW: number;
  bias: boolean;
}

function makeCase(c: Omit<ConvCase, "outH" | "outW">): ConvCase {
  const { outH, outW } = conv2dOutputSize(c.inH, c.inW, c.kH, c.kW, c.sH, c.sW, c.pH, c.pW, c.dH, c.dW);
  return { ...c, outH, outW };
}

function shapeArgs(c: ConvCase): [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number] {
  return [c.batch, c.inC, c.inH, c.inW, c.outC, c.kH, c.kW, c.sH, c.sW, c.pH, c.pW, c.dH, c.dW, c.outH, c.outW];
}

const sizes = (c: ConvCase) => ({
  x: c.batch * c.inC * c.inH * c.inW,
  w: c.outC * c.inC * c.kH * c.kW,
  y: c.batch * c.outC * c.outH * c.outW,
});

/**
 * Ground truth: the 7-loop direct convolution in float64, independent of im2col and GEMM. It
 * visits every (output, tap) pair once and hands it to `visit(yIndex, xIndex, wIndex)`; the three
 * references below differ only in what they accumulate.
 */
function forEachTap(c: ConvCase, visit: (yi: number, xi: number, wi: number) => void): void {
  for (let n = 0; n < c.batch; n++) {
    for (let o = 0; o < c.outC; o++) {
      for (let oy = 0; oy < c.outH; oy++) {
        for (let ox = 0; ox < c.outW; ox++) {
          const yi = ((n * c.outC + o) * c.outH + oy) * c.outW + ox;
          for (let ci = 0; ci < c.inC; ci++) {
            for (let i = 0; i < c.kH; i++) {
              const iy = oy * c.sH - c.pH + i * c.dH;
              if (iy < 0 || iy >= c.inH) continue;
              for (let j = 0; j < c.kW; j++) {
                const ix = ox * c.sW - c.pW + j * c.dW;
                if (ix < 0 || ix >= c.inW) continue;
                visit(yi, ((n * c.inC + ci) * c.inH + iy) * c.inW + ix, ((o * c.inC + ci) * c.kH + i) * c.kW + j);
              }
            }
          }
        }
      }
    }
  }
}

/** Exact-ish reference values and, per element, Σ|terms| (the scale of its rounding error). */
interface Ref { value: Float64Array; abs: Float64Array; terms: number }

function refForward(c: ConvCase, x: Float32Array, w: Float32Array, bias: Float32Array | null): Ref {
  const value = new Float64Array(sizes(c).y);
  const abs = new Float64Array(value.length);
  forEachTap(c, (yi, xi, wi) => {
    value[yi]! += x[xi]! * w[wi]!;
    abs[yi]! += Math.abs(x[xi]! * w[wi]!);
  });
  const hw = c.outH * c.outW;
  if (bias) {
    for (let i = 0; i < value.length; i++) {
      const b = bias[Math.floor(i / hw) % c.outC]!;
      value[i]! += b;
      abs[i]! += Math.abs(b);
    }
  }
  return { value, abs, terms: c.inC * c.kH * c.kW + 1 };
}

function refBackwardData(c: ConvCase, dy: Float32Array, w: Float32Array): Ref {
  const value = new Float64Array(sizes(c).x);
  const abs = new Float64Array(value.length);
  forEachTap(c, (yi, xi, wi) => {
    value[xi]! += dy[yi]! * w[wi]!;
    abs[xi]! += Math.abs(dy[yi]! * w[wi]!);
  });
  // A cell receives from at most outC·kH·kW taps.
  return { value, abs, terms: c.outC * c.kH * c.kW };
}

function refBackwardFilter(c: ConvCase, x: Float32Array, dy: Float32Array, dw0: Float32Array, db0: Float32Array): { dw: Ref; db: Ref } {
  const value = Float64Array.from(dw0);
  const abs = Float64Array.from(dw0, Math.abs);
  forEachTap(c, (yi, xi, wi) => {
    value[wi]! += x[xi]! * dy[yi]!;
    abs[wi]! += Math.abs(x[xi]! * dy[yi]!);
  });
  const dbValue = Float64Array.from(db0);
  const dbAbs = Float64Array.from(db0, Math.abs);
  const hw = c.outH * c.outW;
  for (let i = 0; i < dy.length; i++) {
    const o = Math.floor(i / hw) % c.outC;
    dbValue[o]! += dy[i]!;
    dbAbs[o]! += Math.abs(dy[i]!);
  }
  const terms = c.batch * hw + 1;
  return { dw: { value, abs, terms }, db: { value: dbValue, abs: dbAbs, terms } };
}

/**
 * Tolerance: any f32 evaluation of a sum of n rounded products, in any order and with or without
 * FMA, is within γ(n+1)·Σ|terms| of the exact sum, γ(m) = m·u/(1 − m·u), u = 2⁻²⁴ (Higham,
 * "Accuracy and Stability of Numerical Algorithms", §3.1). The inputs are f32 and the reference
 * is f64 (error ~2⁻⁵³·n, negligible), so this bound is rigorous for every correct kernel and
 * blocking, yet ~1000x tighter than the error of a wrong index (an O(1) term).
 */
function expectWithinSummationBound(actual: Float32Array, ref: Ref, context: string): void {
  expect(actual.length, context).toBe(ref.value.length);
  const u = 2 ** -24;
  const m = ref.terms + 1;
  const gamma = (m * u) / (1 - m * u);
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i]! - ref.value[i]!);
    const bound = gamma * ref.abs[i]! + 1e-30;
    if (!(err <= bound)) {
      throw new Error(`${context}: element ${i} is ${actual[i]}, expected ${ref.value[i]} (error ${err}, bound ${bound})`);
    }
  }
}

const GUARD = 16; // floats of sentinel after the work buffer: a kernel writing past its scratch shows up

/** Allocates the work buffer the backend asks for, followed by a guard band checked by `check`. */
function workFor(e: Engine, s: Scratch, c: ConvCase): { ptr: number; check: () => void } {
  const bytes = e.kernels.conv2dWorkBytes(...shapeArgs(c));
  expect(Number.isInteger(bytes) && bytes >= 0).toBe(true);
  const ptr = s.alloc(bytes + GUARD * 4);
  const guard = (ptr + bytes) >> 2;
  e.views.f32().fill(-12345, guard, guard + GUARD);
  return {
    ptr,
    check: () => expect(Array.from(e.views.f32().subarray(guard, guard + GUARD)), `${e.backend} work guard`).toEqual(new Array(GUARD).fill(-12345)),
  };
}

function runForward(e: Engine, c: ConvCase, x: Float32Array, w: Float32Array, bias: Float32Array | null): Float32Array {
  const s = new Scratch(e);
  const xp = s.put(x), wp = s.put(w), bp = bias ? s.put(bias) : 0;
  const yp = s.alloc(sizes(c).y * 4);
  const work = workFor(e, s, c);
  e.kernels.conv2dForward(...shapeArgs(c), xp, wp, bp, yp, work.ptr);
  work.check();
  const y = s.f32(yp, sizes(c).y);
  s.freeAll();
  return y;
}

function runBackwardData(e: Engine, c: ConvCase, dy: Float32Array, w: Float32Array): Float32Array {
  const s = new Scratch(e);
  const dyp = s.put(dy), wp = s.put(w);
  const dxp = s.alloc(sizes(c).x * 4);
  const work = workFor(e, s, c);
  e.kernels.conv2dBackwardData(...shapeArgs(c), dyp, wp, dxp, work.ptr);
  work.check();
  const dx = s.f32(dxp, sizes(c).x);
  s.freeAll();
  return dx;
}

function runBackwardFilter(
  e: Engine, c: ConvCase, x: Float32Array, dy: Float32Array, dw0: Float32Array, db0: Float32Array | null, times = 1,
): { dw: Float32Array; db: Float32Array | null } {
  const s = new Scratch(e);
  const xp = s.put(x), dyp = s.put(dy), dwp = s.put(dw0), dbp = db0 ? s.put(db0) : 0;
  const work = workFor(e, s, c);
  for (let t = 0; t < times; t++) e.kernels.conv2dBackwardFilter(...shapeArgs(c), xp, dyp, dwp, dbp, work.ptr);
  work.check();
  const out = { dw: s.f32(dwp, dw0.length), db: db0 ? s.f32(dbp, db0.length) : null };
  s.freeAll();
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): { value: number; abs: number } {
  let value = 0, abs = 0;
  for (let i = 0; i < a.length; i++) {
    value += a[i]! * b[i]!;
    abs += Math.abs(a[i]! * b[i]!);
  }
  return { value, abs };
}

function randomCase(rnd: TestRandom): ConvCase {
  for (;;) {
    const c = {
      batch: rnd.int(1, 3), inC: rnd.int(1, 5), inH: rnd.int(1, 17), inW: rnd.int(1, 17), outC: rnd.int(1, 5),
      kH: rnd.int(1, 5), kW: rnd.int(1, 5), sH: rnd.int(1, 3), sW: rnd.int(1, 3), pH: rnd.int(0, 2), pW: rnd.int(0, 2),
      dH: rnd.int(1, 2), dW: rnd.int(1, 2), bias: rnd.next() < 0.5,
    };
    if (c.inH + 2 * c.pH < c.dH * (c.kH - 1) + 1 || c.inW + 2 * c.pW < c.dW * (c.kW - 1) + 1) continue;
    return makeCase(c);
  }
}

/** The layers the reference CNNs train (../shared EXPERIMENTS C1, C4), at batch 2 to keep tests quick. */
const NAMED_CASES: Record<string, ConvCase> = {
  "C1 conv1 1→32 3x3 on 28x28": makeCase({ batch: 2, inC: 1, inH: 28, inW: 28, outC: 32, kH: 3, kW: 3, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, bias: true }),
  "C1 conv2 32→32 3x3 on 13x13": makeCase({ batch: 2, inC: 32, inH: 13, inW: 13, outC: 32, kH: 3, kW: 3, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, bias: true }),
  "C4 conv1 1→10 5x5 on 28x28": makeCase({ batch: 2, inC: 1, inH: 28, inW: 28, outC: 10, kH: 5, kW: 5, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, bias: true }),
  "C4 conv2 10→20 5x5 on 12x12": makeCase({ batch: 2, inC: 10, inH: 12, inW: 12, outC: 20, kH: 5, kW: 5, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, bias: true }),
  "1x1 conv 7→9 on 5x6": makeCase({ batch: 3, inC: 7, inH: 5, inW: 6, outC: 9, kH: 1, kW: 1, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, bias: false }),
  "3x3 same padding 3→17 on 9x7": makeCase({ batch: 2, inC: 3, inH: 9, inW: 7, outC: 17, kH: 3, kW: 3, sH: 1, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1, bias: true }),
  "2→8 1x4 (CKK = 8: the 3x3 filter tiles leave 2 columns) on 6x9": makeCase({ batch: 2, inC: 2, inH: 6, inW: 9, outC: 8, kH: 1, kW: 4, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, bias: true }),
  // im2col of one image is 144·900·4 = 518 KB: the wasm backward filter's 1 MB group holds 2 images,
  // so batch 3 runs one full group and one partial group whose sums continue into the same dw.
  "16→3 3x3 on 32x32, batch 3 (backward filter in two image groups)": makeCase({ batch: 3, inC: 16, inH: 32, inW: 32, outC: 3, kH: 3, kW: 3, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, bias: true }),
  "1→5 3x3 stride 2 padding 1 on 17x17": makeCase({ batch: 1, inC: 1, inH: 17, inW: 17, outC: 5, kH: 3, kW: 3, sH: 2, sW: 2, pH: 1, pW: 1, dH: 1, dW: 1, bias: true }),
};

/** Checks all three kernels of one case on one engine against the float64 direct convolution. */
function checkCase(e: Engine, c: ConvCase, rnd: TestRandom, context: string): void {
  const n = sizes(c);
  const x = rnd.floats(n.x), w = rnd.floats(n.w), dy = rnd.floats(n.y);
  const bias = c.bias ? rnd.floats(c.outC) : null;
  // dw/db start non-zero: the kernels must add to them, as PyTorch's .grad does.
  const dw0 = rnd.floats(n.w), db0 = c.bias ? rnd.floats(c.outC) : null;
  expectWithinSummationBound(runForward(e, c, x, w, bias), refForward(c, x, w, bias), `${context} forward`);
  expectWithinSummationBound(runBackwardData(e, c, dy, w), refBackwardData(c, dy, w), `${context} backward data`);
  const ref = refBackwardFilter(c, x, dy, dw0, db0 ?? new Float32Array(c.outC));
  const got = runBackwardFilter(e, c, x, dy, dw0, db0);
  expectWithinSummationBound(got.dw, ref.dw, `${context} backward filter dw`);
  if (db0) expectWithinSummationBound(got.db!, ref.db, `${context} backward filter db`);
}

async function allEngines(): Promise<Engine[]> {
  const { js, wasm } = await testEngines();
  return [js, ...wasm];
}

describe("conv2d against a float64 direct convolution", () => {
  it("250 random configurations on every engine (forward, backward data, backward filter)", async () => {
    const engines = await allEngines();
    const rnd = new TestRandom(424242);
    for (let t = 0; t < 250; t++) {
      const c = randomCase(rnd);
      // Same data for every engine: each engine gets a generator with the same seed.
      const seed = rnd.int(0, 2 ** 31);
      for (const e of engines) checkCase(e, c, new TestRandom(seed), `${e.backend} case ${t} ${JSON.stringify(c)}`);
    }
  });

  it("the reference CNN layers and special shapes (1x1, same padding, inC = 1)", async () => {
    const engines = await allEngines();
    for (const [name, c] of Object.entries(NAMED_CASES)) {
      for (const e of engines) checkCase(e, c, new TestRandom(99), `${e.backend} ${name}`);
    }
  });

  it("a 5x5 convolution with 8 filters on a 32x32x3 input (no padding, stride 1) gives 28x28x8", async () => {
    expect(conv2dOutputSize(32, 32, 5, 5, 1, 1, 0, 0)).toEqual({ outH: 28, outW: 28 });
    const c = makeCase({ batch: 1, inC: 3, inH: 32, inW: 32, outC: 8, kH: 5, kW: 5, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, bias: true });
    expect([c.outC, c.outH, c.outW]).toEqual([8, 28, 28]);
    for (const e of await allEngines()) checkCase(e, c, new TestRandom(5), `${e.backend} 32x32x3 * 8x5x5x3`);
    // Padding 2 keeps the size; stride 2 halves it (rounding down); dilation 2 makes a 5x5 kernel span 9.
    expect(conv2dOutputSize(32, 32, 5, 5, 1, 1, 2, 2)).toEqual({ outH: 32, outW: 32 });
    expect(conv2dOutputSize(32, 31, 5, 5, 2, 2, 0, 0)).toEqual({ outH: 14, outW: 14 });
    expect(conv2dOutputSize(32, 32, 5, 5, 1, 1, 0, 0, 2, 2)).toEqual({ outH: 24, outW: 24 });
    expect(() => conv2dOutputSize(3, 8, 5, 5, 1, 1, 0, 0)).toThrow(/conv2d height output size/);
  });

  it("hand-computed: a 3x3 all-ones filter sums neighbourhoods; its backward spreads gradients", async () => {
    const c = makeCase({ batch: 1, inC: 1, inH: 3, inW: 3, outC: 1, kH: 3, kW: 3, sH: 1, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1, bias: true });
    const x = Float32Array.from({ length: 9 }, (_, i) => i + 1); // [[1,2,3],[4,5,6],[7,8,9]]
    for (const e of await allEngines()) {
      const y = runForward(e, c, x, new Float32Array(9).fill(1), new Float32Array([0.5]));
      expect(Array.from(y), e.backend).toEqual([12.5, 21.5, 16.5, 27.5, 45.5, 33.5, 24.5, 39.5, 28.5]);
      const dx = runBackwardData(e, c, new Float32Array(9).fill(1), new Float32Array(9).fill(1));
      expect(Array.from(dx), e.backend).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
      const g = runBackwardFilter(e, c, x, new Float32Array(9).fill(1), new Float32Array(9), new Float32Array(1));
      // dw[i][j] = Σ of x over the 3x3 window shifted by (i−1, j−1), clipped to the image.
      expect(Array.from(g.dw), e.backend).toEqual([12, 21, 16, 27, 45, 33, 24, 39, 28]);
      expect(Array.from(g.db!), e.backend).toEqual([9]);
    }
  });
});

describe("conv2d adjoint and accumulate identities", () => {
  it("⟨conv(x), dy⟩ = ⟨x, convᵀ(dy)⟩ = ⟨w, ∂w⟩ on every engine", async () => {
    const engines = await allEngines();
    const rnd = new TestRandom(31337);
    for (let t = 0; t < 60; t++) {
      const c = { ...randomCase(rnd), bias: false };
      const n = sizes(c);
      const x = rnd.floats(n.x), w = rnd.floats(n.w), dy = rnd.floats(n.y);
      for (const e of engines) {
        const context = `${e.backend} ${JSON.stringify(c)}`;
        const yDy = dot(runForward(e, c, x, w, null), dy);
        const xDx = dot(x, runBackwardData(e, c, dy, w));
        const wDw = dot(w, runBackwardFilter(e, c, x, dy, new Float32Array(n.w), null).dw);
        // All three are the same trilinear sum Σ x·w·dy; each side carries f32 rounding of its
        // kernel (relative ≤ ~1e-5 of Σ|terms| for ≤ 900-term sums), so 1e-5 of the magnitudes bounds it.
        const scale = 1e-5 * (yDy.abs + xDx.abs + wDw.abs) + 1e-12;
        expect(Math.abs(yDy.value - xDx.value), `${context} data adjoint`).toBeLessThanOrEqual(scale);
        expect(Math.abs(yDy.value - wDw.value), `${context} filter adjoint`).toBeLessThanOrEqual(scale);
      }
    }
  });

  it("backward filter accumulates: two calls from zero give twice the gradient", async () => {
    const rnd = new TestRandom(8);
    for (const e of await allEngines()) {
      for (const c of [NAMED_CASES["C1 conv2 32→32 3x3 on 13x13"]!, randomCase(rnd), randomCase(rnd)]) {
        const n = sizes(c);
        const x = rnd.floats(n.x), dy = rnd.floats(n.y);
        const twice = runBackwardFilter(e, c, x, dy, new Float32Array(n.w), new Float32Array(c.outC), 2);
        const ref = refBackwardFilter(c, x, dy, new Float32Array(n.w), new Float32Array(c.outC));
        // Twice the sum of the same terms: the summation bound with doubled term count and magnitude.
        const doubled = (r: Ref): Ref => ({ value: r.value.map((v) => 2 * v), abs: r.abs.map((v) => 2 * v), terms: 2 * r.terms });
        expectWithinSummationBound(twice.dw, doubled(ref.dw), `${e.backend} dw ${JSON.stringify(c)}`);
        expectWithinSummationBound(twice.db!, doubled(ref.db), `${e.backend} db ${JSON.stringify(c)}`);
      }
    }
  });

  it("im2col and col2im are adjoint and im2col matches its definition", async () => {
    const rnd = new TestRandom(2024);
    const engines = await allEngines();
    for (let t = 0; t < 80; t++) {
      const c = randomCase(rnd);
      const hw = c.outH * c.outW;
      const rows = c.inC * c.kH * c.kW;
      const x = rnd.floats(c.inC * c.inH * c.inW);
      const colIn = rnd.floats(rows * hw);
      // Definition: col[(ci·kH + i)·kW + j][oy·outW + ox] = x[ci][oy·sH − pH + i·dH][ox·sW − pW + j·dW], else 0.
      const expected = new Float32Array(rows * hw);
      for (let ci = 0; ci < c.inC; ci++) for (let i = 0; i < c.kH; i++) for (let j = 0; j < c.kW; j++) {
        for (let oy = 0; oy < c.outH; oy++) for (let ox = 0; ox < c.outW; ox++) {
          const iy = oy * c.sH - c.pH + i * c.dH, ix = ox * c.sW - c.pW + j * c.dW;
          const inside = iy >= 0 && iy < c.inH && ix >= 0 && ix < c.inW;
          expected[((ci * c.kH + i) * c.kW + j) * hw + oy * c.outW + ox] = inside ? x[(ci * c.inH + iy) * c.inW + ix]! : 0;
        }
      }
      const args = [c.inC, c.inH, c.inW, c.kH, c.kW, c.sH, c.sW, c.pH, c.pW, c.dH, c.dW, c.outH, c.outW] as const;
      for (const e of engines) {
        const s = new Scratch(e);
        const xp = s.put(x), colp = s.alloc(rows * hw * 4), cp = s.put(colIn), dxp = s.alloc(x.length * 4);
        e.kernels.im2col(...args, xp, colp);
        e.kernels.col2im(...args, cp, dxp);
        const col = s.f32(colp, rows * hw);
        const dx = s.f32(dxp, x.length);
        s.freeAll();
        const context = `${e.backend} ${JSON.stringify(c)}`;
        // im2col only copies, so it is exact.
        expect(Array.from(col), context).toEqual(Array.from(expected));
        const lhs = dot(col, colIn), rhs = dot(x, dx);
        // col2im sums ≤ kH·kW values per cell in f32: relative error ≤ 25·2⁻²⁴ < 2e-6 of Σ|terms|.
        expect(Math.abs(lhs.value - rhs.value), context).toBeLessThanOrEqual(2e-6 * lhs.abs + 1e-12);
      }
    }
  });
});

describe("conv2d stride-1 direct forward (output rows a multiple of 8 wide: no im2col)", () => {
  /** A stride-1 case whose output width is 8, 16 or 24 (the WASM forward reads x in place). */
  function directCase(rnd: TestRandom): ConvCase {
    const kH = rnd.int(1, 5), kW = rnd.int(1, 5), dH = rnd.int(1, 2), dW = rnd.int(1, 2), pH = rnd.int(0, 2), pW = rnd.int(0, 2);
    const outW = 8 * rnd.int(1, 3), outH = rnd.int(1, 9);
    return makeCase({
      batch: rnd.int(1, 3), inC: rnd.int(1, 7), outC: rnd.int(1, 13), kH, kW, sH: 1, sW: 1, pH, pW, dH, dW,
      inH: outH + dH * (kH - 1) - 2 * pH <= 0 ? 1 : outH + dH * (kH - 1) - 2 * pH,
      inW: outW + dW * (kW - 1) - 2 * pW <= 0 ? 1 : outW + dW * (kW - 1) - 2 * pW,
      bias: rnd.next() < 0.5,
    });
  }

  it("120 random shapes (odd channel counts, padding, dilation) against the float64 reference", async () => {
    const engines = await allEngines();
    const rnd = new TestRandom(777);
    let direct = 0;
    for (let t = 0; t < 120; t++) {
      const c = directCase(rnd);
      if (c.outW % 8 === 0) direct++;
      const seed = rnd.int(0, 2 ** 31);
      for (const e of engines) {
        const r = new TestRandom(seed);
        const n = sizes(c);
        const x = r.floats(n.x), w = r.floats(n.w), bias = c.bias ? r.floats(c.outC) : null;
        expectWithinSummationBound(runForward(e, c, x, w, bias), refForward(c, x, w, bias), `${e.backend} case ${t} ${JSON.stringify(c)}`);
      }
    }
    // Padding that exceeds the kernel reach changes the width; most cases must still take the path.
    expect(direct).toBeGreaterThan(100);
  });

  it("a batch split into single images gives the same bits as one call (forward and backward data)", async () => {
    const rnd = new TestRandom(4242);
    for (const e of await allEngines()) {
      for (const c of [NAMED_CASES["C4 conv2 10→20 5x5 on 12x12"]!, NAMED_CASES["C1 conv2 32→32 3x3 on 13x13"]!, { ...directCase(rnd), batch: 3 }]) {
        const n = sizes(c);
        const x = rnd.floats(n.x), w = rnd.floats(n.w), dy = rnd.floats(n.y), bias = c.bias ? rnd.floats(c.outC) : null;
        const whole = runForward(e, c, x, w, bias), wholeDx = runBackwardData(e, c, dy, w);
        const one = { ...c, batch: 1 };
        const xi = n.x / c.batch, yi = n.y / c.batch;
        for (let b = 0; b < c.batch; b++) {
          const y = runForward(e, one, x.subarray(b * xi, (b + 1) * xi), w, bias);
          expect(Array.from(y), `${e.backend} forward image ${b} ${JSON.stringify(c)}`).toEqual(Array.from(whole.subarray(b * yi, (b + 1) * yi)));
          const dx = runBackwardData(e, one, dy.subarray(b * yi, (b + 1) * yi), w);
          expect(Array.from(dx), `${e.backend} backward data image ${b}`).toEqual(Array.from(wholeDx.subarray(b * xi, (b + 1) * xi)));
        }
      }
    }
  });
});

describe("conv2d stride-1 unpadded direct backward filter (CKK ≥ 64: no im2col)", () => {
  it("50 random shapes (odd widths and channel counts, dilation, several image groups) against the float64 reference", async () => {
    const engines = await allEngines();
    const rnd = new TestRandom(991);
    for (let t = 0; t < 50; t++) {
      const kH = rnd.int(2, 5), kW = rnd.int(2, 5), dH = rnd.int(1, 2), dW = rnd.int(1, 2);
      const inC = Math.ceil(64 / (kH * kW)) + rnd.int(0, 4);
      // Every 10th case: batch 30 of 17x17 outputs (9 KB of packed dy per 8-channel panel and
      // image): the 256 KB group holds 28 images, so a second group continues into the same dW.
      const big = t % 10 === 0;
      const c = makeCase({
        batch: big ? 30 : rnd.int(1, 3), inC, inH: dH * (kH - 1) + (big ? 17 : rnd.int(1, 17)), inW: dW * (kW - 1) + (big ? 17 : rnd.int(1, 17)),
        outC: big ? rnd.int(1, 9) : rnd.int(1, 13), kH, kW, sH: 1, sW: 1, pH: 0, pW: 0, dH, dW, bias: rnd.next() < 0.5,
      });
      const n = sizes(c);
      const x = rnd.floats(n.x), dy = rnd.floats(n.y), dw0 = rnd.floats(n.w), db0 = c.bias ? rnd.floats(c.outC) : null;
      const ref = refBackwardFilter(c, x, dy, dw0, db0 ?? new Float32Array(c.outC));
      for (const e of engines) {
        const got = runBackwardFilter(e, c, x, dy, dw0, db0);
        const context = `${e.backend} case ${t} ${JSON.stringify(c)}`;
        expectWithinSummationBound(got.dw, ref.dw, `${context} dw`);
        if (db0) expectWithinSummationBound(got.db!, ref.db, `${context} db`);
      }
    }
  });

  it("output channels split in blocks of 4 (the thread split) give the same bits as one call", async () => {
    const rnd = new TestRandom(515);
    for (const e of await allEngines()) {
      for (const c of [NAMED_CASES["C1 conv2 32→32 3x3 on 13x13"]!, NAMED_CASES["C4 conv2 10→20 5x5 on 12x12"]!,
        makeCase({ batch: 30, inC: 8, inH: 19, inW: 19, outC: 13, kH: 3, kW: 3, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, bias: true })]) {
        const n = sizes(c), hw = c.outH * c.outW, ckk = c.inC * c.kH * c.kW;
        const x = rnd.floats(n.x), dy = rnd.floats(n.y), dw0 = rnd.floats(n.w), db0 = rnd.floats(c.outC);
        const whole = runBackwardFilter(e, c, x, dy, dw0, db0);
        for (let r0 = 0; r0 < c.outC; r0 += 4) {
          const r1 = Math.min(c.outC, r0 + 8);
          const part = { ...c, outC: r1 - r0 };
          const dyPart = new Float32Array(c.batch * (r1 - r0) * hw);
          for (let b = 0; b < c.batch; b++) dyPart.set(dy.subarray((b * c.outC + r0) * hw, (b * c.outC + r1) * hw), b * (r1 - r0) * hw);
          const got = runBackwardFilter(e, part, x, dyPart, dw0.slice(r0 * ckk, r1 * ckk), db0.slice(r0, r1));
          const context = `${e.backend} channels ${r0}..${r1} of ${JSON.stringify(c)}`;
          expect(Array.from(got.dw), context).toEqual(Array.from(whole.dw.subarray(r0 * ckk, r1 * ckk)));
          expect(Array.from(got.db!), context).toEqual(Array.from(whole.db!.subarray(r0, r1)));
        }
      }
    }
  });
});
