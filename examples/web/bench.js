// The kernel benchmark page: a table of milliseconds per call for each backend, the GFLOP/s where
// a case has a FLOP count, and the speed-up of each WASM build over the plain JS kernels, also
// drawn as a bar chart.
import { el, fmt, showError, ticks } from "./common.js";

const status = { done: false, rows: 0, backends: [], bars: 0, seconds: NaN, errors: [] };
window.bench = { status };
const quick = new URLSearchParams(location.search).get("quick") === "1";
const worker = new Worker(new URL("./bench-worker.js", import.meta.url), { type: "module" });
const table = document.getElementById("table");
const note = document.getElementById("status");
const runButton = document.getElementById("run");
const SVGNS = "http://www.w3.org/2000/svg";
/** Bar colours of the WASM builds (the js baseline is the 1× line). */
const BUILD_COLORS = ["#1f77b4", "#2ca02c", "#9467bd"];
let backends = [];
/** Rows of the chart: { name, speedups: number[] (one per WASM build) }. */
let chartRows = [];
let t0 = 0;

worker.onerror = (e) => { status.errors.push(String(e.message)); showError(`worker: ${e.message}`); finish(); };
worker.onmessage = (event) => {
  const m = event.data;
  if (m.type === "backends") {
    backends = m.names;
    status.backends = m.names;
    const speedups = backends.slice(1).map((b) => `${b} ÷ js`);
    table.replaceChildren(
      el("thead", {}, [el("tr", {}, ["case", ...backends.map((b) => `${b} (ms)`), ...speedups, "best GFLOP/s"].map((t) => el("th", { text: t })))]),
      el("tbody", { id: "rows" }),
    );
    note.textContent = "Running…";
  } else if (m.type === "row") {
    status.rows++;
    const js = m.ms[0];
    const best = Math.min(...m.ms);
    const cells = [m.name, ...m.ms.map((v) => fmt(v, 3)), ...m.ms.slice(1).map((v) => `${(js / v).toFixed(1)}×`), m.flops ? fmt(m.flops / best / 1e6, 3) : "–"];
    document.getElementById("rows").append(el("tr", {}, cells.map((t, i) => el(i === 0 ? "th" : "td", { text: t }))));
    chartRows.push({ name: m.name, speedups: m.ms.slice(1).map((v) => js / v) });
    drawChart();
  } else if (m.type === "done") {
    status.done = true;
    status.seconds = (performance.now() - t0) / 1000;
    note.textContent = `Done in ${status.seconds.toFixed(0)} s${quick ? " (quick run: short timings, noisier)" : ""}. Median of several timed samples; each sample repeats a call until it takes ≥ ${quick ? 5 : 60} ms.`;
    finish();
  } else if (m.type === "error") {
    status.errors.push(m.message);
    showError(m.message);
    finish();
  }
};

function finish() {
  runButton.disabled = false;
  runButton.textContent = "Run again";
}

/** Horizontal bars: per case, one bar per WASM build, length = its speed-up over js. */
function drawChart() {
  const svg = document.getElementById("chart");
  svg.replaceChildren();
  const builds = backends.slice(1);
  const labelW = 350;
  const plotW = 420;
  const bar = 13;
  const gap = 10;
  const top = 28;
  const rowH = builds.length * bar + gap;
  const height = top + chartRows.length * rowH + 36;
  svg.setAttribute("width", String(labelW + plotW + 60));
  svg.setAttribute("height", String(height));
  const max = Math.max(1, ...chartRows.flatMap((r) => r.speedups));
  const axis = ticks(0, max, 6);
  const hi = Math.max(max, axis.at(-1));
  const x = (v) => labelW + (v / hi) * plotW;
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  const bottom = top + chartRows.length * rowH;
  for (const t of axis) {
    add("line", { x1: x(t), y1: top - 4, x2: x(t), y2: bottom, stroke: t === 1 ? "#888" : "#e4e4e4" });
    add("text", { x: x(t), y: bottom + 14, "text-anchor": "middle", class: "tick" }, `${t}×`);
  }
  add("text", { x: labelW + plotW / 2, y: bottom + 26, "text-anchor": "middle", class: "tick" }, "speed-up over the js backend (time js ÷ time WASM)");
  builds.forEach((b, k) => {
    add("rect", { x: labelW + k * 170, y: 4, width: 12, height: 12, fill: BUILD_COLORS[k % BUILD_COLORS.length], class: "legend" });
    add("text", { x: labelW + k * 170 + 16, y: 14, class: "tick" }, b);
  });
  chartRows.forEach((r, i) => {
    const y0 = top + i * rowH;
    add("text", { x: labelW - 8, y: y0 + (builds.length * bar) / 2 + 4, "text-anchor": "end", class: "label" }, r.name);
    r.speedups.forEach((v, k) => {
      const y = y0 + k * bar;
      add("rect", { x: labelW, y, width: Math.max(1, x(v) - labelW), height: bar - 2, fill: BUILD_COLORS[k % BUILD_COLORS.length], class: "bar" }).append(
        Object.assign(document.createElementNS(SVGNS, "title"), { textContent: `${r.name}, ${builds[k]}: ${v.toFixed(1)}× js` }));
      add("text", { x: x(v) + 4, y: y + bar - 3, class: "tick" }, `${v.toFixed(1)}×`);
    });
  });
  status.bars = svg.querySelectorAll("rect.bar").length;
}

runButton.addEventListener("click", () => {
  runButton.disabled = true;
  status.done = false;
  status.rows = 0;
  chartRows = [];
  t0 = performance.now();
  worker.postMessage({ type: "run", quick });
});
