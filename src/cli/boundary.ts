/**
 * The decision-boundary chart of a run on 2-D inputs (`simdnet train moons`): the predicted class
 * over a grid covering the data, with the test points on top, as SVG text.
 *
 * @module
 */

import type { Module } from "../nn/module.js";
import { predictClasses } from "../train/fit.js";
import type { Split } from "./data.js";
import { renderSvg } from "./plots.js";

/** Grid points per side of the boundary chart. */
const GRID = 80;
/** Class colours (the Playground's: class 0 orange, class 1 blue, then distinct hues). */
const CLASS_COLORS = ["#f59322", "#0877bd", "#3caa50", "#c83ca0", "#785ac8", "#c83c3c"];

/** Whether a run's samples are points in the plane (one 2-value feature vector each). */
export function isPlanar(inputShape: readonly number[]): boolean {
  return inputShape.length === 1 && inputShape[0] === 2;
}

/**
 * Renders the model's decision regions over the bounding box of `train` and `test` (plus 10 % on
 * each side), with the test points coloured by their true class.
 */
export async function renderBoundaryChart(model: Module, train: Split, test: Split, title: string): Promise<string> {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const s of [train, test]) {
    const d = s.x.data;
    for (let i = 0; i < s.n; i++) {
      x0 = Math.min(x0, d[2 * i]!); x1 = Math.max(x1, d[2 * i]!);
      y0 = Math.min(y0, d[2 * i + 1]!); y1 = Math.max(y1, d[2 * i + 1]!);
    }
  }
  const padX = 0.1 * (x1 - x0 || 1);
  const padY = 0.1 * (y1 - y0 || 1);
  [x0, x1, y0, y1] = [x0 - padX, x1 + padX, y0 - padY, y1 + padY];
  const dx = (x1 - x0) / GRID;
  const dy = (y1 - y0) / GRID;
  const grid = new Float32Array(GRID * GRID * 2);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      grid[2 * (r * GRID + c)] = x0 + (c + 0.5) * dx;
      grid[2 * (r * GRID + c) + 1] = y0 + (r + 0.5) * dy;
    }
  }
  const classes = predictClasses(model, { data: grid, shape: [GRID * GRID, 2] }, { batchSize: 256 });
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  // Runs of one class along a grid row become one rectangle: far fewer SVG elements.
  const cells: { x: number; x2: number; y: number; y2: number; c: string }[] = [];
  for (let r = 0; r < GRID; r++) {
    let c = 0;
    while (c < GRID) {
      const k = classes[r * GRID + c]!;
      let e = c;
      while (e + 1 < GRID && classes[r * GRID + e + 1] === k) e++;
      cells.push({ x: round(x0 + c * dx), x2: round(x0 + (e + 1) * dx), y: round(y0 + r * dy), y2: round(y0 + (r + 1) * dy), c: `class ${k}` });
      c = e + 1;
    }
  }
  const points = Array.from({ length: test.n }, (_, i) => ({ px: round(test.x.data[2 * i]!), py: round(test.x.data[2 * i + 1]!), c: `class ${test.y[i]}` }));
  const k = Math.max(1, ...classes, ...test.y) + 1;
  const names = Array.from({ length: k }, (_, i) => `class ${i}`);
  const color = { field: "c", type: "nominal", title: null, scale: { domain: names, range: names.map((_, i) => CLASS_COLORS[i % CLASS_COLORS.length]) } };
  const xs = { domain: [round(x0), round(x1)], nice: false, zero: false };
  const ys = { domain: [round(y0), round(y1)], nice: false, zero: false };
  return renderSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: title, subtitle: "regions: predicted class; points: test samples, coloured by their true class" },
    width: 320,
    height: 320,
    layer: [
      {
        data: { values: cells },
        mark: { type: "rect", opacity: 0.35, strokeWidth: 0 },
        encoding: {
          x: { field: "x", type: "quantitative", scale: xs, title: "x1" }, x2: { field: "x2" },
          y: { field: "y", type: "quantitative", scale: ys, title: "x2" }, y2: { field: "y2" },
          color,
        },
      },
      {
        data: { values: points },
        mark: { type: "circle", size: 22, opacity: 0.9, stroke: "white", strokeWidth: 0.5 },
        encoding: { x: { field: "px", type: "quantitative", scale: xs }, y: { field: "py", type: "quantitative", scale: ys }, color },
      },
    ],
    config: { background: "white", aria: false },
  });
}
