/**
 * P3: "dying ReLU". 1000 points — 500 labelled +1 (class 1) and 500 labelled −1 (class 0), the
 * Playground's two Gaussian clouds — and a ReLU net 2-16-16-16-2 trained by SGD with batch size 1
 * for one epoch, (a) in sorted order with no shuffling: all 500 negatives first, then all 500
 * positives; (b) shuffled, for comparison. A unit is dead when its pre-activation is ≤ 0 for
 * every one of the 1000 inputs: it outputs 0 and passes no gradient, whatever the input, so it
 * can never recover. The script reports the dead fraction per hidden layer during and after
 * training.
 *
 * Run: npm run example -- p3 [--seed 1] [--lr 1] [--seeds 5]
 */
import { makeGaussian } from "../../src/data/datasets.js";
import { DataLoader } from "../../src/data/loader.js";
import { CrossEntropyLoss } from "../../src/nn/loss.js";
import { manualSeed } from "../../src/nn/init.js";
import { SGD } from "../../src/optim/sgd.js";
import { args, engine, gridFor, numArg, Trainer } from "./lib.js";
import {
  barChart, boundaryChart, lineChart, writeFigure, writeJson, type BoundaryPanel, type LinePoint,
} from "./plot.js";
import { deadFractions, gridClasses, mlp, score } from "./toy.js";

const opts = args();
const seed = numArg(opts, "seed", 1);
const lr = numArg(opts, "lr", 1);
const seeds = numArg(opts, "seeds", 5);
await engine();
const data = makeGaussian(1000, 0, { rng: seed });
// Sorted: every negative (class 0) before every positive (class 1).
const order = [...data.y.keys()].sort((a, b) => data.y[a]! - data.y[b]! || a - b);
const sorted = {
  ...data,
  x: Float32Array.from(order.flatMap((i) => [data.x[2 * i]!, data.x[2 * i + 1]!])),
  y: Int32Array.from(order.map((i) => data.y[i]!)),
};

const curve: LinePoint[] = [];
const bars: { category: string; value: number; series: string }[] = [];
const panels: BoundaryPanel[] = [];
const summary: Record<string, unknown>[] = [];
for (const mode of ["sorted", "shuffled"] as const) {
  // Several initialisations: how many units die depends on where they start.
  const finals: number[][] = [];
  const initial: number[][] = [];
  const accs: number[] = [];
  for (let s = 0; s < seeds; s++) {
    manualSeed(seed + s);
    const net = mlp([2, 16, 16, 16, 2], "relu");
    const trainer = new Trainer(net, new CrossEntropyLoss(), new SGD(net, { lr }), [2]);
    const loader = new DataLoader(sorted.x, sorted.y, [2], { batchSize: 1, shuffle: mode === "shuffled", rng: seed + s });
    const record = (step: number): void => {
      if (s !== 0) return;
      deadFractions(net, sorted.x).forEach((f, l) => curve.push({ x: step, y: f, series: `layer ${l + 1}`, facet: mode }));
    };
    initial.push(deadFractions(net, sorted.x));
    record(0);
    trainer.trainEpoch(loader, (step) => {
      if (step % 25 === 0) record(step);
    });
    const dead = deadFractions(net, sorted.x);
    finals.push(dead);
    accs.push(score(trainer, sorted).accuracy);
    if (s === 0) {
      const grid = gridFor(sorted.x, 50, 0.5);
      // Every third point is enough to see the clouds (and keeps the SVG small).
      const keep = [...sorted.y.keys()].filter((i) => i % 3 === 0);
      panels.push({
        title: `${mode} (seed ${seed})`, grid, gridClass: gridClasses(net, grid),
        x: Float32Array.from(keep.flatMap((i) => [sorted.x[2 * i]!, sorted.x[2 * i + 1]!])),
        y: Int32Array.from(keep.map((i) => sorted.y[i]!)),
      });
    }
    trainer.dispose();
    net.dispose();
  }
  const meanOf = (runs: number[][]): number[] => runs[0]!.map((_, l) => runs.reduce((a, f) => a + f[l]!, 0) / runs.length);
  const mean = meanOf(finals);
  const meanInitial = meanOf(initial);
  mean.forEach((f, l) => bars.push({ category: `layer ${l + 1}`, value: f, series: mode }));
  console.log(
    `${mode}: dead fraction per hidden layer at init ${meanInitial.map((f) => f.toFixed(3)).join(" / ")}, after one epoch (mean of ${seeds} inits) ` +
      `${mean.map((f) => f.toFixed(3)).join(" / ")}; per init ${finals.map((f) => f.map((v) => v.toFixed(2)).join("/")).join(", ")}; ` +
      `training accuracy ${accs.map((a) => a.toFixed(3)).join(", ")}`,
  );
  summary.push({ mode, meanDeadFractionAtInit: meanInitial, meanDeadFraction: mean, deadFractions: finals, accuracy: accs });
}
console.log("wrote", writeJson("p3", { seed, seeds, lr, summary }));
console.log("wrote", await writeFigure("p3-dead-units", barChart(bars, {
  title: ["P3: dead ReLU units after one epoch", `SGD batch 1, lr ${lr}, mean of ${seeds} initialisations`],
  xTitle: "hidden layer", yTitle: "fraction of dead units",
})));
console.log("wrote", await writeFigure("p3-dead-during-training", lineChart(curve, {
  title: [`P3: dead ReLU fraction during the epoch (seed ${seed})`, "sorted = 500 negatives, then 500 positives"],
  xTitle: "samples seen", yTitle: "fraction of dead units", columns: 2, width: 300, height: 180,
})));
console.log("wrote", await writeFigure("p3-boundaries", boundaryChart(panels, "P3: decision boundary after one epoch", 2)));
