/** sum and mean (whole tensor on the sum kernel, or along one dimension), softmax and logSoftmax over the last dimension. */
import { fail } from "../../errors.js";
import type { Tensor } from "../../tensor.js";
import { ATTR, begin, commit, gradDst, IN, needs, setOutput, type Node, type Op } from "../tape.js";
import { arg, dimIndex, prod, type TensorLike } from "./util.js";

function reduceBackward(node: Node, tape: Parameters<Op["backward"]>[1]): void {
  if (!needs(node, 0, tape)) return;
  const x = node.inputs[0]!;
  const y = node.out!;
  const scale = node.s0;
  const k = node.engine.kernels;
  const dst = gradDst(node, 0, tape);
  if (node.attrs[0] === -1) {
    const gv = y.grad!.f32[0]! * scale;
    k.fill(x.size, gv, dst);
  } else {
    const d = node.attrs[0]!;
    const outer = prod(x.shape, 0, d), len = x.shape[d]!, inner = prod(x.shape, d + 1);
    const f = node.engine.views.f32();
    const gi = y.grad!.ptr >> 2, di = dst >> 2;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < len; j++) {
        for (let i = 0; i < inner; i++) f[di + (o * len + j) * inner + i] = f[gi + o * inner + i]! * scale;
      }
    }
  }
  commit(node, 0, tape);
}

const SUM: Op = { name: "sum", backward: reduceBackward };
const MEAN: Op = { name: "mean", backward: reduceBackward };

function reduce(op: Op, what: string, xIn: TensorLike, dim: number | undefined, isMean: boolean): Tensor {
  const x = arg(`${what} x`, xIn);
  const e = x.engine;
  const d = dim === undefined ? -1 : dimIndex(`${what} dim`, dim, Math.max(1, x.shape.length));
  IN[0] = x;
  ATTR[0] = d;
  const node = begin(e, op, 1, 1);
  if (node.out === null) setOutput(node, e.empty(d === -1 ? [] : x.shape.filter((_, i) => i !== d)));
  const y = node.out!;
  if (d === -1) {
    node.s0 = isMean ? 1 / x.size : 1;
    y.f32[0] = e.kernels.sum(x.size, x.ptr) * node.s0;
    return y;
  }
  const outer = prod(x.shape, 0, d), len = x.shape[d]!, inner = prod(x.shape, d + 1);
  node.s0 = isMean ? 1 / len : 1;
  const f = e.views.f32();
  const xi = x.ptr >> 2, yi = y.ptr >> 2;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let j = 0; j < len; j++) s += f[xi + (o * len + j) * inner + i]!;
      f[yi + o * inner + i] = s * node.s0;
    }
  }
  return y;
}

/** Sum of all elements as a one-element tensor of shape [] (torch.sum), or along `dim` (that dimension removed). */
export function sum(x: TensorLike, dim?: number): Tensor {
  return reduce(SUM, "sum", x, dim, false);
}

/** Mean of all elements as a one-element tensor of shape [] (torch.mean), or along `dim`. */
export function mean(x: TensorLike, dim?: number): Tensor {
  return reduce(MEAN, "mean", x, dim, true);
}

function lastDim(what: string, x: Tensor, dim: number): number {
  const r = x.shape.length;
  if (r < 1) fail(`${what} x shape`, "at least 1 dimension", x.shape);
  const d = dimIndex(`${what} dim`, dim, r);
  if (d !== r - 1) fail(`${what} dim`, `the last dimension (${r - 1} or -1): the kernels work on contiguous rows`, dim);
  return x.shape[r - 1]!;
}

const SOFTMAX: Op = {
  name: "softmax",
  backward(node, tape) {
    if (!needs(node, 0, tape)) return;
    const y = node.out!;
    const cols = node.attrs[0]!;
    node.engine.kernels.softmaxBackward(y.size / cols, cols, y.ptr, y.grad!.ptr, gradDst(node, 0, tape));
    commit(node, 0, tape);
  },
};

/** Softmax over the last dimension (F.softmax(x, dim=-1)). */
export function softmax(xIn: TensorLike, dim = -1): Tensor {
  const x = arg("softmax x", xIn);
  const cols = lastDim("softmax", x, dim);
  IN[0] = x;
  ATTR[0] = cols;
  const node = begin(x.engine, SOFTMAX, 1, 1);
  if (node.out === null) setOutput(node, x.engine.empty(x.shape));
  x.engine.kernels.softmaxForward(x.size / cols, cols, x.ptr, node.out!.ptr);
  return node.out!;
}

const LOGSOFTMAX: Op = {
  name: "logSoftmax",
  backward(node, tape) {
    if (!needs(node, 0, tape)) return;
    const y = node.out!;
    const cols = node.attrs[0]!;
    node.engine.kernels.logSoftmaxBackward(y.size / cols, cols, y.ptr, y.grad!.ptr, gradDst(node, 0, tape));
    commit(node, 0, tape);
  },
};

/** Log-softmax over the last dimension (F.log_softmax(x, dim=-1)); pair with nllLoss. */
export function logSoftmax(xIn: TensorLike, dim = -1): Tensor {
  const x = arg("logSoftmax x", xIn);
  const cols = lastDim("logSoftmax", x, dim);
  IN[0] = x;
  ATTR[0] = cols;
  const node = begin(x.engine, LOGSOFTMAX, 1, 1);
  if (node.out === null) setOutput(node, x.engine.empty(x.shape));
  x.engine.kernels.logSoftmaxForward(x.size / cols, cols, x.ptr, node.out!.ptr);
  return node.out!;
}
