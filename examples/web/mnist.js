// The MNIST trainer page. Training runs in a Web Worker through the library's fitInWorker
// (progress and epoch events, Stop = an AbortSignal, the trained Model comes back); evaluation
// of the trained model, the drawing's prediction and the model files run on the page.
// Settings can come from the URL (?net=C1&train=10000&epochs=1…); only known values are used.
import * as sn from "/dist/simdnet.bundle.js";
import { LineChart, SERIES_COLORS, el, fmt, selectField, showError } from "./common.js";

const { PRESETS } = sn;

/** The library's MNIST presets (M1–M3, C1, C2, C4), by upper-case id as in the problem set. */
const NETS = Object.values(PRESETS).filter((p) => p.recipe.data.name === "mnist").map((p) => [p.name.toUpperCase(), p.title]);
const TRAIN_SIZES = ["1000", "2000", "5000", "10000", "30000", "60000"];
const TEST_SIZES = ["1000", "2000", "5000", "10000"];
const EPOCHS = ["1", "2", "3", "5", "10"];
const BATCHES = ["16", "32", "64", "128"];
const OPTIMIZERS = [["adam", "Adam"], ["rmsprop", "RMSprop"], ["sgd", "SGD + momentum"]];
const LRS = ["0.0001", "0.0005", "0.001", "0.002", "0.005", "0.01", "0.05"];
const BACKENDS = [["auto", "auto"], ["wasm-relaxed-simd", "wasm-relaxed-simd"], ["wasm-simd", "wasm-simd"], ["js", "js"]];

const settings = { net: "M1", train: 10000, test: 10000, epochs: 10, batch: 32, optimizer: "adam", lr: 0.001, seed: 1, backend: "auto" };

/** Sets epochs, batch size, optimizer and learning rate to the network's recipe (where the menus offer its value). */
function applyRecipe() {
  const r = PRESETS[settings.net.toLowerCase()].recipe;
  const offered = (list, v) => list.some((o) => (Array.isArray(o) ? o[0] : o) === String(v));
  if (offered(EPOCHS, r.epochs)) settings.epochs = r.epochs;
  if (offered(BATCHES, r.batchSize)) settings.batch = r.batchSize;
  if (offered(OPTIMIZERS, r.optimizer)) settings.optimizer = r.optimizer;
  if (offered(LRS, r.lr)) settings.lr = r.lr;
}
{
  const q = new URLSearchParams(location.search);
  const pick = (key, list, asNumber) => {
    const v = q.get(key);
    if (v !== null && list.some((o) => (Array.isArray(o) ? o[0] : o) === v)) settings[key] = asNumber ? Number(v) : v;
  };
  // The network's recipe first; explicit URL values override it.
  pick("net", NETS, false);
  applyRecipe();
  pick("train", TRAIN_SIZES, true); pick("test", TEST_SIZES, true);
  pick("epochs", EPOCHS, true); pick("batch", BATCHES, true); pick("optimizer", OPTIMIZERS, false);
  pick("lr", LRS, true); pick("backend", BACKENDS, false);
  const seed = Number(q.get("seed"));
  if (q.has("seed") && Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31) settings.seed = seed;
}

function saveSettings() {
  const q = new URLSearchParams(Object.entries(settings).map(([k, v]) => [k, String(v)]));
  history.replaceState(null, "", `?${q}`);
}

/** Read by the browser tests. */
const status = { ready: false, backend: "", loaded: false, training: false, epoch: 0, testAcc: NaN, done: false, prediction: -1, errors: [], exported: null, imported: null };
window.mnist = { status };

const $ = (id) => document.getElementById(id);
// x in epochs: a running training value after batch b of epoch e sits at e − 1 + b / batches.
const stepEpochs = [];
const lossValues = [];
const accValues = [];
const testEpochs = [];
const testAccValues = [];
const testLossValues = [];
let lossChart;
let accChart;

let engine = null;
let data = null; // { train, test, limits }
let model = null;
let netName = "";
let controller = null;

const message = (err) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
function reportError(err) {
  status.errors.push(message(err));
  setTraining(false);
  showError(message(err));
}

sn.init({ backend: settings.backend }).then((e) => {
  engine = e;
  status.ready = true;
  status.backend = e.backend;
  status.threads = e.threads;
  $("backend").textContent = `${e.backend}, ${e.threads} thread${e.threads === 1 ? "" : "s"}`;
  if (e.fallback) $("backend").title = e.fallback;
}, reportError);

async function loadData() {
  const limits = `${settings.train}/${settings.test}`;
  if (data?.limits === limits) return data;
  const base = new URL("/mnist/", location.href).href;
  const [train, test] = await Promise.all([
    sn.fetchMnist(base, "train", { limit: settings.train }),
    sn.fetchMnist(base, "test", { limit: settings.test }),
  ]);
  data = { train, test, limits };
  return data;
}

function setModel(m, name) {
  if (model !== null) model.dispose();
  model = m;
  netName = name;
}

async function train() {
  const { train: tr, test: te } = await loadData();
  status.loaded = true;
  $("status").textContent = `Loaded ${tr.n} training and ${te.n} test images. Training…`;
  // The library's presets: the same networks the CLI and the Node examples train.
  const preset = sn.getPreset(settings.net);
  sn.manualSeed(settings.seed);
  const fresh = sn.buildPreset(preset, { engine });
  $("summary").textContent = `${settings.net}: ${fresh.numParameters().toLocaleString("en")} parameters\n${fresh.summary(preset.inputShape).table}`;
  controller = new AbortController();
  const shaped = (set) => ({ data: set.images, shape: [set.n, 1, 28, 28] });
  try {
    const { model: trained, history } = await sn.fitInWorker(fresh, shaped(tr), tr.labels, {
      epochs: settings.epochs, batchSize: settings.batch, seed: settings.seed,
      // "SGD + momentum" on the page: momentum is asked for, the library's "sgd" has PyTorch's 0.
      optimizer: settings.optimizer === "sgd" ? { type: "sgd", lr: settings.lr, momentum: 0.9 } : { type: settings.optimizer, lr: settings.lr },
      loss: preset.recipe.loss, // C4 ends in LogSoftmax and trains with NLLLoss
      validationData: { x: shaped(te), y: te.labels },
      dropLast: true, // one batch shape: no buffer swap for a short tail
      signal: controller.signal,
      onProgress: showProgress,
      onEpochEnd: showEpoch,
    });
    setModel(trained, settings.net);
    setTraining(false);
    $("save").disabled = false;
    if (history.stopped?.reason === "aborted") {
      $("status").textContent = "Stopped.";
      return;
    }
    const { confusion, mistakes, accuracy } = confusionAndMistakes(te);
    status.done = true;
    $("status").textContent = `Done: test accuracy ${(100 * accuracy).toFixed(2)} %`;
    drawConfusion(confusion);
    drawMistakes(mistakes);
  } finally {
    fresh.dispose();
    controller = null;
  }
}

function showProgress(p) {
  $("progress").value = ((p.epoch - 1) * p.batches + p.batch) / (p.epochs * p.batches);
  $("status").textContent = `Epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}: loss ${fmt(p.loss, 3)}, accuracy ${(100 * p.accuracy).toFixed(1)} %`;
  stepEpochs.push(p.epoch - 1 + p.batch / p.batches);
  lossValues.push(p.loss);
  accValues.push(p.accuracy);
  lossChart.draw();
  accChart.draw();
}

function showEpoch(logs) {
  status.epoch = logs.epoch;
  status.testAcc = logs.valAccuracy;
  testEpochs.push(logs.epoch);
  testAccValues.push(logs.valAccuracy);
  testLossValues.push(logs.valLoss);
  lossChart.draw();
  accChart.draw();
  $("test-acc").textContent = `${(100 * logs.valAccuracy).toFixed(2)} %`;
  addEpochRow(logs);
}

/** Confusion matrix, accuracy and up to 24 misclassified test images of the trained model. */
function confusionAndMistakes(te) {
  const predicted = sn.predictClasses(model, { data: te.images, shape: [te.n, 1, 28, 28] }, { batchSize: 100 });
  const confusion = Array.from({ length: 10 }, () => new Array(10).fill(0));
  const mistakes = [];
  let correct = 0;
  for (let i = 0; i < te.n; i++) {
    const label = te.labels[i];
    const pred = predicted[i];
    confusion[label][pred]++;
    if (pred === label) correct++;
    else if (mistakes.length < 24) mistakes.push({ image: te.images.subarray(i * 784, (i + 1) * 784), label, pred });
  }
  return { confusion, mistakes, accuracy: correct / te.n };
}

function setTraining(on) {
  status.training = on;
  $("train").disabled = on;
  $("stop").disabled = !on;
}

function start() {
  saveSettings();
  status.done = false;
  status.epoch = 0;
  for (const a of [stepEpochs, lossValues, accValues, testEpochs, testAccValues, testLossValues]) a.length = 0;
  $("epochs-table").replaceChildren();
  $("confusion").replaceChildren();
  $("mistakes").replaceChildren();
  $("test-acc").textContent = "–";
  $("progress").value = 0;
  setTraining(true);
  $("status").textContent = "Loading MNIST…";
  train().catch(reportError);
}

function addEpochRow(logs) {
  $("epochs-table").append(el("tr", {}, [logs.epoch, fmt(logs.loss, 3), `${(100 * logs.accuracy).toFixed(2)} %`, fmt(logs.valLoss, 3), `${(100 * logs.valAccuracy).toFixed(2)} %`].map((v) => el("td", { text: v }))));
}

function drawConfusion(confusion) {
  const table = $("confusion");
  table.replaceChildren(el("tr", {}, [el("th", { text: "true \\ pred" }), ...confusion.map((_, j) => el("th", { text: String(j) }))]));
  const max = Math.max(...confusion.map((row, i) => Math.max(...row.filter((_, j) => j !== i)), 1));
  confusion.forEach((row, i) => {
    table.append(el("tr", {}, [el("th", { text: String(i) }), ...row.map((v, j) => {
      const td = el("td", { text: String(v) });
      if (i === j) td.style.background = "#dbeefa";
      else if (v > 0) td.style.background = `rgba(245,147,34,${(0.15 + (0.85 * v) / max).toFixed(2)})`;
      return td;
    })]));
  });
}

function drawMistakes(mistakes) {
  const box = $("mistakes");
  box.replaceChildren(...mistakes.map((m) => {
    const canvas = el("canvas", { width: 28, height: 28 });
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(28, 28);
    for (let p = 0; p < 784; p++) {
      const v = Math.round(255 * Math.max(0, Math.min(1, m.image[p])));
      img.data.set([v, v, v, 255], 4 * p);
    }
    ctx.putImageData(img, 0, 0);
    return el("figure", {}, [canvas, el("figcaption", { text: `${m.label} → ${m.pred}` })]);
  }));
}

function drawProbs(probs) {
  const canvas = $("probs");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const w = canvas.width / 10;
  ctx.font = "11px sans-serif";
  probs.forEach((p, i) => {
    const h = p * (canvas.height - 16);
    ctx.fillStyle = "#0877bd";
    ctx.fillRect(i * w + 3, canvas.height - 14 - h, w - 6, h);
    ctx.fillStyle = "#333";
    ctx.fillText(String(i), i * w + w / 2 - 3, canvas.height - 2);
  });
}

function download(blob, name) {
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function upload(files) {
  const list = [...files];
  const st = list.find((f) => f.name.endsWith(".safetensors"));
  const js = list.find((f) => f.name.endsWith(".json"));
  if (!st || !js) { showError("Choose both files: the .safetensors weights and the .json architecture."); return; }
  let config;
  try {
    config = JSON.parse(await js.text());
  } catch {
    showError(`${js.name}: not valid JSON`);
    return;
  }
  const bytes = new Uint8Array(await st.arrayBuffer());
  try {
    // The model files are the library's own (src/io): the JSON's architecture wins over the copy
    // in the safetensors metadata.
    const description = sn.checkDescription(config, js.name);
    const { module } = sn.modelFromBytes(bytes, { engine, file: st.name, description });
    const net = description.extra.net;
    setModel(sn.asModel(module), typeof net === "string" ? net : "uploaded");
    status.imported = { net: netName, params: model.numParameters() };
    $("status").textContent = `Loaded model ${netName} (${model.numParameters().toLocaleString("en")} parameters). Draw a digit.`;
    $("save").disabled = false;
    predictDrawing();
  } catch (err) {
    reportError(err);
  }
}

function exportModel() {
  if (!model) { showError("Train or load a model first."); return; }
  const config = sn.describeModel(model, [1, 28, 28], { net: netName });
  const safetensors = sn.modelToBytes(model, config);
  status.exported = { bytes: safetensors.length, config };
  download(new Blob([safetensors], { type: "application/octet-stream" }), `mnist-${netName}.safetensors`);
  download(new Blob([JSON.stringify(config, null, 2)], { type: "application/json" }), `mnist-${netName}.json`);
}

// ---------------------------------------------------------------------------------------------
// Drawing a digit: the strokes are cropped, scaled into a 20×20 box and centred by their centre
// of mass in 28×28, the way the MNIST digits were prepared.

function setUpDrawing() {
  const canvas = $("draw");
  // Every prediction reads the pixels back: a CPU-side canvas makes that cheap (and Chromium asks for it).
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const clear = () => { ctx.fillStyle = "#000"; ctx.fillRect(0, 0, canvas.width, canvas.height); };
  clear();
  let drawing = false;
  let lastPoint = null;
  const point = (e) => { const r = canvas.getBoundingClientRect(); return [((e.clientX - r.left) / r.width) * canvas.width, ((e.clientY - r.top) / r.height) * canvas.height]; };
  canvas.addEventListener("pointerdown", (e) => { drawing = true; lastPoint = point(e); canvas.setPointerCapture(e.pointerId); stroke(lastPoint, lastPoint); });
  canvas.addEventListener("pointermove", (e) => { if (!drawing) return; const p = point(e); stroke(lastPoint, p); lastPoint = p; });
  const end = () => { if (drawing) { drawing = false; predictDrawing(); } };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  function stroke(a, b) {
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 20;
    ctx.lineCap = "round";
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  }
  $("clear").addEventListener("click", () => { clear(); $("prediction").textContent = "–"; drawProbs(new Array(10).fill(0)); });
}

/** The drawing as 784 pixels in [0, 1], or null when empty. */
function drawingPixels() {
  const canvas = $("draw");
  const { width: w, height: h } = canvas;
  const src = canvas.getContext("2d", { willReadFrequently: true }).getImageData(0, 0, w, h).data;
  let x0 = w, x1 = -1, y0 = h, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (src[4 * (y * w + x)] > 30) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const small = new OffscreenCanvas(28, 28);
  const sctx = small.getContext("2d", { willReadFrequently: true });
  sctx.fillStyle = "#000";
  sctx.fillRect(0, 0, 28, 28);
  sctx.imageSmoothingQuality = "high";
  const dw = bw * scale;
  const dh = bh * scale;
  sctx.drawImage(canvas, x0, y0, bw, bh, (28 - dw) / 2, (28 - dh) / 2, dw, dh);
  let px = sctx.getImageData(0, 0, 28, 28).data;
  let mass = 0, cx = 0, cy = 0;
  for (let p = 0; p < 784; p++) { const v = px[4 * p]; mass += v; cx += v * (p % 28); cy += v * Math.floor(p / 28); }
  const dx = Math.round(14 - 0.5 - cx / mass);
  const dy = Math.round(14 - 0.5 - cy / mass);
  if (dx !== 0 || dy !== 0) {
    const shifted = new OffscreenCanvas(28, 28);
    const c2 = shifted.getContext("2d", { willReadFrequently: true });
    c2.fillStyle = "#000";
    c2.fillRect(0, 0, 28, 28);
    c2.drawImage(small, dx, dy);
    px = c2.getImageData(0, 0, 28, 28).data;
  }
  const out = new Float32Array(784);
  for (let p = 0; p < 784; p++) out[p] = px[4 * p] / 255;
  return out;
}

function predictDrawing() {
  const pixels = drawingPixels();
  if (pixels === null || model === null) return;
  const logits = sn.predict(model, { data: pixels, shape: [1, 1, 28, 28] });
  const max = Math.max(...logits);
  const exp = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  const probs = exp.map((v) => v / sum); // also right for C4's log-probabilities
  const best = probs.indexOf(Math.max(...probs));
  status.prediction = best;
  $("prediction").textContent = String(best);
  drawProbs(probs);
}

// ---------------------------------------------------------------------------------------------
// Layout

function build() {
  const controls = $("controls");
  const field = (label, list, key, asNumber) => selectField(label, list.map((o) => (Array.isArray(o) ? o : [o, o])), String(settings[key]), (v) => {
    settings[key] = asNumber ? Number(v) : v;
    saveSettings();
    // The engine is created once: a backend change needs a fresh page (the URL keeps it).
    if (key === "backend") location.reload();
  }).wrap;
  const netInfo = el("p", { id: "net-info", className: "note" });
  const showNetInfo = () => {
    const p = PRESETS[settings.net.toLowerCase()];
    netInfo.textContent = `${p.description} Recipe: ${p.recipe.optimizer}, lr ${p.recipe.lr}, batch ${p.recipe.batchSize}, ${p.recipe.epochs} epochs.`;
  };
  showNetInfo();
  // Radio buttons, not a menu: the titles are long and wrap here instead of being cut off.
  const recipeFields = [];
  const nets = el("fieldset", { id: "net", className: "nets" }, [el("legend", { text: "Network" }), ...NETS.map(([id, title]) => el("label", {}, [
    el("input", { type: "radio", name: "net", value: id, checked: id === settings.net, on: { change: () => {
      settings.net = id;
      applyRecipe();
      for (const [key, select] of recipeFields) select.value = String(settings[key]);
      saveSettings();
      showNetInfo();
    } } }),
    el("span", { text: title }),
  ]))]);
  const recipeField = (label, list, key) => {
    const f = selectField(label, list.map((o) => (Array.isArray(o) ? o : [o, o])), String(settings[key]), (v) => {
      settings[key] = key === "optimizer" ? v : Number(v);
      saveSettings();
    });
    recipeFields.push([key, f.select]);
    return f.wrap;
  };
  controls.append(
    nets,
    netInfo,
    el("div", { className: "row" }, [field("Training images", TRAIN_SIZES, "train", true), field("Test images", TEST_SIZES, "test", true)]),
    el("div", { className: "row" }, [recipeField("Epochs", EPOCHS, "epochs"), recipeField("Batch size", BATCHES, "batch")]),
    el("div", { className: "row" }, [recipeField("Optimizer", OPTIMIZERS, "optimizer"), recipeField("Learning rate", LRS, "lr")]),
    el("div", { className: "row" }, [field("Backend (reloads)", BACKENDS, "backend", false)]),
    el("div", { className: "row" }, [
      el("button", { id: "train", className: "primary", text: "Train", on: { click: start } }),
      el("button", { id: "stop", text: "Stop", disabled: true, on: { click: () => controller?.abort() } }),
    ]),
    el("progress", { id: "progress", max: 1, value: 0 }),
    el("p", { id: "status", className: "stat", text: "Choose a network and press Train." }),
    el("p", { className: "stat" }, ["Backend ", el("code", { id: "backend", text: "…" }), " · Test accuracy ", el("b", { id: "test-acc", text: "–" })]),
    el("pre", { id: "summary", className: "stat" }),
    el("h2", { text: "Model file" }),
    el("div", { className: "row" }, [
      el("button", { id: "save", text: "Download (safetensors + JSON)", disabled: true, on: { click: exportModel } }),
    ]),
    el("label", { className: "field" }, [el("span", { text: "Load a model: choose its .safetensors and .json together" }),
      el("input", { id: "upload", type: "file", multiple: true, accept: ".safetensors,.json", on: { change: (e) => upload(e.target.files) } })]),
  );

  const lossCanvas = el("canvas", { id: "loss-chart", width: 360, height: 160 });
  const accCanvas = el("canvas", { id: "acc-chart", width: 360, height: 160 });
  lossChart = new LineChart(lossCanvas, {
    series: [
      { label: "training loss (running)", color: SERIES_COLORS.train, values: lossValues, xs: stepEpochs },
      { label: "test loss", color: SERIES_COLORS.test, values: testLossValues, xs: testEpochs, points: true },
    ],
    yMin: 0, xLabel: "epoch",
  });
  accChart = new LineChart(accCanvas, {
    series: [
      { label: "training accuracy (running)", color: SERIES_COLORS.train, values: accValues, xs: stepEpochs },
      { label: "test accuracy", color: SERIES_COLORS.test, values: testAccValues, xs: testEpochs, points: true },
    ],
    yMax: 1, xLabel: "epoch",
  });
  const results = $("results");
  results.append(
    el("div", { className: "charts" }, [lossCanvas, accCanvas]),
    el("table", {}, [el("thead", {}, [el("tr", {}, ["epoch", "train loss", "train acc", "test loss", "test acc"].map((t) => el("th", { text: t })))]), el("tbody", { id: "epochs-table" })]),
    el("div", { className: "row top" }, [
      el("div", {}, [el("h2", { text: "Confusion matrix (test)" }), el("table", { id: "confusion", className: "confusion" })]),
      el("div", {}, [el("h2", { text: "Draw a digit" }),
        el("canvas", { id: "draw", width: 280, height: 280, style: "width:196px;height:196px" }),
        el("div", { className: "row" }, [el("button", { id: "clear", text: "Clear" }), el("span", {}, ["Prediction ", el("b", { id: "prediction", className: "big", text: "–" })])]),
        el("canvas", { id: "probs", width: 200, height: 70 })]),
    ]),
    el("h2", { text: "Misclassified test images (true → predicted)" }),
    el("div", { id: "mistakes", className: "mistakes" }),
  );
  setUpDrawing();
}

build();
