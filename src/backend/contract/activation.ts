/**
 * Activations. Forward kernels write y from x; backward kernels write dx (overwrite) from the
 * saved forward output y (or input x where stated) and the incoming gradient dy.
 * exp-based kernels (sigmoid, tanh, softmax, logSoftmax) use a vectorised exp whose error bound
 * is stated and tested in the activation tests.
 */
export interface ActivationKernels {
  /** y = max(x, 0). */
  reluForward(n: number, x: number, y: number): void;
  /** dx = dy where y > 0 else 0 (y = relu output). */
  reluBackward(n: number, y: number, dy: number, dx: number): void;
  /** y = x > 0 ? x : slope·x. */
  leakyReluForward(n: number, slope: number, x: number, y: number): void;
  /** dx = dy where x > 0 else slope·dy (x = leaky ReLU input). */
  leakyReluBackward(n: number, slope: number, x: number, dy: number, dx: number): void;
  /** y = 1 / (1 + exp(-x)). */
  sigmoidForward(n: number, x: number, y: number): void;
  /** dx = dy·y·(1 - y). */
  sigmoidBackward(n: number, y: number, dy: number, dx: number): void;
  /** y = tanh(x). */
  tanhForward(n: number, x: number, y: number): void;
  /** dx = dy·(1 - y²). */
  tanhBackward(n: number, y: number, dy: number, dx: number): void;
  /** Row-wise softmax of a rows×cols matrix (contiguous rows); max-subtracted so large logits do not overflow. */
  softmaxForward(rows: number, cols: number, x: number, y: number): void;
  /** dx = y ⊙ (dy − Σ_j dy_j·y_j) per row. */
  softmaxBackward(rows: number, cols: number, y: number, dy: number, dx: number): void;
  /** Row-wise log-softmax: y = x − max − log Σ exp(x − max). */
  logSoftmaxForward(rows: number, cols: number, x: number, y: number): void;
  /** dx = dy − exp(y)·Σ_j dy_j per row (y = log-softmax output). */
  logSoftmaxBackward(rows: number, cols: number, y: number, dy: number, dx: number): void;
  /** y = exp(x) elementwise with the vectorised exp (exposed so its error bound can be tested). */
  expForward(n: number, x: number, y: number): void;
}
