// The MNIST trainer's worker: loads the IDX files from the demo server, builds a reference
// network, trains it and answers predictions, so the page stays responsive.
//
// Protocol (page → worker):
//   { type: "load", trainLimit, testLimit, backend }   fetch and parse MNIST (once per limits)
//   { type: "train", net, epochs, batchSize, optimizer, lr, seed }
//   { type: "stop" }                                   stop after the current batch
//   { type: "predict", image }                         image: Float32Array(784) in [0, 1]
//   { type: "export" }                                 → { type: "model", safetensors, config }
//   { type: "import", safetensors, config, names }     → { type: "imported", net, params }
// The model files are the library's own (src/io): safetensors weights with PyTorch key names
// (the architecture also rides in its metadata) and the JSON architecture description.
// Worker → page: ready, loaded, built, progress, epoch, done, prediction, model, imported, error.
import * as sn from "/dist/simdnet.bundle.js";

/** Post a progress message at most this often while training (milliseconds). */
const PROGRESS_MS = 100;

let engine = null;
let data = null; // { train, test, limits }
let model = null;
let netName = "";
let stopRequested = false;
let busy = false;

const post = (msg, transfer = []) => self.postMessage(msg, transfer);
const yieldToMessages = () => new Promise((r) => setTimeout(r, 0));

self.onmessage = async (event) => {
  const msg = event.data;
  try {
    if (engine === null) {
      engine = await sn.init({ backend: msg.backend ?? "auto" });
      post({ type: "ready", backend: engine.backend, threads: engine.threads, fallback: engine.fallback });
    }
    switch (msg.type) {
      case "load": await load(msg); break;
      case "train":
        if (busy) throw new Error("already training");
        busy = true;
        try { await train(msg); } finally { busy = false; }
        break;
      case "stop": stopRequested = true; break;
      case "predict": predict(msg.image); break;
      case "export": exportModel(); break;
      case "import": importModel(msg); break;
      default: break;
    }
  } catch (err) {
    post({ type: "error", message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};

async function load({ trainLimit, testLimit }) {
  if (data && data.limits === `${trainLimit}/${testLimit}`) { post({ type: "loaded", nTrain: data.train.n, nTest: data.test.n }); return; }
  const base = new URL("/mnist/", self.location.href).href;
  const [train, test] = await Promise.all([
    sn.fetchMnist(base, "train", { limit: trainLimit }),
    sn.fetchMnist(base, "test", { limit: testLimit }),
  ]);
  data = { train, test, limits: `${trainLimit}/${testLimit}` };
  post({ type: "loaded", nTrain: train.n, nTest: test.n });
}

function setModel(m, name) {
  if (model !== null) model.dispose();
  model = m;
  netName = name;
}

function makeOptimizer(name, lr) {
  switch (name) {
    case "adam": return new sn.Adam(model, { lr });
    case "rmsprop": return new sn.RMSprop(model, { lr });
    case "sgd": return new sn.SGD(model, { lr, momentum: 0.9 });
    default: throw new Error(`unknown optimizer ${name}`);
  }
}

/** Copies samples order[from..from+b) into the batch tensors. */
function fillBatch(set, order, from, b, x, y) {
  const px = 784;
  const xf = x.f32;
  const yi = y.data;
  for (let i = 0; i < b; i++) {
    const s = order ? order[from + i] : from + i;
    xf.set(set.images.subarray(s * px, (s + 1) * px), i * px);
    yi[i] = set.labels[s];
  }
}

/** Index of the largest of 10 logits at row i. */
function argmax10(logits, i) {
  let best = 0;
  for (let j = 1; j < 10; j++) if (logits[i * 10 + j] > logits[i * 10 + best]) best = j;
  return best;
}

async function train({ net, epochs, batchSize, optimizer: optName, lr, seed }) {
  if (!data) throw new Error("load MNIST first");
  // The library's presets: the same networks the CLI and the Node examples train.
  const preset = sn.getPreset(net);
  if (preset.recipe.data.name !== "mnist") throw new Error(`${net} is not an MNIST network`);
  sn.manualSeed(seed);
  setModel(sn.buildPreset(preset, { engine }), net);
  post({ type: "built", net, params: model.numParameters(), summary: model.summary(preset.inputShape).table });
  const opt = makeOptimizer(optName, lr);
  const loss = sn.presetLoss(preset, { engine }); // C4 ends in LogSoftmax and trains with NLLLoss
  const { train: tr, test: te } = data;
  const batches = Math.floor(tr.n / batchSize); // the short tail batch is dropped: one shape, no reallocation
  const x = engine.empty([batchSize, 1, 28, 28]);
  const y = engine.empty([batchSize], "int32");
  const rng = new sn.Rng(seed);
  stopRequested = false;
  let last = performance.now();
  try {
    for (let epoch = 1; epoch <= epochs && !stopRequested; epoch++) {
      model.train();
      const order = rng.permutation(tr.n);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let b = 0; b < batches && !stopRequested; b++) {
        fillBatch(tr, order, b * batchSize, batchSize, x, y);
        opt.zeroGrad();
        const logits = model.forward(x);
        lossSum += loss.forward(logits, y) * batchSize;
        const lf = logits.f32;
        for (let i = 0; i < batchSize; i++) if (argmax10(lf, i) === y.data[i]) correct++;
        seen += batchSize;
        model.backward(loss.backward());
        opt.step();
        const now = performance.now();
        if (now - last > PROGRESS_MS || b === batches - 1) {
          last = now;
          post({ type: "progress", epoch, epochs, batch: b + 1, batches, loss: lossSum / seen, acc: correct / seen });
          await yieldToMessages();
        }
      }
      if (stopRequested) break;
      const ev = evaluate(x, y, loss, batchSize);
      post({ type: "epoch", epoch, trainLoss: lossSum / seen, trainAcc: correct / seen, testLoss: ev.loss, testAcc: ev.acc });
      if (epoch === epochs) {
        post({ type: "done", testAcc: ev.acc, confusion: ev.confusion, mistakes: ev.mistakes }, ev.mistakes.map((m) => m.image.buffer));
      }
      await yieldToMessages();
    }
    if (stopRequested) post({ type: "stopped" });
  } finally {
    x.dispose();
    y.dispose();
    loss.dispose();
  }
}

/** Test loss, accuracy, confusion matrix and up to 24 misclassified examples (eval mode). */
function evaluate(x, y, loss, batchSize) {
  const te = data.test;
  model.eval();
  const confusion = Array.from({ length: 10 }, () => new Array(10).fill(0));
  const mistakes = [];
  let lossSum = 0;
  let correct = 0;
  let n = 0;
  // Full batches only (same shape as training); the remaining samples are scored one batch later
  // by padding with the first test images and ignoring the padding.
  for (let from = 0; from < te.n; from += batchSize) {
    const b = Math.min(batchSize, te.n - from);
    const idx = Array.from({ length: batchSize }, (_, i) => (i < b ? from + i : i % te.n));
    fillBatch(te, idx, 0, batchSize, x, y);
    const logits = model.forward(x);
    const l = loss.forward(logits, y);
    const lf = logits.f32;
    if (b === batchSize) lossSum += l * batchSize;
    for (let i = 0; i < b; i++) {
      const pred = argmax10(lf, i);
      const label = te.labels[from + i];
      confusion[label][pred]++;
      if (pred === label) correct++;
      else if (mistakes.length < 24) mistakes.push({ image: te.images.slice((from + i) * 784, (from + i + 1) * 784), label, pred });
      if (b !== batchSize) lossSum += rowLoss(lf, i, label);
    }
    n += b;
  }
  model.train();
  return { loss: lossSum / n, acc: correct / n, confusion, mistakes };
}

/** Cross-entropy of one row of logits (also right for C4's log-probabilities, whose logsumexp is 0). */
function rowLoss(lf, i, label) {
  let max = -Infinity;
  for (let j = 0; j < 10; j++) max = Math.max(max, lf[i * 10 + j]);
  let sum = 0;
  for (let j = 0; j < 10; j++) sum += Math.exp(lf[i * 10 + j] - max);
  return Math.log(sum) - (lf[i * 10 + label] - max);
}

function predict(image) {
  if (!model) throw new Error("train or load a model first");
  if (!(image instanceof Float32Array) || image.length !== 784) throw new Error("predict: expected a Float32Array of 784 pixels");
  model.eval();
  const x = engine.tensor(image, [1, 1, 28, 28]);
  try {
    const logits = model.forward(x).f32;
    const max = Math.max(...logits.subarray(0, 10));
    const exp = Array.from(logits.subarray(0, 10), (v) => Math.exp(v - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    post({ type: "prediction", probs: exp.map((v) => v / sum) });
  } finally {
    x.dispose();
  }
}

function exportModel() {
  if (!model) throw new Error("train or load a model first");
  const config = sn.describeModel(model, [1, 28, 28], { net: netName });
  const safetensors = sn.modelToBytes(model, config);
  post({ type: "model", safetensors, config }, [safetensors.buffer]);
}

/** Rebuilds a model from the two files; the JSON's architecture wins over the metadata copy. */
function importModel({ safetensors, config, names }) {
  const description = sn.checkDescription(config, names.json);
  const { module } = sn.modelFromBytes(safetensors, { engine, file: names.safetensors, description });
  const net = description.extra.net;
  setModel(module, typeof net === "string" ? net : "uploaded");
  post({ type: "imported", net: netName, params: model.numParameters() });
}
