/**
 * P1: a fully connected ReLU net (2-8-8-2) on the Playground "circle" data (500 points, half for
 * testing), full-batch Adam (lr 0.03) for 250 iterations, (a) with PyTorch's default random
 * initialisation and (b) with every weight and bias zero. (a) reaches < 1 % error; (b) does not
 * learn at all: every hidden unit outputs ReLU(0) = 0 and ReLU passes no gradient at 0, so the
 * weights stay 0 and the loss stays at ln 2.
 *
 * Run: npm run example -- p1 [--seed 1] [--iterations 250]
 */
import { CrossEntropyLoss } from "../../src/nn/loss.js";
import { manualSeed } from "../../src/nn/init.js";
import { Adam } from "../../src/optim/adam.js";
import { makePlaygroundCircle } from "../../src/data/datasets.js";
import { trainTestSplit } from "../../src/data/split.js";
import { args, engine, gridFor, numArg, Trainer } from "./lib.js";
import { boundaryChart, lineChart, writeFigure, writeJson, type BoundaryPanel, type LinePoint } from "./plot.js";
import { gridClasses, mlp, score, trainFullBatch } from "./toy.js";

const opts = args();
const seed = numArg(opts, "seed", 1);
const iterations = numArg(opts, "iterations", 250);
await engine();
const all = makePlaygroundCircle(500, 0, { rng: seed });
const { train, test } = trainTestSplit(all, 0.5, { rng: seed, stratify: true });
const trainDs = { ...all, ...train };
const testDs = { ...all, ...test };

const curve: LinePoint[] = [];
const panels: BoundaryPanel[] = [];
const summary: Record<string, unknown>[] = [];
for (const init of ["default", "zeros"] as const) {
  manualSeed(seed);
  const net = mlp([2, 8, 8, 2], "relu", init === "zeros" ? "zeros" : undefined);
  const trainer = new Trainer(net, new CrossEntropyLoss(), new Adam(net, { lr: 0.03 }), [2]);
  const label = init === "zeros" ? "(b) zero init" : "(a) random init";
  trainFullBatch(trainer, trainDs, iterations, (step, loss) => curve.push({ x: step, y: loss, series: label }));
  const tr = score(trainer, trainDs);
  const ts = score(trainer, testDs);
  let maxAbsWeight = 0;
  for (const [name, p] of net.namedParameters()) {
    if (name.endsWith("weight")) for (const v of p.data.f32) maxAbsWeight = Math.max(maxAbsWeight, Math.abs(v));
  }
  console.log(
    `${label}: train error ${((1 - tr.accuracy) * 100).toFixed(1)} %, test error ${((1 - ts.accuracy) * 100).toFixed(1)} %, ` +
      `final loss ${tr.loss.toFixed(4)}, max |weight| ${maxAbsWeight.toExponential(2)}`,
  );
  summary.push({ init, trainError: 1 - tr.accuracy, testError: 1 - ts.accuracy, loss: tr.loss, maxAbsWeight });
  const grid = gridFor(all.x, 50, 0.5);
  panels.push({ title: label, grid, gridClass: gridClasses(net, grid), x: testDs.x, y: testDs.y });
  trainer.dispose();
  net.dispose();
}
console.log("wrote", writeJson("p1", { seed, iterations, summary }));
console.log("wrote", await writeFigure("p1-loss", lineChart(curve, {
  title: `P1: training loss, ReLU 2-8-8-2, random vs zero init (seed ${seed})`, xTitle: "iteration", yTitle: "cross-entropy",
})));
console.log("wrote", await writeFigure("p1-boundaries", boundaryChart(panels, "P1: decision boundaries (test points)", 2)));
