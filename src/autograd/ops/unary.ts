/** Elementwise activations: relu, leakyRelu, sigmoid, tanh (activation kernels) and gelu (exact erf form). */
import { fail } from "../../errors.js";
import type { Tensor } from "../../tensor.js";
import { begin, commit, gradDst, IN, needs, setOutput, type Node, type Op, type Tape } from "../tape.js";
import { arg, type TensorLike } from "./util.js";

function unaryNode(op: Op, x: Tensor, nAttr: number): Node {
  IN[0] = x;
  const node = begin(x.engine, op, 1, nAttr);
  if (node.out === null) setOutput(node, x.engine.empty(x.shape));
  return node;
}

const RELU: Op = {
  name: "relu",
  backward(node, tape) {
    if (!needs(node, 0, tape)) return;
    const y = node.out!;
    node.engine.kernels.reluBackward(y.size, y.ptr, y.grad!.ptr, gradDst(node, 0, tape));
    commit(node, 0, tape);
  },
};

/** max(x, 0) elementwise (torch.relu). */
export function relu(xIn: TensorLike): Tensor {
  const x = arg("relu x", xIn);
  const node = unaryNode(RELU, x, 0);
  x.engine.kernels.reluForward(x.size, x.ptr, node.out!.ptr);
  return node.out!;
}

const LEAKY: Op = {
  name: "leakyRelu",
  backward(node, tape) {
    if (!needs(node, 0, tape)) return;
    const y = node.out!;
    node.engine.kernels.leakyReluBackward(y.size, node.s0, node.inputs[0]!.ptr, y.grad!.ptr, gradDst(node, 0, tape));
    commit(node, 0, tape);
  },
};

/** x > 0 ? x : negativeSlope·x (F.leaky_relu; default slope 0.01). */
export function leakyRelu(xIn: TensorLike, negativeSlope = 0.01): Tensor {
  const x = arg("leakyRelu x", xIn);
  if (typeof negativeSlope !== "number" || !Number.isFinite(negativeSlope)) fail("leakyRelu negativeSlope", "a finite number", negativeSlope);
  const node = unaryNode(LEAKY, x, 0);
  node.s0 = negativeSlope;
  x.engine.kernels.leakyReluForward(x.size, negativeSlope, x.ptr, node.out!.ptr);
  return node.out!;
}

const SIGMOID: Op = {
  name: "sigmoid",
  backward(node, tape) {
    if (!needs(node, 0, tape)) return;
    const y = node.out!;
    node.engine.kernels.sigmoidBackward(y.size, y.ptr, y.grad!.ptr, gradDst(node, 0, tape));
    commit(node, 0, tape);
  },
};

/** 1 / (1 + exp(−x)) elementwise (torch.sigmoid). */
export function sigmoid(xIn: TensorLike): Tensor {
  const x = arg("sigmoid x", xIn);
  const node = unaryNode(SIGMOID, x, 0);
  x.engine.kernels.sigmoidForward(x.size, x.ptr, node.out!.ptr);
  return node.out!;
}

const TANH: Op = {
  name: "tanh",
  backward(node, tape) {
    if (!needs(node, 0, tape)) return;
    const y = node.out!;
    node.engine.kernels.tanhBackward(y.size, y.ptr, y.grad!.ptr, gradDst(node, 0, tape));
    commit(node, 0, tape);
  },
};

/** tanh(x) elementwise (torch.tanh). */
export function tanh(xIn: TensorLike): Tensor {
  const x = arg("tanh x", xIn);
  const node = unaryNode(TANH, x, 0);
  x.engine.kernels.tanhForward(x.size, x.ptr, node.out!.ptr);
  return node.out!;
}

/** erf(x) in f64 (power series below 2.5, erfc continued fraction above): far below f32 rounding, for parity with PyTorch's GELU. */
export function erf(x: number): number {
  // Series for small |x|, continued fraction (Lentz) for large: both in f64, far below f32 precision.
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = ax, term = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  // erfc(ax) = exp(−ax²)/√π · 1/(ax + 1/2/(ax + 1/(ax + 3/2/(ax + …)))).
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + (n / 2) / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  const r = 1 - erfc;
  return x < 0 ? -r : r;
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

const GELU: Op = {
  name: "gelu",
  backward(node, tape) {
    if (!needs(node, 0, tape)) return;
    const x = node.inputs[0]!;
    const g = node.out!.grad!;
    const d = gradDst(node, 0, tape) >> 2;
    const f = node.engine.views.f32();
    const xi = x.ptr >> 2, gi = g.ptr >> 2;
    for (let i = 0; i < x.size; i++) {
      const v = f[xi + i]!;
      const cdf = 0.5 * (1 + erf(v * SQRT1_2));
      f[d + i] = f[gi + i]! * (cdf + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
    }
    commit(node, 0, tape);
  },
};

/** x·Φ(x), Φ the standard normal CDF (F.gelu, approximate="none"). */
export function gelu(xIn: TensorLike): Tensor {
  const x = arg("gelu x", xIn);
  const node = unaryNode(GELU, x, 0);
  const f = x.engine.views.f32();
  const xi = x.ptr >> 2, yi = node.out!.ptr >> 2;
  for (let i = 0; i < x.size; i++) {
    const v = f[xi + i]!;
    f[yi + i] = 0.5 * v * (1 + erf(v * SQRT1_2));
  }
  return node.out!;
}
