// Vector-family cases (memory-bound, GB/s): the elementwise updates and bias kernels at the sizes
// of the reference workloads (MLP batch 32: 32×100 activations; CNN C1 batch 32: 32×32×26×26).
import { bufferCase, type KernelCase } from "../kernels.js";

const N = 1 << 20;
const C1 = { batch: 32, channels: 32, spatial: 26 * 26 };
const c1Size = C1.batch * C1.channels * C1.spatial;

export const cases: KernelCase[] = [
  bufferCase(`axpy n=2^20`, { bytes: 12 * N }, (buf, e) => {
    const x = buf.f32(N), y = buf.f32(N);
    return () => e.kernels.axpy(N, 1e-3, x, y);
  }),
  bufferCase(`copy n=2^20`, { bytes: 8 * N }, (buf, e) => {
    const x = buf.f32(N), y = buf.f32(N);
    return () => e.kernels.copy(N, x, y);
  }),
  bufferCase(`biasAddRows 32×100 (MLP hidden)`, { bytes: 4 * (2 * 32 * 100 + 100) }, (buf, e) => {
    const bias = buf.f32(100), y = buf.f32(32 * 100);
    return () => e.kernels.biasAddRows(32, 100, bias, y, 100);
  }),
  bufferCase(`biasGradRows 32×100 (MLP hidden)`, { bytes: 4 * (32 * 100 + 2 * 100) }, (buf, e) => {
    const dy = buf.f32(32 * 100), db = buf.f32(100, 0, 0, 0);
    return () => e.kernels.biasGradRows(32, 100, dy, 100, db);
  }),
  bufferCase(`biasAddChannels 32×32×26×26 (C1 conv1)`, { bytes: 4 * (2 * c1Size + C1.channels) }, (buf, e) => {
    const bias = buf.f32(C1.channels), y = buf.f32(c1Size);
    return () => e.kernels.biasAddChannels(C1.batch, C1.channels, C1.spatial, bias, y);
  }),
  bufferCase(`biasGradChannels 32×32×26×26 (C1 conv1)`, { bytes: 4 * (c1Size + 2 * C1.channels) }, (buf, e) => {
    const dy = buf.f32(c1Size), db = buf.f32(C1.channels, 0, 0, 0);
    return () => e.kernels.biasGradChannels(C1.batch, C1.channels, C1.spatial, dy, db);
  }),
];
