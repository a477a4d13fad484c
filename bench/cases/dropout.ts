// Dropout cases (GB/s of x + y + mask): the MLP's Dropout(0.5) over 32×100 and C1's Dropout(0.2)
// over 32×32×13×13; the counter-based generator makes these partly compute-bound.
import { bufferCase, type KernelCase } from "../kernels.js";

function drop(label: string, n: number, p: number): KernelCase {
  return bufferCase(`dropout fwd p=${p} n=${n} (${label})`, { bytes: 12 * n }, (buf, e) => {
    const x = buf.f32(n), y = buf.f32(n), mask = buf.f32(n);
    let offset = 0;
    return () => {
      e.kernels.dropoutForward(n, p, 1234, offset, x, y, mask);
      offset = (offset + n) >>> 0;
    };
  });
}

const N = 1 << 20;

export const cases: KernelCase[] = [
  drop("MLP", 32 * 100, 0.5),
  drop("C1", 32 * 32 * 13 * 13, 0.2),
  bufferCase(`uniformFill n=2^20`, { bytes: 4 * N }, (buf, e) => {
    const out = buf.f32(N);
    return () => e.kernels.uniformFill(N, 99, 0, out);
  }),
];
