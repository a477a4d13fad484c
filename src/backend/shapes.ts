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

/** Output height and width of a 2-D convolution (see windowOutputSize); throws naming the bad axis. */
export function conv2dOutputSize(
  inH: number, inW: number, kH: number, kW: number, strideH: number, strideW: number,
  padH: number, padW: number, dilH = 1, dilW = 1,
): { outH: number; outW: number } {
  return {
    outH: windowOutputSize("conv2d height", inH, kH, strideH, padH, dilH),
    outW: windowOutputSize("conv2d width", inW, kW, strideW, padW, dilW),
  };
}

/**
 * Output height and width of 2-D max/average pooling (floor mode, as PyTorch's default).
 * Padding must be at most half the window (PyTorch's rule), so every window holds at least one
 * cell of the image: max pooling then always has a real argmax and avg pooling a divisor ≥ 1.
 */
export function pool2dOutputSize(
  inH: number, inW: number, kH: number, kW: number, strideH: number, strideW: number, padH: number, padW: number,
): { outH: number; outW: number } {
  const outH = windowOutputSize("pool2d height", inH, kH, strideH, padH);
  const outW = windowOutputSize("pool2d width", inW, kW, strideW, padW);
  if (2 * padH > kH) fail("pool2d height padding", `at most half the kernel size (${Math.floor(kH / 2)})`, padH);
  if (2 * padW > kW) fail("pool2d width padding", `at most half the kernel size (${Math.floor(kW / 2)})`, padW);
  return { outH, outW };
}
