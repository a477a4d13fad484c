// Every kernel family that threads split gives bit-identical results for 1, 2, 3 and 4 threads,
// on random shapes with odd sizes (SIMD tails, ranges that are not multiples of the alignment).
// The work thresholds are lowered to 1 so that even small shapes are split; one test keeps the
// real thresholds on large shapes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import { detectWasmFeatures } from "../../src/backend/wasm/features.js";
import { THRESHOLDS } from "../../src/backend/threads/parallel.js";
import type { Kernels } from "../../src/backend/kernels.js";
import { conv2dOutputSize, pool2dOutputSize } from "../../src/backend/shapes.js";
import { Scratch } from "../helpers/engines.js";
import { TestRandom } from "../helpers/random.js";
import { posted } from "./helpers.js";

type Buf = Float32Array | Int32Array | number;
/** One kernel call: its buffers (data, or a size for an output the kernel fills) and the call. */
interface Case {
  label: string;
  buffers: Record<string, Buf>;
  /** Buffers compared after the call. */
  read: string[];
  call(k: Kernels, p: Record<string, number>): void;
}

const BACKENDS = detectWasmFeatures().relaxedSimd ? (["wasm-simd", "wasm-relaxed-simd"] as const) : (["wasm-simd"] as const);
const COUNTS = [1, 2, 3, 4];
const engines = new Map<string, Engine[]>();
const saved = { ...THRESHOLDS };

beforeAll(async () => {
  for (const b of BACKENDS) engines.set(b, await Promise.all(COUNTS.map((threads) => createEngine({ backend: b, threads }))));
});
afterAll(() => {
  for (const list of engines.values()) for (const e of list) e.dispose();
  Object.assign(THRESHOLDS, saved);
});

/** Runs a case on one engine; returns the bit patterns of the read buffers. */
function run(e: Engine, c: Case): Uint32Array[] {
  const s = new Scratch(e);
  try {
    const p: Record<string, number> = {};
    const sizes: Record<string, number> = {};
    for (const [name, b] of Object.entries(c.buffers)) {
      if (typeof b === "number") {
        p[name] = s.alloc(b * 4);
        sizes[name] = b;
      } else {
        p[name] = s.put(b);
        sizes[name] = b.length;
      }
    }
    c.call(e.kernels, p);
    return c.read.map((name) => new Uint32Array(s.f32(p[name]!, sizes[name]!).buffer));
  } finally {
    s.freeAll();
  }
}

/**
 * Runs every case on 1–4 threads and compares bits. Most cases must really have been split
 * (shapes with one row or one plane cannot be); `minSplit` is the share that must.
 */
function checkAll(cases: Case[], minSplit = 0.5): void {
  for (const b of BACKENDS) {
    const list = engines.get(b)!;
    expect(list.map((e) => e.threads)).toEqual(COUNTS);
    const splitCases = new Map<Engine, number>();
    for (const c of cases) {
      const reference = run(list[0]!, c);
      for (const e of list.slice(1)) {
        const before = posted(e);
        const got = run(e, c);
        if (posted(e) > before) splitCases.set(e, (splitCases.get(e) ?? 0) + 1);
        for (let i = 0; i < reference.length; i++) {
          const a = got[i]!, r = reference[i]!;
          let bad = -1;
          for (let j = 0; j < r.length; j++) if (a[j] !== r[j]) { bad = j; break; }
          if (bad >= 0) {
            throw new Error(`${b} ${c.label}, ${e.threads} threads: ${c.read[i]}[${bad}] bits ${a[bad]} vs ${r[bad]} on 1 thread`);
          }
        }
      }
    }
    for (const e of list.slice(1)) {
      expect(splitCases.get(e) ?? 0, `${b}: cases split over ${e.threads} threads`).toBeGreaterThanOrEqual(Math.ceil(cases.length * minSplit));
    }
  }
}

const size = (rnd: TestRandom): number => rnd.pick([1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 31, 33, 64, 67, 100]);

describe("threaded kernels are bit-identical to one thread", () => {
  beforeAll(() => {
    THRESHOLDS.flops = 1;
    THRESHOLDS.elements = 1;
  });

  it("gemm, all transposes, row and column splits, alpha/beta, leading dimensions", () => {
    const rnd = new TestRandom(1);
    const cases: Case[] = [];
    for (let i = 0; i < 40; i++) {
      const ta = rnd.int(0, 1), tb = rnd.int(0, 1);
      const m = i % 4 === 0 ? rnd.int(1, 7) : size(rnd), n = size(rnd), k = rnd.pick([1, 3, 17, 64, 255, 257, 300]);
      const lda = (ta ? m : k) + rnd.int(0, 3), ldb = (tb ? k : n) + rnd.int(0, 3), ldc = n + rnd.int(0, 3);
      const alpha = rnd.pick([1, 0.5, -2]), beta = rnd.pick([0, 1, 0.75]);
      cases.push({
        label: `gemm ${ta}${tb} m${m} n${n} k${k} alpha ${alpha} beta ${beta}`,
        buffers: { a: rnd.floats((ta ? k : m) * lda), b: rnd.floats((tb ? n : k) * ldb), c: rnd.floats(m * ldc), w: 1 + 2 * 1024 * 1024 / 4 },
        read: ["c"],
        call: (kk, p) => kk.gemm(ta, tb, m, n, k, alpha, p.a!, lda, p.b!, ldb, beta, p.c!, ldc, p.w!),
      });
    }
    checkAll(cases);
  });

  it("conv2d forward (images, or output channels for one image), input gradient, filter gradient", () => {
    const rnd = new TestRandom(2);
    const cases: Case[] = [];
    for (let i = 0; i < 24; i++) {
      const batch = i % 3 === 0 ? 1 : rnd.int(2, 7), inC = rnd.pick([1, 2, 3, 5, 8]), outC = rnd.pick([1, 3, 4, 7, 9, 16, 17]);
      const kH = rnd.int(1, 3), kW = rnd.int(1, 3), sH = rnd.int(1, 2), sW = rnd.int(1, 2);
      const pH = rnd.int(0, 1), pW = rnd.int(0, 1), dH = rnd.int(1, 2), dW = 1;
      const inH = rnd.int(kH * dH + 1, 13), inW = rnd.int(kW + 1, 12);
      const { outH, outW } = conv2dOutputSize(inH, inW, kH, kW, sH, sW, pH, pW, dH, dW);
      const shape = [batch, inC, inH, inW, outC, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW] as const;
      const xN = batch * inC * inH * inW, yN = batch * outC * outH * outW, wN = outC * inC * kH * kW;
      const work = (k: Kernels): number => k.conv2dWorkBytes(...shape);
      const label = `conv [${shape.join(",")}]`;
      const bias = rnd.next() < 0.5;
      cases.push({
        label: `${label} forward`,
        buffers: { x: rnd.floats(xN), w: rnd.floats(wN), b: rnd.floats(outC), y: yN, work: 1 << 20 },
        read: ["y"],
        call: (k, p) => { expect(work(k)).toBeLessThanOrEqual(4 << 20); k.conv2dForward(...shape, p.x!, p.w!, bias ? p.b! : 0, p.y!, p.work!); },
      });
      cases.push({
        label: `${label} backward data`,
        buffers: { dy: rnd.floats(yN), w: rnd.floats(wN), dx: xN, work: 1 << 20 },
        read: ["dx"],
        call: (k, p) => k.conv2dBackwardData(...shape, p.dy!, p.w!, p.dx!, p.work!),
      });
      cases.push({
        label: `${label} backward filter`,
        buffers: { x: rnd.floats(xN), dy: rnd.floats(yN), dw: rnd.floats(wN), db: rnd.floats(outC), work: 1 << 20 },
        read: bias ? ["dw", "db"] : ["dw"],
        call: (k, p) => k.conv2dBackwardFilter(...shape, p.x!, p.dy!, p.dw!, bias ? p.db! : 0, p.work!),
      });
    }
    checkAll(cases);
  });

  it("max and average pooling forward and backward over planes", () => {
    const rnd = new TestRandom(3);
    const cases: Case[] = [];
    for (let i = 0; i < 16; i++) {
      const planes = rnd.pick([1, 2, 3, 5, 8, 17, 32]), kH = rnd.int(1, 3), kW = rnd.int(1, 3);
      const sH = rnd.int(1, 2), sW = rnd.int(1, 3), pH = rnd.int(0, kH >> 1), pW = rnd.int(0, kW >> 1);
      const inH = rnd.int(kH, 15), inW = rnd.int(kW, 14);
      const { outH, outW } = pool2dOutputSize(inH, inW, kH, kW, sH, sW, pH, pW);
      const inN = planes * inH * inW, outN = planes * outH * outW;
      const geo = [planes, inH, inW, kH, kW, sH, sW, pH, pW, outH, outW] as const;
      const cip = rnd.int(0, 1);
      const x = rnd.floats(inN), dy = rnd.floats(outN);
      cases.push({
        label: `max pool [${geo.join(",")}]`, buffers: { x, y: outN, arg: outN, dy, dx: inN }, read: ["y", "arg", "dx"],
        call: (k, p) => {
          k.maxPool2dForward(...geo, p.x!, p.y!, p.arg!);
          k.maxPool2dBackward(planes, inH, inW, outH, outW, p.dy!, p.arg!, p.dx!);
        },
      });
      cases.push({
        label: `avg pool [${geo.join(",")}] cip ${cip}`, buffers: { x, y: outN, dy, dx: inN }, read: ["y", "dx"],
        call: (k, p) => {
          k.avgPool2dForward(...geo, cip, p.x!, p.y!);
          k.avgPool2dBackward(...geo, cip, p.dy!, p.dx!);
        },
      });
    }
    checkAll(cases);
  });

  it("elementwise kernels, dropout's position-based stream and the optimizer steps over element ranges", () => {
    const rnd = new TestRandom(4);
    const cases: Case[] = [];
    for (const n of [1, 63, 64, 65, 127, 129, 200, 257, 1000, 4099]) {
      const x = rnd.floats(n, -3, 3), y = rnd.floats(n, -3, 3), z = rnd.floats(n, 0.1, 1), g = rnd.floats(n);
      const e = (label: string, buffers: Record<string, Buf>, read: string[], call: Case["call"]): void => {
        cases.push({ label: `${label} n ${n}`, buffers, read, call });
      };
      e("fill", { o: n }, ["o"], (k, p) => k.fill(n, 0.25, p.o!));
      e("copy", { x, o: n }, ["o"], (k, p) => k.copy(n, p.x!, p.o!));
      e("scale", { x }, ["x"], (k, p) => k.scale(n, -1.5, p.x!));
      e("axpy", { x, y }, ["y"], (k, p) => k.axpy(n, 0.3, p.x!, p.y!));
      e("mul", { x, y, o: n }, ["o"], (k, p) => k.mul(n, p.x!, p.y!, p.o!));
      e("activations", { x, dy: g, a: n, b: n, c: n, d: n, e: n, f: n, h: n, i: n, j: n, l: n, m: n },
        ["a", "b", "c", "d", "e", "f", "h", "i", "j", "l", "m"], (k, p) => {
          k.reluForward(n, p.x!, p.a!); k.reluBackward(n, p.a!, p.dy!, p.b!);
          k.leakyReluForward(n, 0.01, p.x!, p.c!); k.leakyReluBackward(n, 0.01, p.x!, p.dy!, p.d!);
          k.sigmoidForward(n, p.x!, p.e!); k.sigmoidBackward(n, p.e!, p.dy!, p.f!);
          k.tanhForward(n, p.x!, p.h!); k.tanhBackward(n, p.h!, p.dy!, p.i!);
          k.expForward(n, p.x!, p.j!);
          k.dropoutForward(n, 0.3, 1234, 4294967000, p.x!, p.l!, p.m!);
        });
      e("uniformFill", { o: n }, ["o"], (k, p) => k.uniformFill(n, 99, 17, p.o!));
      e("sgd", { w: x, g, buf: y }, ["w", "buf"], (k, p) => k.sgdStep(n, p.w!, p.g!, p.buf!, 0.1, 0.9, 0.1, 1e-4, 1, 0));
      e("sgd no momentum", { w: x, g }, ["w"], (k, p) => k.sgdStep(n, p.w!, p.g!, 0, 0.1, 0, 0, 0, 0, 1));
      e("adam", { w: x, g, m: y, v: z, vMax: z }, ["w", "m", "v", "vMax"], (k, p) => k.adamStep(n, p.w!, p.g!, p.m!, p.v!, p.vMax!, 1e-3, 0.9, 0.999, 1e-8, 0.01, 1, 1, 7));
      e("adam no amsgrad", { w: x, g, m: y, v: z }, ["w", "m", "v"], (k, p) => k.adamStep(n, p.w!, p.g!, p.m!, p.v!, 0, 1e-3, 0.9, 0.999, 1e-8, 0, 0, 0, 3));
      e("rmsprop", { w: x, g, sq: z, ga: y, buf: y }, ["w", "sq", "ga", "buf"], (k, p) => k.rmspropStep(n, p.w!, p.g!, p.sq!, p.ga!, p.buf!, 1e-2, 0.99, 1e-8, 0, 0.9, 1));
    }
    checkAll(cases);
  });

  it("softmax and log-softmax by rows, bias by rows and images, batch-norm evaluation by images", () => {
    const rnd = new TestRandom(5);
    const cases: Case[] = [];
    for (let i = 0; i < 12; i++) {
      const rows = size(rnd), cols = size(rnd), ld = cols + rnd.int(0, 3);
      const x = rnd.floats(rows * cols, -5, 5), dy = rnd.floats(rows * cols);
      cases.push({
        label: `softmax ${rows}x${cols}`, buffers: { x, dy, y: rows * cols, dx: rows * cols, ly: rows * cols, ldx: rows * cols },
        read: ["y", "dx", "ly", "ldx"],
        call: (k, p) => {
          k.softmaxForward(rows, cols, p.x!, p.y!); k.softmaxBackward(rows, cols, p.y!, p.dy!, p.dx!);
          k.logSoftmaxForward(rows, cols, p.x!, p.ly!); k.logSoftmaxBackward(rows, cols, p.ly!, p.dy!, p.ldx!);
        },
      });
      cases.push({
        label: `biasAddRows ${rows}x${cols} ld ${ld}`, buffers: { b: rnd.floats(cols), y: rnd.floats(rows * ld) }, read: ["y"],
        call: (k, p) => k.biasAddRows(rows, cols, p.b!, p.y!, ld),
      });
      const batch = rnd.int(1, 9), ch = rnd.pick([1, 3, 4, 7]), sp = size(rnd);
      cases.push({
        label: `biasAddChannels ${batch}x${ch}x${sp}`, buffers: { b: rnd.floats(ch), y: rnd.floats(batch * ch * sp) }, read: ["y"],
        call: (k, p) => k.biasAddChannels(batch, ch, sp, p.b!, p.y!),
      });
      cases.push({
        label: `batchNormForwardEval ${batch}x${ch}x${sp}`,
        buffers: { x: rnd.floats(batch * ch * sp), g: rnd.floats(ch), be: rnd.floats(ch), rm: rnd.floats(ch), rv: rnd.floats(ch, 0.5, 2), y: batch * ch * sp },
        read: ["y"],
        call: (k, p) => k.batchNormForwardEval(batch, ch, sp, p.x!, p.g!, p.be!, p.rm!, p.rv!, 1e-5, p.y!),
      });
    }
    checkAll(cases);
  });
});

describe("with the measured thresholds", () => {
  beforeAll(() => Object.assign(THRESHOLDS, saved));

  it("large GEMM and convolutions split and stay bit-identical; small ones run on the caller", () => {
    const rnd = new TestRandom(6);
    const shape = [32, 32, 13, 13, 32, 3, 3, 1, 1, 0, 0, 1, 1, 11, 11] as const;
    const xN = 32 * 32 * 13 * 13, yN = 32 * 32 * 11 * 11, wN = 32 * 32 * 9;
    checkAll([
      {
        label: "gemm 200x300x256", buffers: { a: rnd.floats(200 * 256), b: rnd.floats(256 * 300), c: 200 * 300, w: 1 << 19 }, read: ["c"],
        call: (k, p) => k.gemm(0, 0, 200, 300, 256, 1, p.a!, 256, p.b!, 300, 0, p.c!, 300, p.w!),
      },
      {
        label: "conv W3 layer 2", buffers: { x: rnd.floats(xN), w: rnd.floats(wN), dy: rnd.floats(yN), y: yN, dx: xN, dw: rnd.floats(wN), work: 1 << 21 },
        read: ["y", "dx", "dw"],
        call: (k, p) => {
          k.conv2dForward(...shape, p.x!, p.w!, 0, p.y!, p.work!);
          k.conv2dBackwardData(...shape, p.dy!, p.w!, p.dx!, p.work!);
          k.conv2dBackwardFilter(...shape, p.x!, p.dy!, p.dw!, 0, p.work!);
        },
      },
    ], 1);
  });
});
