// The Playground page: controls, network picture, decision boundary and loss curve. Training
// runs in playground-worker.js; this file only draws. The whole state lives in the URL query.
import { PLAYGROUND_FEATURES } from "/dist/simdnet.bundle.js";
import { CLASS_COLORS, LineChart, SERIES_COLORS, diverging, el, fmt, rangeField, selectField, showError, ticks } from "./common.js";

const DATASETS = [
  ["circle", "Circle"], ["xor", "XOR"], ["gauss", "Gaussian"], ["spiral", "Spiral"], ["moons", "Moons"], ["blobs", "Blobs (4 classes)"],
  ["plane", "Plane (regression)"], ["multigauss", "Multi-Gauss (regression)"],
];
/** The speed slider's steps: epochs trained per display frame (about 60 frames a second). */
const SPEEDS = [1, 2, 5, 10, 20, 50, 100, 200, 500];
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
  showTest: false, discretize: false, speed: 1,
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
  fromList("speed", SPEEDS.map(String));
  flag("shuffle"); flag("sorted"); flag("showTest"); flag("discretize");
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
const history_ = { epoch: [], train: [], test: [] };
/** What the big plot shows: the output, or a hovered hidden neuron { l, j }. */
let heatSource = null;
let framePending = false;
/**
 * Read by the browser tests (and handy in the console). `steps` lists the epochs each update
 * advanced (the last 50), `heatSource` what the big plot shows.
 */
const status = {
  ready: false, backend: "", running: false, epoch: 0, iterations: 0, trainAcc: 0, testAcc: 0, trainLoss: NaN, testLoss: NaN,
  updates: 0, steps: [], heatSource: "output", errors: [],
};
window.playground = { status, get state() { return structuredClone(state); }, get layers() { return last?.layers ?? null; } };

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
    heatSource = null;
    chart.clear();
    buildNetwork();
    buildAxes();
  } else if (msg.type === "update") {
    status.steps.push(msg.epoch - (last?.epoch ?? 0));
    if (status.steps.length > 50) status.steps.shift();
    last = msg;
    Object.assign(status, {
      epoch: msg.epoch, iterations: msg.iterations, trainAcc: msg.trainAcc, testAcc: msg.testAcc,
      trainLoss: msg.trainLoss, testLoss: msg.testLoss, updates: status.updates + 1,
    });
    // A weight edit or a step after a reset repeats an epoch: keep one point per epoch.
    if (history_.epoch.at(-1) === msg.epoch) { history_.epoch.pop(); history_.train.pop(); history_.test.pop(); }
    history_.epoch.push(msg.epoch);
    history_.train.push(msg.trainLoss);
    history_.test.push(msg.testLoss);
    // Draw once per display frame, then let the worker train the next one (see the worker's "frame").
    if (!framePending) {
      framePending = true;
      requestAnimationFrame(() => { framePending = false; render(); worker.postMessage({ type: "frame" }); });
    }
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
  for (const b of document.querySelectorAll("button[data-dataset]")) b.classList.toggle("selected", b.dataset.dataset === state.dataset);
  reset();
}

/** A view option: into the URL and redrawn, without restarting training. */
function view(patch) {
  state = { ...state, ...patch };
  writeState();
  render();
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
  const speedLabel = (i) => `${SPEEDS[i]} epoch${SPEEDS[i] === 1 ? "" : "s"} / frame (≤ ${SPEEDS[i] * 60}/s)`;
  const speed = rangeField("Speed", 0, SPEEDS.length - 1, 1, SPEEDS.indexOf(state.speed), (i) => {
    state = { ...state, speed: SPEEDS[i] };
    writeState();
    worker.postMessage({ type: "speed", epochsPerFrame: state.speed });
  }, speedLabel);
  speed.input.id = "speed";
  speed.wrap.classList.add("speed");
  setPlaying(false);
  root.append(
    el("div", { className: "row" }, [ui.play, step, resetBtn, regen,
      speed.wrap,
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
      const canvas = el("canvas", { width: 50, height: 50, className: "node neuron", title: `layer ${l + 1}, neuron ${j + 1} (hover: shown in the output plot)` });
      canvas.style.left = `${x}px`;
      canvas.style.top = `${y}px`;
      canvas.addEventListener("mouseenter", () => { heatSource = { l, j }; render(); });
      canvas.addEventListener("mouseleave", () => { heatSource = null; render(); });
      stage.append(canvas);
      nodes[l + 1].push({ x, y, canvas });
    }
  });
  for (let c = 0; c < classes; c++) {
    const [x, y] = pos(hidden.length + 1, c);
    const dot = el("div", { className: "node output", title: data.regression ? "output: predicted value" : `output: class ${c}` });
    const [r, g, b] = CLASS_COLORS[c];
    dot.style.background = data.regression ? "linear-gradient(90deg, rgb(245,147,34), rgb(245,245,245), rgb(8,119,189))" : `rgb(${r},${g},${b})`;
    dot.style.left = `${x}px`;
    dot.style.top = `${y}px`;
    stage.append(dot);
    nodes[hidden.length + 1].push({ x, y });
  }

  // One line per weight; hovering shows its current value, clicking edits it.
  const tip = el("div", { className: "tooltip", id: "weight-tip" });
  const editor = el("input", { id: "weight-edit", className: "weight-edit", type: "number", step: "0.1", title: "Enter sets the weight, Escape cancels" });
  let editing = null;
  const closeEditor = () => { editor.style.display = "none"; editing = null; };
  editor.addEventListener("keydown", (e) => {
    if (e.key === "Escape") closeEditor();
    if (e.key !== "Enter" || editing === null) return;
    const value = Number(editor.value);
    if (editor.value.trim() === "" || !Number.isFinite(value)) { editor.setCustomValidity("a number"); editor.reportValidity(); return; }
    worker.postMessage({ type: "setWeight", layer: editing.l, out: editing.o, in: editing.i, value });
    closeEditor();
  });
  editor.addEventListener("blur", closeEditor);
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
        line.addEventListener("click", (e) => {
          const w = last?.layers[l]?.w[o * nodes[l].length + i];
          if (w === undefined) return;
          editing = ref;
          editor.value = String(Number(w.toPrecision(4)));
          editor.setCustomValidity("");
          editor.style.display = "block";
          editor.style.left = `${e.offsetX + 10}px`;
          editor.style.top = `${e.offsetY - 10}px`;
          tip.style.display = "none";
          editor.focus();
          editor.select();
        });
        svg.append(line);
        layerLinks.push(ref);
      });
    });
    links.push(layerLinks);
  }
  stage.append(tip, editor);
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

/** Size of the output plot in CSS pixels, and its margins for the axes. */
const PLOT = 300;
const AXIS = { l: 30, t: 8, b: 22 };

function render() {
  if (!last || !data || !net) return;
  ui.epoch.textContent = String(last.epoch).padStart(6, "0");
  document.getElementById("train-loss").textContent = fmt(last.trainLoss, 3);
  document.getElementById("test-loss").textContent = fmt(last.testLoss, 3);
  const pct = (v) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : "–");
  document.getElementById("train-acc").textContent = pct(last.trainAcc);
  document.getElementById("test-acc").textContent = pct(last.testAcc);
  drawHeat();
  // Neurons.
  last.neurons.forEach((pics, l) => {
    pics.forEach((pic, j) => {
      const node = net.nodes[l + 1][j];
      paint(node.canvas, pic, last.grid, maxAbs(pic));
      node.canvas.classList.toggle("dead", last.dead[l][j]);
      node.canvas.classList.toggle("shown", heatSource !== null && heatSource.l === l && heatSource.j === j);
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
  // Only an activation with a zero-gradient region (ReLU) can leave a unit dead for good.
  const parts = last.dead.map((row, l) => {
    const d = row.filter(Boolean).length;
    return `layer ${l + 1}: ${d}/${row.length} (${Math.round((100 * d) / row.length)} %)`;
  });
  net.deadInfo.textContent = last.canDie && parts.length ? `Dead ReLU units (pre-activation ≤ 0 on every training point): ${parts.join(", ")}` : "";
  chart.draw();
}

function maxAbs(values) {
  let max = 1e-9;
  for (const v of values) max = Math.max(max, Math.abs(v));
  return max;
}

/**
 * The big plot: the network's output over the domain (or the hovered neuron's activation) with
 * the data on top. Two classes shade from orange to blue by the winning class's probability,
 * more classes blend each class colour with white; regression maps the output −1…1 to the same
 * orange–blue scale. "Discretize" drops the shading: each point gets its class's full colour.
 */
function drawHeat() {
  const canvas = document.getElementById("heat");
  const ctx = canvas.getContext("2d");
  const n = last.grid;
  const c = data.classes;
  const img = new ImageData(n, n);
  const neuron = heatSource === null ? null : last.neurons[heatSource.l]?.[heatSource.j] ?? null;
  const discrete = state.discretize;
  const neuronMax = neuron === null ? 1 : maxAbs(neuron);
  for (let p = 0; p < n * n; p++) {
    let rgb;
    if (neuron !== null || data.regression) {
      const v = neuron !== null ? neuron[p] / neuronMax : last.heatValue[p];
      rgb = diverging(discrete ? Math.sign(v) : v);
    } else {
      const k = last.heatClass[p];
      const confidence = discrete ? 1 : (last.heatProb[p] - 1 / c) / (1 - 1 / c);
      rgb = c === 2 ? diverging((k === 1 ? 1 : -1) * confidence) : blend(CLASS_COLORS[k], confidence);
    }
    img.data.set([...rgb, 255], 4 * p);
  }
  const tmp = new OffscreenCanvas(n, n);
  tmp.getContext("2d").putImageData(img, 0, 0);
  // Discretized regions keep hard edges, as TensorFlow Playground draws them.
  ctx.imageSmoothingEnabled = !discrete;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
  status.heatSource = neuron === null ? "output" : `layer ${heatSource.l + 1} neuron ${heatSource.j + 1}`;
  document.getElementById("plot-title").textContent = neuron === null
    ? (data.regression ? "Output: predicted value" : "Output: predicted class")
    : `Hovered: layer ${heatSource.l + 1}, neuron ${heatSource.j + 1} (scaled to its largest |value|)`;
  const [x0, x1, y0, y1] = data.domain;
  const dots = (set, stroke) => {
    for (let i = 0; i < set.y.length; i++) {
      const px = ((set.x[2 * i] - x0) / (x1 - x0)) * canvas.width;
      const py = ((y1 - set.x[2 * i + 1]) / (y1 - y0)) * canvas.height;
      const [r, g, b] = data.regression ? diverging(set.y[i]) : CLASS_COLORS[set.y[i]];
      ctx.beginPath();
      ctx.arc(px, py, 3, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fill();
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  };
  // Regression targets near 0 are white: a grey rim keeps them visible on a pale background.
  dots(data.train, data.regression ? "#777" : "#fff");
  if (state.showTest) dots(data.test, "#000");
}

function blend(rgb, t) {
  const a = Math.max(0, Math.min(1, t)) * 0.8;
  return rgb.map((v) => Math.round(245 + (v - 245) * a));
}

/** Axes (the data domain's x1 and x2) around the output plot and the colour legend under it. */
function buildAxes() {
  const svg = document.getElementById("axes");
  svg.replaceChildren();
  const [x0, x1, y0, y1] = data.domain;
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
  };
  const bottom = AXIS.t + PLOT;
  add("line", { x1: AXIS.l, y1: bottom, x2: AXIS.l + PLOT, y2: bottom, class: "axis" });
  add("line", { x1: AXIS.l, y1: AXIS.t, x2: AXIS.l, y2: bottom, class: "axis" });
  for (const t of ticks(x0, x1, 6)) {
    const x = AXIS.l + ((t - x0) / (x1 - x0)) * PLOT;
    add("line", { x1: x, y1: bottom, x2: x, y2: bottom + 4, class: "axis" });
    add("text", { x, y: bottom + 15, "text-anchor": "middle", class: "tick" }, String(t));
  }
  for (const t of ticks(y0, y1, 6)) {
    const y = AXIS.t + ((y1 - t) / (y1 - y0)) * PLOT;
    add("line", { x1: AXIS.l - 4, y1: y, x2: AXIS.l, y2: y, class: "axis" });
    add("text", { x: AXIS.l - 6, y: y + 3, "text-anchor": "end", class: "tick" }, String(t));
  }
  const legend = document.getElementById("legend");
  if (data.classes > 2) {
    legend.replaceChildren(...Array.from({ length: data.classes }, (_, k) => {
      const [r, g, b] = CLASS_COLORS[k];
      const swatch = el("span", { className: "swatch" });
      swatch.style.background = `rgb(${r},${g},${b})`;
      return el("span", { className: "legend-item" }, [swatch, `class ${k}`]);
    }), el("span", { className: "legend-note", text: "paler = less sure" }));
    return;
  }
  const bar = el("canvas", { className: "legend-bar", width: 200, height: 10 });
  const ctx = bar.getContext("2d");
  for (let x = 0; x < bar.width; x++) {
    const [r, g, b] = diverging((2 * x) / (bar.width - 1) - 1);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(x, 0, 1, bar.height);
  }
  const labels = data.regression ? ["−1", "0", "+1"] : ["class 0, sure", "50 : 50", "class 1, sure"];
  legend.replaceChildren(el("div", { className: "legend-scale" }, [
    bar, el("div", { className: "legend-labels" }, labels.map((t) => el("span", { text: t }))),
  ]));
}

function buildOutput() {
  const box = document.getElementById("output");
  const lossCanvas = el("canvas", { id: "loss-chart", width: 320, height: 110 });
  chart = new LineChart(lossCanvas, {
    series: [{ label: "training loss", color: SERIES_COLORS.train, values: history_.train }, { label: "test loss", color: SERIES_COLORS.test, values: history_.test }],
    xs: history_.epoch, yMin: 0, xLabel: "epoch",
  });
  const stat = (label, id) => el("div", { className: "stat" }, [`${label} `, el("b", { id, text: "–" })]);
  const axes = document.createElementNS(SVGNS, "svg");
  axes.id = "axes";
  axes.setAttribute("width", String(AXIS.l + PLOT + 8));
  axes.setAttribute("height", String(AXIS.t + PLOT + AXIS.b));
  const heat = el("canvas", { id: "heat", width: PLOT, height: PLOT });
  heat.style.left = `${AXIS.l}px`;
  heat.style.top = `${AXIS.t}px`;
  const plot = el("div", { className: "plot" }, [axes, heat]);
  plot.style.width = `${AXIS.l + PLOT + 8}px`;
  plot.style.height = `${AXIS.t + PLOT + AXIS.b}px`;
  const viewCheck = (id, label, key) => el("label", { className: "field check" }, [
    el("input", { type: "checkbox", id, checked: state[key], on: { change: (e) => view({ [key]: e.target.checked }) } }),
    el("span", { text: label }),
  ]);
  box.append(
    el("h2", { text: "Output" }),
    el("div", { className: "stats" }, [stat("Test loss", "test-loss"), stat("Training loss", "train-loss"), stat("Test accuracy", "test-acc"), stat("Training accuracy", "train-acc")]),
    lossCanvas,
    el("div", { id: "plot-title", className: "plot-title", text: "Output" }),
    plot,
    el("div", { id: "legend", className: "legend" }),
    // View options: they go into the URL but do not restart training.
    el("div", { className: "row" }, [viewCheck("show-test", "Show test data", "showTest"), viewCheck("discretize", "Discretize output", "discretize")]),
  );
}

buildControls();
buildOutput();
reset();
