/**
 * Loss and accuracy charts of a training run, as SVG text: a Vega-Lite spec compiled to Vega and
 * rendered headlessly (`view.toSVG()`, renderer "none": no canvas, no native addon). vega and
 * vega-lite are imported on first use, so `simdnet info` and `--help` stay fast.
 *
 * @module
 */

import { SimdnetError } from "../errors.js";
import type { History } from "../train/types.js";

/** Per-step training loss (running mean over `every` steps), x in fractional epochs. */
export interface StepTrace {
  epoch: number[];
  loss: number[];
  accuracy: number[];
}

/** Name of the per-step series. */
const TRACE = "train (mean of recent steps)";

/** One point of a chart: x (epoch), y, and the series it belongs to. */
interface Point {
  epoch: number;
  value: number;
  series: string;
}

function finite(points: Point[]): Point[] {
  return points.filter((p) => Number.isFinite(p.value));
}

/** The points of one metric: per-step trace (thin line), per-epoch train and validation values. */
function series(history: History, trace: StepTrace | null, metric: "loss" | "accuracy", valName: string): Point[] {
  const points: Point[] = [];
  if (trace !== null) {
    const ys = metric === "loss" ? trace.loss : trace.accuracy;
    for (let i = 0; i < trace.epoch.length; i++) points.push({ epoch: trace.epoch[i]!, value: ys[i]!, series: TRACE });
  }
  for (const e of history.epochs) {
    points.push({ epoch: e.epoch, value: metric === "loss" ? e.loss : e.accuracy, series: "train" });
    points.push({ epoch: e.epoch, value: metric === "loss" ? e.valLoss : e.valAccuracy, series: valName });
  }
  return finite(points);
}

/**
 * A Vega-Lite chart of `points`: the per-step trace as a thin line under the per-epoch series,
 * which are marked with points (so a one-epoch run still shows its epoch values).
 */
function chartSpec(title: string, yTitle: string, points: Point[], names: string[]): Record<string, unknown> {
  const color = {
    field: "series", type: "nominal", title: null, legend: { orient: "bottom", labelLimit: 300 },
    scale: { domain: names, range: ["#6baed6", "#1f77b4", "#ff7f0e"] },
  };
  const x = { field: "epoch", type: "quantitative", title: "epoch", scale: { domainMin: 0 } };
  const y = { field: "value", type: "quantitative", title: yTitle, scale: { zero: false } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 480,
    height: 280,
    data: { values: points },
    layer: [
      {
        transform: [{ filter: { field: "series", equal: names[0] } }],
        mark: { type: "line", strokeWidth: 1, interpolate: "monotone" },
        encoding: { x, y, color },
      },
      {
        transform: [{ filter: { field: "series", oneOf: names.slice(1) } }],
        mark: { type: "line", point: { size: 40, filled: true }, strokeWidth: 2 },
        encoding: { x, y, color },
      },
    ],
    config: { background: "white" },
  };
}

/**
 * vega and vega-lite are optional peer dependencies (about 25 MB that a library user need not
 * install): a missing one is named with the command that installs it.
 */
async function importVega(): Promise<[typeof import("vega"), typeof import("vega-lite")]> {
  try {
    return await Promise.all([import("vega"), import("vega-lite")]);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw e;
    throw new SimdnetError(
      `charts: expected the optional packages "vega" and "vega-lite" to be installed (npm install vega vega-lite), got ${(e as Error).message.split("\n")[0]}`,
    );
  }
}

/** Renders a Vega-Lite spec to SVG text in Node or a browser (no DOM needed). */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const [vega, vl] = await importVega();
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** One recorded statistic (a subset of src/train's TensorStats). */
export interface StatPoint {
  step: number;
  name: string;
  kind: string;
  mean: number;
  std: number;
  min: number;
  max: number;
}

/**
 * Per-layer statistics over the run (problem C4): one panel per kind (weight, bias, activation),
 * the standard deviation of each tensor against the step, with its mean as a dashed line.
 */
export async function renderStatsChart(stats: readonly StatPoint[], title: string): Promise<string> {
  const values = stats.flatMap((s) => [
    { step: s.step, name: s.name, kind: s.kind, figure: "std", value: s.std },
    { step: s.step, name: s.name, kind: s.kind, figure: "mean", value: s.mean },
  ]).filter((p) => Number.isFinite(p.value));
  return renderSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values },
    facet: { column: { field: "kind", type: "nominal", title: null, sort: ["weight", "bias", "activation"] } },
    spec: {
      width: 260,
      height: 200,
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step" },
        y: { field: "value", type: "quantitative", title: "std (solid), mean (dashed)" },
        color: { field: "name", type: "nominal", title: "tensor", legend: { labelLimit: 300 } },
        strokeDash: { field: "figure", type: "nominal", scale: { domain: ["std", "mean"], range: [[1, 0], [4, 3]] }, legend: null },
        detail: { field: "figure" },
      },
    },
    resolve: { scale: { y: "independent" } },
    config: { background: "white" },
  });
}

/**
 * The loss and accuracy charts of a run: `{ "loss.svg": …, "accuracy.svg": … }` (accuracy only
 * when the run has class labels). `valName` labels the validation series ("test" when the test
 * split was used for validation).
 */
export async function renderCharts(history: History, options: { title: string; trace?: StepTrace | null; valName?: string }): Promise<Record<string, string>> {
  const trace = options.trace ?? null;
  const valName = options.valName ?? "validation";
  const names = [TRACE, "train", valName];
  const out: Record<string, string> = {};
  out["loss.svg"] = await renderSvg(chartSpec(`${options.title}: loss`, "loss", series(history, trace, "loss", valName), names));
  const acc = series(history, trace, "accuracy", valName);
  if (acc.length > 0) out["accuracy.svg"] = await renderSvg(chartSpec(`${options.title}: accuracy`, "accuracy", acc, names));
  return out;
}
