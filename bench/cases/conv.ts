// Conv cases: the layers of the reference CNNs (../shared EXPERIMENTS C1, C2 as in
// examples/problems/c2.ts, C4) at batch 32 and 64, each kernel the training step runs (conv1's
// backward data is skipped in training, since nobody asks for the input batch's gradient, but is
// timed for completeness).
import type { Engine } from "../../src/engine.js";
import type { CaseRun, KernelCase } from "../kernels.js";

interface Shape { batch: number; inC: number; inH: number; inW: number; outC: number; k: number }

function convCase(label: string, s: Shape, kind: "fwd" | "bwd data" | "bwd filter"): KernelCase {
  const outH = s.inH - s.k + 1, outW = s.inW - s.k + 1;
  const args = [s.batch, s.inC, s.inH, s.inW, s.outC, s.k, s.k, 1, 1, 0, 0, 1, 1, outH, outW] as const;
  return {
    name: `${label} ${kind}`,
    flop: 2 * s.batch * s.outC * outH * outW * s.inC * s.k * s.k,
    setup(e: Engine): CaseRun {
      const al = e.allocator;
      const nx = s.batch * s.inC * s.inH * s.inW, nw = s.outC * s.inC * s.k * s.k, ny = s.batch * s.outC * outH * outW;
      const x = al.alloc(nx * 4), w = al.alloc(nw * 4), b = al.alloc(s.outC * 4), y = al.alloc(ny * 4);
      const work = al.alloc(Math.max(4, e.kernels.conv2dWorkBytes(...args)));
      const f = e.views.f32();
      let seed = 777;
      const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
      for (const [p, n] of [[x, nx], [w, nw], [b, s.outC], [y, ny]] as const) for (let i = 0; i < n; i++) f[(p >> 2) + i] = rnd();
      const k = e.kernels;
      const run = kind === "fwd" ? () => k.conv2dForward(...args, x, w, b, y, work)
        : kind === "bwd data" ? () => k.conv2dBackwardData(...args, y, w, x, work)
        : () => k.conv2dBackwardFilter(...args, x, y, w, b, work);
      return { run, dispose: () => { for (const p of [x, w, b, y, work]) al.release(p); } };
    },
  };
}

const C1a: Shape = { batch: 32, inC: 1, inH: 28, inW: 28, outC: 32, k: 3 };
const C1b: Shape = { batch: 32, inC: 32, inH: 13, inW: 13, outC: 32, k: 3 };
const C2b: Shape = { batch: 32, inC: 32, inH: 13, inW: 13, outC: 64, k: 3 };
const C4a: Shape = { batch: 64, inC: 1, inH: 28, inW: 28, outC: 10, k: 5 };
const C4b: Shape = { batch: 64, inC: 10, inH: 12, inW: 12, outC: 20, k: 5 };

// Every layer at batch 32 and 64 (issue 14 asks for both); C2's first layer is C1's.
export const cases: KernelCase[] = [];
for (const [label, s] of [["C1 conv1 1→32 3x3 28²", C1a], ["C1 conv2 32→32 3x3 13²", C1b], ["C2 conv2 32→64 3x3 13²", C2b],
  ["C4 conv1 1→10 5x5 28²", C4a], ["C4 conv2 10→20 5x5 12²", C4b]] as const) {
  for (const batch of [32, 64]) {
    for (const kind of ["fwd", "bwd data", "bwd filter"] as const) cases.push(convCase(`${label} b${batch}`, { ...s, batch }, kind));
  }
}
