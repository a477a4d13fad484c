/**
 * P4: hand-set weights. OR with the fewest ReLU units (one: y = ReLU(x1 + x2)) and XOR with the
 * fewest layers (one hidden layer of 2 ReLU units, h1 = ReLU(x1 + x2), h2 = ReLU(x1 + x2 − 1),
 * and a linear output y = h1 − 2·h2). Prints the outputs on {0,1}² (≥ 1 for true, 0 for false)
 * and draws where each net outputs ≥ 0.5 around the unit square.
 *
 * Run: npm run example -- p4
 */
import { engine, predict } from "./lib.js";
import { boundaryChart, writeFigure, writeJson, type BoundaryPanel } from "./plot.js";
import { orNet, UNIT_SQUARE, xorNet } from "./toy.js";
import type { Grid } from "./lib.js";

await engine();
const size = 61;
const points = new Float32Array(size * size * 2);
for (let r = 0; r < size; r++) {
  for (let c = 0; c < size; c++) {
    points[(r * size + c) * 2] = -0.5 + (2 * c) / (size - 1);
    points[(r * size + c) * 2 + 1] = -0.5 + (2 * r) / (size - 1);
  }
}
const grid: Grid = { size, x0: -0.5, x1: 1.5, y0: -0.5, y1: 1.5, points };
const panels: BoundaryPanel[] = [];
const table: Record<string, number[]> = {};
for (const [name, build, truth] of [["OR", orNet, [0, 1, 1, 1]], ["XOR", xorNet, [0, 1, 1, 0]]] as const) {
  const net = build();
  const out = [...predict(net, UNIT_SQUARE, [2])];
  table[name] = out;
  const ok = out.every((v, i) => (truth[i] === 1 ? v >= 1 : v === 0));
  console.log(`${name} (${net.numParameters()} parameters): (0,0) → ${out[0]}, (0,1) → ${out[1]}, (1,0) → ${out[2]}, (1,1) → ${out[3]}  ${ok ? "correct" : "WRONG"}`);
  const g = predict(net, points, [2]);
  panels.push({
    title: `${name}: output ≥ 0.5`, grid, gridClass: Int32Array.from(g, (v) => (v >= 0.5 ? 1 : 0)),
    x: UNIT_SQUARE, y: Int32Array.from(truth),
  });
  net.dispose();
}
console.log("wrote", writeJson("p4", table));
console.log("wrote", await writeFigure("p4-or-xor", boundaryChart(panels, "P4: hand-set ReLU networks on {0,1}² (points coloured by the true value)", 2)));
