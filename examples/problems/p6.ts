/**
 * P6: deeper and wider nets, decision boundaries.
 * (a) Depth: P5's moons and recipe (tanh, full-batch gradient descent, lr 0.01, L2 0.01, 20 000
 *     passes) with 1, 2, 3 and 4 hidden layers of width 3.
 * (b) Width: make-blobs with 4 overlapping classes (300 points, std 2.5, 30 % held out), 4 hidden
 *     tanh layers of width 3, 5, 10 and 20, full-batch Adam (lr 0.01) for 5000 iterations without
 *     regularisation, so the wide nets fit the training noise with "islands".
 *
 * Run: npm run example -- p6 [--seed 1] [--passes 20000] [--iterations 5000]
 */
import { makeBlobs, makeMoons } from "../../src/data/datasets.js";
import { trainTestSplit } from "../../src/data/split.js";
import { CrossEntropyLoss } from "../../src/nn/loss.js";
import { manualSeed } from "../../src/nn/init.js";
import { Adam } from "../../src/optim/adam.js";
import { args, engine, gridFor, numArg, Trainer } from "./lib.js";
import { boundaryChart, writeFigure, writeJson, type BoundaryPanel } from "./plot.js";
import { gridClasses, mlp, score, trainFullBatch, trainP5 } from "./toy.js";

const opts = args();
const seed = numArg(opts, "seed", 1);
const passes = numArg(opts, "passes", 20000);
const iterations = numArg(opts, "iterations", 5000);
await engine();

const depth: BoundaryPanel[] = [];
const summary: Record<string, unknown>[] = [];
const moons = makeMoons(200, 0.2, { rng: seed });
const moonGrid = gridFor(moons.x, 50, 0.5);
for (let layers = 1; layers <= 4; layers++) {
  manualSeed(seed);
  const net = mlp([2, ...new Array<number>(layers).fill(3), 2], "tanh");
  const trainer = trainP5(net, moons, passes);
  const s = score(trainer, moons);
  console.log(`(a) ${layers} hidden layer(s) of 3: training accuracy ${s.accuracy.toFixed(3)}`);
  summary.push({ part: "depth", hiddenLayers: layers, width: 3, trainAccuracy: s.accuracy });
  depth.push({ title: `${layers} × 3 (train ${s.accuracy.toFixed(3)})`, grid: moonGrid, gridClass: gridClasses(net, moonGrid), x: moons.x, y: moons.y });
  trainer.dispose();
  net.dispose();
}

const width: BoundaryPanel[] = [];
const blobs = makeBlobs(300, 4, 2.5, { rng: seed });
const split = trainTestSplit(blobs, 0.3, { rng: seed, stratify: true });
const train = { ...blobs, ...split.train };
const test = { ...blobs, ...split.test };
const blobGrid = gridFor(blobs.x, 50, 1);
for (const w of [3, 5, 10, 20]) {
  manualSeed(seed);
  const net = mlp([2, w, w, w, w, 4], "tanh");
  const trainer = new Trainer(net, new CrossEntropyLoss(), new Adam(net, { lr: 0.01 }), [2]);
  trainFullBatch(trainer, train, iterations);
  const tr = score(trainer, train);
  const ts = score(trainer, test);
  console.log(`(b) 4 hidden layers of ${w}: train accuracy ${tr.accuracy.toFixed(3)}, test accuracy ${ts.accuracy.toFixed(3)}`);
  summary.push({ part: "width", hiddenLayers: 4, width: w, trainAccuracy: tr.accuracy, testAccuracy: ts.accuracy });
  width.push({
    title: `4 × ${w} (train ${tr.accuracy.toFixed(2)}, test ${ts.accuracy.toFixed(2)})`,
    grid: blobGrid, gridClass: gridClasses(net, blobGrid), x: train.x, y: train.y,
  });
  trainer.dispose();
  net.dispose();
}
console.log("wrote", writeJson("p6", { seed, passes, iterations, summary }));
console.log("wrote", await writeFigure("p6-depth", boundaryChart(depth, `P6 (a): moons, tanh, hidden layers of width 3 (seed ${seed})`, 4, 180)));
console.log("wrote", await writeFigure("p6-width", boundaryChart(width, `P6 (b): 4 blobs, 4 tanh hidden layers of growing width, training points (seed ${seed})`, 4, 180)));
