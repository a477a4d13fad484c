import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import { Conv2d, Flatten, Linear, LogSoftmax, manualSeed, ReLU, Sequential } from "../../src/nn/index.js";
import { SGD, StepLR } from "../../src/optim/index.js";
import {
  DeadReLU, EarlyStopping, evaluate, fit, JsonLinesLogger, ModelCheckpoint, predict, ProgressBar, WeightStats, type FitOptions,
} from "../../src/train/index.js";

let engine: Engine;
let other: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: "wasm-simd" });
  other = await createEngine({ backend: "js" });
});

/** 10 two-feature samples with labels 0/1. */
const x = Float32Array.from({ length: 20 }, (_, i) => (i % 7) / 7 - 0.5);
const y = Int32Array.from({ length: 10 }, (_, i) => i % 2);

function mlp(): Sequential {
  manualSeed(1);
  return new Sequential(new Linear(2, 4, { engine }), new ReLU({ engine }), new Linear(4, 2, { engine }));
}

/** fit must reject before touching the model or leaking engine memory. */
async function rejects(options: { x?: unknown; y?: unknown; options?: unknown; model?: Sequential }, message: string): Promise<void> {
  const model = options.model ?? mlp();
  const before = model.stateDict();
  const live = engine.allocator.liveBytes;
  const call = fit(model, (options.x ?? x) as Float32Array, (options.y ?? y) as Int32Array, options.options as FitOptions);
  await expect(call).rejects.toThrow(message);
  expect(model.stateDict()).toEqual(before);
  expect(engine.allocator.liveBytes).toBe(live);
}

describe("fit rejects bad data, naming the argument, the expected and the actual value", () => {
  it("x and y lengths disagree", async () => {
    await rejects({ y: new Int32Array(9) }, "fit y length: expected 10 (one class label per sample of x), got 9");
    await rejects({ y: new Float32Array(10), options: { loss: "MSELoss" } }, "fit y length: expected 20 (10 samples × output size 2, output sample shape [2]), got 10");
  });

  it("x does not fit the model's first layer", async () => {
    await rejects({ x: { data: new Float32Array(30), shape: [10, 3] } },
      "fit x sample shape: expected a shape the model's first layers accept (Sequential layer 0 (Linear) input shape: expected [N, 2], got [10, 3]), got [3]");
    await rejects({ x: new Float32Array(21) }, "fit x length: expected a positive multiple of 2 (the first Linear layer's inFeatures), got 21");
    await rejects({ x: { data: new Float32Array(20), shape: [10, 3] } }, "fit x.data length: expected 30 (product of fit x.shape [10, 3]), got 20");
    await rejects({ x: { data: new Float32Array(20), shape: [20] } }, "fit x.shape: expected [n, ...sampleShape] with at least 2 positive integers, got [20]");
    await rejects({ x: [1, 2] }, "fit x: expected a Float32Array or { data: Float32Array, shape: [n, ...sampleShape] }, got [1, 2]");
    await rejects({ x: new Int32Array(20) }, "fit x: expected a Float32Array or { data: Float32Array, shape: [n, ...sampleShape] }, got Int32Array(20)");
    await rejects({ x: { a: 1 } }, 'fit x: expected a Float32Array or { data: Float32Array, shape: [n, ...sampleShape] }, got {"a":1}');
    const cnn = new Sequential(new Conv2d(1, 2, 3, { engine }), new Flatten({ engine }), new Linear(8, 2, { engine }));
    await rejects({ model: cnn, x: new Float32Array(160) },
      "fit x: expected { data: Float32Array, shape: [n, ...sampleShape] } (the model does not start with Linear, so a bare Float32Array has no sample shape), got a bare Float32Array(160)");
    await rejects({ model: cnn, x: { data: new Float32Array(250), shape: [10, 1, 5, 5] } },
      "fit x sample shape: expected a shape the model's first layers accept (Sequential layer 2 (Linear) input shape: expected [N, 8], got [10, 18]), got [1, 5, 5]");
  });

  it("labels out of range", async () => {
    await rejects({ y: Int32Array.of(0, 1, 0, 1, 0, 1, 0, 2, 0, 1) }, "fit y[7]: expected a class index in [0, 2) (the model has 2 outputs), got 2");
    await rejects({ y: Int32Array.of(0, -1, 0, 1, 0, 1, 0, 1, 0, 1) }, "fit y[1]: expected a class index in [0, 2) (the model has 2 outputs), got -1");
  });

  it("NaN or Inf in x or in float targets", async () => {
    const bad = x.slice();
    bad[5] = Number.NaN;
    await rejects({ x: bad }, "fit x[5] (sample 2): expected a finite number, got NaN");
    // x scans blocks of eight values, then the rest one by one: the first bad value is named
    // whether it is in a later block, alone in the tail, or after another bad value.
    for (const [at, v] of [[12, -Infinity], [19, Number.NaN], [0, Infinity]] as const) {
      const late = x.slice();
      late[at] = v;
      if (at === 12) late[19] = Number.NaN;
      await rejects({ x: late }, `fit x[${at}] (sample ${at >> 1}): expected a finite number, got ${v}`);
    }
    const inf = new Float32Array(20);
    inf[13] = Infinity;
    await rejects({ y: inf, options: { loss: "MSELoss" } }, "fit y[13]: expected a finite number, got Infinity");
  });

  it("labels of the wrong kind for the loss", async () => {
    await rejects({ options: { loss: "MSELoss" } }, "fit y: expected a Float32Array of targets (the loss is MSELoss), got Int32Array(10)");
    await rejects({ y: new Float32Array(20), options: { loss: "NLLLoss" } }, "fit y: expected an Int32Array of class labels (the loss is NLLLoss), got Float32Array(20)");
    await rejects({ y: [0, 1] }, "fit y: expected an Int32Array of class labels or a Float32Array of targets, got [0, 1]");
    await rejects({ y: new Float32Array(20), options: { metrics: ["accuracy"] } }, 'fit metrics: expected "accuracy" only with Int32Array class labels y, got Float32Array targets');
  });

  it("validation data of another shape or length", async () => {
    await rejects({ options: { validationData: { x: { data: new Float32Array(6), shape: [2, 3] }, y: Int32Array.of(0, 1) } } },
      "fit validationData x sample shape: expected a shape the model's first layers accept");
    await rejects({ options: { validationData: [x, new Int32Array(3)] } }, "fit validationData y length: expected 10 (one class label per sample of x), got 3");
    await rejects({ options: { validationData: [x, new Float32Array(20)] } }, "fit validationData y: expected an Int32Array of class labels (the loss is CrossEntropyLoss), got Float32Array(20)");
    await rejects({ options: { validationData: x } }, "fit validationData: expected { x, y } or [x, y], got Float32Array(20)");
  });
});

describe("fit rejects bad options", () => {
  it("unknown option", async () => {
    await rejects({ options: { lr: 0.1 } }, 'fit options: unknown option "lr" (expected one of epochs, batchSize, shuffle, seed, validationSplit, validationData, optimizer, loss, metrics, callbacks, scheduler, dropLast, augment, yieldEvery, signal, onProgress, progressEvery)');
    await rejects({ options: 3 }, "fit options: expected an options object, got 3");
    await rejects({ options: { epoch: 3 } }, 'fit options: unknown option "epoch" (expected one of epochs, batchSize, shuffle, seed, validationSplit, validationData, optimizer, loss, metrics, callbacks, scheduler, dropLast, augment, yieldEvery, signal, onProgress, progressEvery)');
  });

  it("each option's type and range", async () => {
    await rejects({ options: { epochs: 0 } }, "fit epochs: expected a positive integer, got 0");
    await rejects({ options: { batchSize: 2.5 } }, "fit batchSize: expected a positive integer, got 2.5");
    await rejects({ options: { batchSize: 0 } }, "fit batchSize: expected a positive integer, got 0");
    await rejects({ options: { shuffle: "yes" } }, 'fit shuffle: expected true or false, got "yes"');
    await rejects({ options: { seed: -1 } }, "fit seed: expected an integer in [0, 2^32), got -1");
    await rejects({ options: { validationSplit: 1 } }, "fit validationSplit: expected a number in [0, 1), got 1");
    await rejects({ options: { validationSplit: 0.2, validationData: [x, y] } }, "fit options: expected validationSplit or validationData, got both");
    await rejects({ x: Float32Array.of(1, 2), y: Int32Array.of(0), options: { validationSplit: 0.5 } },
      "fit validationSplit: expected a fraction leaving at least one of the 1 samples for training, got 0.5");
    await rejects({ options: { optimizer: "adagrad" } }, 'fit optimizer: expected an Optimizer or one of sgd, adam, adamw, rmsprop, got "adagrad"');
    await rejects({ options: { loss: "HingeLoss" } }, 'fit loss: expected a Loss or one of CrossEntropyLoss, NLLLoss, MSELoss, BCEWithLogitsLoss, got "HingeLoss"');
    await rejects({ options: { metrics: ["f1"] } }, 'fit metrics: expected ["accuracy"] or [], got ["f1"]');
    await rejects({ options: { callbacks: [null] } }, "fit callbacks[0]: expected a callback object, got null");
    await rejects({ options: { yieldEvery: -1 } }, "fit yieldEvery: expected a number of milliseconds ≥ 0, got -1");
    await rejects({ options: { batchSize: 11, dropLast: true } }, "fit batchSize: expected at most 10 (the training samples) when dropLast is true, got 11");
  });

  it("an optimizer or scheduler that does not belong to the model", async () => {
    const model = mlp();
    const foreign = new SGD(mlp());
    await rejects({ model, options: { optimizer: foreign } }, "fit optimizer params: expected parameters of the model being fitted, got a parameter the model does not have");
    const own = new SGD(model);
    await rejects({ model, options: { optimizer: own, scheduler: new StepLR(foreign, { stepSize: 1 }) } },
      "fit scheduler: expected a scheduler of the optimizer passed to fit, got a scheduler of another optimizer");
    manualSeed(2);
    const js = new Sequential(new Linear(2, 2, { engine: other }));
    await rejects({ model, options: { optimizer: new SGD(js) } }, "fit optimizer engine: expected the model's engine (wasm-simd), got another engine (js)");
  });
});

describe("evaluate and predict", () => {
  it("reject bad arguments the same way", () => {
    const model = mlp();
    expect(() => evaluate(model, x, new Int32Array(3))).toThrow("evaluate y length: expected 10 (one class label per sample of x), got 3");
    expect(() => evaluate(model, x, y, { batch: 2 } as never)).toThrow('evaluate options: unknown option "batch" (expected one of batchSize, loss)');
    expect(() => predict(model, new Float32Array(3))).toThrow("predict x length: expected a positive multiple of 2 (the first Linear layer's inFeatures), got 3");
    expect(() => predict(model, x, { batchSize: 0 })).toThrow("predict batchSize: expected a positive integer, got 0");
    const logits = new Sequential(new Linear(2, 3, { engine }), new LogSoftmax({ engine }));
    expect(() => evaluate(logits, x, y, { loss: "MSELoss" })).toThrow("evaluate y: expected a Float32Array of targets (the loss is MSELoss), got Int32Array(10)");
    expect(() => evaluate(model, x, Int32Array.of(0, 1, 0, 1, 0, 1, 0, 1, 0, 9))).toThrow("evaluate y[9]: expected a class index in [0, 2) (the model has 2 outputs), got 9");
    expect(() => predict(model, x, { batch: 3 } as never)).toThrow('predict options: unknown option "batch" (expected one of batchSize)');
    expect(() => predict(model, new Int32Array(4) as never)).toThrow("predict x: expected a Float32Array or { data: Float32Array, shape: [n, ...sampleShape] }, got Int32Array(4)");
  });

  it("reject NaN or Inf in x, naming the index and the sample", () => {
    const model = mlp();
    const bad = x.slice();
    bad[3] = Number.NaN;
    expect(() => evaluate(model, bad, y)).toThrow("evaluate x[3] (sample 1): expected a finite number, got NaN");
    expect(() => predict(model, Float32Array.of(0, 0, 1, -Infinity))).toThrow("predict x[3] (sample 1): expected a finite number, got -Infinity");
  });
});

describe("callback options", () => {
  it("unknown options and bad values name the callback", async () => {
    expect(() => new ProgressBar({ width: 0 })).toThrow("ProgressBar width: expected a positive integer, got 0");
    expect(() => new ProgressBar({ out: 1 } as never)).toThrow('ProgressBar options: unknown option "out" (expected one of write, stream, isTTY, width, intervalMs, valName)');
    expect(() => new ProgressBar({ stream: {} as never })).toThrow("ProgressBar stream: expected an object with a write(text) method, got {}");
    expect(() => new ProgressBar({ stream: { write: () => 0 }, write: () => {} })).toThrow("ProgressBar options: expected write or stream, got both");
    expect(() => new EarlyStopping({ monitor: "val_loss" as never })).toThrow('EarlyStopping monitor: expected "loss", "accuracy", "valLoss", "valAccuracy", got "val_loss"');
    expect(() => new EarlyStopping({ patience: -1 })).toThrow("EarlyStopping patience: expected a non-negative integer, got -1");
    expect(() => new ModelCheckpoint({} as never)).toThrow("ModelCheckpoint save: expected a function (model, epoch, logs) => void | Promise<void>, got undefined");
    expect(() => new ModelCheckpoint({ save: () => {}, every: 0 })).toThrow("ModelCheckpoint every: expected a positive integer, got 0");
    expect(() => new JsonLinesLogger({ write: () => {}, everySteps: 1.5 })).toThrow("JsonLinesLogger everySteps: expected a non-negative integer, got 1.5");
    expect(() => new WeightStats({ every: 0 })).toThrow("WeightStats every: expected a positive integer, got 0");
    expect(() => new DeadReLU({ x: [1, 2] as never })).toThrow("DeadReLU x: expected a Float32Array, got [1, 2]");
    await expect(fit(mlp(), x, y, { callbacks: [new DeadReLU({ x: new Float32Array(3) })] })).rejects.toThrow(
      "DeadReLU x length: expected a positive multiple of 2 (product of the sample shape [2]), got 3");
    await expect(fit(mlp(), new Float32Array(20), new Float32Array(20), { callbacks: [new EarlyStopping({ monitor: "accuracy" })] })).rejects.toThrow(
      'EarlyStopping monitor: expected class labels for "accuracy", got float targets');
  });
});
