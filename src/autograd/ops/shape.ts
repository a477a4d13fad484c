/** reshape/flatten (views, no copy), cat (copies per block) and embedding (row gather). */
import { fail } from "../../errors.js";
import { Tensor } from "../../tensor.js";
import { ATTR, begin, commit, gradAcc, gradDst, IN, needs, setOutput, type Op } from "../tape.js";
import { arg, dimIndex, prod, showShape, type TensorLike } from "./util.js";

const RESHAPE: Op = {
  name: "reshape",
  backward(node, tape) {
    if (!needs(node, 0, tape)) return;
    const y = node.out!;
    node.engine.kernels.copy(y.size, y.grad!.ptr, gradDst(node, 0, tape));
    commit(node, 0, tape);
  },
};

/**
 * The same elements in a new shape (torch.reshape); one entry may be −1 (inferred). The
 * result is a VIEW of x's memory (no copy); its gradient is copied back into x's on backward.
 */
export function reshape(xIn: TensorLike, shape: readonly number[]): Tensor {
  const x = arg("reshape x", xIn, undefined, xIn instanceof Tensor ? xIn.dtype : "float32");
  if (!Array.isArray(shape)) fail("reshape shape", "an array of integers", shape);
  let known = 1, infer = -1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === -1 && infer < 0) infer = i;
    else if (!Number.isInteger(d) || d < 1) fail(`reshape shape[${i}]`, "a positive integer (or one −1)", d);
    else known *= d;
  }
  if (infer >= 0 ? x.size % known !== 0 : known !== x.size) fail("reshape shape", `a shape of ${x.size} elements (x is ${showShape(x.shape)})`, shape);
  const n = shape.length;
  for (let i = 0; i < n; i++) ATTR[i] = i === infer ? x.size / known : shape[i]!;
  IN[0] = x;
  const node = begin(x.engine, RESHAPE, 1, n);
  if (node.out === null || node.out.ptr !== x.ptr) {
    if (node.out !== null) node.out.dispose();
    const out = new Tensor(x.engine, node.attrs.slice(0, n), x.dtype, x.ptr, x.size, false);
    if (node.out !== null && node.out.grad !== null) out.grad = node.out.grad;
    setOutput(node, out, true);
  }
  return node.out!;
}

/** Flattens dimensions startDim..endDim into one (torch.flatten; default all): a view like reshape. */
export function flatten(xIn: TensorLike, startDim = 0, endDim = -1): Tensor {
  const x = arg("flatten x", xIn, undefined, xIn instanceof Tensor ? xIn.dtype : "float32");
  const r = Math.max(x.shape.length, 1);
  const s = dimIndex("flatten startDim", startDim, r);
  const e = dimIndex("flatten endDim", endDim, r);
  if (s > e) fail("flatten endDim", `a dimension ≥ startDim ${startDim}`, endDim);
  return reshape(x, [...x.shape.slice(0, s), prod(x.shape, s, e + 1), ...x.shape.slice(e + 1)]);
}

const CAT: Op = {
  name: "cat",
  backward(node, tape) {
    const y = node.out!;
    const g = y.grad!;
    const k = node.engine.kernels;
    const dim = node.attrs[0]!;
    const outer = prod(y.shape, 0, dim), inner = prod(y.shape, dim + 1);
    const rowOut = y.shape[dim]! * inner;
    let offset = 0;
    for (let i = 0; i < node.inputs.length; i++) {
      const t = node.inputs[i]!;
      const rowIn = t.shape[dim]! * inner;
      if (needs(node, i, tape)) {
        const dst = gradDst(node, i, tape);
        for (let o = 0; o < outer; o++) k.copy(rowIn, g.ptr + 4 * (o * rowOut + offset), dst + 4 * o * rowIn);
        commit(node, i, tape);
      }
      offset += rowIn;
    }
  },
};

/** Concatenates tensors along `dim` (torch.cat); all other dimensions must agree. At most 16 tensors. */
export function cat(tensors: readonly TensorLike[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0 || tensors.length > IN.length) fail("cat tensors", `an array of 1 to ${IN.length} tensors`, tensors);
  const first = arg("cat tensors[0]", tensors[0]!);
  const e = first.engine;
  const r = first.shape.length;
  const d = dimIndex("cat dim", dim, r);
  let total = 0;
  for (let i = 0; i < tensors.length; i++) {
    const t = arg(`cat tensors[${i}]`, tensors[i]!, e);
    if (t.shape.length !== r || t.shape.some((v, j) => j !== d && v !== first.shape[j])) {
      fail(`cat tensors[${i}] shape`, `${showShape(first.shape.map((v, j) => (j === d ? -1 : v)))} with any size at dim ${d}`.replace("-1", "*"), t.shape);
    }
    total += t.shape[d]!;
    IN[i] = t;
  }
  ATTR[0] = d;
  const node = begin(e, CAT, tensors.length, 1);
  if (node.out === null) setOutput(node, e.empty(first.shape.map((v, j) => (j === d ? total : v))));
  const y = node.out!;
  const k = e.kernels;
  const outer = prod(y.shape, 0, d), inner = prod(y.shape, d + 1);
  const rowOut = total * inner;
  let offset = 0;
  for (let i = 0; i < node.inputs.length; i++) {
    const t = node.inputs[i]!;
    const rowIn = t.shape[d]! * inner;
    for (let o = 0; o < outer; o++) k.copy(rowIn, t.ptr + 4 * o * rowIn, y.ptr + 4 * (o * rowOut + offset));
    offset += rowIn;
  }
  return y;
}

const EMBEDDING: Op = {
  name: "embedding",
  backward(node, tape) {
    if (!needs(node, 1, tape)) return;
    const idx = node.inputs[0]!, w = node.inputs[1]!;
    const g = node.out!.grad!;
    const dim = w.shape[1]!;
    const dst = gradAcc(node, 1, tape);
    const k = node.engine.kernels;
    const ids = node.engine.views.i32();
    const ii = idx.ptr >> 2;
    for (let i = 0; i < idx.size; i++) k.axpy(dim, 1, g.ptr + 4 * i * dim, dst + 4 * ids[ii + i]! * dim);
  },
};

/** Rows of `weight` [numEmbeddings, dim] at int32 `indices` of any shape → [...indices.shape, dim] (F.embedding). */
export function embedding(indicesIn: Tensor, weightIn: TensorLike): Tensor {
  const w = arg("embedding weight", weightIn);
  const e = w.engine;
  const idx = arg("embedding indices", indicesIn, e, "int32");
  if (w.shape.length !== 2) fail("embedding weight shape", "[numEmbeddings, dim] (2 dimensions)", w.shape);
  const [rows, dim] = w.shape as [number, number];
  const ids = idx.data;
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i]!;
    if (v < 0 || v >= rows) fail(`embedding indices[${i}]`, `an index in [0, ${rows})`, v);
  }
  IN[0] = idx;
  IN[1] = w;
  const node = begin(e, EMBEDDING, 2, 0);
  if (node.out === null) setOutput(node, e.empty([...idx.shape, dim]));
  const y = node.out!;
  const k = e.kernels;
  const iv = e.views.i32();
  const ii = idx.ptr >> 2;
  for (let i = 0; i < idx.size; i++) k.copy(dim, w.ptr + 4 * iv[ii + i]! * dim, y.ptr + 4 * i * dim);
  return y;
}
