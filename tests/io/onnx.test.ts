/**
 * ONNX export checked by running the file in ONNX Runtime (onnxruntime-web: its WASM build runs
 * in Node as is, no native addon, no install script) and comparing with simdnet's predict.
 */
import * as ort from "onnxruntime-web";
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten, Identity, LeakyReLU, Linear, LogSoftmax, manualSeed,
  MaxPool2d, Module, ReLU, Sequential, Sigmoid, Softmax, Tanh,
} from "../../src/nn/index.js";
import { exportOnnx, ONNX_EXPORTERS, registerOnnxExporter } from "../../src/io/onnx.js";
import { buildPreset, getPreset, PRESET_NAMES } from "../../src/presets.js";
import { predict } from "../../src/train/fit.js";
import { Rng } from "../../src/data/random.js";

let js: Engine;
beforeAll(async () => {
  js = await createEngine({ backend: "js" });
  ort.env.wasm.numThreads = 1;
});

const rng = new Rng(7);
function randomData(n: number): Float32Array {
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.uniform() * 2 - 1;
  return d;
}

/** Running statistics far from 0 / 1, so an exporter that ignored them would be caught. */
function randomizeStatistics(model: Module): void {
  for (const m of model.modules()) {
    if (m instanceof BatchNorm1d || m instanceof BatchNorm2d) {
      if (m.runningMean !== null) m.runningMean.f32.set(randomData(m.numFeatures));
      if (m.runningVar !== null) m.runningVar.f32.set(randomData(m.numFeatures).map((v) => 0.5 + v * v * 2));
      if (m.weight !== null) m.weight.data.f32.set(randomData(m.numFeatures));
      if (m.bias !== null) m.bias.data.f32.set(randomData(m.numFeatures));
    }
  }
}

async function runOnnx(bytes: Uint8Array, x: Float32Array, shape: number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", x, shape) });
    const t = out[session.outputNames[0]!]!;
    return { data: t.data as Float32Array, dims: t.dims };
  } finally {
    await session.release();
  }
}

/**
 * Exports `model`, runs both on n random samples and compares: max |onnx − simdnet| ≤ 1e-5 ×
 * max |simdnet| (relative to the output's scale: single elements near 0 after a cancelling sum
 * have no meaningful element-wise relative error, and ONNX Runtime sums in another order).
 */
async function expectSameOutputs(model: Module, sampleShape: number[], n = 5): Promise<Float32Array> {
  randomizeStatistics(model);
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const x = randomData(n * size);
  const expected = predict(model, { data: x, shape: [n, ...sampleShape] });
  const got = await runOnnx(exportOnnx(model, { inputShape: sampleShape }), x, [n, ...sampleShape]);
  expect(got.dims).toEqual(model.outputShape([n, ...sampleShape]));
  let scale = 0;
  let err = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    err = Math.max(err, Math.abs(expected[i]! - got.data[i]!));
  }
  expect(scale).toBeGreaterThan(0);
  expect(err).toBeLessThanOrEqual(1e-5 * scale);
  return expected;
}

const e = () => ({ engine: js });

describe("exportOnnx runs in ONNX Runtime with simdnet's outputs", () => {
  it("Linear (with and without bias), ReLU, Softmax", async () => {
    manualSeed(1);
    const model = new Sequential(new Linear(6, 9, e()), new ReLU(e()), new Linear(9, 4, { bias: false, ...e() }), new Softmax(e()));
    await expectSameOutputs(model, [6]);
    model.dispose();
  });

  it("Conv2d with stride, padding and dilation; MaxPool2d and AvgPool2d with stride and padding; BatchNorm2d (eval); LeakyReLU; Flatten; LogSoftmax", async () => {
    manualSeed(2);
    const model = new Sequential(
      new Conv2d(3, 5, [3, 2], { stride: [2, 1], padding: [1, 2], dilation: [1, 2], ...e() }),
      new BatchNorm2d(5, e()),
      new LeakyReLU({ negativeSlope: 0.2, ...e() }),
      new MaxPool2d(3, { stride: 1, padding: 1, ...e() }),
      new AvgPool2d([2, 3], { stride: [2, 1], padding: [1, 1], countIncludePad: false, ...e() }),
      new AvgPool2d(2, { padding: 1, ...e() }),
      new Flatten(e()),
      new Linear(5 * 3 * 6, 7, e()),
      new LogSoftmax({ dim: -1, ...e() }),
    );
    expect(model.outputShape([1, 3, 11, 9])).toEqual([1, 7]);
    await expectSameOutputs(model, [3, 11, 9]);
    model.dispose();
  });

  it("\"same\" padding, Sigmoid, Tanh, Dropout and Identity as identity, BatchNorm1d, nested Sequential", async () => {
    manualSeed(3);
    const block = new Sequential(new Conv2d(2, 4, 3, { padding: "same", dilation: 2, ...e() }), new Tanh(e()), new Dropout(0.5, e()));
    const model = new Sequential(
      block, new Sequential(new Identity(e()), new Flatten(e())),
      new Linear(4 * 6 * 5, 8, e()), new BatchNorm1d(8, e()), new Sigmoid(e()), new Dropout(0.3, e()), new Linear(8, 3, e()),
    );
    model.train(); // export is of eval mode whatever the mode; predict also runs eval mode
    await expectSameOutputs(model, [2, 6, 5]);
    model.dispose();
  });

  it("BatchNorm without running statistics or affine, BatchNorm1d on [N, C, L], Flatten of middle dimensions (Reshape)", async () => {
    manualSeed(4);
    const model = new Sequential(
      new Conv2d(1, 3, 2, e()), new Flatten({ startDim: 2, ...e() }), new BatchNorm1d(3, e()),
      new BatchNorm1d(3, { trackRunningStats: false, affine: false, ...e() }), new Flatten(e()), new Linear(3 * 12, 2, e()),
      new BatchNorm1d(2, { trackRunningStats: false, ...e() }),
    );
    expect(model.outputShape([1, 1, 4, 5])).toEqual([1, 2]);
    await expectSameOutputs(model, [1, 4, 5], 6);
    model.dispose();
  });

  it("every preset (the reference networks) exports and agrees", async () => {
    for (const name of PRESET_NAMES) {
      manualSeed(5);
      const preset = getPreset(name);
      const model = buildPreset(preset, { engine: js });
      await expectSameOutputs(model, preset.inputShape, 3);
      model.dispose();
    }
  });

  it("a fixed batch size, own names, a model that is only an identity", async () => {
    manualSeed(6);
    const model = new Sequential(new Linear(3, 2, e()), new Tanh(e()));
    const bytes = exportOnnx(model, { inputShape: [3], batchSize: 4, inputName: "features", outputName: "scores", graphName: "tiny" });
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(["features"]);
    expect(session.outputNames).toEqual(["scores"]);
    const x = randomData(12);
    const out = await session.run({ features: new ort.Tensor("float32", x, [4, 3]) });
    expect(Array.from(out["scores"]!.data as Float32Array)).toEqual(Array.from(predict(model, { data: x, shape: [4, 3] })).map((v) => expect.closeTo(v, 6)));
    await expect(session.run({ features: new ort.Tensor("float32", randomData(6), [2, 3]) })).rejects.toThrow();
    await session.release();
    const id = new Sequential(new Dropout(0.5, e()));
    const y = await runOnnx(exportOnnx(id, { inputShape: [2, 2] }), new Float32Array([1, 2, 3, 4]), [1, 2, 2]);
    expect(Array.from(y.data)).toEqual([1, 2, 3, 4]);
    model.dispose();
  });
});

describe("exportOnnx errors", () => {
  // Migration (issue 9): type, backward, outputShape and config are concrete in Module now, so they take `override`.
  class Swish extends Module {
    override readonly type = "Swish";
    forward(): never { throw new Error("unused"); }
    override backward(): never { throw new Error("unused"); }
    override outputShape(s: readonly number[]): number[] { return [...s]; }
    override config() { return { type: this.type }; }
  }

  it("a layer type without an exporter names the layer and the known types, and registering one fixes it", async () => {
    manualSeed(8);
    const model = new Sequential(new Linear(2, 3, e()), new Swish(e()), new Linear(3, 1, e()));
    expect(() => exportOnnx(model, { inputShape: [2] })).toThrow(/exportOnnx layer 1 \(Swish\): expected a layer type ONNX export knows \(Linear, Conv2d, .*; add others with registerOnnxExporter\), got "Swish"/);
    registerOnnxExporter("Swish", (g, _m, x, path) => {
      const s = g.node("Sigmoid", `${path}sigmoid`, [x.name], x.shape);
      return g.node("Mul", `${path}mul`, [x.name, s.name], x.shape);
    });
    expect(ONNX_EXPORTERS.has("Swish")).toBe(true);
    const bytes = exportOnnx(model, { inputShape: [2] });
    const got = await runOnnx(bytes, new Float32Array([0.5, -1]), [1, 2]);
    expect(got.dims).toEqual([1, 1]);
    model.dispose();
  });

  it("bad options and an input shape the model does not take are named", () => {
    manualSeed(9);
    const model = new Sequential(new Linear(4, 2, e()));
    expect(() => exportOnnx(model, { inputShape: [5] })).toThrow(/exportOnnx inputShape: expected a sample shape the model accepts \(Sequential layer 0 \(Linear\) input shape: expected \[N, 4\], got \[1, 5\]\), got \[5\]/);
    expect(() => exportOnnx(model, { inputShape: [] })).toThrow("exportOnnx inputShape: expected a non-empty array of positive integers, got []");
    expect(() => exportOnnx(model, { inputShape: [4], batchSize: 0 })).toThrow("exportOnnx batchSize: expected a positive integer, got 0");
    expect(() => exportOnnx(model, { inputShape: [4], opset: 9 } as never)).toThrow('exportOnnx options: unknown option "opset"');
    model.dispose();
  });
});
