// The Playground page: controls, network picture, decision boundary and loss curve. Training
// runs in playground-worker.js; this file only draws. The whole state lives in the URL query.
import { PLAYGROUND_FEATURES } from "/dist/simdnet.bundle.js";
import { CLASS_COLORS, LineChart, diverging, el, fmt, rangeField, selectField, showError } from "./common.js";

const DATASETS = [["circle", "Circle"], ["xor", "XOR"], ["gauss", "Gaussian"], ["spiral", "Spiral"], ["moons", "Moons"], ["blobs", "Blobs (4 classes)"]];
const ACTIVATIONS = [["relu", "ReLU"], ["tanh", "Tanh"], ["sigmoid", "Sigmoid"], ["linear", "Linear"]];
const LRS = ["0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"];
const REGS = [["none", "None"], ["l1", "L1"], ["l2", "L2"]];
const REG_RATES = ["0", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"];
const INITS = [["random", "Random (PyTorch default)"], ["zeros", "Zeros"], ["xavier", "Xavier"], ["he", "He"]];
const OPTIMIZERS = [["sgd", "SGD"], ["momentum", "SGD + momentum 0.9"], ["adam", "Adam"], ["rmsprop", "RMSprop"]];
const BACKENDS = [["auto", "auto"], ["wasm-relaxed-simd", "wasm-relaxed-simd"], ["wasm-simd", "wasm-simd"], ["js", "js"]];
const POINTS = ["100", "200", "500", "1000"];
const FEATURE_KEYS = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"];

const DEFAULTS = {
  dataset: "circle", noise: 0, trainRatio: 50, batchSize: 10, lr: 0.03, activation: "tanh",
  regularization: "none", regRate: 0, hidden: [4, 2], features: ["x", "y"], init: "random",
  shuffle: true, sorted: false, optimizer: "sgd", seed: 1, points: 500, backend: "auto", maxEpochs: 100000,
  showTest: false,
};

/** Reads the state from the URL, keeping only known values (anything else falls back to the default). */
function readState() {
  const q = new URLSearchParams(location.search);
  const s = structuredClone(DEFAULTS);
  const oneOf = (key, list) => { const v = q.get(key); if (v !== null && list.some(([k]) => k === v)) s[key] = v; };
  const int = (key, lo, hi) => { const v = Number(q.get(key)); if (q.has(key) && Number.isInteger(v) && v >= lo && v <= hi) s[key] = v; };
  const fromList = (key, list) => { const v = q.get(key); if (v !== null && list.includes(v)) s[key] = Number(v); };
  const flag = (key) => { const v = q.get(key); if (v === "true" || v === "false") s[key] = v === "true"; };
  oneOf("dataset", DATASETS); oneOf("activation", ACTIVATIONS); oneOf("regularization", REGS);
  oneOf("init", INITS); oneOf("optimizer", OPTIMIZERS); oneOf("backend", BACKENDS);
  int("noise", 0, 50); int("trainRatio", 10, 90); int("batchSize", 1, 30); int("seed", 0, 2 ** 31 - 1);
  int("maxEpochs", 1, 1000000);
  fromList("lr", LRS); fromList("regRate", REG_RATES); fromList("points", POINTS);
  flag("shuffle"); flag("sorted"); flag("showTest");
  const hidden = q.get("hidden");
  if (hidden !== null) {
    const parts = hidden === "" ? [] : hidden.split(",").map(Number);
    if (parts.length <= 6 && parts.every((n) => Number.isInteger(n) && n >= 1 && n <= 8)) s.hidden = parts;
  }
  const features = q.get("features");
  if (features !== null) {
    const parts = features.split(",").filter((f) => FEATURE_KEYS.includes(f));
    if (parts.length > 0) s.features = FEATURE_KEYS.filter((f) => parts.includes(f));
  }
  return s;
}

function writeState() {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) {
    const text = Array.isArray(value) ? value.join(",") : String(value);
    const dflt = DEFAULTS[key];
    if (text !== (Array.isArray(dflt) ? dflt.join(",") : String(dflt))) q.set(key, text);
  }
  const query = q.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

let state = readState();
let playing = false;
let data = null;
let last = null;
const history_ = { train: [], test: [] };
/** Read by the browser tests (and handy in the console). */
const status = { ready: false, backend: "", running: false, epoch: 0, iterations: 0, trainAcc: 0, testAcc: 0, trainLoss: NaN, testLoss: NaN, updates: 0, errors: [] };
window.playground = { status, get state() { return structuredClone(state); } };

const worker = new Worker(new URL("./playground-worker.js", import.meta.url), { type: "module" });
worker.onerror = (e) => { status.errors.push(String(e.message)); showError(`worker: ${e.message}`); };
worker.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === "ready") {
    status.ready = true;
    status.backend = msg.backend;
    ui.backend.textContent = msg.backend;
  } else if (msg.type === "data") {
    data = msg;
    last = null;
    history_.train.length = 0;
    history_.test.length = 0;
    buildNetwork();
  } else if (msg.type === "update") {
    last = msg;
    Object.assign(status, {
      epoch: msg.epoch, iterations: msg.iterations, trainAcc: msg.trainAcc, testAcc: msg.testAcc,
      trainLoss: msg.trainLoss, testLoss: msg.testLoss, updates: status.updates + 1,
    });
    history_.train.push(msg.trainLoss);
    history_.test.push(msg.testLoss);
    render();
  } else if (msg.type === "stopped" || msg.type === "paused") {
    status.running = false;
    setPlaying(false);
  } else if (msg.type === "error") {
    status.errors.push(msg.message);
    status.running = false;
    setPlaying(false);
    showError(msg.message);
  }
};

// ---------------------------------------------------------------------------------------------
// Controls

const ui = {};

function change(patch) {
  state = { ...state, ...patch };
  writeState();
  reset();
}

function reset() {
  setPlaying(false);
  status.running = false; // "configure" stops the worker's loop before it answers
  worker.postMessage({ type: "configure", config: state, backend: state.backend });
}

function setPlaying(on) {
  playing = on;
  ui.play.textContent = on ? "❚❚ Pause" : "▶ Play";
  ui.play.setAttribute("aria-pressed", String(on));
}

function buildControls() {
  const root = document.getElementById("controls");
  ui.play = el("button", { id: "play", className: "primary", on: { click: () => {
    setPlaying(!playing);
    // `running` turns false only when the worker acknowledges the pause (see "paused").
    if (playing) status.running = true;
    worker.postMessage({ type: playing ? "play" : "pause" });
  } } });
  const step = el("button", { id: "step", text: "Step", on: { click: () => { setPlaying(false); worker.postMessage({ type: "step" }); } } });
  const resetBtn = el("button", { id: "reset", text: "Reset", on: { click: reset } });
  const regen = el("button", { id: "regenerate", text: "Regenerate data", on: { click: () => change({ seed: state.seed + 1 }) } });
  ui.epoch = el("span", { className: "big", id: "epoch", text: "0" });
  ui.backend = el("code", { id: "backend", text: "…" });
  setPlaying(false);
  root.append(
    el("div", { className: "row" }, [ui.play, step, resetBtn, regen,
      el("span", { className: "stat" }, ["Epoch ", ui.epoch]),
      el("span", { className: "stat" }, ["Backend ", ui.backend])]),
    el("div", { className: "row" }, [
      selectField("Learning rate", LRS.map((v) => [v, v]), String(state.lr), (v) => change({ lr: Number(v) })).wrap,
      selectField("Activation", ACTIVATIONS, state.activation, (v) => change({ activation: v })).wrap,
      selectField("Regularization", REGS, state.regularization, (v) => change({ regularization: v })).wrap,
      selectField("Regularization rate", REG_RATES.map((v) => [v, v]), String(state.regRate), (v) => change({ regRate: Number(v) })).wrap,
      selectField("Optimizer", OPTIMIZERS, state.optimizer, (v) => change({ optimizer: v })).wrap,
      selectField("Initialisation", INITS, state.init, (v) => change({ init: v })).wrap,
    ]),
  );

  const dataBox = document.getElementById("data");
  const datasetButtons = el("div", { className: "datasets" }, DATASETS.map(([key, label]) =>
    el("button", { text: label, className: key === state.dataset ? "selected" : "", attrs: { "data-dataset": key }, on: { click: () => change({ dataset: key }) } })));
  dataBox.append(
    el("h2", { text: "Data" }), datasetButtons,
    selectField("Points", POINTS.map((v) => [v, v]), String(state.points), (v) => change({ points: Number(v) })).wrap,
    rangeField("Ratio of training to test data", 10, 90, 10, state.trainRatio, (v) => change({ trainRatio: v }), (v) => `${v} %`).wrap,
    rangeField("Noise", 0, 50, 5, state.noise, (v) => change({ noise: v })).wrap,
    rangeField("Batch size", 1, 30, 1, state.batchSize, (v) => change({ batchSize: v })).wrap,
    checkbox("Shuffle each epoch", state.shuffle, (v) => change({ shuffle: v })),
    checkbox("Sort training labels (class 0 first)", state.sorted, (v) => change({ sorted: v })),
    selectField("Backend", BACKENDS, state.backend, (v) => { change({ backend: v }); location.reload(); }).wrap,
  );
}

function checkbox(label, value, onChange) {
  const input = el("input", { type: "checkbox", checked: value, on: { change: () => onChange(input.checked) } });
  return el("label", { className: "field check" }, [input, el("span", { text: label })]);
}

// ---------------------------------------------------------------------------------------------
// Network picture

const NODE = 40;
const COL = 110;
const ROW = 50;
const SVGNS = "http://www.w3.org/2000/svg";
let net = null;

function buildNetwork() {
  const box = document.getElementById("network");
  box.replaceChildren();
  const hidden = state.hidden;
  const classes = data.classes;
  const columns = [FEATURE_KEYS.length, ...hidden, classes];
  const height = 60 + Math.max(...columns) * ROW;
  const width = 20 + (columns.length - 1) * COL + NODE + 20;
  const stage = el("div", { className: "stage" });
  stage.style.width = `${width}px`;
  stage.style.height = `${height}px`;
  const svg = document.createElementNS(SVGNS, "svg");
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  stage.append(svg);
  const pos = (col, i) => [20 + col * COL, 50 + i * ROW];

  // Layer header: add/remove layers and neurons.
  const header = el("div", { className: "row" }, [
    el("button", { text: "+ layer", id: "add-layer", disabled: hidden.length >= 6, on: { click: () => change({ hidden: [...hidden, 2] }) } }),
    el("button", { text: "− layer", id: "remove-layer", disabled: hidden.length === 0, on: { click: () => change({ hidden: hidden.slice(0, -1) }) } }),
    el("span", { text: `${hidden.length} hidden layer${hidden.length === 1 ? "" : "s"}` }),
  ]);
  hidden.forEach((h, l) => {
    const [x] = pos(l + 1, 0);
    const ctl = el("div", { className: "layer-ctl" }, [
      el("button", { text: "+", title: "add a neuron", disabled: h >= 8, on: { click: () => change({ hidden: hidden.map((v, j) => (j === l ? v + 1 : v)) }) } }),
      el("button", { text: "−", title: "remove a neuron", disabled: h <= 1, on: { click: () => change({ hidden: hidden.map((v, j) => (j === l ? v - 1 : v)) }) } }),
      el("div", { text: `${h} neuron${h === 1 ? "" : "s"}` }),
    ]);
    ctl.style.left = `${x - 20}px`;
    ctl.style.top = "0px";
    stage.append(ctl);
  });

  const nodes = [[], ...hidden.map(() => []), []];
  const features = state.features;
  FEATURE_KEYS.forEach((key, i) => {
    const [x, y] = pos(0, i);
    const active = features.includes(key);
    const canvas = el("canvas", { width: NODE, height: NODE, className: `node feature${active ? " active" : ""}`, title: `${PLAYGROUND_FEATURES[key].label} (click to toggle)` });
    canvas.style.left = `${x}px`;
    canvas.style.top = `${y}px`;
    canvas.addEventListener("click", () => {
      const next = active ? features.filter((f) => f !== key) : [...features, key];
      if (next.length > 0) change({ features: FEATURE_KEYS.filter((f) => next.includes(f)) });
    });
    const label = el("span", { className: "feature-label", text: PLAYGROUND_FEATURES[key].label });
    label.style.left = `${x - 18}px`;
    label.style.top = `${y + NODE + 1}px`;
    stage.append(canvas, label);
    drawFeature(canvas, key);
    if (active) nodes[0].push({ x, y, canvas });
  });
  hidden.forEach((h, l) => {
    for (let j = 0; j < h; j++) {
      const [x, y] = pos(l + 1, j);
      const canvas = el("canvas", { width: 50, height: 50, className: "node neuron", title: `layer ${l + 1}, neuron ${j + 1}` });
      canvas.style.left = `${x}px`;
      canvas.style.top = `${y}px`;
      stage.append(canvas);
      nodes[l + 1].push({ x, y, canvas });
    }
  });
  for (let c = 0; c < classes; c++) {
    const [x, y] = pos(hidden.length + 1, c);
    const dot = el("div", { className: "node output", title: `output: class ${c}` });
    const [r, g, b] = CLASS_COLORS[c];
    dot.style.background = `rgb(${r},${g},${b})`;
    dot.style.left = `${x}px`;
    dot.style.top = `${y}px`;
    stage.append(dot);
    nodes[hidden.length + 1].push({ x, y });
  }

  // One line per weight; hovering shows its current value.
  const tip = el("div", { className: "tooltip", id: "weight-tip" });
  const links = [];
  for (let l = 0; l < nodes.length - 1; l++) {
    const layerLinks = [];
    nodes[l + 1].forEach((to, o) => {
      nodes[l].forEach((from, i) => {
        const line = document.createElementNS(SVGNS, "line");
        line.setAttribute("x1", String(from.x + NODE));
        line.setAttribute("y1", String(from.y + NODE / 2));
        line.setAttribute("x2", String(to.x));
        line.setAttribute("y2", String(to.y + NODE / 2));
        line.classList.add("link");
        const ref = { line, l, o, i };
        line.addEventListener("mouseenter", (e) => {
          const w = last?.layers[l]?.w[o * nodes[l].length + i];
          tip.textContent = `weight ${l === 0 ? features[i] : `h${l}.${i + 1}`} → ${l === nodes.length - 2 ? `class ${o}` : `h${l + 1}.${o + 1}`}: ${w === undefined ? "–" : fmt(w, 4)}`;
          tip.style.display = "block";
          tip.style.left = `${e.offsetX + 10}px`;
          tip.style.top = `${e.offsetY + 10}px`;
        });
        line.addEventListener("mouseleave", () => { tip.style.display = "none"; });
        svg.append(line);
        layerLinks.push(ref);
      });
    });
    links.push(layerLinks);
  }
  stage.append(tip);
  const deadInfo = el("div", { id: "dead", className: "dead-info" });
  box.append(header, stage, deadInfo);
  net = { nodes, links, deadInfo };
}

/** Paints a feature's value over the domain (normalised by its largest magnitude). */
function drawFeature(canvas, key) {
  const f = PLAYGROUND_FEATURES[key].f;
  const [x0, x1, y0, y1] = data.domain;
  const n = NODE;
  const values = new Float32Array(n * n);
  let max = 1e-9;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const v = f(x0 + ((c + 0.5) / n) * (x1 - x0), y1 - ((r + 0.5) / n) * (y1 - y0));
      values[r * n + c] = v;
      max = Math.max(max, Math.abs(v));
    }
  }
  paint(canvas, values, n, max);
}

/** Paints a square grid of values with the diverging palette, scaled by 1/max. */
function paint(canvas, values, n, max) {
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(n, n);
  for (let p = 0; p < n * n; p++) {
    const [r, g, b] = diverging(values[p] / max);
    img.data.set([r, g, b, 255], 4 * p);
  }
  if (canvas.width === n) { ctx.putImageData(img, 0, 0); return; }
  const tmp = new OffscreenCanvas(n, n);
  tmp.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
}

// ---------------------------------------------------------------------------------------------
// Output and charts

let chart = null;

function render() {
  if (!last || !data || !net) return;
  ui.epoch.textContent = String(last.epoch).padStart(6, "0");
  document.getElementById("train-loss").textContent = fmt(last.trainLoss, 3);
  document.getElementById("test-loss").textContent = fmt(last.testLoss, 3);
  document.getElementById("train-acc").textContent = `${(100 * last.trainAcc).toFixed(1)} %`;
  document.getElementById("test-acc").textContent = `${(100 * last.testAcc).toFixed(1)} %`;
  drawHeat();
  // Neurons.
  last.neurons.forEach((pics, l) => {
    pics.forEach((pic, j) => {
      let max = 1e-9;
      for (const v of pic) max = Math.max(max, Math.abs(v));
      const node = net.nodes[l + 1][j];
      paint(node.canvas, pic, last.grid, max);
      node.canvas.classList.toggle("dead", last.dead[l][j]);
    });
  });
  // Weights: width by magnitude, colour by sign.
  net.links.forEach((layerLinks, l) => {
    const w = last.layers[l].w;
    const fanIn = net.nodes[l].length;
    for (const { line, o, i } of layerLinks) {
      const v = w[o * fanIn + i];
      line.setAttribute("stroke", v >= 0 ? "#0877bd" : "#f59322");
      line.setAttribute("stroke-width", String(Math.min(8, 0.5 + Math.abs(v) * 2)));
    }
  });
  const parts = last.dead.map((row, l) => {
    const d = row.filter(Boolean).length;
    return `layer ${l + 1}: ${d}/${row.length} (${Math.round((100 * d) / row.length)} %)`;
  });
  net.deadInfo.textContent = parts.length ? `Dead units (pre-activation ≤ 0 on every training point): ${parts.join(", ")}` : "";
  chart.draw();
}

function drawHeat() {
  const canvas = document.getElementById("heat");
  const ctx = canvas.getContext("2d");
  const n = last.grid;
  const c = data.classes;
  const img = new ImageData(n, n);
  for (let p = 0; p < n * n; p++) {
    const k = last.heatClass[p];
    const confidence = (last.heatProb[p] - 1 / c) / (1 - 1 / c);
    const rgb = c === 2 ? diverging((k === 1 ? 1 : -1) * confidence) : blend(CLASS_COLORS[k], confidence);
    img.data.set([...rgb, 255], 4 * p);
  }
  const tmp = new OffscreenCanvas(n, n);
  tmp.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
  const [x0, x1, y0, y1] = data.domain;
  const showTest = state.showTest;
  const dots = (set, stroke) => {
    for (let i = 0; i < set.y.length; i++) {
      const px = ((set.x[2 * i] - x0) / (x1 - x0)) * canvas.width;
      const py = ((y1 - set.x[2 * i + 1]) / (y1 - y0)) * canvas.height;
      const [r, g, b] = CLASS_COLORS[set.y[i]];
      ctx.beginPath();
      ctx.arc(px, py, 3, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fill();
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  };
  dots(data.train, "#fff");
  if (showTest) dots(data.test, "#000");
}

function blend(rgb, t) {
  const a = Math.max(0, Math.min(1, t)) * 0.8;
  return rgb.map((v) => Math.round(245 + (v - 245) * a));
}

function buildOutput() {
  const box = document.getElementById("output");
  const lossCanvas = el("canvas", { id: "loss-chart", width: 300, height: 90 });
  chart = new LineChart(lossCanvas, { series: [{ label: "train loss", color: "#333", values: history_.train }, { label: "test loss", color: "#999", values: history_.test }], yMin: 0 });
  const stat = (label, id) => el("div", { className: "stat" }, [`${label} `, el("b", { id, text: "–" })]);
  box.append(
    el("h2", { text: "Output" }),
    el("div", { className: "stats" }, [stat("Test loss", "test-loss"), stat("Training loss", "train-loss"), stat("Test accuracy", "test-acc"), stat("Training accuracy", "train-acc")]),
    lossCanvas,
    el("canvas", { id: "heat", width: 300, height: 300 }),
    // A view option: it goes into the URL but does not restart training.
    el("label", { className: "field check" }, [
      el("input", { type: "checkbox", id: "show-test", checked: state.showTest, on: { change: (e) => { state = { ...state, showTest: e.target.checked }; writeState(); render(); } } }),
      el("span", { text: "Show test data" }),
    ]),
  );
}

buildControls();
buildOutput();
reset();
