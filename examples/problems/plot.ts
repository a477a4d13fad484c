/**
 * Figures of the reference problems: vega-lite specs compiled to vega and rendered to SVG
 * headlessly (renderer "none", no canvas or native addon), written under docs/figures/.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { Grid } from "./lib.js";

/**
 * docs/figures of the repository. run.mjs executes a bundle from node_modules/.cache, so it
 * passes the repository root in SIMDNET_REPO; unbundled (tests) the source location gives it.
 */
export const FIGURES = join(
  process.env["SIMDNET_REPO"] ?? join(dirname(fileURLToPath(import.meta.url)), "..", ".."),
  "docs", "figures",
);

/**
 * Renders a vega-lite spec to SVG text. ARIA labels (one per mark: most of the bytes of a heat
 * map) are left out and coordinates rounded to 2 decimals (a hundredth of a pixel), so the
 * committed figures stay small. Only attribute values are rounded: tick labels such as 0.001 stay.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const full = { ...spec, config: { aria: false, ...spec.config } } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(full).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg.replace(/="([^"]*)"/g, (_, v: string) => `="${v.replace(/(\d\.\d\d)\d+/g, "$1")}"`);
}

/** Renders `spec` into docs/figures/<name>.svg and returns the path relative to the cwd. */
export async function writeFigure(name: string, spec: TopLevelSpec): Promise<string> {
  const file = join(FIGURES, `${name}.svg`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, await renderSvg(spec));
  return relative(process.cwd(), file);
}

/** Writes a JSON record next to the figures (docs/figures/<name>.json), indented unless `pretty` is false. */
export function writeJson(name: string, value: unknown, pretty = true): string {
  const file = join(FIGURES, `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, (pretty ? JSON.stringify(value, null, 1) : JSON.stringify(value)) + "\n");
  return relative(process.cwd(), file);
}

/** Name of the per-batch running training loss series. */
export const TRACE_SERIES = "train (running mean of 100 batches)";

/**
 * Colours of the series every figure shares (the CLI's run charts use the same): training values
 * blue, test values orange, a per-batch running training mean a lighter blue.
 */
export const SERIES_COLORS: Readonly<Record<string, string>> = {
  train: "#1f77b4",
  test: "#ff7f0e",
  [TRACE_SERIES]: "#6baed6",
};

/** Other series take these colours in order of first appearance (Tableau 10 without blue and orange). */
const OTHER_COLORS = ["#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** A colour scale for the series names in `names` (in that order): shared names keep their colours. */
export function seriesScale(names: readonly string[]): { domain: string[]; range: string[] } {
  let k = 0;
  return { domain: [...names], range: names.map((n) => SERIES_COLORS[n] ?? OTHER_COLORS[k++ % OTHER_COLORS.length]!) };
}

/** The distinct values of `values` in order of first appearance. */
function firstSeen(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** A row of a line chart: x, y and the series it belongs to. */
export interface LinePoint {
  x: number;
  y: number;
  series: string;
  /** Optional facet (one small chart per value). */
  facet?: string;
}

/** Options of {@link lineChart}. */
export interface LineOptions {
  /** One line, or several (a subtitle). */
  title: string | string[];
  xTitle: string;
  yTitle: string;
  /** Log scale on y (losses). */
  logY?: boolean;
  /** Square-root scale on y (histograms: a spike at 0 no longer flattens the tails). */
  sqrtY?: boolean;
  /** Explicit colours, one per series of `seriesOrder` (default: the shared series colours). */
  seriesColors?: string[];
  /** Draw points on the line (few x values, e.g. a sweep). */
  points?: boolean;
  width?: number;
  height?: number;
  /** Columns of the facet grid when points carry `facet`. */
  columns?: number;
  /** Independent y scales per facet. */
  independentY?: boolean;
  /** Independent x scales per facet (each panel spans its own data). */
  independentX?: boolean;
  /** Facet order (default: order of first appearance in `data`). */
  facetOrder?: string[];
  /** Series order in the legend and colour scale (default: order of first appearance). */
  seriesOrder?: string[];
  /** Series drawn as a thin line without points even when `points` is on (a dense per-batch trace). */
  lineOnly?: string[];
  /** Interpolation of the line ("linear" default; "step" for histograms). */
  interpolate?: "linear" | "step" | "monotone";
}

/**
 * A multi-series line chart (optionally faceted). Series and facets keep the order in which they
 * first appear in `data` (not text order); a single series gets no legend.
 */
export function lineChart(data: LinePoint[], o: LineOptions): TopLevelSpec {
  const names = o.seriesOrder ?? firstSeen(data.map((d) => d.series));
  const lineOnly = o.lineOnly ?? [];
  const mark = { type: "line" as const, point: o.points ?? false, strokeWidth: 1.5, interpolate: o.interpolate ?? "linear" };
  const marks = lineOnly.length === 0 ? { mark } : {
    layer: [
      { transform: [{ filter: { field: "series", oneOf: lineOnly } }], mark: { ...mark, point: false, strokeWidth: 1 } },
      { transform: [{ filter: { not: { field: "series", oneOf: lineOnly } } }], mark },
    ],
  };
  const unit = {
    width: o.width ?? 360,
    height: o.height ?? 220,
    ...marks,
    encoding: {
      x: { field: "x", type: "quantitative" as const, title: o.xTitle, ...(o.independentX === true ? { scale: { zero: false, nice: false } } : {}) },
      y: {
        field: "y", type: "quantitative" as const, title: o.yTitle,
        scale: o.logY === true ? { type: "log" as const } : o.sqrtY === true ? { type: "sqrt" as const } : { zero: false },
        // "~g" keeps the digits that tell ticks apart (0.955, 0.96, …, not 0.95, 0.96, 0.96).
        axis: { format: "~g" },
      },
      color: {
        field: "series", type: "nominal" as const, title: null, sort: names,
        scale: o.seriesColors !== undefined ? { domain: names, range: o.seriesColors } : seriesScale(names),
        ...(names.length < 2 ? { legend: null } : { legend: { labelLimit: 300 } }),
      },
    },
  };
  const hasFacet = data.some((d) => d.facet !== undefined);
  if (!hasFacet) {
    return { $schema: "https://vega.github.io/schema/vega-lite/v5.json", title: o.title, data: { values: data }, ...unit };
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: o.title,
    data: { values: data },
    facet: { field: "facet", type: "nominal", title: null, sort: o.facetOrder ?? firstSeen(data.map((d) => d.facet ?? "")) },
    columns: o.columns ?? 3,
    spec: unit,
    resolve: {
      scale: {
        ...(o.independentY === true ? { y: "independent" as const } : {}),
        ...(o.independentX === true ? { x: "independent" as const } : {}),
      },
      // Independent x scales need their own axes; the others keep one shared axis per column.
      ...(o.independentX === true ? { axis: { x: "independent" as const } } : {}),
    },
  };
}

/** Class colours of the decision-boundary charts: the Playground's (class 0 orange, class 1 blue, …). */
const CLASS_COLORS = ["#f59322", "#0877bd", "#3caa50", "#c83ca0", "#785ac8", "#c83c3c"];

/** One decision-boundary panel: grid classes, training points, a title. */
export interface BoundaryPanel {
  title: string;
  grid: Grid;
  /** Predicted class per grid point (grid.size² values). */
  gridClass: ArrayLike<number>;
  /** Points [n, 2] and their labels. */
  x: Float32Array;
  y: Int32Array;
}

/**
 * Decision boundaries as heat maps (one rectangle per grid cell, coloured by predicted class)
 * with the data points on top, several panels side by side.
 */
export function boundaryChart(panels: BoundaryPanel[], title: string, columns = 3, size = 220): TopLevelSpec {
  const cells: { panel: string; cx: number; cy: number; cx2: number; cy2: number; c: string }[] = [];
  const pts: { panel: string; px: number; py: number; c: string }[] = [];
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  for (const p of panels) {
    const { size: s, x0, x1, y0, y1 } = p.grid;
    const dx = (x1 - x0) / (s - 1);
    const dy = (y1 - y0) / (s - 1);
    for (let r = 0; r < s; r++) {
      // Runs of equal class along a row become one rectangle: far fewer SVG elements.
      let c = 0;
      while (c < s) {
        const k = p.gridClass[r * s + c]!;
        let e = c;
        while (e + 1 < s && p.gridClass[r * s + e + 1] === k) e++;
        cells.push({
          panel: p.title, c: String(k),
          cx: round(x0 + (c - 0.5) * dx), cx2: round(x0 + (e + 0.5) * dx),
          cy: round(y0 + (r - 0.5) * dy), cy2: round(y0 + (r + 0.5) * dy),
        });
        c = e + 1;
      }
    }
    for (let i = 0; i < p.y.length; i++) pts.push({ panel: p.title, px: round(p.x[2 * i]!), py: round(p.x[2 * i + 1]!), c: String(p.y[i]) });
  }
  const g = panels[0]!.grid;
  // The legend lists the classes that occur, in the Playground's colours.
  let classes = 2;
  for (const d of [...cells, ...pts]) classes = Math.max(classes, Number(d.c) + 1);
  const CLASS_SCALE = {
    domain: Array.from({ length: classes }, (_, k) => String(k)),
    range: Array.from({ length: classes }, (_, k) => CLASS_COLORS[k % CLASS_COLORS.length]!),
  };
  const xs = { domain: [g.x0, g.x1], nice: false, zero: false };
  const ys = { domain: [g.y0, g.y1], nice: false, zero: false };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    columns,
    facet: { field: "panel", type: "nominal", title: null, sort: panels.map((p) => p.title) },
    data: { values: [...cells.map((d) => ({ ...d, kind: "cell" })), ...pts.map((d) => ({ ...d, kind: "point" }))] },
    spec: {
      width: size,
      height: size,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'cell'" }],
          mark: { type: "rect", opacity: 0.35, strokeWidth: 0 },
          encoding: {
            x: { field: "cx", type: "quantitative", scale: xs, title: "x1" },
            x2: { field: "cx2" },
            y: { field: "cy", type: "quantitative", scale: ys, title: "x2" },
            y2: { field: "cy2" },
            color: { field: "c", type: "nominal", title: "class", scale: CLASS_SCALE },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'point'" }],
          mark: { type: "circle", size: 12, opacity: 0.9, stroke: "black", strokeWidth: 0.3 },
          encoding: {
            x: { field: "px", type: "quantitative", scale: xs },
            y: { field: "py", type: "quantitative", scale: ys },
            color: { field: "c", type: "nominal", scale: CLASS_SCALE },
          },
        },
      ],
    },
  };
}

/** A bar chart of value per category, optionally grouped by series (dead-unit fractions, sweeps). */
export function barChart(
  data: { category: string; value: number; series?: string }[],
  o: { title: string | string[]; xTitle: string; yTitle: string; width?: number; height?: number },
): TopLevelSpec {
  const names = firstSeen(data.map((d) => d.series ?? ""));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: o.title,
    data: { values: data },
    width: o.width ?? 300,
    height: o.height ?? 200,
    mark: "bar",
    encoding: {
      // Horizontal category labels: short names need no rotation (which left a tall empty band).
      x: { field: "category", type: "nominal", title: o.xTitle, sort: null, axis: { labelAngle: 0 } },
      xOffset: { field: "series", type: "nominal", sort: names },
      y: { field: "value", type: "quantitative", title: o.yTitle },
      color: {
        field: "series", type: "nominal", title: null, scale: seriesScale(names), sort: names,
        legend: names.length < 2 ? null : { orient: "top", direction: "horizontal" },
      },
    },
  };
}
