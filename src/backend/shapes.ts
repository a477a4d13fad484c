import { fail } from "../errors.js";

/** Throws unless `value` is an integer ≥ min; `what` names the argument in the message. */
export function checkInt(what: string, value: number, min = 0): void {
  if (!Number.isInteger(value) || value < min) fail(what, `an integer ≥ ${min}`, value);
}

/** Validates a shape (array of positive integers) and returns its element count. */
export function shapeSize(what: string, shape: readonly number[]): number {
  if (!Array.isArray(shape)) fail(what, "an array of positive integers", shape);
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (!Number.isInteger(d) || d < 1) fail(`${what}[${i}]`, "a positive integer", d);
    size *= d;
  }
  return size;
}

/**
 * Output length of a convolution or pooling window along one axis (PyTorch's formula):
 * floor((input + 2·pad − dilation·(kernel − 1) − 1) / stride) + 1. Throws when it is < 1.
 */
export function windowOutputSize(
  what: string, input: number, kernel: number, stride: number, pad: number, dilation = 1,
): number {
  checkInt(`${what} input size`, input, 1);
  checkInt(`${what} kernel size`, kernel, 1);
  checkInt(`${what} stride`, stride, 1);
  checkInt(`${what} padding`, pad, 0);
  checkInt(`${what} dilation`, dilation, 1);
  const out = Math.floor((input + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
  if (out < 1) {
    fail(`${what} output size`, "≥ 1 (the window must fit in the padded input)",
      `${out} from input ${input}, kernel ${kernel}, stride ${stride}, padding ${pad}, dilation ${dilation}`);
  }
  return out;
}
