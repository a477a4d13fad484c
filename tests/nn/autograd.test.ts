import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import {
  add, avgPool2d, batchNorm, bceWithLogits, cat, conv2d, crossEntropy, div, dropoutWithSeed, embedding, flatten, gelu, layerNorm,
  leakyRelu, linear, logSoftmax, matmul, maxPool2d, mean, mseLoss, mul, nllLoss, noGrad, relu, reshape, sigmoid, softmax, sub, sum, tanh,
} from "../../src/autograd/functional.js";
import type { Tensor } from "../../src/tensor.js";
import { TestRandom } from "../helpers/random.js";
import { awayFromZero, distinctValues } from "./gradcheck.js";
import { opGradCheck, type OpInput } from "./opgrad.js";

let js: Engine;
beforeAll(async () => {
  js = await createEngine({ backend: "js" });
});

interface OpCase {
  name: string;
  inputs: (rnd: TestRandom) => OpInput[];
  fn: (...xs: Tensor[]) => Tensor;
  eps?: number;
}

const s = (...shape: number[]): OpInput => ({ shape });
const away = (rnd: TestRandom, ...shape: number[]): OpInput => ({ shape, values: awayFromZero(shape.reduce((a, b) => a * b, 1), 0.1, 1, rnd) });
const positive = (rnd: TestRandom, ...shape: number[]): OpInput => ({ shape, values: rnd.floats(shape.reduce((a, b) => a * b, 1), 0.5, 2) });

/** Every operation on odd shapes, with each broadcasting pattern (same, scalar, bias rows/channels, general both ways). */
const OPS: OpCase[] = [
  { name: "add same shape", inputs: () => [s(3, 5), s(3, 5)], fn: (a, b) => add(a!, b!) },
  { name: "add scalar", inputs: () => [s(2, 3, 2)], fn: (a) => add(a!, 1.5) },
  { name: "add bias rows [N,C]+[C]", inputs: () => [s(4, 7), s(7)], fn: (a, b) => add(a!, b!) },
  { name: "add bias channels [N,C,H,W]+[C,1,1]", inputs: () => [s(2, 3, 2, 3), s(3, 1, 1)], fn: (a, b) => add(a!, b!) },
  { name: "add general [2,1,3]+[4,1]", inputs: () => [s(2, 1, 3), s(4, 1)], fn: (a, b) => add(a!, b!) },
  { name: "add leading broadcast [3]+[2,3]", inputs: () => [s(3), s(2, 3)], fn: (a, b) => add(a!, b!) },
  { name: "sub same shape", inputs: () => [s(5, 3), s(5, 3)], fn: (a, b) => sub(a!, b!) },
  { name: "sub bias rows", inputs: () => [s(3, 5), s(5)], fn: (a, b) => sub(a!, b!) },
  { name: "sub bias channels [1,C,1,1]", inputs: () => [s(2, 3, 3, 2), s(1, 3, 1, 1)], fn: (a, b) => sub(a!, b!) },
  { name: "sub scalar", inputs: () => [s(7)], fn: (a) => sub(a!, 0.25) },
  { name: "mul same shape", inputs: () => [s(3, 5), s(3, 5)], fn: (a, b) => mul(a!, b!) },
  { name: "mul scalar", inputs: () => [s(4, 3)], fn: (a) => mul(a!, -2.5) },
  { name: "mul general [N,1]·[1,C]", inputs: () => [s(4, 1), s(1, 5)], fn: (a, b) => mul(a!, b!) },
  { name: "mul trailing [2,3,4]·[4]", inputs: () => [s(2, 3, 4), s(4)], fn: (a, b) => mul(a!, b!) },
  { name: "div same shape", inputs: (r) => [s(3, 4), positive(r, 3, 4)], fn: (a, b) => div(a!, b!) },
  { name: "div broadcast [2,3]/[3]", inputs: (r) => [s(2, 3), positive(r, 3)], fn: (a, b) => div(a!, b!) },
  { name: "div scalar", inputs: () => [s(5)], fn: (a) => div(a!, 3) },
  { name: "matmul [3,5]·[5,4]", inputs: () => [s(3, 5), s(5, 4)], fn: (a, b) => matmul(a!, b!) },
  { name: "matmul [1,7]·[7,1]", inputs: () => [s(1, 7), s(7, 1)], fn: (a, b) => matmul(a!, b!) },
  { name: "linear with bias", inputs: () => [s(4, 5), s(3, 5), s(3)], fn: (x, w, b) => linear(x!, w!, b!) },
  { name: "linear without bias", inputs: () => [s(2, 7), s(1, 7)], fn: (x, w) => linear(x!, w!) },
  { name: "conv2d stride 2 padding 1", inputs: () => [s(2, 3, 5, 6), s(2, 3, 3, 3), s(2)], fn: (x, w, b) => conv2d(x!, w!, b!, { stride: 2, padding: 1 }) },
  { name: "conv2d dilation 2 no bias", inputs: () => [s(1, 2, 7, 7), s(3, 2, 3, 3)], fn: (x, w) => conv2d(x!, w!, null, { dilation: 2 }) },
  {
    name: "maxPool2d 2", eps: 1e-3,
    inputs: (r) => [{ shape: [2, 3, 4, 5], values: distinctValues(120, 0.05, r) }], fn: (x) => maxPool2d(x!, 2),
  },
  { name: "avgPool2d 3 stride 2 padding 1", inputs: () => [s(2, 2, 5, 5)], fn: (x) => avgPool2d(x!, 3, { stride: 2, padding: 1 }) },
  { name: "batchNorm training [N,C,H,W]", inputs: () => [s(3, 2, 2, 3), s(2), s(2)], fn: (x, w, b) => batchNorm(x!, null, null, w!, b!) },
  { name: "batchNorm training [N,C]", inputs: () => [s(5, 3)], fn: (x) => batchNorm(x!, null, null) },
  {
    name: "batchNorm eval (running statistics)", inputs: () => [s(2, 3, 2, 2), s(3), s(3)],
    fn: (x, w, b) => batchNorm(x!, rm ??= js.tensor([0.1, -0.2, 0.3], [3]), rv ??= js.tensor([0.5, 1.5, 2], [3]), w!, b!, { training: false }),
  },
  { name: "layerNorm last dim", inputs: () => [s(3, 5), s(5), s(5)], fn: (x, w, b) => layerNorm(x!, [5], w!, b!) },
  { name: "layerNorm last two dims, no affine", inputs: () => [s(2, 3, 4)], fn: (x) => layerNorm(x!, [3, 4]) },
  { name: "dropout (fixed mask stream)", inputs: () => [s(4, 9)], fn: (x) => dropoutWithSeed(x!, 0.4, 123, 0) },
  { name: "relu", inputs: (r) => [away(r, 3, 7)], fn: (x) => relu(x!) },
  { name: "leakyRelu", inputs: (r) => [away(r, 3, 7)], fn: (x) => leakyRelu(x!, 0.2) },
  { name: "gelu", inputs: () => [{ shape: [2, 9], values: new Float32Array([...Array(18).keys()].map((i) => (i - 9) / 3)) }], fn: (x) => gelu(x!) },
  { name: "sigmoid", inputs: () => [s(3, 5)], fn: (x) => sigmoid(x!) },
  { name: "tanh", inputs: () => [s(5, 3)], fn: (x) => tanh(x!) },
  { name: "softmax", inputs: () => [s(3, 6)], fn: (x) => softmax(x!) },
  { name: "softmax rank 3 last dim", inputs: () => [s(2, 2, 5)], fn: (x) => softmax(x!, -1) },
  { name: "logSoftmax", inputs: () => [s(4, 5)], fn: (x) => logSoftmax(x!, 1) },
  { name: "cat dim 0", inputs: () => [s(2, 3), s(1, 3), s(3, 3)], fn: (a, b, c) => cat([a!, b!, c!], 0) },
  { name: "cat dim 1 (channels)", inputs: () => [s(2, 3, 2, 2), s(2, 1, 2, 2)], fn: (a, b) => cat([a!, b!], 1) },
  { name: "cat last dim", inputs: () => [s(3, 2), s(3, 5)], fn: (a, b) => cat([a!, b!], -1) },
  { name: "reshape with −1", inputs: () => [s(2, 3, 4)], fn: (x) => mul(reshape(x!, [4, -1]), reshape(x!, [4, 6])) },
  { name: "flatten from dim 1", inputs: () => [s(2, 3, 2, 2)], fn: (x) => flatten(x!, 1) },
  { name: "sum all", inputs: () => [s(3, 4)], fn: (x) => sum(x!) },
  { name: "sum dim 1", inputs: () => [s(2, 3, 4)], fn: (x) => sum(x!, 1) },
  { name: "mean all", inputs: () => [s(5, 3)], fn: (x) => mean(x!) },
  { name: "mean dim −1", inputs: () => [s(3, 4)], fn: (x) => mean(x!, -1) },
  { name: "crossEntropy mean", inputs: () => [s(4, 5)], fn: (x) => crossEntropy(x!, labels ??= js.tensor(new Int32Array([0, 4, 2, 1]), [4])) },
  {
    name: "crossEntropy sum with label smoothing", inputs: () => [s(4, 5)],
    fn: (x) => crossEntropy(x!, labels ??= js.tensor(new Int32Array([0, 4, 2, 1]), [4]), { reduction: "sum", labelSmoothing: 0.1 }),
  },
  { name: "nllLoss", inputs: () => [s(4, 5)], fn: (x) => nllLoss(logSoftmax(x!), labels ??= js.tensor(new Int32Array([0, 4, 2, 1]), [4])) },
  { name: "mseLoss", inputs: () => [s(3, 4)], fn: (x) => mseLoss(x!, targets ??= js.tensor(new TestRandom(2).floats(12, 0, 1), [3, 4])) },
  { name: "bceWithLogits", inputs: () => [s(3, 4)], fn: (x) => bceWithLogits(x!, targets ??= js.tensor(new TestRandom(2).floats(12, 0, 1), [3, 4])) },
  { name: "embedding", inputs: () => [s(5, 3)], fn: (w) => embedding(ids ??= js.tensor(new Int32Array([4, 0, 4, 2]), [2, 2]), w!) },
  { name: "a tensor used twice (residual): gradients add up", inputs: (r) => [away(r, 3, 4)], fn: (x) => add(relu(x!), mul(x!, x!)) },
  { name: "shared weight applied twice", inputs: () => [s(2, 3), s(3, 3)], fn: (x, w) => linear(tanh(linear(x!, w!)), w!) },
];
let rm: Tensor | undefined, rv: Tensor | undefined, labels: Tensor | undefined, targets: Tensor | undefined, ids: Tensor | undefined;

describe("operation gradients vs central finite differences (js backend)", () => {
  for (const c of OPS) {
    it(c.name, () => {
      const rnd = new TestRandom(17);
      const problems = opGradCheck(js, c.inputs(rnd), c.fn, { eps: c.eps });
      expect(problems).toEqual([]);
    });
  }
});

describe("broadcasting and argument errors", () => {
  it("name the operation, the expected and the actual value", () => {
    const a = js.zeros([2, 3]);
    expect(() => add(a, js.zeros([4]))).toThrow(/add b shape: expected a shape broadcastable with a \[2, 3\]/);
    expect(() => matmul(a, js.zeros([2, 3]))).toThrow(/matmul b shape: expected \[3, n\]/);
    expect(() => reshape(a, [4, 2])).toThrow(/reshape shape: expected a shape of 6 elements/);
    expect(() => cat([a, js.zeros([2, 4])], 0)).toThrow(/cat tensors\[1\] shape/);
    expect(() => crossEntropy(a, js.tensor(new Int32Array([0, 3]), [2]))).toThrow(/crossEntropy target\[1\]: expected a class index in \[0, 3\), got 3/);
    expect(() => softmax(js.zeros([2, 3, 4]), 1)).toThrow(/softmax dim: expected the last dimension/);
    expect(() => mul(a, Number.NaN)).toThrow(/mul b: expected a finite number or a Tensor/);
  });
});

describe("the tape", () => {
  it("noGrad and eval-only graphs record nothing backward() could use; item() and methods work", () => {
    const w = js.tensor([1, 2, 3, 4], [2, 2]);
    w.requiresGrad = true;
    const x = js.tensor([1, -1], [1, 2]);
    const y = noGrad(() => x.matmul(w).relu().sum());
    expect(y.item()).toBe(0 + 0 + 0 + 0 + Math.max(0, 1 - 3) + Math.max(0, 2 - 4) + 0);
    expect(() => y.backward()).toThrow(/backward: expected a tensor computed by operations in training mode/);
    const loss = x.matmul(w).mul(2).sum();
    loss.backward();
    expect(loss.item()).toBe(2 * (1 - 3 + 2 - 4));
    expect([...w.grad!.toArray()]).toEqual([2, 2, -2, -2]);
    expect(() => x.matmul(w).backward()).toThrow(/expected a one-element tensor/);
  });

  it("reuses every buffer step after step and re-plans once on a new shape", () => {
    const w = js.tensor(new TestRandom(1).floats(12), [4, 3]);
    w.requiresGrad = true;
    const step = (n: number): Tensor => {
      const x = js.tensor(new TestRandom(n).floats(n * 4), [n, 4]);
      const loss = mean(tanh(matmul(x, w)));
      loss.backward();
      x.dispose();
      return loss;
    };
    step(5);
    const first = step(5);
    const live = js.allocator.liveBytes, blocks = js.allocator.liveBlocks;
    // Compared as booleans: a failing toBe on two Tensors would print the whole engine.
    for (let i = 0; i < 20; i++) expect(step(5) === first).toBe(true);
    expect([js.allocator.liveBytes, js.allocator.liveBlocks]).toEqual([live, blocks]);
    step(3);
    step(5);
    expect([js.allocator.liveBytes, js.allocator.liveBlocks]).toEqual([live, blocks]);
  });
});
