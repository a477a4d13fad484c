/**
 * C4's statistics figures, from the per-tensor records the training run writes
 * (docs/figures/c4-stats.json): panels in layer order, named by layer and tensor.
 *
 * @module
 */

import type { TopLevelSpec } from "vega-lite";
import { lineChart, type LinePoint } from "./plot.js";

/** Statistics of one tensor at one iteration. */
export interface TensorRecord {
  step: number;
  /** "3.weight" / "3.bias" for parameters, "3 Conv2d" for a layer's output. */
  name: string;
  kind: "weight" | "bias" | "activation";
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Counts in equal bins from min to max. */
  histogram: number[];
}

const KIND_ORDER = { weight: 0, bias: 1, activation: 2 } as const;
const typeCache = new WeakMap<readonly TensorRecord[], Map<number, string>>();

/** Layer index of a record ("10.weight" → 10, "3 Conv2d" → 3). */
export function layerIndex(r: TensorRecord): number {
  return Number(/^\d+/.exec(r.name)?.[0] ?? NaN);
}

/** Layer index → layer type, from the output records' names ("3 Conv2d"). */
function layerTypes(records: readonly TensorRecord[]): Map<number, string> {
  let types = typeCache.get(records);
  if (types === undefined) {
    types = new Map();
    for (const r of records) if (r.kind === "activation") types.set(layerIndex(r), r.name.replace(/^\d+\s*/, ""));
    typeCache.set(records, types);
  }
  return types;
}

/** The panel title of a record: "3 Conv2d weight", "3 Conv2d bias" or "3 Conv2d output". */
export function panelTitle(r: TensorRecord, records: readonly TensorRecord[]): string {
  const i = layerIndex(r);
  const type = layerTypes(records).get(i) ?? "";
  return `${i} ${type} ${r.kind === "activation" ? "output" : r.kind}`.replace(/\s+/g, " ");
}

/** Distinct panel titles in layer order (numeric, so 10 comes after 9), weight before bias before output. */
export function panelOrder(records: readonly TensorRecord[]): string[] {
  const seen = new Map<string, [number, number]>();
  for (const r of records) {
    const t = panelTitle(r, records);
    if (!seen.has(t)) seen.set(t, [layerIndex(r), KIND_ORDER[r.kind]]);
  }
  return [...seen.entries()].sort(([, a], [, b]) => a[0] - b[0] || a[1] - b[1]).map(([t]) => t);
}

/** Colours of the three iterations shown (first, middle, last), distinct from the train/test pair. */
const ITERATION_COLORS = ["#66c2a5", "#8da0cb", "#e7298a"];

/**
 * Histograms of every weight and every layer output at the first, a middle and the last recorded
 * iteration: one panel per tensor with its own x range (a layer's weights span ±0.3 where its
 * outputs span ±40), a square-root y scale (ReLU's spike at 0 keeps the tails visible), the
 * iterations in time order.
 */
export function histogramChart(records: readonly TensorRecord[], seed: number): TopLevelSpec {
  const steps = [...new Set(records.map((r) => r.step))].sort((a, b) => a - b);
  const shown = [steps[0]!, steps[Math.floor(steps.length / 2)]!, steps[steps.length - 1]!];
  const kept = records.filter((r) => shown.includes(r.step) && r.kind !== "bias");
  const data: LinePoint[] = [];
  for (const r of kept) {
    const total = r.histogram.reduce((a, b) => a + b, 0);
    const w = (r.max - r.min) / r.histogram.length;
    const facet = panelTitle(r, records);
    r.histogram.forEach((c, i) => data.push({ x: r.min + (i + 0.5) * w, y: c / total, series: `iteration ${r.step}`, facet }));
  }
  return lineChart(data, {
    title: [`C4: histograms of weights and layer outputs (seed ${seed})`, "20 bins between the tensor's min and max; y: fraction of the values, square-root scale"],
    xTitle: "value", yTitle: "", columns: 4, independentX: true, independentY: true, sqrtY: true,
    width: 200, height: 120, points: true,
    facetOrder: panelOrder(kept), seriesOrder: shown.map((s) => `iteration ${s}`), seriesColors: ITERATION_COLORS,
  });
}
