// Activation cases (GB/s of input + output traffic): elementwise ones at C1's first activation
// (32×32×26×26) and the MLP hidden layer (32×100); row-wise softmax at the classifier's 32×10
// and at a wider 256×1000.
import { bufferCase, type KernelCase } from "../kernels.js";

const C1 = 32 * 32 * 26 * 26;
const MLP = 32 * 100;

function unary(name: string, n: number, run: "reluForward" | "sigmoidForward" | "tanhForward" | "expForward", lo = -4, hi = 4): KernelCase {
  return bufferCase(`${name} n=${n}`, { bytes: 8 * n }, (buf, e) => {
    const x = buf.f32(n, lo, hi), y = buf.f32(n);
    const k = e.kernels[run];
    return () => k(n, x, y);
  });
}

function backward(name: string, n: number, run: "reluBackward" | "sigmoidBackward" | "tanhBackward"): KernelCase {
  return bufferCase(`${name} n=${n}`, { bytes: 12 * n }, (buf, e) => {
    const y = buf.f32(n, 0, 1), dy = buf.f32(n), dx = buf.f32(n);
    const k = e.kernels[run];
    return () => k(n, y, dy, dx);
  });
}

function rows(name: string, r: number, c: number, run: "softmaxForward" | "logSoftmaxForward"): KernelCase {
  return bufferCase(`${name} ${r}×${c}`, { bytes: 8 * r * c }, (buf, e) => {
    const x = buf.f32(r * c, -8, 8), y = buf.f32(r * c);
    const k = e.kernels[run];
    return () => k(r, c, x, y);
  });
}

export const cases: KernelCase[] = [
  unary("relu fwd", C1, "reluForward"),
  backward("relu bwd", C1, "reluBackward"),
  unary("relu fwd", MLP, "reluForward"),
  unary("sigmoid fwd", C1, "sigmoidForward"),
  unary("tanh fwd", C1, "tanhForward"),
  backward("tanh bwd", C1, "tanhBackward"),
  unary("exp", C1, "expForward"),
  rows("softmax fwd", 32, 10, "softmaxForward"),
  rows("logSoftmax fwd", 32, 10, "logSoftmaxForward"),
  rows("softmax fwd", 256, 1000, "softmaxForward"),
];
