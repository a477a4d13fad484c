/**
 * C4: LeNet-style net (Conv 5×5 1→10, MaxPool2, ReLU, Conv 5×5 10→20, MaxPool2, ReLU,
 * Linear(320,50), ReLU, Dropout(0.5), Linear(50,10), log-softmax) with NLL loss and Adam, 10
 * epochs, batch 32. Every 100 iterations it records, per layer, the min, max, mean, standard
 * deviation and a 20-bin histogram of the weights, the biases and the layer's output on the
 * current batch; it plots loss/accuracy curves and the statistics over the iterations.
 *
 * Run: npm run example -- c4 [--seed 1] [--epochs 10] [--limit 60000]
 */
import { NLLLoss } from "../../src/nn/loss.js";
import type { Sequential } from "../../src/nn/sequential.js";
import { stats, type Trainer } from "./lib.js";
import { runMnist } from "./mnist.js";
import { lenet } from "./nets.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FIGURES, lineChart, writeFigure, writeJson, type LinePoint } from "./plot.js";
import { histogramChart, panelOrder, panelTitle, type TensorRecord } from "./c4-figures.js";

type Record = TensorRecord;

function histogram(v: Float32Array, min: number, max: number, bins = 20): number[] {
  const h = new Array<number>(bins).fill(0);
  const w = (max - min) / bins || 1;
  for (let i = 0; i < v.length; i++) h[Math.min(bins - 1, Math.floor((v[i]! - min) / w))]!++;
  return h;
}

const records: Record[] = [];
function record(step: number, name: string, kind: Record["kind"], v: Float32Array): void {
  const s = stats(v);
  // 4 significant digits keep the JSON record small (≈ 190 iterations × 20 tensors).
  const r4 = (x: number): number => Number(x.toPrecision(4));
  records.push({ step, name, kind, min: r4(s.min), max: r4(s.max), mean: r4(s.mean), std: r4(s.std), histogram: histogram(v, s.min, s.max) });
}

const every = 100;
const fromJson = process.argv.includes("--from-json");
const result = await runMnist({
  id: "c4",
  title: "LeNet: Conv(1→10,5) MaxPool2 ReLU Conv(10→20,5) MaxPool2 ReLU Linear(320,50) ReLU Dropout(0.5) Linear(50,10) LogSoftmax; NLL; Adam 1e-3; batch 32",
  sampleShape: [1, 28, 28],
  epochs: 10,
  build: lenet,
  loss: () => new NLLLoss(),
  onStep: (trainer: Trainer) => (step) => {
    if (step % every !== 0) return;
    const net = trainer.model as Sequential;
    net.layers.forEach((layer, i) => {
      for (const [pname, p] of layer.namedParameters()) record(step, `${i}.${pname}`, pname === "bias" ? "bias" : "weight", p.data.f32);
      // The output of the training forward of this step (owned by the layer, read right away).
      // Flatten's output is its input's values again.
      if (layer.output !== null && layer.type !== "Flatten") record(step, `${i} ${layer.type}`, "activation", layer.output.f32);
    });
  },
});

const partial = process.argv.includes("--limit") || process.argv.includes("--epochs") ? "-partial" : "";
if (fromJson) {
  // `--from-json`: redraw the statistics figures from the committed record, without training.
  const saved = JSON.parse(readFileSync(join(FIGURES, "c4-stats.json"), "utf8")) as { records: [number, string, Record["kind"], number, number, number, number, number[]][] };
  for (const [step, name, kind, min, max, mean, std, hist] of saved.records) records.push({ step, name, kind, min, max, mean, std, histogram: hist });
} else {
  // Compact columns (one array per record) keep the file near 0.5 MB instead of 1.2 MB.
  console.log("wrote", writeJson(`c4-stats${partial}`, {
    seed: result.seed, every,
    columns: ["step", "name", "kind", "min", "max", "mean", "std", "histogram (20 equal bins from min to max)"],
    records: records.map((r) => [r.step, r.name, r.kind, r.min, r.max, r.mean, r.std, r.histogram]),
  }, false));
}

console.log("wrote", await writeFigure(`c4-histograms${partial}`, histogramChart(records, result.seed)));
for (const kind of ["weight", "bias", "activation"] as const) {
  const data: LinePoint[] = [];
  for (const r of records) {
    if (r.kind !== kind) continue;
    const facet = panelTitle(r, records);
    data.push({ x: r.step, y: r.mean, series: "mean", facet });
    data.push({ x: r.step, y: r.mean + r.std, series: "mean + std", facet });
    data.push({ x: r.step, y: r.mean - r.std, series: "mean − std", facet });
    data.push({ x: r.step, y: r.min, series: "min", facet });
    data.push({ x: r.step, y: r.max, series: "max", facet });
  }
  console.log(
    "wrote",
    await writeFigure(
      `c4-${kind}-stats${partial}`,
      lineChart(data, {
        title: `C4: ${kind} statistics every ${every} iterations (seed ${result.seed})`,
        xTitle: "iteration", yTitle: kind, columns: 4, independentY: true, width: 200, height: 130,
        facetOrder: panelOrder(records.filter((r) => r.kind === kind)),
      }),
    ),
  );
}
