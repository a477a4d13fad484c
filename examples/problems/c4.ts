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
import { lineChart, writeFigure, writeJson, type LinePoint } from "./plot.js";

/** Statistics of one tensor at one iteration. */
interface Record {
  step: number;
  name: string;
  kind: "weight" | "bias" | "activation";
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Counts in 20 equal bins from min to max. */
  histogram: number[];
}

function histogram(v: Float32Array, min: number, max: number, bins = 20): number[] {
  const h = new Array<number>(bins).fill(0);
  const w = (max - min) / bins || 1;
  for (let i = 0; i < v.length; i++) h[Math.min(bins - 1, Math.floor((v[i]! - min) / w))]!++;
  return h;
}

const records: Record[] = [];
function record(step: number, name: string, kind: Record["kind"], v: Float32Array): void {
  const s = stats(v);
  records.push({ step, name, kind, ...s, histogram: histogram(v, s.min, s.max) });
}

const every = 100;
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
      if (layer.output !== null) record(step, `${i} ${layer.type}`, "activation", layer.output.f32);
    });
  },
});

const partial = process.argv.includes("--limit") || process.argv.includes("--epochs") ? "-partial" : "";
console.log("wrote", writeJson(`c4-stats${partial}`, { seed: result.seed, every, records }));
for (const kind of ["weight", "bias", "activation"] as const) {
  const data: LinePoint[] = [];
  for (const r of records) {
    if (r.kind !== kind) continue;
    data.push({ x: r.step, y: r.mean, series: "mean", facet: r.name });
    data.push({ x: r.step, y: r.mean + r.std, series: "mean + std", facet: r.name });
    data.push({ x: r.step, y: r.mean - r.std, series: "mean − std", facet: r.name });
    data.push({ x: r.step, y: r.min, series: "min", facet: r.name });
    data.push({ x: r.step, y: r.max, series: "max", facet: r.name });
  }
  console.log(
    "wrote",
    await writeFigure(
      `c4-${kind}-stats${partial}`,
      lineChart(data, {
        title: `C4: ${kind} statistics every ${every} iterations (seed ${result.seed})`,
        xTitle: "iteration", yTitle: kind, columns: 4, independentY: true, width: 200, height: 130,
      }),
    ),
  );
}
