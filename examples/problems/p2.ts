/**
 * P2: P1's nets with sigmoid units, 4000 full-batch iterations of plain gradient descent (SGD,
 * lr 0.1, as the Playground trains), compared with ReLU: (a) random init learns, but needs many more iterations than ReLU to reach < 1 % error;
 * (b) zero init: every unit of a hidden layer computes the same function for the whole run
 * (their weight rows stay identical — the symmetry is never broken), so the net is no better
 * than one with a single unit per layer.
 *
 * Run: npm run example -- p2 [--seed 1] [--iterations 4000] [--lr 0.1]
 */
import { CrossEntropyLoss } from "../../src/nn/loss.js";
import { manualSeed } from "../../src/nn/init.js";
import { Linear } from "../../src/nn/linear.js";
import { SGD } from "../../src/optim/sgd.js";
import { makePlaygroundCircle } from "../../src/data/datasets.js";
import { trainTestSplit } from "../../src/data/split.js";
import { args, engine, gridFor, numArg, Trainer } from "./lib.js";
import { boundaryChart, lineChart, writeFigure, writeJson, type BoundaryPanel, type LinePoint } from "./plot.js";
import { gridClasses, mlp, score, trainFullBatch, type Activation } from "./toy.js";

const opts = args();
const seed = numArg(opts, "seed", 1);
const iterations = numArg(opts, "iterations", 4000);
const lr = numArg(opts, "lr", 0.1);
await engine();
const all = makePlaygroundCircle(500, 0, { rng: seed });
const { train, test } = trainTestSplit(all, 0.5, { rng: seed, stratify: true });
const trainDs = { ...all, ...train };
const testDs = { ...all, ...test };

/** Largest difference between two units (weight rows) of the same hidden layer. */
function unitSpread(layer: Linear): number {
  const w = layer.parameters()[0]!.data.f32;
  const cols = layer.inFeatures;
  let spread = 0;
  for (let r = 1; r < layer.outFeatures; r++) {
    for (let c = 0; c < cols; c++) spread = Math.max(spread, Math.abs(w[r * cols + c]! - w[c]!));
  }
  return spread;
}

const curve: LinePoint[] = [];
const panels: BoundaryPanel[] = [];
const summary: Record<string, unknown>[] = [];
const runs: [Activation, "default" | "zeros"][] = [["relu", "default"], ["sigmoid", "default"], ["sigmoid", "zeros"]];
for (const [act, init] of runs) {
  manualSeed(seed);
  const net = mlp([2, 8, 8, 2], act, init === "zeros" ? "zeros" : undefined);
  const trainer = new Trainer(net, new CrossEntropyLoss(), new SGD(net, { lr }), [2]);
  const label = `${act}, ${init === "zeros" ? "zero" : "random"} init`;
  // The first iteration at which the training error drops below 1 % (checked every 10).
  let solvedAt: number | null = null;
  trainFullBatch(trainer, trainDs, iterations, (step, loss) => {
    curve.push({ x: step, y: loss, series: label });
    if (solvedAt === null && step % 10 === 0 && score(trainer, trainDs).accuracy > 0.99) solvedAt = step;
  });
  const tr = score(trainer, trainDs);
  const ts = score(trainer, testDs);
  const hidden = net.layers.filter((l): l is Linear => l instanceof Linear).slice(0, -1);
  const spreads = hidden.map(unitSpread);
  console.log(
    `${label}: train error ${((1 - tr.accuracy) * 100).toFixed(1)} %, test error ${((1 - ts.accuracy) * 100).toFixed(1)} %, ` +
      `loss ${tr.loss.toFixed(4)}, < 1 % train error from iteration ${solvedAt ?? "never"}, ` +
      `max difference between units per hidden layer ${spreads.map((s) => s.toExponential(1)).join(" / ")}`,
  );
  summary.push({ activation: act, init, trainError: 1 - tr.accuracy, testError: 1 - ts.accuracy, loss: tr.loss, solvedAt, unitSpread: spreads });
  const grid = gridFor(all.x, 50, 0.5);
  panels.push({ title: label, grid, gridClass: gridClasses(net, grid), x: testDs.x, y: testDs.y });
  trainer.dispose();
  net.dispose();
}
console.log("wrote", writeJson("p2", { seed, iterations, lr, summary }));
console.log("wrote", await writeFigure("p2-loss", lineChart(curve, {
  title: `P2: training loss, 2-8-8-2, sigmoid vs ReLU (seed ${seed})`, xTitle: "iteration", yTitle: "cross-entropy", logY: true,
})));
console.log("wrote", await writeFigure("p2-boundaries", boundaryChart(panels, "P2: decision boundaries (test points)", 3)));
