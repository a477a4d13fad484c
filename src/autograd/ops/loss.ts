/**
 * Losses as operations returning a one-element tensor of shape [] (the fused loss kernels
 * compute dLoss/dInput during the forward; backward scales it by the incoming gradient).
 * Targets are constants (no gradient flows into them).
 */
import { fail } from "../../errors.js";
import type { Tensor } from "../../tensor.js";
import { begin, commit, gradDst, IN, needs, setOutput, type Node, type Op } from "../tape.js";
import { arg, showShape, type TensorLike } from "./util.js";

/** "mean" (default) or "sum". */
export type LossReduction = "mean" | "sum";

/** Options of the loss functions. */
export interface LossArgs {
  /** "mean" (default: class losses over the batch, MSE/BCE over all elements) or "sum". */
  reduction?: LossReduction;
}

/** Options of crossEntropy. */
export interface CrossEntropyArgs extends LossArgs {
  /** s in [0, 1]: target (1 − s)·onehot + s/C (PyTorch's label_smoothing). Default 0. */
  labelSmoothing?: number;
}

const LOSS: Op = {
  name: "loss",
  backward(node, tape) {
    if (!needs(node, 0, tape)) return;
    const x = node.inputs[0]!;
    const gv = node.out!.grad!.f32[0]!;
    const k = node.engine.kernels;
    const dst = gradDst(node, 0, tape);
    k.copy(x.size, node.saved!.ptr, dst);
    if (gv !== 1) k.scale(x.size, gv, dst);
    commit(node, 0, tape);
  },
};

function reductionOf(what: string, r: unknown): LossReduction {
  const v = r ?? "mean";
  if (v !== "mean" && v !== "sum") fail(`${what} reduction`, '"mean" or "sum"', v);
  return v;
}

function lossNode(x: Tensor, target: Tensor): Node {
  IN[0] = x;
  IN[1] = target;
  const node = begin(x.engine, LOSS, 2, 0);
  if (node.out === null) {
    setOutput(node, x.engine.empty([]));
    node.saved = x.engine.empty(x.shape);
  }
  return node;
}

/** Default options, shared: a `= {}` default would allocate an object per call on the hot path. */
const NO_OPTIONS: CrossEntropyArgs = Object.freeze({});

/** Checks [N, C] logits and int32 labels [N] with every label in [0, C). */
function checkClass(what: string, x: Tensor, t: Tensor): void {
  if (x.shape.length !== 2) fail(`${what} input shape`, "[N, C] (2 dimensions)", x.shape);
  const n = x.shape[0]!, c = x.shape[1]!;
  if (t.shape.length !== 1 || t.shape[0] !== n) fail(`${what} target shape`, `[${n}] (one label per row of the input)`, t.shape);
  const labels = t.data;
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (l < 0 || l >= c) fail(`${what} target[${i}]`, `a class index in [0, ${c})`, l);
  }
}

function checkSameShape(what: string, x: Tensor, t: Tensor): void {
  if (t.size !== x.size || t.shape.length !== x.shape.length || t.shape.some((v, i) => v !== x.shape[i])) {
    fail(`${what} target shape`, `${showShape(x.shape)} (the input's)`, t.shape);
  }
}

/**
 * Softmax cross-entropy of logits [N, C] against int32 class labels [N] (F.cross_entropy),
 * fused in one kernel: mean over N (or sum).
 */
export function crossEntropy(input: TensorLike, target: Tensor, options: CrossEntropyArgs = NO_OPTIONS): Tensor {
  const x = arg("crossEntropy input", input);
  const t = arg("crossEntropy target", target, x.engine, "int32");
  checkClass("crossEntropy", x, t);
  const reduction = reductionOf("crossEntropy", options.reduction);
  const ls = options.labelSmoothing ?? 0;
  if (typeof ls !== "number" || !(ls >= 0 && ls <= 1)) fail("crossEntropy labelSmoothing", "a number in [0, 1]", ls);
  const n = x.shape[0]!, c = x.shape[1]!;
  const node = lossNode(x, t);
  const scale = reduction === "mean" ? 1 / n : 1;
  node.out!.f32[0] = x.engine.kernels.softmaxCrossEntropy(n, c, x.ptr, t.ptr, ls, node.saved!.ptr, scale) * scale;
  return node.out!;
}

/** Negative log-likelihood of log-probabilities [N, C] at int32 labels [N] (F.nll_loss). */
export function nllLoss(input: TensorLike, target: Tensor, options: LossArgs = NO_OPTIONS): Tensor {
  const x = arg("nllLoss input", input);
  const t = arg("nllLoss target", target, x.engine, "int32");
  checkClass("nllLoss", x, t);
  const reduction = reductionOf("nllLoss", options.reduction);
  const n = x.shape[0]!, c = x.shape[1]!;
  const node = lossNode(x, t);
  const scale = reduction === "mean" ? 1 / n : 1;
  node.out!.f32[0] = x.engine.kernels.nllLoss(n, c, x.ptr, t.ptr, node.saved!.ptr, scale) * scale;
  return node.out!;
}

/** Squared error Σ(input − target)², mean over all elements by default (F.mse_loss). */
export function mseLoss(input: TensorLike, target: TensorLike, options: LossArgs = NO_OPTIONS): Tensor {
  const x = arg("mseLoss input", input);
  const t = arg("mseLoss target", target, x.engine);
  checkSameShape("mseLoss", x, t);
  const scale = reductionOf("mseLoss", options.reduction) === "mean" ? 1 / x.size : 1;
  const node = lossNode(x, t);
  node.out!.f32[0] = x.engine.kernels.mseLoss(x.size, x.ptr, t.ptr, node.saved!.ptr, scale) * scale;
  return node.out!;
}

/** Binary cross-entropy on logits, targets in [0, 1] of the input's shape (F.binary_cross_entropy_with_logits). */
export function bceWithLogits(input: TensorLike, target: TensorLike, options: LossArgs = NO_OPTIONS): Tensor {
  const x = arg("bceWithLogits input", input);
  const t = arg("bceWithLogits target", target, x.engine);
  checkSameShape("bceWithLogits", x, t);
  const scale = reductionOf("bceWithLogits", options.reduction) === "mean" ? 1 / x.size : 1;
  const node = lossNode(x, t);
  node.out!.f32[0] = x.engine.kernels.bceWithLogitsLoss(x.size, x.ptr, t.ptr, node.saved!.ptr, scale) * scale;
  return node.out!;
}
