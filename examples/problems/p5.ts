/**
 * P5: make-moons (200 points, noise 0.2), a 2-3-2 net with softmax output and cross-entropy,
 * full-batch gradient descent (lr 0.01, L2 0.01, 20 000 passes), hidden activation tanh,
 * sigmoid or ReLU: one decision-boundary image per activation (tanh and sigmoid smooth, ReLU
 * piecewise linear).
 *
 * Run: npm run example -- p5 [--seed 1] [--passes 20000]
 */
import { makeMoons } from "../../src/data/datasets.js";
import { manualSeed } from "../../src/nn/init.js";
import { args, engine, gridFor, numArg, seconds } from "./lib.js";
import { boundaryChart, writeFigure, writeJson, type BoundaryPanel } from "./plot.js";
import { gridClasses, mlp, score, trainP5, type Activation } from "./toy.js";

const opts = args();
const seed = numArg(opts, "seed", 1);
const passes = numArg(opts, "passes", 20000);
await engine();
const data = makeMoons(200, 0.2, { rng: seed });
const grid = gridFor(data.x, 50, 0.5);
const panels: BoundaryPanel[] = [];
const summary: Record<string, unknown>[] = [];
for (const act of ["tanh", "sigmoid", "relu"] as Activation[]) {
  manualSeed(seed);
  const net = mlp([2, 3, 2], act);
  const t0 = performance.now();
  const trainer = trainP5(net, data, passes);
  const s = score(trainer, data);
  const time = seconds(t0);
  console.log(`${act}: training accuracy ${s.accuracy.toFixed(3)}, mean loss ${s.loss.toFixed(4)}, ${time.toFixed(1)} s`);
  summary.push({ activation: act, accuracy: s.accuracy, loss: s.loss, seconds: time });
  panels.push({ title: `${act} (train acc ${s.accuracy.toFixed(3)})`, grid, gridClass: gridClasses(net, grid), x: data.x, y: data.y });
  trainer.dispose();
  net.dispose();
}
console.log("wrote", writeJson("p5", { seed, passes, summary }));
console.log("wrote", await writeFigure("p5-activations", boundaryChart(panels, `P5: make-moons, 2-3-2 net, ${passes} full-batch passes (seed ${seed})`, 3)));
