/**
 * add, sub, mul, div with PyTorch broadcasting. Same shapes and scalars run on the vector
 * kernels; bias-like shapes ([N, C] with [C], [N, C, H, W] with [C, 1, 1]) on the bias kernels;
 * every other broadcast on a strided loop over the memory views (correct for any shapes, not
 * SIMD: the hot paths of networks are the first three).
 */
import { fail } from "../../errors.js";
import { Tensor } from "../../tensor.js";
import { begin, commit, gradAcc, gradDst, IN, needs, setOutput, type Node, type Op, type Tape } from "../tape.js";
import { arg, showShape, type TensorLike } from "./util.js";

const ADD = 0, SUB = 1, MUL = 2, DIV = 3;
const NAMES = ["add", "sub", "mul", "div"];
/** How a node's operands line up. */
const SAME = 0, SCALAR = 1, ROWS = 2, CHANNELS = 3, GENERAL = 4;

/** Strides of the general broadcast path, made once per node. */
interface Layout {
  shape: number[];
  sa: Int32Array;
  sb: Int32Array;
  idx: Int32Array;
}

/** The broadcast result shape of a and b (PyTorch rules: right-aligned, 1 stretches). */
export function broadcastShape(what: string, a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) fail(`${what} b shape`, `a shape broadcastable with a ${showShape(a)} (equal or 1 in each trailing dimension)`, b);
    out.push(da === 1 ? db : da);
  }
  return out;
}

function stridesFor(shape: readonly number[], out: readonly number[]): Int32Array {
  const r = out.length;
  const s = new Int32Array(r);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = r - shape.length + i;
    s[d] = shape[i] === 1 && out[d] !== 1 ? 0 : stride;
    stride *= shape[i]!;
  }
  return s;
}

function isBiasRows(a: readonly number[], b: readonly number[]): boolean {
  return a.length === 2 && b.length === 1 && b[0] === a[1];
}

function isBiasChannels(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== 4) return false;
  if (b.length === 3) return b[0] === a[1] && b[1] === 1 && b[2] === 1;
  return b.length === 4 && b[0] === 1 && b[1] === a[1] && b[2] === 1 && b[3] === 1;
}

function makeOp(code: number): Op {
  return { name: NAMES[code]!, backward: (node, tape) => backwardBinary(code, node, tape) };
}
const OPS = [makeOp(ADD), makeOp(SUB), makeOp(MUL), makeOp(DIV)];

function binary(code: number, aIn: TensorLike, bIn: TensorLike | number): Tensor {
  const what = NAMES[code]!;
  const a = arg(`${what} a`, aIn);
  const e = a.engine;
  const k = e.kernels;
  if (typeof bIn === "number") {
    if (!Number.isFinite(bIn)) fail(`${what} b`, "a finite number or a Tensor", bIn);
    IN[0] = a;
    const node = begin(e, OPS[code]!, 1, 0);
    if (node.out === null) setOutput(node, e.empty(a.shape));
    node.s0 = bIn;
    node.s1 = SCALAR;
    const y = node.out!;
    const n = a.size;
    if (code === ADD || code === SUB) {
      k.fill(n, code === ADD ? bIn : -bIn, y.ptr);
      k.axpy(n, 1, a.ptr, y.ptr);
    } else if (code === MUL) {
      k.copy(n, a.ptr, y.ptr);
      k.scale(n, bIn, y.ptr);
    } else {
      const f = e.views.f32();
      const ai = a.ptr >> 2, yi = y.ptr >> 2;
      for (let i = 0; i < n; i++) f[yi + i] = f[ai + i]! / bIn;
    }
    return y;
  }
  const b = arg(`${what} b`, bIn, e);
  IN[0] = a;
  IN[1] = b;
  const node = begin(e, OPS[code]!, 2, 0);
  if (node.out === null) {
    const shape = broadcastShape(what, a.shape, b.shape);
    setOutput(node, e.empty(shape));
    const same = a.size === b.size && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
    const bias = code === ADD || code === SUB;
    node.s1 = same ? SAME : bias && isBiasRows(a.shape, b.shape) ? ROWS : bias && isBiasChannels(a.shape, b.shape) ? CHANNELS : GENERAL;
    if (node.s1 === GENERAL) {
      const layout: Layout = { shape, sa: stridesFor(a.shape, shape), sb: stridesFor(b.shape, shape), idx: new Int32Array(shape.length) };
      node.ref = layout;
    }
  }
  const y = node.out!;
  const n = y.size;
  switch (node.s1) {
    case SAME:
      if (code === MUL) k.mul(n, a.ptr, b.ptr, y.ptr);
      else if (code === DIV) {
        const f = e.views.f32();
        const ai = a.ptr >> 2, bi = b.ptr >> 2, yi = y.ptr >> 2;
        for (let i = 0; i < n; i++) f[yi + i] = f[ai + i]! / f[bi + i]!;
      } else {
        k.copy(n, a.ptr, y.ptr);
        k.axpy(n, code === ADD ? 1 : -1, b.ptr, y.ptr);
      }
      break;
    case ROWS:
    case CHANNELS:
      if (code === SUB) {
        // y = a − b: the bias kernels add, so add then negate twice would cost more than this.
        k.fill(n, 0, y.ptr);
        if (node.s1 === ROWS) k.biasAddRows(a.shape[0]!, a.shape[1]!, b.ptr, y.ptr, a.shape[1]!);
        else k.biasAddChannels(a.shape[0]!, a.shape[1]!, a.shape[2]! * a.shape[3]!, b.ptr, y.ptr);
        k.scale(n, -1, y.ptr);
        k.axpy(n, 1, a.ptr, y.ptr);
      } else {
        k.copy(n, a.ptr, y.ptr);
        if (node.s1 === ROWS) k.biasAddRows(a.shape[0]!, a.shape[1]!, b.ptr, y.ptr, a.shape[1]!);
        else k.biasAddChannels(a.shape[0]!, a.shape[1]!, a.shape[2]! * a.shape[3]!, b.ptr, y.ptr);
      }
      break;
    default:
      generalForward(code, node.ref as Layout, e.views.f32(), a.ptr >> 2, b.ptr >> 2, y.ptr >> 2, n);
  }
  return y;
}

function apply(code: number, x: number, z: number): number {
  return code === ADD ? x + z : code === SUB ? x - z : code === MUL ? x * z : x / z;
}

function generalForward(code: number, l: Layout, f: Float32Array, ai: number, bi: number, yi: number, n: number): void {
  const { shape, sa, sb, idx } = l;
  const r = shape.length;
  idx.fill(0);
  let oa = 0, ob = 0;
  for (let i = 0; i < n; i++) {
    f[yi + i] = apply(code, f[ai + oa]!, f[bi + ob]!);
    for (let d = r - 1; d >= 0; d--) {
      idx[d]!++;
      oa += sa[d]!;
      ob += sb[d]!;
      if (idx[d]! < shape[d]!) break;
      oa -= sa[d]! * shape[d]!;
      ob -= sb[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

function backwardBinary(code: number, node: Node, tape: Tape): void {
  const e = node.engine;
  const k = e.kernels;
  const y = node.out!;
  const g = y.grad!;
  const n = y.size;
  const a = node.inputs[0]!;
  const b = node.inputs[1] ?? null;
  const needA = needs(node, 0, tape);
  const needB = b !== null && needs(node, 1, tape);
  if (node.s1 === SCALAR) {
    if (!needA) return;
    const dst = gradDst(node, 0, tape);
    k.copy(n, g.ptr, dst);
    if (code === MUL) k.scale(n, node.s0, dst);
    else if (code === DIV) k.scale(n, 1 / node.s0, dst);
    commit(node, 0, tape);
    return;
  }
  if (node.s1 === SAME) {
    if (code === ADD || code === SUB) {
      if (needA) {
        k.copy(n, g.ptr, gradDst(node, 0, tape));
        commit(node, 0, tape);
      }
      if (needB) {
        const dst = gradDst(node, 1, tape);
        k.copy(n, g.ptr, dst);
        if (code === SUB) k.scale(n, -1, dst);
        commit(node, 1, tape);
      }
    } else if (code === MUL) {
      if (needA) {
        k.mul(n, g.ptr, b!.ptr, gradDst(node, 0, tape));
        commit(node, 0, tape);
      }
      if (needB) {
        k.mul(n, g.ptr, a.ptr, gradDst(node, 1, tape));
        commit(node, 1, tape);
      }
    } else {
      const gi = g.ptr >> 2, ai = a.ptr >> 2, bi = b!.ptr >> 2;
      if (needA) {
        const d = gradDst(node, 0, tape) >> 2;
        const f = e.views.f32();
        for (let i = 0; i < n; i++) f[d + i] = f[gi + i]! / f[bi + i]!;
        commit(node, 0, tape);
      }
      if (needB) {
        const d = gradDst(node, 1, tape) >> 2;
        const f = e.views.f32();
        for (let i = 0; i < n; i++) {
          const bv = f[bi + i]!;
          f[d + i] = -f[gi + i]! * f[ai + i]! / (bv * bv);
        }
        commit(node, 1, tape);
      }
    }
    return;
  }
  if (node.s1 === ROWS || node.s1 === CHANNELS) {
    if (needA) {
      k.copy(n, g.ptr, gradDst(node, 0, tape));
      commit(node, 0, tape);
    }
    if (needB) {
      if (code === SUB) {
        const dst = gradDst(node, 1, tape);
        k.fill(b!.size, 0, dst);
        if (node.s1 === ROWS) k.biasGradRows(a.shape[0]!, a.shape[1]!, g.ptr, a.shape[1]!, dst);
        else k.biasGradChannels(a.shape[0]!, a.shape[1]!, a.shape[2]! * a.shape[3]!, g.ptr, dst);
        k.scale(b!.size, -1, dst);
        commit(node, 1, tape);
      } else {
        const dst = gradAcc(node, 1, tape);
        if (node.s1 === ROWS) k.biasGradRows(a.shape[0]!, a.shape[1]!, g.ptr, a.shape[1]!, dst);
        else k.biasGradChannels(a.shape[0]!, a.shape[1]!, a.shape[2]! * a.shape[3]!, g.ptr, dst);
      }
    }
    return;
  }
  // General broadcast: accumulate per element into the (possibly smaller) operand gradients.
  const da = needA ? gradAcc(node, 0, tape) >> 2 : -1;
  const db = needB ? gradAcc(node, 1, tape) >> 2 : -1;
  const f = e.views.f32();
  const { shape, sa, sb, idx } = node.ref as Layout;
  const r = shape.length;
  const gi = g.ptr >> 2, ai = a.ptr >> 2, bi = b!.ptr >> 2;
  idx.fill(0);
  let oa = 0, ob = 0;
  for (let i = 0; i < n; i++) {
    const gv = f[gi + i]!;
    if (code === ADD || code === SUB) {
      if (da >= 0) f[da + oa] = f[da + oa]! + gv;
      if (db >= 0) f[db + ob] = f[db + ob]! + (code === ADD ? gv : -gv);
    } else if (code === MUL) {
      if (da >= 0) f[da + oa] = f[da + oa]! + gv * f[bi + ob]!;
      if (db >= 0) f[db + ob] = f[db + ob]! + gv * f[ai + oa]!;
    } else {
      const bv = f[bi + ob]!;
      if (da >= 0) f[da + oa] = f[da + oa]! + gv / bv;
      if (db >= 0) f[db + ob] = f[db + ob]! - gv * f[ai + oa]! / (bv * bv);
    }
    for (let d = r - 1; d >= 0; d--) {
      idx[d]!++;
      oa += sa[d]!;
      ob += sb[d]!;
      if (idx[d]! < shape[d]!) break;
      oa -= sa[d]! * shape[d]!;
      ob -= sb[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/** a + b elementwise (PyTorch torch.add): b a tensor broadcastable with a, or a number. */
export function add(a: TensorLike, b: TensorLike | number): Tensor {
  return binary(ADD, a, b);
}
/** a − b elementwise with broadcasting (torch.sub). */
export function sub(a: TensorLike, b: TensorLike | number): Tensor {
  return binary(SUB, a, b);
}
/** a · b elementwise with broadcasting (torch.mul). */
export function mul(a: TensorLike, b: TensorLike | number): Tensor {
  return binary(MUL, a, b);
}
/** a / b elementwise with broadcasting (torch.div). */
export function div(a: TensorLike, b: TensorLike | number): Tensor {
  return binary(DIV, a, b);
}
