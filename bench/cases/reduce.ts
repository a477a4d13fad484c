// Reduction cases (memory-bound, GB/s): whole-buffer sums at 2^20, and the per-batch accuracy
// kernels at the MLP's output shape (32×10), where call overhead dominates.
import { bufferCase, type KernelCase } from "../kernels.js";

const N = 1 << 20;

export const cases: KernelCase[] = [
  bufferCase(`sum n=2^20`, { bytes: 4 * N }, (buf, e) => {
    const x = buf.f32(N);
    return () => void e.kernels.sum(N, x);
  }),
  bufferCase(`sumSquares n=2^20`, { bytes: 4 * N }, (buf, e) => {
    const x = buf.f32(N);
    return () => void e.kernels.sumSquares(N, x);
  }),
  bufferCase(`countNonFinite n=2^20`, { bytes: 4 * N }, (buf, e) => {
    const x = buf.f32(N);
    return () => void e.kernels.countNonFinite(N, x);
  }),
  bufferCase(`argmaxRows 32×10 (MLP logits)`, { bytes: 4 * (32 * 10 + 32) }, (buf, e) => {
    const x = buf.f32(320), out = buf.i32(32, 1);
    return () => e.kernels.argmaxRows(32, 10, x, 10, out);
  }),
  bufferCase(`argmaxRows 4096×10`, { bytes: 4 * (4096 * 10 + 4096) }, (buf, e) => {
    const x = buf.f32(40960), out = buf.i32(4096, 1);
    return () => e.kernels.argmaxRows(4096, 10, x, 10, out);
  }),
];
