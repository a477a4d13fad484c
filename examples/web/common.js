// Small DOM and drawing helpers shared by the demo pages. Text always goes in through
// textContent (never innerHTML): values can come from the URL or from uploaded files.

/**
 * Creates an element. `props` sets properties (className, type, value, …) except `text`
 * (textContent), `attrs` (setAttribute) and `on` (event listeners).
 * @param {string} tag
 * @param {Record<string, unknown>} [props]
 * @param {(Node | string | null | undefined)[]} [children]
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = String(value);
    else if (key === "attrs") for (const [a, v] of Object.entries(value)) node.setAttribute(a, String(v));
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else node[key] = value;
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(typeof c === "string" ? document.createTextNode(c) : c);
  return node;
}

/** A labelled <select>; returns { wrap, select }. */
export function selectField(label, options, value, onChange) {
  const select = el("select", { on: { change: () => onChange(select.value) } },
    options.map(([v, text]) => el("option", { value: v, text })));
  select.value = value;
  return { wrap: el("label", { className: "field" }, [el("span", { text: label }), select]), select };
}

/** A labelled range input showing its value; returns { wrap, input }. */
export function rangeField(label, min, max, step, value, onChange, format = String) {
  const out = el("output", { text: format(value) });
  const input = el("input", {
    type: "range", min, max, step, value,
    on: {
      input: () => { out.textContent = format(Number(input.value)); },
      change: () => onChange(Number(input.value)),
    },
  });
  return { wrap: el("label", { className: "field" }, [el("span", { text: label }), input, out]), input, out };
}

/** Formats a number for display with a fixed count of significant digits. */
export function fmt(x, digits = 3) {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(digits - 1);
  return x.toFixed(Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(x) || 1))));
}

/** Colours of the training and test (or validation) series on every page and figure. */
export const SERIES_COLORS = { train: "#1f77b4", test: "#ff7f0e" };

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k). */
export function ticks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

/**
 * A line chart on a canvas with both axes. Series are { label, color, values, xs?, points? }:
 * y values against their own `xs`, or against the chart's shared `xs` option, or against their
 * index; `points` marks each value with a dot (sparse series such as per-epoch test figures).
 * Redraw after pushing values.
 */
export class LineChart {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas, { series, yMin = null, yMax = null, xLabel = "", xs = null }) {
    this.canvas = canvas;
    this.series = series;
    this.yMin = yMin;
    this.yMax = yMax;
    this.xLabel = xLabel;
    this.xs = xs;
  }
  clear() {
    for (const s of this.series) { s.values.length = 0; if (s.xs) s.xs.length = 0; }
    if (this.xs) this.xs.length = 0;
    this.draw();
  }
  /** The x of value i of series s. */
  xOf(s, i) {
    return s.xs ? s.xs[i] : this.xs ? this.xs[i] : i;
  }
  draw() {
    const c = this.canvas;
    const ctx = c.getContext("2d");
    const w = c.width;
    const h = c.height;
    ctx.clearRect(0, 0, w, h);
    const pad = { l: 36, r: 8, t: 16, b: this.xLabel ? 26 : 16 };
    let lo = Infinity;
    let hi = -Infinity;
    let x0 = Infinity;
    let x1 = -Infinity;
    for (const s of this.series) {
      s.values.forEach((v, i) => {
        if (!Number.isFinite(v)) return;
        lo = Math.min(lo, v); hi = Math.max(hi, v);
        x0 = Math.min(x0, this.xOf(s, i)); x1 = Math.max(x1, this.xOf(s, i));
      });
    }
    if (this.yMin !== null) lo = this.yMin;
    if (this.yMax !== null) hi = this.yMax;
    if (!Number.isFinite(lo)) lo = 0;
    if (!(hi > lo)) hi = lo + 1;
    if (!Number.isFinite(x0)) { x0 = 0; x1 = 1; }
    if (!(x1 > x0)) x1 = x0 + 1;
    const x = (v) => pad.l + ((v - x0) / (x1 - x0)) * (w - pad.l - pad.r);
    const y = (v) => h - pad.b - ((v - lo) / (hi - lo)) * (h - pad.t - pad.b);
    ctx.strokeStyle = "#999";
    ctx.fillStyle = "#555";
    ctx.font = "10px sans-serif";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(pad.l, pad.t);
    ctx.lineTo(pad.l, h - pad.b);
    ctx.lineTo(w - pad.r, h - pad.b);
    ctx.stroke();
    ctx.textAlign = "right";
    ctx.fillText(fmt(hi, 2), pad.l - 3, pad.t + 4);
    ctx.fillText(fmt(lo, 2), pad.l - 3, h - pad.b);
    ctx.textAlign = "center";
    for (const t of ticks(x0, x1, Math.max(2, Math.floor((w - pad.l - pad.r) / 60)))) {
      ctx.beginPath();
      ctx.moveTo(x(t), h - pad.b);
      ctx.lineTo(x(t), h - pad.b + 3);
      ctx.stroke();
      ctx.fillText(String(t), x(t), h - pad.b + 12);
    }
    if (this.xLabel) ctx.fillText(this.xLabel, pad.l + (w - pad.l - pad.r) / 2, h - 2);
    ctx.textAlign = "left";
    let legendX = pad.l + 4;
    for (const s of this.series) {
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.lineWidth = 1.5;
      if (s.points) {
        s.values.forEach((v, i) => { ctx.beginPath(); ctx.arc(x(this.xOf(s, i)), y(v), 3, 0, 2 * Math.PI); ctx.fill(); });
      }
      ctx.beginPath();
      s.values.forEach((v, i) => (i === 0 ? ctx.moveTo(x(this.xOf(s, i)), y(v)) : ctx.lineTo(x(this.xOf(s, i)), y(v))));
      ctx.stroke();
      ctx.fillRect(legendX, 5, 10, 3);
      ctx.fillText(s.label, legendX + 13, 10);
      legendX += ctx.measureText(s.label).width + 25;
    }
  }
}

/**
 * The Playground's diverging palette: −1 → orange, 0 → white, +1 → blue. Returns [r, g, b].
 * @param {number} t in [−1, 1]
 */
export function diverging(t) {
  const v = Math.max(-1, Math.min(1, t));
  const white = [245, 245, 245];
  const pos = [8, 119, 189];
  const neg = [245, 147, 34];
  const end = v >= 0 ? pos : neg;
  const a = Math.abs(v);
  return [0, 1, 2].map((i) => Math.round(white[i] + (end[i] - white[i]) * a));
}

/** Distinct class colours (class 0 orange and 1 blue, as the Playground). */
export const CLASS_COLORS = [[245, 147, 34], [8, 119, 189], [60, 170, 80], [200, 60, 160], [120, 90, 200], [200, 60, 60]];

/** Shows an error on the page (textContent) and in the console. */
export function showError(message) {
  console.error(message);
  let box = document.getElementById("error");
  if (!box) {
    box = el("div", { id: "error", className: "error" });
    document.body.prepend(box);
  }
  box.textContent = String(message);
}
