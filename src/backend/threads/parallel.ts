import type { Kernels } from "../kernels.js";
import type { Allocator, MemoryViews } from "../memory.js";
import { KERNEL_NAMES } from "../names.js";
import { OP_GATHER } from "./control.js";
import type { ThreadPool } from "./pool.js";
import { boundary, partsFor } from "./split.js";

/**
 * Work below which a share is not worth a worker. A share handed to a sleeping worker costs a
 * futex wake (≈ 10–50 µs; a spinning one ≈ 1 µs), so a share should run ≥ ~100 µs of one core.
 * Measured (node /tmp script in the issue-10 report, min of 400 calls, loaded 2-core machine):
 * GEMM 32×100×784 (5 Mflop) 102 µs on 1 thread vs 145 µs on 2; 128³ (4 Mflop) 80 vs 115 µs;
 * 256³ (34 Mflop) 625 vs 360 µs; axpy of 2^20 floats 103 vs 192 µs (memory-bound: threads
 * add bandwidth only beyond the caches). Hence ≥ 4 Mflop per GEMM/conv share (W2's GEMMs and
 * Adam step stay on the caller) and ≥ 2^18 elements per share of memory-bound kernels.
 * GEMM and convolution count multiply-adds ×2 (flops); memory-bound kernels count elements.
 */
export const THRESHOLDS = {
  /** flops per share of GEMM / convolution. */
  flops: 1 << 22,
  /** elements per share of an elementwise kernel, an optimizer step, pooling, softmax or bias. */
  elements: 1 << 18,
};

/** Elements per range boundary of elementwise kernels: 64 floats = 256 bytes, a multiple of every SIMD unroll and cache line. */
const ELEMENT_ALIGN = 64;

const INDEX: Record<string, number> = Object.fromEntries(KERNEL_NAMES.map((n, i) => [n, i]));

/**
 * Elementwise kernels: (argument index of n, argument indices of pointers, argument index of a
 * position counter). A range [i0, i1) moves each non-zero pointer by 4·i0 (pointer 0 = absent
 * stays 0) and the counter by i0 (dropout's stream is a function of the position, so a range
 * draws exactly the values the whole call would).
 */
const ELEMENTWISE: Record<string, { ptrs: number[]; counter?: number }> = {
  fill: { ptrs: [2] },
  copy: { ptrs: [1, 2] },
  scale: { ptrs: [2] },
  axpy: { ptrs: [2, 3] },
  mul: { ptrs: [1, 2, 3] },
  reluForward: { ptrs: [1, 2] },
  reluBackward: { ptrs: [1, 2, 3] },
  leakyReluForward: { ptrs: [2, 3] },
  leakyReluBackward: { ptrs: [2, 3, 4] },
  sigmoidForward: { ptrs: [1, 2] },
  sigmoidBackward: { ptrs: [1, 2, 3] },
  tanhForward: { ptrs: [1, 2] },
  tanhBackward: { ptrs: [1, 2, 3] },
  expForward: { ptrs: [1, 2] },
  dropoutForward: { ptrs: [4, 5, 6], counter: 3 },
  uniformFill: { ptrs: [3], counter: 2 },
  sgdStep: { ptrs: [1, 2, 3] },
  adamStep: { ptrs: [1, 2, 3, 4, 5] },
  rmspropStep: { ptrs: [1, 2, 3, 4, 5] },
};

/**
 * Kernels split by their first argument (rows, images or planes): `unit` = elements per row (the
 * work measure), `ptrs` = [argument index, bytes one row moves that pointer].
 */
const plane = (h: number, w: number) => (a: number[]): number => 4 * a[h]! * a[w]!;
const BY_ROWS: Record<string, { unit: (a: number[]) => number; ptrs: [number, (a: number[]) => number][] }> = {
  softmaxForward: { unit: (a) => a[1]!, ptrs: [[2, (a) => 4 * a[1]!], [3, (a) => 4 * a[1]!]] },
  logSoftmaxForward: { unit: (a) => a[1]!, ptrs: [[2, (a) => 4 * a[1]!], [3, (a) => 4 * a[1]!]] },
  softmaxBackward: { unit: (a) => a[1]!, ptrs: [[2, (a) => 4 * a[1]!], [3, (a) => 4 * a[1]!], [4, (a) => 4 * a[1]!]] },
  logSoftmaxBackward: { unit: (a) => a[1]!, ptrs: [[2, (a) => 4 * a[1]!], [3, (a) => 4 * a[1]!], [4, (a) => 4 * a[1]!]] },
  biasAddRows: { unit: (a) => a[1]!, ptrs: [[3, (a) => 4 * a[4]!]] },
  biasAddChannels: { unit: (a) => a[1]! * a[2]!, ptrs: [[4, plane(1, 2)]] },
  batchNormForwardEval: { unit: (a) => a[1]! * a[2]!, ptrs: [[3, plane(1, 2)], [9, plane(1, 2)]] },
  // Pooling planes (batch × channel): in-plane inH×inW (arguments 1, 2), out-plane outH×outW.
  maxPool2dForward: { unit: (a) => a[1]! * a[2]!, ptrs: [[11, plane(1, 2)], [12, plane(9, 10)], [13, plane(9, 10)]] },
  maxPool2dBackward: { unit: (a) => a[1]! * a[2]!, ptrs: [[5, plane(3, 4)], [6, plane(3, 4)], [7, plane(1, 2)]] },
  avgPool2dForward: { unit: (a) => a[1]! * a[2]!, ptrs: [[12, plane(1, 2)], [13, plane(9, 10)]] },
  avgPool2dBackward: { unit: (a) => a[1]! * a[2]!, ptrs: [[12, plane(9, 10)], [13, plane(1, 2)]] },
};

type Fn = (...args: number[]) => number | void;

/**
 * Kernels that split their work over the pool's threads and the caller. Every split gives each
 * output element to exactly one thread, which computes it with the same kernel over the same
 * inputs in the same order as one thread would, so results are bit-identical for every thread
 * count:
 * - GEMM: rows of C (columns when C has few rows); each range has its own packing scratch.
 * - conv forward: images (output channels when there is one image); input gradient: images;
 *   filter gradient: output channels (each thread gathers its channels of dy), never images,
 *   since splitting the batch would change the order of the sum over images.
 * - pooling: planes (batch × channel); batch-norm evaluation, bias over rows/channels: rows/images;
 *   softmax / log-softmax: rows; elementwise kernels and optimizer steps: element ranges
 *   aligned to 64 floats.
 * Every other kernel (reductions and losses, whose sums run across the whole input; batch-norm
 * training, whose channels are strided across images; any kernel added later) runs on the
 * calling thread, as do calls below THRESHOLDS.
 */
export function parallelKernels(base: Kernels, pool: ThreadPool, allocator: Allocator, views: MemoryViews): Kernels {
  const threads = pool.workers + 1;
  /** Pool-owned scratch per thread (index threads − 1 = the caller), grown to the largest need, never shrunk. */
  const scratch = Array.from({ length: threads }, () => ({ ptr: 0, bytes: 0 }));
  const scratchFor = (t: number, bytes: number): number => {
    const s = scratch[t]!;
    if (bytes <= s.bytes) return s.ptr;
    if (s.ptr !== 0) allocator.release(s.ptr);
    s.ptr = 0;
    s.bytes = 0;
    s.ptr = allocator.alloc(bytes);
    s.bytes = bytes;
    return s.ptr;
  };
  /** Posts args as worker w's one-call job. */
  const post = (w: number, index: number, a: readonly number[]): void => {
    pool.begin(w);
    pool.op(w, index, a);
    pool.submit(w);
  };
  const finish = (parts: number, t0: number): void => pool.wait(parts - 1, now() - t0);

  const out: Record<string, unknown> = { ...base };

  for (const [name, rule] of Object.entries(ELEMENTWISE)) {
    const fn = (base as unknown as Record<string, Fn>)[name]!;
    const index = INDEX[name]!;
    out[name] = (...a: number[]): number | void => {
      const n = a[0]!;
      const parts = partsFor(threads, n, THRESHOLDS.elements, n, ELEMENT_ALIGN);
      if (parts === 1) return fn(...a);
      pool.check();
      for (let p = 1; p < parts; p++) {
        const i0 = boundary(n, parts, ELEMENT_ALIGN, p);
        const i1 = boundary(n, parts, ELEMENT_ALIGN, p + 1);
        const s = a.slice();
        s[0] = i1 - i0;
        for (const k of rule.ptrs) if (s[k] !== 0) s[k] = s[k]! + 4 * i0;
        if (rule.counter !== undefined) s[rule.counter] = (s[rule.counter]! + i0) >>> 0;
        post(p - 1, index, s);
      }
      const t0 = now();
      a[0] = boundary(n, parts, ELEMENT_ALIGN, 1);
      fn(...a);
      finish(parts, t0);
    };
  }

  for (const [name, rule] of Object.entries(BY_ROWS)) {
    const fn = (base as unknown as Record<string, Fn>)[name]!;
    const index = INDEX[name]!;
    out[name] = (...a: number[]): number | void => {
      const rows = a[0]!;
      const parts = partsFor(threads, rows * rule.unit(a), THRESHOLDS.elements, rows, 1);
      if (parts === 1) return fn(...a);
      pool.check();
      const steps = rule.ptrs.map(([k, bytes]) => [k, bytes(a)] as const);
      const share = (r0: number, r1: number): number[] => {
        const s = a.slice();
        s[0] = r1 - r0;
        for (const [k, step] of steps) s[k] = a[k]! + r0 * step;
        return s;
      };
      for (let p = 1; p < parts; p++) post(p - 1, index, share(boundary(rows, parts, 1, p), boundary(rows, parts, 1, p + 1)));
      const t0 = now();
      fn(...share(0, boundary(rows, parts, 1, 1)));
      finish(parts, t0);
    };
  }

  // GEMM: rows of C, or columns when C has too few rows for every thread.
  const GEMM = INDEX["gemm"]!;
  out["gemm"] = (transA: number, transB: number, m: number, n: number, k: number, alpha: number, a: number, lda: number,
    b: number, ldb: number, beta: number, c: number, ldc: number, work: number): void => {
    const flops = 2 * m * n * k;
    const rowParts = partsFor(threads, flops, THRESHOLDS.flops, m, 4);
    const colParts = partsFor(threads, flops, THRESHOLDS.flops, n, 8);
    const byCols = colParts > rowParts;
    const parts = byCols ? colParts : rowParts;
    if (parts === 1) return base.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
    pool.check();
    const total = byCols ? n : m;
    const align = byCols ? 8 : 4;
    const range = (p: number): [number, number] => [boundary(total, parts, align, p), boundary(total, parts, align, p + 1)];
    const call = (r0: number, r1: number, w: number): number[] => {
      if (byCols) {
        return [transA, transB, m, r1 - r0, k, alpha, a, lda, b + 4 * r0 * (transB ? ldb : 1), ldb, beta, c + 4 * r0, ldc,
          scratchFor(w, base.gemmWorkBytes(m, r1 - r0, k))];
      }
      return [transA, transB, r1 - r0, n, k, alpha, a + 4 * r0 * (transA ? 1 : lda), lda, b, ldb, beta, c + 4 * r0 * ldc, ldc,
        scratchFor(w, base.gemmWorkBytes(r1 - r0, n, k))];
    };
    for (let p = 1; p < parts; p++) {
      const [r0, r1] = range(p);
      post(p - 1, GEMM, call(r0, r1, p - 1));
    }
    const t0 = now();
    const [r0, r1] = range(0);
    const own = byCols ? base.gemmWorkBytes(m, r1 - r0, k) : base.gemmWorkBytes(r1 - r0, n, k);
    // The caller's work holds gemmWorkBytes(m, n, k) by contract; a share needing more takes the pool's.
    const ownWork = own <= base.gemmWorkBytes(m, n, k) ? work : scratchFor(threads - 1, own);
    if (byCols) base.gemm(transA, transB, m, r1 - r0, k, alpha, a, lda, b, ldb, beta, c, ldc, ownWork);
    else base.gemm(transA, transB, r1 - r0, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ownWork);
    finish(parts, t0);
  };

  convKernels(out, base, threads, pool, scratchFor, views, post, finish);
  return out as unknown as Kernels;
}

type Post = (w: number, index: number, a: readonly number[]) => void;

/** The three convolution kernels' splits (see parallelKernels). */
function convKernels(out: Record<string, unknown>, base: Kernels, threads: number, pool: ThreadPool,
  scratchFor: (t: number, bytes: number) => number, views: MemoryViews, post: Post, finish: (parts: number, t0: number) => void): void {
  const FWD = INDEX["conv2dForward"]!, BWD_DATA = INDEX["conv2dBackwardData"]!, BWD_FILTER = INDEX["conv2dBackwardFilter"]!;
  type Shape = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];
  const workBytes = (s: Shape): number => base.conv2dWorkBytes(...s);
  const fwd = base.conv2dForward.bind(base) as unknown as Fn;

  out["conv2dForward"] = (...a: number[]): void => {
    const shape = a.slice(0, 15) as Shape;
    const [batch, inC, inH, inW, outC, kH, kW, , , , , , , outH, outW] = shape;
    const [x, w, bias, y, work] = a.slice(15) as [number, number, number, number, number];
    const flops = 2 * batch * outC * outH * outW * inC * kH * kW;
    const byImage = batch > 1;
    const total = byImage ? batch : outC;
    const align = byImage ? 1 : 4;
    const parts = partsFor(threads, flops, THRESHOLDS.flops, total, align);
    if (parts === 1) return void fwd(...a);
    pool.check();
    const imageIn = inC * inH * inW, imageOut = outC * outH * outW, plane = outH * outW, ckk = inC * kH * kW;
    const make = (r0: number, r1: number): number[] => {
      const s = [...shape];
      if (byImage) {
        s[0] = r1 - r0;
        return [...s, x + 4 * r0 * imageIn, w, bias, y + 4 * r0 * imageOut, 0];
      }
      s[4] = r1 - r0;
      return [...s, x, w + 4 * r0 * ckk, bias === 0 ? 0 : bias + 4 * r0, y + 4 * r0 * plane, 0];
    };
    runShares(parts, total, align, make, (s, t) => {
      const need = workBytes(s.slice(0, 15) as Shape);
      s[19] = t < 0 && need <= workBytes(shape) ? work : scratchFor(t < 0 ? threads - 1 : t, need);
    }, FWD, fwd, post, finish);
  };

  const bwdData = base.conv2dBackwardData.bind(base) as unknown as Fn;
  out["conv2dBackwardData"] = (...a: number[]): void => {
    const shape = a.slice(0, 15) as Shape;
    const [batch, inC, inH, inW, outC, kH, kW, , , , , , , outH, outW] = shape;
    const [dy, w, dx, work] = a.slice(15) as [number, number, number, number];
    const flops = 2 * batch * outC * outH * outW * inC * kH * kW;
    const parts = partsFor(threads, flops, THRESHOLDS.flops, batch, 1);
    if (parts === 1) return void bwdData(...a);
    pool.check();
    const imageIn = inC * inH * inW, imageOut = outC * outH * outW;
    const make = (r0: number, r1: number): number[] => {
      const s = [...shape];
      s[0] = r1 - r0;
      return [...s, dy + 4 * r0 * imageOut, w, dx + 4 * r0 * imageIn, 0];
    };
    runShares(parts, batch, 1, make, (s, t) => {
      const need = workBytes(s.slice(0, 15) as Shape);
      s[18] = t < 0 && need <= workBytes(shape) ? work : scratchFor(t < 0 ? threads - 1 : t, need);
    }, BWD_DATA, bwdData, post, finish);
  };

  const bwdFilter = base.conv2dBackwardFilter.bind(base) as unknown as Fn;
  out["conv2dBackwardFilter"] = (...a: number[]): void => {
    const shape = a.slice(0, 15) as Shape;
    const [batch, inC, , , outC, kH, kW, , , , , , , outH, outW] = shape;
    const [x, dy, dw, db, work] = a.slice(15) as [number, number, number, number, number];
    const flops = 2 * batch * outC * outH * outW * inC * kH * kW;
    const parts = partsFor(threads, flops, THRESHOLDS.flops, outC, 4);
    if (parts === 1) return void bwdFilter(...a);
    pool.check();
    const plane = outH * outW, ckk = inC * kH * kW;
    const shares: { r0: number; r1: number }[] = [];
    for (let p = 0; p < parts; p++) shares.push({ r0: boundary(outC, parts, 4, p), r1: boundary(outC, parts, 4, p + 1) });
    const t0Holder = { t0: 0 };
    for (let p = parts - 1; p >= 0; p--) {
      const { r0, r1 } = shares[p]!;
      const s = [...shape];
      s[4] = r1 - r0;
      const need = workBytes(s as Shape);
      const t = p === 0 ? threads - 1 : p - 1;
      const sliceBytes = 4 * (r1 - r0) * plane;
      // One image: its channels of dy are already contiguous. Several: gather them (dy is batch × outC × plane).
      const gatherBytes = batch > 1 ? batch * sliceBytes : 0;
      const own = p === 0 && gatherBytes === 0 && need <= workBytes(shape);
      const block = own ? 0 : scratchFor(t, Math.ceil(need / 64) * 64 + gatherBytes);
      const kernelWork = own ? work : block;
      const dyShare = batch > 1 ? block + Math.ceil(need / 64) * 64 : dy + 4 * r0 * plane;
      const call = [...s, x, dyShare, dw + 4 * r0 * ckk, db === 0 ? 0 : db + 4 * r0, kernelWork];
      if (p > 0) {
        pool.begin(p - 1);
        if (batch > 1) pool.op(p - 1, OP_GATHER, [batch, sliceBytes, dy + 4 * r0 * plane, 4 * outC * plane, dyShare]);
        pool.op(p - 1, BWD_FILTER, call);
        pool.submit(p - 1);
      } else {
        t0Holder.t0 = now();
        if (batch > 1) {
          const u8 = views.u8();
          const src = dy + 4 * r0 * plane, stride = 4 * outC * plane;
          for (let b = 0; b < batch; b++) u8.copyWithin(dyShare + b * sliceBytes, src + b * stride, src + b * stride + sliceBytes);
        }
        bwdFilter(...call);
      }
    }
    finish(parts, t0Holder.t0);
  };
}

/** Posts shares 1..parts−1 to the workers, runs share 0 on the caller, waits. */
function runShares(parts: number, total: number, align: number, make: (r0: number, r1: number) => number[],
  setWork: (s: number[], thread: number) => void, index: number, fn: Fn, post: Post, finish: (parts: number, t0: number) => void): void {
  for (let p = 1; p < parts; p++) {
    const s = make(boundary(total, parts, align, p), boundary(total, parts, align, p + 1));
    setWork(s, p - 1);
    post(p - 1, index, s);
  }
  const t0 = now();
  const s = make(0, boundary(total, parts, align, 1));
  setWork(s, -1);
  fn(...s);
  finish(parts, t0);
}

function now(): number {
  return typeof performance !== "undefined" ? performance.now() : Date.now();
}
