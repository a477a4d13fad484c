/** matmul and linear on the GEMM kernel (linear is Linear's fused x·Wᵀ + b as one tape operation). */
import { fail } from "../../errors.js";
import type { Tensor } from "../../tensor.js";
import { begin, commit, gradAcc, gradDst, IN, needs, setOutput, type Op } from "../tape.js";
import { arg, optArg, showShape, type TensorLike } from "./util.js";

const MATMUL: Op = {
  name: "matmul",
  backward(node, tape) {
    const a = node.inputs[0]!, b = node.inputs[1]!;
    const g = node.out!.grad!;
    const k = node.engine.kernels;
    const m = a.shape[0]!, kk = a.shape[1]!;
    const n = b.shape[1]!;
    // dA[m×k] = dY[m×n]·Bᵀ ; dB[k×n] = Aᵀ·dY
    if (needs(node, 0, tape)) {
      const dst = gradAcc(node, 0, tape);
      k.gemm(0, 1, m, kk, n, 1, g.ptr, n, b.ptr, n, 1, dst, kk, node.work);
    }
    if (needs(node, 1, tape)) {
      const dst = gradAcc(node, 1, tape);
      k.gemm(1, 0, kk, n, m, 1, a.ptr, kk, g.ptr, n, 1, dst, n, node.work);
    }
  },
};

/** Matrix product a·b of 2-D tensors: a [m, k], b [k, n] → [m, n] (torch.matmul for matrices). */
export function matmul(aIn: TensorLike, bIn: TensorLike): Tensor {
  const a = arg("matmul a", aIn);
  const e = a.engine;
  const b = arg("matmul b", bIn, e);
  if (a.shape.length !== 2) fail("matmul a shape", "[m, k] (2 dimensions)", a.shape);
  if (b.shape.length !== 2 || b.shape[0] !== a.shape[1]) fail("matmul b shape", `[${a.shape[1]}, n] to match a ${showShape(a.shape)}`, b.shape);
  const m = a.shape[0]!, kk = a.shape[1]!;
  const n = b.shape[1]!;
  IN[0] = a;
  IN[1] = b;
  const node = begin(e, MATMUL, 2, 0);
  const k = e.kernels;
  if (node.out === null) {
    setOutput(node, e.empty([m, n]));
    const bytes = Math.max(k.gemmWorkBytes(m, n, kk), k.gemmWorkBytes(m, kk, n), k.gemmWorkBytes(kk, n, m));
    node.work = bytes > 0 ? e.allocator.alloc(bytes) : 0;
  }
  const y = node.out!;
  k.gemm(0, 0, m, n, kk, 1, a.ptr, kk, b.ptr, n, 0, y.ptr, n, node.work);
  return y;
}

const LINEAR: Op = {
  name: "linear",
  backward(node, tape) {
    const x = node.inputs[0]!, w = node.inputs[1]!, bias = node.inputs[2]!;
    const g = node.out!.grad!;
    const k = node.engine.kernels;
    const n = x.shape[0]!;
    const outF = w.shape[0]!, inF = w.shape[1]!;
    // dW[out×in] += dyᵀ[out×N]·x[N×in]
    if (needs(node, 1, tape)) k.gemm(1, 0, outF, inF, n, 1, g.ptr, outF, x.ptr, inF, 1, gradAcc(node, 1, tape), inF, node.work);
    if (bias !== null && needs(node, 2, tape)) k.biasGradRows(n, outF, g.ptr, outF, gradAcc(node, 2, tape));
    // dx[N×in] = dy[N×out]·W[out×in]
    if (needs(node, 0, tape)) {
      k.gemm(0, 0, n, inF, outF, 1, g.ptr, outF, w.ptr, inF, 0, gradDst(node, 0, tape), inF, node.work);
      commit(node, 0, tape);
    }
  },
};

/**
 * y = x·Wᵀ + b (F.linear): x [N, in], weight [out, in], bias [out] or null → [N, out]. One
 * fused operation (GEMM plus the bias kernel), as the Linear layer runs it.
 */
export function linear(xIn: TensorLike, weightIn: TensorLike, biasIn: TensorLike | null = null): Tensor {
  const x = arg("linear x", xIn);
  const e = x.engine;
  const w = arg("linear weight", weightIn, e);
  const b = optArg("linear bias", biasIn, e);
  if (w.shape.length !== 2) fail("linear weight shape", "[out, in] (2 dimensions)", w.shape);
  const outF = w.shape[0]!, inF = w.shape[1]!;
  if (x.shape.length !== 2 || x.shape[1] !== inF) fail("linear x shape", `[N, ${inF}]`, x.shape);
  if (b !== null && (b.shape.length !== 1 || b.shape[0] !== outF)) fail("linear bias shape", `[${outF}]`, b.shape);
  return linearChecked(x, w, b);
}

/**
 * linear on arguments already checked (the Linear layer: its input passed checkInput, its weight
 * and bias are its own live tensors), so the per-step cost is the node lookup and the kernels.
 */
export function linearChecked(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const e = x.engine;
  const outF = w.shape[0]!, inF = w.shape[1]!;
  const n = x.shape[0]!;
  IN[0] = x;
  IN[1] = w;
  IN[2] = b;
  const node = begin(e, LINEAR, 3, 0);
  const k = e.kernels;
  if (node.out === null) {
    setOutput(node, e.empty([n, outF]));
    const bytes = Math.max(k.gemmWorkBytes(n, outF, inF), k.gemmWorkBytes(outF, inF, n), k.gemmWorkBytes(n, inF, outF));
    node.work = bytes > 0 ? e.allocator.alloc(bytes) : 0;
  }
  const y = node.out!;
  k.gemm(0, 1, n, outF, inF, 1, x.ptr, inF, w.ptr, inF, 0, y.ptr, outF, node.work);
  if (b !== null) k.biasAddRows(n, outF, b.ptr, y.ptr, outF);
  return y;
}
