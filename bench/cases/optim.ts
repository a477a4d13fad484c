// Optimizer cases (GB/s of the state streamed): one update of every parameter of the MLP W2
// (784·100 + 100 + 100·10 + 10 = 79 510) and of CNN C1 (61 482), and a 2^20-parameter model.
import { bufferCase, type KernelCase } from "../kernels.js";

function adam(label: string, n: number): KernelCase {
  // Reads param, grad, m, v; writes param, m, v.
  return bufferCase(`adam n=${n} (${label})`, { bytes: 4 * 7 * n }, (buf, e) => {
    const param = buf.f32(n), grad = buf.f32(n), m = buf.f32(n, 0, 0, 0), v = buf.f32(n, 0, 0, 0);
    let step = 0;
    return () => e.kernels.adamStep(n, param, grad, m, v, 0, 1e-3, 0.9, 0.999, 1e-8, 0, 0, 0, ++step);
  });
}

const W2 = 784 * 100 + 100 + 100 * 10 + 10;
const C1 = 32 * 9 + 32 + 32 * 32 * 9 + 32 + 32 + 32 + 800 * 64 + 64 + 64 * 10 + 10;
const N = 1 << 20;

export const cases: KernelCase[] = [
  adam("MLP W2", W2),
  adam("CNN C1", C1),
  adam("2^20", N),
  bufferCase(`sgd momentum n=2^20`, { bytes: 4 * 5 * N }, (buf, e) => {
    const param = buf.f32(N), grad = buf.f32(N), mom = buf.f32(N, 0, 0, 0);
    let first = 1;
    return () => {
      e.kernels.sgdStep(N, param, grad, mom, 1e-2, 0.9, 0, 0, 0, first);
      first = 0;
    };
  }),
  bufferCase(`rmsprop n=2^20`, { bytes: 4 * 5 * N }, (buf, e) => {
    const param = buf.f32(N), grad = buf.f32(N), sq = buf.f32(N, 0, 0, 0);
    return () => e.kernels.rmspropStep(N, param, grad, sq, 0, 0, 1e-2, 0.99, 1e-8, 0, 0, 0);
  }),
];
