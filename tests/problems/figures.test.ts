// SVG structure tests of the figure builders (examples/problems/plot.ts, c4-figures.ts, the MNIST
// curves): what a reader relies on — panel order, per-panel axes, legend entries and colours.
import { describe, expect, it } from "vitest";
import { histogramChart, panelOrder, type TensorRecord } from "../../examples/problems/c4-figures.js";
import { curves, type MnistResult } from "../../examples/problems/mnist.js";
import { barChart, lineChart, renderSvg, SERIES_COLORS, TRACE_SERIES } from "../../examples/problems/plot.js";

/** The texts of each text group of `role` ("title-text", "axis-label", "legend-label"), in document order. */
function groups(svg: string): { role: string; texts: string[] }[] {
  return [...svg.matchAll(/class="mark-text role-([a-z-]+)"[^>]*>([\s\S]*?)<\/g>/g)].map((m) => ({
    role: m[1]!,
    texts: [...m[2]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]!),
  }));
}

/** Facet panels: title with the x-axis labels (the first axis-label group) drawn before it. */
function panels(svg: string): { title: string; x: number[] }[] {
  const out: { title: string; x: number[] }[] = [];
  let axes: string[][] = [];
  for (const g of groups(svg)) {
    if (g.role === "axis-label") axes.push(g.texts);
    if (g.role === "title-text" && g.texts.length === 1 && axes.length > 0) {
      out.push({ title: g.texts[0]!, x: axes[0]!.map((t) => Number(t.replace("−", "-"))) });
      axes = [];
    }
  }
  return out;
}

/** Titles of one line other than the chart's own `title`: the facet headers, in drawing order. */
const headers = (svg: string, title: string): string[] =>
  groups(svg).filter((g) => g.role === "title-text" && g.texts.length === 1 && g.texts[0] !== title).map((g) => g.texts[0]!);

const legend = (svg: string): string[] => groups(svg).filter((g) => g.role === "legend-label").flatMap((g) => g.texts);

/** Synthetic C4 records: layers 0…11 (so text order would put 10 and 11 before 2), weights in ±0.3, outputs in ±40. */
function c4Records(): TensorRecord[] {
  const types = ["Conv2d", "MaxPool2d", "ReLU", "Conv2d", "MaxPool2d", "ReLU", "Flatten", "Linear", "ReLU", "Dropout", "Linear", "LogSoftmax"];
  const records: TensorRecord[] = [];
  for (const step of [100, 9400, 18700]) {
    types.forEach((type, i) => {
      if (type === "Flatten") return;
      const hist = Array.from({ length: 20 }, (_, b) => 1 + ((b * 7 + i + step) % 5));
      if (type === "Conv2d" || type === "Linear") {
        records.push({ step, name: `${i}.weight`, kind: "weight", min: -0.3, max: 0.3, mean: 0, std: 0.1, histogram: hist });
        records.push({ step, name: `${i}.bias`, kind: "bias", min: -0.1, max: 0.1, mean: 0, std: 0.05, histogram: hist });
      }
      records.push({ step, name: `${i} ${type}`, kind: "activation", min: -40, max: 40, mean: 0, std: 10, histogram: hist });
    });
  }
  return records;
}

describe("C4 histogram figure", () => {
  it("orders panels by layer number (10 after 9), weight before output, and names them by layer type", () => {
    const order = panelOrder(c4Records().filter((r) => r.kind !== "bias"));
    expect(order.slice(0, 4)).toEqual(["0 Conv2d weight", "0 Conv2d output", "1 MaxPool2d output", "2 ReLU output"]);
    expect(order.slice(-3)).toEqual(["10 Linear weight", "10 Linear output", "11 LogSoftmax output"]);
  });

  it("draws the panels in layer order, each with its own x range, and lists the iterations in time order", async () => {
    const svg = await renderSvg(histogramChart(c4Records(), 1));
    const p = panels(svg);
    expect(p.map((q) => q.title)).toEqual(panelOrder(c4Records().filter((r) => r.kind !== "bias")));
    for (const q of p) {
      const span = Math.max(...q.x.map(Math.abs));
      // Weights span ±0.3 and outputs ±40: one shared axis (±40) would squash every weight panel into a spike.
      if (q.title.endsWith("weight")) expect(span, q.title).toBeLessThanOrEqual(0.5);
      else expect(span, q.title).toBeGreaterThanOrEqual(20);
    }
    expect(legend(svg)).toEqual(["iteration 100", "iteration 9400", "iteration 18700"]);
  });
});

describe("line and bar charts", () => {
  it("keep the order of first appearance for series and facets, and a single series has no legend", async () => {
    const data = ["b", "a", "c"].flatMap((facet) => [0, 1].map((x) => ({ x, y: x, series: "only", facet })));
    const svg = await renderSvg(lineChart(data, { title: "t", xTitle: "x", yTitle: "y", columns: 3 }));
    expect(headers(svg, "t")).toEqual(["b", "a", "c"]);
    expect(legend(svg)).toEqual([]);
  });

  it("colour train blue and test orange whatever the order of the series", async () => {
    const data = [{ x: 0, y: 1, series: "test" }, { x: 1, y: 2, series: "test" }, { x: 0, y: 2, series: "train" }, { x: 1, y: 3, series: "train" }];
    const svg = await renderSvg(lineChart(data, { title: "t", xTitle: "x", yTitle: "y" }));
    expect(legend(svg)).toEqual(["test", "train"]);
    expect(svg).toContain(`stroke="${SERIES_COLORS["train"]}"`);
    expect(svg).toContain(`stroke="${SERIES_COLORS["test"]}"`);
  });

  it("bar charts write horizontal category labels and a legend only for several series", async () => {
    const one = await renderSvg(barChart([{ category: "layer 1", value: 0.5, series: "s" }, { category: "layer 2", value: 0.2, series: "s" }], { title: "t", xTitle: "x", yTitle: "y" }));
    expect(legend(one)).toEqual([]);
    const labels = [...one.matchAll(/class="mark-text role-axis-label"[^>]*>([\s\S]*?)<\/g>/g)].map((m) => m[1]!);
    expect(labels.join("")).toContain("layer 1");
    expect(labels.join("")).not.toMatch(/rotate\(/);
    const two = await renderSvg(barChart([{ category: "layer 1", value: 0.5, series: "sorted" }, { category: "layer 1", value: 0.2, series: "shuffled" }], { title: "t", xTitle: "x", yTitle: "y" }));
    expect(legend(two)).toEqual(["sorted", "shuffled"]);
  });
});

describe("MNIST curves", () => {
  it("draw a one-epoch run as a per-batch running curve (not two lone dots), train and test in their colours", async () => {
    const trace = { epoch: [0.25, 0.5, 0.75, 1], loss: [1.5, 0.4, 0.2, 0.15], accuracy: [0.6, 0.9, 0.95, 0.96] };
    const result: MnistResult = {
      id: "c1", seed: 1, params: 1, backend: "js", testAccuracy: 0.98, seconds: 1, trace,
      epochs: [{ epoch: 1, train: { loss: 0.14, accuracy: 0.955 }, test: { loss: 0.05, accuracy: 0.984 }, seconds: 1, lr: 1e-3 }],
    };
    const svg = await renderSvg(curves("c1", result));
    expect(panels(svg).map((q) => q.title)).toEqual(["loss", "accuracy"]);
    expect(legend(svg)).toEqual([TRACE_SERIES, "train", "test"]);
    // The trace is a line (a path with 4 vertices) in the trace colour, in both panels.
    const traceLines = [...svg.matchAll(/<path[^>]*d="M[^"A]*L[^"A]*"[^>]*stroke="#6baed6"/g)];
    expect(traceLines).toHaveLength(2);
    expect(svg).toContain(`fill="${SERIES_COLORS["train"]}"`);
    expect(svg).toContain(`fill="${SERIES_COLORS["test"]}"`);
  });
});
