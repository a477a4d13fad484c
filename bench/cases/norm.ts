// Batch-norm cases (GB/s of the tensors streamed): C1's BatchNorm2d(32) over 32×32×11×11, and a
// BatchNorm1d-shaped 256×512 (spatial = 1).
import { bufferCase, type CaseBuffers, type KernelCase } from "../kernels.js";

function bn(batch: number, channels: number, spatial: number): KernelCase[] {
  const n = batch * channels * spatial;
  const shape = spatial === 1 ? `${batch}×${channels}` : `${batch}×${channels}×${Math.sqrt(spatial)}×${Math.sqrt(spatial)}`;
  const params = (buf: CaseBuffers) => ({
    gamma: buf.f32(channels, 0.5, 1.5), beta: buf.f32(channels), mean: buf.f32(channels), invStd: buf.f32(channels, 0.5, 2),
    runMean: buf.f32(channels, 0, 0, 0), runVar: buf.f32(channels, 0, 0, 1),
  });
  return [
    // Statistics pass(es) read x, the normalisation reads x and writes y.
    bufferCase(`batchNorm fwd train ${shape}`, { bytes: 4 * 3 * n }, (buf, e) => {
      const x = buf.f32(n), y = buf.f32(n), p = params(buf);
      return () => e.kernels.batchNormForwardTrain(batch, channels, spatial, x, p.gamma, p.beta, y, p.mean, p.invStd, p.runMean, p.runVar, 0.1, 1e-5);
    }),
    bufferCase(`batchNorm fwd eval ${shape}`, { bytes: 4 * 2 * n }, (buf, e) => {
      const x = buf.f32(n), y = buf.f32(n), p = params(buf);
      return () => e.kernels.batchNormForwardEval(batch, channels, spatial, x, p.gamma, p.beta, p.runMean, p.runVar, 1e-5, y);
    }),
    // Reads x and dy for the sums, again for dx, writes dx.
    bufferCase(`batchNorm bwd ${shape}`, { bytes: 4 * 5 * n }, (buf, e) => {
      const x = buf.f32(n), dy = buf.f32(n), dx = buf.f32(n), p = params(buf);
      const dg = buf.f32(channels, 0, 0, 0), db = buf.f32(channels, 0, 0, 0);
      return () => e.kernels.batchNormBackward(batch, channels, spatial, x, dy, p.gamma, p.mean, p.invStd, dx, dg, db);
    }),
  ];
}

export const cases: KernelCase[] = [...bn(32, 32, 11 * 11), ...bn(256, 512, 1)];
