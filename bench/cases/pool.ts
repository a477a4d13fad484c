// Pool cases: the 2x2 max pools of the reference CNNs (C1 at batch 32, C4 at batch 64), which are
// memory-bound: reported in GB/s of x + y + argmax (forward) or dy + argmax + dx (backward).
import type { Engine } from "../../src/engine.js";
import type { CaseRun, KernelCase } from "../kernels.js";

function poolCase(label: string, planes: number, inH: number, inW: number, kind: "max fwd" | "max bwd" | "avg fwd" | "avg bwd"): KernelCase {
  const outH = Math.floor(inH / 2), outW = Math.floor(inW / 2);
  const nIn = planes * inH * inW, nOut = planes * outH * outW;
  return {
    name: `${label} ${kind}`,
    bytes: 4 * (kind === "max fwd" ? nIn + 2 * nOut : kind === "max bwd" ? 2 * nOut + nIn : nIn + nOut),
    setup(e: Engine): CaseRun {
      const al = e.allocator;
      const x = al.alloc(nIn * 4), y = al.alloc(nOut * 4), arg = al.alloc(nOut * 4);
      const f = e.views.f32();
      let seed = 99;
      for (let i = 0; i < nIn; i++) f[(x >> 2) + i] = ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
      for (let i = 0; i < nOut; i++) f[(y >> 2) + i] = 1;
      const k = e.kernels;
      k.maxPool2dForward(planes, inH, inW, 2, 2, 2, 2, 0, 0, outH, outW, x, y, arg);
      const run = kind === "max fwd" ? () => k.maxPool2dForward(planes, inH, inW, 2, 2, 2, 2, 0, 0, outH, outW, x, y, arg)
        : kind === "max bwd" ? () => k.maxPool2dBackward(planes, inH, inW, outH, outW, y, arg, x)
        : kind === "avg fwd" ? () => k.avgPool2dForward(planes, inH, inW, 2, 2, 2, 2, 0, 0, outH, outW, 1, x, y)
        : () => k.avgPool2dBackward(planes, inH, inW, 2, 2, 2, 2, 0, 0, outH, outW, 1, y, x);
      return { run, dispose: () => { for (const p of [x, y, arg]) al.release(p); } };
    },
  };
}

export const cases: KernelCase[] = [];
for (const [label, planes, h] of [["C1 pool1 32·32 26²", 32 * 32, 26], ["C1 pool2 32·32 11²", 32 * 32, 11], ["C4 pool1 64·10 24²", 64 * 10, 24]] as const) {
  for (const kind of ["max fwd", "max bwd"] as const) cases.push(poolCase(label, planes, h, h, kind));
}
cases.push(poolCase("C1 pool1 32·32 26²", 32 * 32, 26, 26, "avg fwd"), poolCase("C1 pool1 32·32 26²", 32 * 32, 26, 26, "avg bwd"));
