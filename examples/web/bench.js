// The kernel benchmark page: a table of milliseconds per call for each backend, the GFLOP/s where
// a case has a FLOP count, and the speed-up of each WASM build over the plain JS kernels.
import { el, fmt, showError } from "./common.js";

const status = { done: false, rows: 0, backends: [], errors: [] };
window.bench = { status };
const quick = new URLSearchParams(location.search).get("quick") === "1";
const worker = new Worker(new URL("./bench-worker.js", import.meta.url), { type: "module" });
const table = document.getElementById("table");
const note = document.getElementById("status");
let backends = [];

worker.onerror = (e) => { status.errors.push(String(e.message)); showError(`worker: ${e.message}`); };
worker.onmessage = (event) => {
  const m = event.data;
  if (m.type === "backends") {
    backends = m.names;
    status.backends = m.names;
    const speedups = backends.slice(1).map((b) => `${b} ÷ js`);
    table.append(el("thead", {}, [el("tr", {}, ["case", ...backends.map((b) => `${b} (ms)`), ...speedups, "best GFLOP/s"].map((t) => el("th", { text: t })))]));
    table.append(el("tbody", { id: "rows" }));
    note.textContent = "Running…";
  } else if (m.type === "row") {
    status.rows++;
    const js = m.ms[0];
    const best = Math.min(...m.ms);
    const cells = [m.name, ...m.ms.map((v) => fmt(v, 3)), ...m.ms.slice(1).map((v) => `${(js / v).toFixed(1)}×`), m.flops ? fmt(m.flops / best / 1e6, 3) : "–"];
    document.getElementById("rows").append(el("tr", {}, cells.map((t, i) => el(i === 0 ? "th" : "td", { text: t }))));
  } else if (m.type === "done") {
    status.done = true;
    note.textContent = `Done${quick ? " (quick run: short timings, noisier)" : ""}. Median of several timed samples; each sample repeats a call until it takes ≥ ${quick ? 5 : 60} ms.`;
  } else if (m.type === "error") {
    status.errors.push(m.message);
    showError(m.message);
  }
};
document.getElementById("run").addEventListener("click", (e) => {
  e.target.disabled = true;
  worker.postMessage({ type: "run", quick });
});
