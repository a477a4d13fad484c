/** conv2d, maxPool2d, avgPool2d on the conv/pool kernels (each one fused tape operation). */
import { conv2dOutputSize, pool2dOutputSize } from "../../backend/shapes.js";
import { fail } from "../../errors.js";
import type { Tensor } from "../../tensor.js";
import { ATTR, begin, commit, gradAcc, gradDst, IN, needs, setOutput, type Node, type Op } from "../tape.js";
import { arg, optArg, type TensorLike } from "./util.js";

/** A size per spatial axis: one number for both, or [h, w]. */
export type Pair = number | readonly [number, number];

/** Options of conv2d (PyTorch names). */
export interface Conv2dArgs {
  /** Default 1. */
  stride?: Pair;
  /** Zero padding per side, default 0. */
  padding?: Pair;
  /** Default 1. */
  dilation?: Pair;
}

function isInt(n: unknown, min: number): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= min;
}

/** Checks a Pair and writes it to ATTR[slot], ATTR[slot + 1] (no array per call: this runs every step). */
function pairInto(what: string, v: Pair | undefined, dflt: number, min: number, slot: number): void {
  if (v === undefined) {
    ATTR[slot] = dflt;
    ATTR[slot + 1] = dflt;
  } else if (isInt(v, min)) {
    ATTR[slot] = v;
    ATTR[slot + 1] = v;
  } else if (Array.isArray(v) && v.length === 2 && isInt(v[0], min) && isInt(v[1], min)) {
    ATTR[slot] = v[0];
    ATTR[slot + 1] = v[1];
  } else fail(what, `an integer ≥ ${min} or a pair [h, w] of them`, v);
}

const NO_OPTIONS: Conv2dArgs & AvgPool2dArgs = Object.freeze({});

// ATTR layout of conv: sH, sW, pH, pW, dH, dW; outH, outW kept in s0/s1.
function convDims(node: Node): number[] {
  return node.attrs;
}

const CONV: Op = {
  name: "conv2d",
  backward(node, tape) {
    const x = node.inputs[0]!, w = node.inputs[1]!, b = node.inputs[2]!;
    const g = node.out!.grad!;
    const a = convDims(node);
    const sH = a[0]!, sW = a[1]!, pH = a[2]!, pW = a[3]!, dH = a[4]!, dW = a[5]!;
    const s = x.shape;
    const oc = w.shape[0]!, kH = w.shape[2]!, kW = w.shape[3]!;
    const outH = node.out!.shape[2]!, outW = node.out!.shape[3]!;
    const k = node.engine.kernels;
    const needW = needs(node, 1, tape);
    const needB = b !== null && needs(node, 2, tape);
    if (needW || needB) {
      // The filter kernel computes both gradients together; a constant one goes to a scratch buffer.
      const dw = needW ? gradAcc(node, 1, tape) : scratch(node, 0, w);
      const db = b === null ? 0 : needB ? gradAcc(node, 2, tape) : scratch(node, 1, b);
      k.conv2dBackwardFilter(s[0]!, s[1]!, s[2]!, s[3]!, oc, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW, x.ptr, g.ptr, dw, db, node.work);
    }
    if (needs(node, 0, tape)) {
      k.conv2dBackwardData(s[0]!, s[1]!, s[2]!, s[3]!, oc, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW, g.ptr, w.ptr, gradDst(node, 0, tape), node.work);
      commit(node, 0, tape);
    }
  },
};

/** A node-owned zeroed buffer for a gradient nobody reads (frozen conv weight or bias). */
function scratch(node: Node, which: 0 | 1, like: Tensor): number {
  let t = which === 0 ? node.saved : node.saved2;
  if (t === null) {
    t = node.engine.empty(like.shape);
    if (which === 0) node.saved = t;
    else node.saved2 = t;
  }
  node.engine.kernels.fill(t.size, 0, t.ptr);
  return t.ptr;
}

/**
 * 2-D convolution (F.conv2d, cross-correlation): x [N, C, H, W], weight [O, C, kH, kW],
 * bias [O] or null → [N, O, outH, outW].
 */
export function conv2d(xIn: TensorLike, weightIn: TensorLike, biasIn: TensorLike | null = null, options: Conv2dArgs = NO_OPTIONS): Tensor {
  const x = arg("conv2d x", xIn);
  const e = x.engine;
  const w = arg("conv2d weight", weightIn, e);
  const b = optArg("conv2d bias", biasIn, e);
  pairInto("conv2d stride", options.stride, 1, 1, 0);
  pairInto("conv2d padding", options.padding, 0, 0, 2);
  pairInto("conv2d dilation", options.dilation, 1, 1, 4);
  const sH = ATTR[0]!, sW = ATTR[1]!, pH = ATTR[2]!, pW = ATTR[3]!, dH = ATTR[4]!, dW = ATTR[5]!;
  if (w.shape.length !== 4) fail("conv2d weight shape", "[O, C, kH, kW] (4 dimensions)", w.shape);
  const oc = w.shape[0]!, ic = w.shape[1]!, kH = w.shape[2]!, kW = w.shape[3]!;
  if (x.shape.length !== 4 || x.shape[1] !== ic) fail("conv2d x shape", `[N, ${ic}, H, W]`, x.shape);
  if (b !== null && (b.shape.length !== 1 || b.shape[0] !== oc)) fail("conv2d bias shape", `[${oc}]`, b.shape);
  const s = x.shape;
  IN[0] = x;
  IN[1] = w;
  IN[2] = b;
  const node = begin(e, CONV, 3, 6);
  const k = e.kernels;
  if (node.out === null) {
    let size: { outH: number; outW: number };
    try {
      size = conv2dOutputSize(s[2]!, s[3]!, kH, kW, sH, sW, pH, pW, dH, dW);
    } catch (err) {
      node.plan.truncate(node.index);
      node.plan.pos = node.index;
      return fail("conv2d x shape", `an image large enough for kernel [${kH}, ${kW}] (${(err as Error).message})`, x.shape);
    }
    setOutput(node, e.empty([s[0]!, oc, size.outH, size.outW]));
    const bytes = k.conv2dWorkBytes(s[0]!, ic, s[2]!, s[3]!, oc, kH, kW, sH, sW, pH, pW, dH, dW, size.outH, size.outW);
    node.work = bytes > 0 ? e.allocator.alloc(bytes) : 0;
  }
  const y = node.out!;
  k.conv2dForward(s[0]!, ic, s[2]!, s[3]!, oc, kH, kW, sH, sW, pH, pW, dH, dW, y.shape[2]!, y.shape[3]!, x.ptr, w.ptr, b === null ? 0 : b.ptr, y.ptr, node.work);
  return y;
}

/** Options of maxPool2d / avgPool2d (floor mode). */
export interface Pool2dArgs {
  /** Default the kernel size. */
  stride?: Pair;
  /** Implicit padding per side, at most half the kernel; default 0. */
  padding?: Pair;
}

/** Options of avgPool2d. */
export interface AvgPool2dArgs extends Pool2dArgs {
  /** Divide by the whole window even where it covers padding (default true). */
  countIncludePad?: boolean;
}

function poolNode(what: string, op: Op, x: Tensor, kernelSize: Pair, options: Pool2dArgs, extra: number): Node {
  pairInto(`${what} kernelSize`, kernelSize, 1, 1, 0);
  const kH = ATTR[0]!, kW = ATTR[1]!;
  if (options.stride === undefined) {
    ATTR[2] = kH;
    ATTR[3] = kW;
  } else pairInto(`${what} stride`, options.stride, 1, 1, 2);
  pairInto(`${what} padding`, options.padding, 0, 0, 4);
  const sH = ATTR[2]!, sW = ATTR[3]!, pH = ATTR[4]!, pW = ATTR[5]!;
  if (2 * pH > kH || 2 * pW > kW) fail(`${what} padding`, "at most half the kernel size", [pH, pW]);
  if (x.shape.length !== 4) fail(`${what} x shape`, "[N, C, H, W] (4 dimensions)", x.shape);
  IN[0] = x;
  ATTR[6] = extra;
  const node = begin(x.engine, op, 1, 7);
  if (node.out === null) {
    const s = x.shape;
    let size: { outH: number; outW: number };
    try {
      size = pool2dOutputSize(s[2]!, s[3]!, kH, kW, sH, sW, pH, pW);
    } catch (err) {
      node.plan.truncate(node.index);
      node.plan.pos = node.index;
      return fail(`${what} x shape`, `an image large enough for kernel [${kH}, ${kW}] (${(err as Error).message})`, x.shape);
    }
    setOutput(node, x.engine.empty([s[0]!, s[1]!, size.outH, size.outW]));
    if (op === MAXPOOL) node.saved = x.engine.empty(node.out!.shape, "int32");
  }
  return node;
}

const MAXPOOL: Op = {
  name: "maxPool2d",
  backward(node, tape) {
    if (!needs(node, 0, tape)) return;
    const s = node.inputs[0]!.shape;
    const y = node.out!;
    node.engine.kernels.maxPool2dBackward(s[0]! * s[1]!, s[2]!, s[3]!, y.shape[2]!, y.shape[3]!, y.grad!.ptr, node.saved!.ptr, gradDst(node, 0, tape));
    commit(node, 0, tape);
  },
};

/** 2-D max pooling (F.max_pool2d, floor mode): [N, C, H, W] → [N, C, outH, outW]. */
export function maxPool2d(xIn: TensorLike, kernelSize: Pair, options: Pool2dArgs = NO_OPTIONS): Tensor {
  const x = arg("maxPool2d x", xIn);
  const node = poolNode("maxPool2d", MAXPOOL, x, kernelSize, options, 0);
  const a = node.attrs;
  const s = x.shape, y = node.out!;
  x.engine.kernels.maxPool2dForward(s[0]! * s[1]!, s[2]!, s[3]!, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, y.shape[2]!, y.shape[3]!, x.ptr, y.ptr, node.saved!.ptr);
  return y;
}

const AVGPOOL: Op = {
  name: "avgPool2d",
  backward(node, tape) {
    if (!needs(node, 0, tape)) return;
    const s = node.inputs[0]!.shape;
    const y = node.out!;
    const a = node.attrs;
    node.engine.kernels.avgPool2dBackward(s[0]! * s[1]!, s[2]!, s[3]!, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, y.shape[2]!, y.shape[3]!, a[6]!,
      y.grad!.ptr, gradDst(node, 0, tape));
    commit(node, 0, tape);
  },
};

/** 2-D average pooling (F.avg_pool2d, floor mode): [N, C, H, W] → [N, C, outH, outW]. */
export function avgPool2d(xIn: TensorLike, kernelSize: Pair, options: AvgPool2dArgs = NO_OPTIONS): Tensor {
  const x = arg("avgPool2d x", xIn);
  const cip = options.countIncludePad ?? true;
  if (typeof cip !== "boolean") fail("avgPool2d countIncludePad", "true or false", cip);
  const node = poolNode("avgPool2d", AVGPOOL, x, kernelSize, options, cip ? 1 : 0);
  const a = node.attrs;
  const s = x.shape, y = node.out!;
  x.engine.kernels.avgPool2dForward(s[0]! * s[1]!, s[2]!, s[3]!, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, y.shape[2]!, y.shape[3]!, a[6]!, x.ptr, y.ptr);
  return y;
}


