// Loss cases (GB/s of logits + labels + gradient): the fused softmax cross-entropy at the
// classifier shape of every reference network (32×10) and a wide 256×1000; MSE at 2^16.
import { bufferCase, type KernelCase } from "../kernels.js";

function sce(rows: number, cols: number): KernelCase {
  return bufferCase(`softmaxCrossEntropy ${rows}×${cols}`, { bytes: 4 * (2 * rows * cols + rows) }, (buf, e) => {
    const logits = buf.f32(rows * cols, -6, 6), labels = buf.i32(rows, cols), grad = buf.f32(rows * cols);
    return () => void e.kernels.softmaxCrossEntropy(rows, cols, logits, labels, 0, grad, 1 / rows);
  });
}

const N = 1 << 16;

export const cases: KernelCase[] = [
  sce(32, 10),
  sce(256, 1000),
  bufferCase(`nllLoss 32×10`, { bytes: 4 * (2 * 320 + 32) }, (buf, e) => {
    const lp = buf.f32(320, -5, 0), labels = buf.i32(32, 10), grad = buf.f32(320);
    return () => void e.kernels.nllLoss(32, 10, lp, labels, grad, 1 / 32);
  }),
  bufferCase(`mseLoss n=2^16`, { bytes: 12 * N }, (buf, e) => {
    const pred = buf.f32(N), target = buf.f32(N), grad = buf.f32(N);
    return () => void e.kernels.mseLoss(N, pred, target, grad, 2 / N);
  }),
];
