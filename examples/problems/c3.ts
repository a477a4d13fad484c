/**
 * C3: dropout sweep on C1's network — 10 equally spaced p in [0, 1] (0, 1/9, …, 1), one epoch
 * each (Adam 1e-3, batch 32, standardised pixels as in C1, same seed for every p), test accuracy for each: a table and a plot.
 * One solution found p = 1/9 best. p = 1 drops every activation in training, so the layers after
 * the first dropout learn nothing from the image (accuracy near chance).
 *
 * Run: npm run example -- c3 [--seed 1] [--limit 60000]; `--from-json` redraws the figure from
 * docs/figures/c3.json without training.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { c1Net } from "./nets.js";
import { runMnist } from "./mnist.js";
import { args, numArg } from "./lib.js";
import { FIGURES, lineChart, writeFigure, writeJson, type LinePoint } from "./plot.js";

const opts = args();
const seed = numArg(opts, "seed", 1);
type Row = { p: number; accuracy: number; loss: number; seconds: number };
const fromJson = opts["from-json"] !== undefined;
const rows: Row[] = fromJson ? (JSON.parse(readFileSync(join(FIGURES, "c3.json"), "utf8")) as { rows: Row[] }).rows : [];
for (let i = 0; i < 10 && !fromJson; i++) {
  const p = i / 9;
  const r = await runMnist({
    id: `c3-p${i}`,
    title: `C1 net with dropout p = ${i}/9`,
    sampleShape: [1, 28, 28],
    epochs: 1,
    normalize: true,
    record: false,
    build: () => c1Net(p),
  });
  const last = r.epochs[0]!;
  rows.push({ p, accuracy: last.test.accuracy, loss: last.test.loss, seconds: r.seconds });
}
console.log("\n   p    test accuracy   test loss");
for (const r of rows) console.log(`${r.p.toFixed(3).padStart(6)}   ${r.accuracy.toFixed(4).padStart(13)}   ${r.loss.toFixed(4).padStart(9)}`);
const partial = opts["limit"] !== undefined ? "-partial" : "";
if (!fromJson) console.log("wrote", writeJson(`c3${partial}`, { seed, rows }));
// Two panels: every p (p = 1 falls to chance), and p ≤ 2/3 on its own y range, where the
// differences between the useful rates (a few tenths of a percent) are visible.
const all = "every p (p = 1: no signal passes, chance level)";
const zoom = "p ≤ 2/3 (zoomed in)";
const points: LinePoint[] = [
  ...rows.map((r) => ({ x: r.p, y: r.accuracy, series: "test", facet: all })),
  ...rows.filter((r) => r.p < 0.7).map((r) => ({ x: r.p, y: r.accuracy, series: "test", facet: zoom })),
];
console.log(
  "wrote",
  await writeFigure(
    `c3-dropout-sweep${partial}`,
    lineChart(points, {
      title: `C3: test accuracy after one epoch of C1's net vs dropout p (seed ${seed})`,
      xTitle: "dropout p", yTitle: "test accuracy", points: true, columns: 2, independentY: true, independentX: true,
      width: 260, height: 180,
    }),
  ),
);
