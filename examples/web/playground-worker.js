// The Playground's training loop, in a Web Worker so the page never freezes.
//
// Protocol (page → worker):
//   { type: "configure", config }   build data, model and optimizer from a config (also = reset)
//   { type: "play" } / { type: "pause" } / { type: "step" }    train continuously / stop / one epoch
//   { type: "frame" }                                 the page drew the last update: train the next frame
//   { type: "speed", epochsPerFrame }                 epochs trained per frame while playing
//   { type: "setWeight", layer, out, in, value }      overwrite one weight (answered by an update)
// Worker → page:
//   { type: "ready", backend }                       after the engine is created
//   { type: "data", domain, classes, train, test, features, hidden }   after configure
//   { type: "update", epoch, iterations, trainLoss, testLoss, trainAcc, testAcc, grid, heatClass,
//     heatProb, heatValue, neurons, layers, dead }   after every step / frame (accuracies are NaN
//                                                    and heatValue the output for regression)
//   { type: "paused", epoch }                        after "pause" (no update follows it)
//   { type: "stopped", epoch }                       when maxEpochs is reached
//   { type: "error", message }
import * as sn from "/dist/simdnet.bundle.js";
import { makeRegression, REGRESSION_TARGETS } from "./playground-data.js";

/** Resolution of the decision-boundary and neuron pictures (GRID × GRID points). */
const GRID = 50;
/**
 * While playing, each frame trains `epochsPerFrame` epochs and sends one update; the next frame
 * starts when the page answers "frame" after drawing it (from requestAnimationFrame). So the pace
 * is epochsPerFrame × the display's frame rate at most (TensorFlow Playground trains one epoch per
 * frame), and updates never queue up behind a slow page. Set by the page's speed slider.
 */
let epochsPerFrame = 1;
/** An update of the running loop was sent and its "frame" has not come back yet. */
let awaitingFrame = false;

let engine = null;
let cfg = null;
let run = null;
let playing = false;

self.onmessage = async (event) => {
  const msg = event.data;
  try {
    if (engine === null) {
      engine = await sn.init({ backend: msg.backend ?? "auto" });
      self.postMessage({ type: "ready", backend: engine.backend });
    }
    if (msg.type === "configure") {
      playing = false;
      configure(msg.config);
      sendUpdate();
    } else if (msg.type === "play") {
      if (!playing && run) { playing = true; awaitingFrame = false; loop(); }
    } else if (msg.type === "frame") {
      if (playing && awaitingFrame) { awaitingFrame = false; loop(); }
    } else if (msg.type === "pause") {
      playing = false;
      // Messages keep their order: once the page sees "paused", no update of the run is in flight.
      self.postMessage({ type: "paused", epoch: run?.epoch ?? 0 });
    } else if (msg.type === "step") {
      playing = false;
      if (run) { trainEpoch(); sendUpdate(); }
    } else if (msg.type === "speed") {
      if (!Number.isInteger(msg.epochsPerFrame) || msg.epochsPerFrame < 1) throw new Error(`epochsPerFrame: expected an integer ≥ 1, got ${msg.epochsPerFrame}`);
      epochsPerFrame = msg.epochsPerFrame;
    } else if (msg.type === "setWeight") {
      if (run) { setWeight(msg); sendUpdate(); }
    }
  } catch (err) {
    playing = false;
    self.postMessage({ type: "error", message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};

function loop() {
  if (!playing) return;
  try {
    for (let e = 0; e < epochsPerFrame && run.epoch < cfg.maxEpochs; e++) trainEpoch();
    sendUpdate();
  } catch (err) {
    playing = false;
    self.postMessage({ type: "error", message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    return;
  }
  if (run.epoch >= cfg.maxEpochs) { playing = false; self.postMessage({ type: "stopped", epoch: run.epoch }); return; }
  awaitingFrame = true;
}

/** Generates the dataset of a config: { x (n × 2), y, classes, domain: [xmin, xmax, ymin, ymax] }. */
function makeData(c) {
  const opts = { rng: c.seed };
  const noise = c.noise / 100;
  let ds;
  let domain = [-6, 6, -6, 6];
  if (c.dataset in REGRESSION_TARGETS) return { ...makeRegression(c.dataset, c.points, noise, c.seed), classes: 1, regression: true, domain };
  switch (c.dataset) {
    case "circle": case "xor": case "gauss": case "spiral":
      ds = sn.playgroundDataset(c.dataset, c.points, noise, opts);
      break;
    case "moons":
      // scikit-learn units: noise is the Gaussian std (slider 20 = make_moons(noise=0.2)).
      ds = sn.makeMoons(c.points, noise, opts);
      domain = [-1.75, 2.75, -1.5, 2];
      break;
    case "blobs":
      ds = sn.makeBlobs(c.points, 4, 0.5 + c.noise / 20, { ...opts, centerBox: [-5, 5] });
      domain = [-9, 9, -9, 9];
      break;
    default:
      throw new Error(`unknown dataset ${c.dataset}`);
  }
  return { ...ds, regression: false, domain };
}

function activation(name) {
  switch (name) {
    case "relu": return new sn.ReLU();
    case "tanh": return new sn.Tanh();
    case "sigmoid": return new sn.Sigmoid();
    case "linear": return new sn.Identity();
    default: throw new Error(`unknown activation ${name}`);
  }
}

function initOptions(name) {
  switch (name) {
    case "random": return {}; // PyTorch's default: U(±1/√fanIn) for weight and bias
    case "zeros": return { init: "zeros" };
    case "xavier": return { weightInit: "xavierUniform", biasInit: "zeros" };
    case "he": return { weightInit: { name: "kaimingNormal", nonlinearity: "relu" }, biasInit: "zeros" };
    default: throw new Error(`unknown init ${name}`);
  }
}

/** outputs: the class count, or 1 for regression (a linear output trained with MSELoss). */
function buildModel(c, inputs, outputs) {
  const layers = [];
  let width = inputs;
  for (const h of c.hidden) {
    layers.push(new sn.Linear(width, h, initOptions(c.init)), activation(c.activation));
    width = h;
  }
  layers.push(new sn.Linear(width, outputs, initOptions(c.init)));
  return new sn.Sequential(...layers);
}

function makeOptimizer(c, model) {
  switch (c.optimizer) {
    case "sgd": return new sn.SGD(model, { lr: c.lr });
    case "momentum": return new sn.SGD(model, { lr: c.lr, momentum: 0.9 });
    case "adam": return new sn.Adam(model, { lr: c.lr });
    case "rmsprop": return new sn.RMSprop(model, { lr: c.lr });
    default: throw new Error(`unknown optimizer ${c.optimizer}`);
  }
}

function dispose() {
  if (run === null) return;
  for (const m of [run.model, run.evalModel]) m.dispose();
  run.loss.dispose();
  for (const t of run.owned) if (!t.isDisposed) t.dispose();
  run = null;
}

function configure(c) {
  dispose();
  cfg = c;
  if (Number.isInteger(c.speed) && c.speed >= 1) epochsPerFrame = c.speed;
  sn.manualSeed(c.seed);
  const ds = makeData(c);
  const nTrain = Math.max(1, Math.min(ds.n - 1, Math.round((ds.n * c.trainRatio) / 100)));
  const nTest = ds.n - nTrain;
  // The generators shuffle already; the first nTrain samples are the training set.
  let trainIdx = Array.from({ length: nTrain }, (_, i) => i);
  if (c.sorted) trainIdx.sort((a, b) => ds.y[a] - ds.y[b] || a - b); // all of class 0 first, then 1, …
  const testIdx = Array.from({ length: nTest }, (_, i) => nTrain + i);
  const regression = ds.regression;
  const pick = (idx) => {
    const x = new Float32Array(idx.length * 2);
    const y = regression ? new Float32Array(idx.length) : new Int32Array(idx.length);
    idx.forEach((s, i) => { x[2 * i] = ds.x[2 * s]; x[2 * i + 1] = ds.x[2 * s + 1]; y[i] = ds.y[s]; });
    return { x, y, n: idx.length };
  };
  const train = pick(trainIdx);
  const test = pick(testIdx);
  const feats = c.features;
  const k = feats.length;

  // Evaluation runs one batch of [train; test; grid] through a twin model, so neither model ever
  // changes batch shape (each shape change reallocates a layer's buffers).
  const [x0, x1, y0, y1] = ds.domain;
  const grid = new Float32Array(GRID * GRID * 2);
  for (let r = 0; r < GRID; r++) {
    for (let col = 0; col < GRID; col++) {
      const i = r * GRID + col;
      grid[2 * i] = x0 + ((col + 0.5) / GRID) * (x1 - x0);
      grid[2 * i + 1] = y1 - ((r + 0.5) / GRID) * (y1 - y0); // row 0 is the top of the picture
    }
  }
  const nEval = nTrain + nTest + GRID * GRID;
  const evalX = engine.empty([nEval, k]);
  evalX.f32.set(sn.expandFeatures(train.x, feats), 0);
  evalX.f32.set(sn.expandFeatures(test.x, feats), nTrain * k);
  evalX.f32.set(sn.expandFeatures(grid, feats), (nTrain + nTest) * k);

  const model = buildModel(c, k, ds.classes);
  const evalModel = buildModel(c, k, ds.classes).eval();
  const loss = regression ? new sn.MSELoss() : new sn.CrossEntropyLoss();
  const optimizer = makeOptimizer(c, model);
  const weights = model.parameters().filter((p) => p.name === "weight");
  const trainFeatures = sn.expandFeatures(train.x, feats);
  const batch = Math.min(c.batchSize, nTrain);
  const owned = [evalX];
  const batches = new Map(); // batch size → { x, y } tensors (the last batch of an epoch may be short)
  const batchTensors = (b) => {
    let t = batches.get(b);
    if (!t) {
      t = { x: engine.empty([b, k]), y: regression ? engine.empty([b, 1]) : engine.empty([b], "int32") };
      owned.push(t.x, t.y);
      batches.set(b, t);
    }
    return t;
  };
  run = {
    model, evalModel, loss, optimizer, weights, train, test, trainFeatures, batch, batchTensors, owned, evalX,
    nTrain, nTest, k, classes: ds.classes, regression, epoch: 0, iterations: 0, rng: new sn.Rng(c.seed + 1),
  };
  self.postMessage({
    type: "data", domain: ds.domain, classes: ds.classes, regression, features: feats, hidden: c.hidden,
    train: { x: train.x, y: train.y }, test: { x: test.x, y: test.y },
  });
}

/** One pass over the training set in mini-batches (the Playground's "epoch"). */
function trainEpoch() {
  const r = run;
  const { k, nTrain, batch } = r;
  const order = cfg.shuffle ? r.rng.permutation(nTrain) : null;
  r.model.train();
  for (let start = 0; start < nTrain; start += batch) {
    const b = Math.min(batch, nTrain - start);
    const t = r.batchTensors(b);
    const xf = t.x.f32;
    const yi = r.regression ? t.y.f32 : t.y.data;
    for (let i = 0; i < b; i++) {
      const s = order ? order[start + i] : start + i;
      for (let j = 0; j < k; j++) xf[i * k + j] = r.trainFeatures[s * k + j];
      yi[i] = r.train.y[s];
    }
    r.optimizer.zeroGrad();
    const logits = r.model.forward(t.x);
    r.loss.forward(logits, t.y);
    r.model.backward(r.loss.backward());
    if (cfg.regularization === "l2" && cfg.regRate > 0) sn.addL2Penalty(r.weights, cfg.regRate);
    if (cfg.regularization === "l1" && cfg.regRate > 0) sn.addL1Penalty(r.weights, cfg.regRate);
    r.optimizer.step();
    r.iterations++;
  }
  r.epoch++;
}

/** Mean squared error of outputs [from, to) against targets; accuracy does not apply (NaN). */
function scoreRegression(out, from, to, targets) {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (out[i] - targets[i - from]) ** 2;
  return { loss: sum / Math.max(1, to - from), acc: NaN };
}

/** Mean cross-entropy and accuracy of logits rows [from, to) against labels. */
function scoreRows(logits, c, from, to, labels) {
  let loss = 0;
  let correct = 0;
  for (let i = from; i < to; i++) {
    let max = -Infinity;
    let arg = 0;
    for (let j = 0; j < c; j++) if (logits[i * c + j] > max) { max = logits[i * c + j]; arg = j; }
    let sum = 0;
    for (let j = 0; j < c; j++) sum += Math.exp(logits[i * c + j] - max);
    const label = labels[i - from];
    loss += Math.log(sum) - (logits[i * c + label] - max);
    if (arg === label) correct++;
  }
  const n = Math.max(1, to - from);
  return { loss: loss / n, acc: correct / n };
}

function sendUpdate() {
  const r = run;
  r.evalModel.loadStateDict(r.model.stateDict());
  const logits = r.evalModel.forward(r.evalX).f32;
  const c = r.regression ? 1 : r.classes;
  const nData = r.nTrain + r.nTest;
  const score = r.regression ? scoreRegression : (out, from, to, labels) => scoreRows(out, c, from, to, labels);
  const tr = score(logits, 0, r.nTrain, r.train.y);
  const te = score(logits, r.nTrain, nData, r.test.y);
  const g2 = GRID * GRID;
  // heat: per grid point the winning class and its softmax probability (classification), or the
  // output itself (regression).
  const heatClass = new Uint8Array(g2);
  const heatProb = new Float32Array(g2);
  const heatValue = r.regression ? logits.slice(nData, nData + g2) : null;
  for (let p = 0; p < g2 && !r.regression; p++) {
    const row = (nData + p) * c;
    let max = -Infinity;
    let arg = 0;
    for (let j = 0; j < c; j++) if (logits[row + j] > max) { max = logits[row + j]; arg = j; }
    let sum = 0;
    for (let j = 0; j < c; j++) sum += Math.exp(logits[row + j] - max);
    heatClass[p] = arg;
    heatProb[p] = 1 / sum;
  }
  // Per hidden neuron: its activation over the grid, and whether it is dead: its activation has a
  // zero-gradient region (only ReLU's x ≤ 0 does here: tanh and sigmoid flatten but never stop)
  // and every training input lands in it, so no gradient can ever revive it.
  const canDie = cfg.activation === "relu";
  const neurons = [];
  const dead = [];
  const layers = [];
  const mods = r.evalModel.children().map(([, m]) => m);
  for (let l = 0; l < cfg.hidden.length; l++) {
    const width = cfg.hidden[l];
    const pre = mods[2 * l].output.f32;
    const act = mods[2 * l + 1].output.f32;
    const pics = [];
    const deadRow = [];
    for (let j = 0; j < width; j++) {
      const pic = new Float32Array(g2);
      for (let p = 0; p < g2; p++) pic[p] = act[(nData + p) * width + j];
      pics.push(pic);
      let alive = !canDie;
      for (let i = 0; i < r.nTrain && !alive; i++) if (pre[i * width + j] > 0) alive = true;
      deadRow.push(!alive);
    }
    neurons.push(pics);
    dead.push(deadRow);
  }
  for (const [name, p] of r.model.namedParameters()) {
    if (p.name !== "weight") continue;
    const bias = r.model.namedParameters().find(([n]) => n === name.replace(/weight$/, "bias"));
    layers.push({ out: p.shape[0], in: p.shape[1], w: p.data.f32.slice(), b: bias ? bias[1].data.f32.slice() : null });
  }
  const transfer = [heatClass.buffer, heatProb.buffer, ...(heatValue ? [heatValue.buffer] : []), ...neurons.flat().map((a) => a.buffer)];
  self.postMessage({
    type: "update", epoch: r.epoch, iterations: r.iterations, trainLoss: tr.loss, testLoss: te.loss,
    trainAcc: tr.acc, testAcc: te.acc, grid: GRID, heatClass, heatProb, heatValue, neurons, layers, dead, canDie,
  }, transfer);
}

/** Overwrites weight [out, in] of the `layer`-th Linear layer (0 = the first) of the training model. */
function setWeight({ layer, out, in: input, value }) {
  const weights = run.model.parameters().filter((p) => p.name === "weight");
  const w = weights[layer];
  if (w === undefined) throw new Error(`setWeight layer: expected 0…${weights.length - 1}, got ${layer}`);
  const [rows, cols] = w.shape;
  if (!(Number.isInteger(out) && out >= 0 && out < rows && Number.isInteger(input) && input >= 0 && input < cols)) {
    throw new Error(`setWeight [out, in]: expected within [${rows}, ${cols}], got [${out}, ${input}]`);
  }
  if (!Number.isFinite(value)) throw new Error(`setWeight value: expected a finite number, got ${value}`);
  w.data.f32[out * cols + input] = value;
}
