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

/**
 * A line chart on a canvas: series are { label, color, values: number[] } drawn against their
 * index. Redraw after pushing values.
 */
export class LineChart {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas, { series, yMin = null, yMax = null, xLabel = "" }) {
    this.canvas = canvas;
    this.series = series;
    this.yMin = yMin;
    this.yMax = yMax;
    this.xLabel = xLabel;
  }
  clear() {
    for (const s of this.series) s.values.length = 0;
    this.draw();
  }
  draw() {
    const c = this.canvas;
    const ctx = c.getContext("2d");
    const w = c.width;
    const h = c.height;
    ctx.clearRect(0, 0, w, h);
    const pad = { l: 36, r: 6, t: 6, b: 16 };
    let lo = Infinity;
    let hi = -Infinity;
    let n = 0;
    for (const s of this.series) {
      n = Math.max(n, s.values.length);
      for (const v of s.values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    if (this.yMin !== null) lo = this.yMin;
    if (this.yMax !== null) hi = this.yMax;
    if (!(hi > lo)) { hi = lo + 1; }
    ctx.strokeStyle = "#ccc";
    ctx.fillStyle = "#666";
    ctx.font = "10px sans-serif";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(pad.l, pad.t);
    ctx.lineTo(pad.l, h - pad.b);
    ctx.lineTo(w - pad.r, h - pad.b);
    ctx.stroke();
    ctx.fillText(fmt(hi, 2), 2, pad.t + 8);
    ctx.fillText(fmt(lo, 2), 2, h - pad.b);
    if (this.xLabel) ctx.fillText(`${this.xLabel} ${n}`, w - pad.r - 60, h - 3);
    const x = (i) => pad.l + (n <= 1 ? 0 : (i / (n - 1)) * (w - pad.l - pad.r));
    const y = (v) => h - pad.b - ((v - lo) / (hi - lo)) * (h - pad.t - pad.b);
    let legendX = pad.l + 4;
    for (const s of this.series) {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      s.values.forEach((v, i) => (i === 0 ? ctx.moveTo(x(i), y(v)) : ctx.lineTo(x(i), y(v))));
      ctx.stroke();
      ctx.fillStyle = s.color;
      ctx.fillText(s.label, legendX, pad.t + 10);
      legendX += ctx.measureText(s.label).width + 12;
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
