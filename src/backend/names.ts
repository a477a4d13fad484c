import type { Kernels } from "./kernels.js";

/** Every kernel name, checked at compile time against the Kernels interface (both directions). */
export const KERNEL_NAMES = [
  "gemm", "gemmWorkBytes",
  "fill", "copy", "scale", "axpy", "mul", "biasAddRows", "biasAddChannels", "biasGradRows", "biasGradChannels",
  "sum", "sumSquares", "sumAbs", "argmax", "argmaxRows", "countEqual", "countNonFinite",
  "reluForward", "reluBackward", "leakyReluForward", "leakyReluBackward", "sigmoidForward", "sigmoidBackward",
  "tanhForward", "tanhBackward", "softmaxForward", "softmaxBackward", "logSoftmaxForward", "logSoftmaxBackward",
  "expForward",
  "softmaxCrossEntropy", "nllLoss", "mseLoss", "bceWithLogitsLoss",
  "conv2dForward", "conv2dBackwardData", "conv2dBackwardFilter", "conv2dWorkBytes", "im2col", "col2im",
  "maxPool2dForward", "maxPool2dBackward", "avgPool2dForward", "avgPool2dBackward",
  "batchNormForwardTrain", "batchNormForwardEval", "batchNormBackward",
  "dropoutForward", "uniformFill",
  "sgdStep", "adamStep", "rmspropStep",
] as const satisfies readonly (keyof Kernels)[];

type Missing = Exclude<keyof Kernels, (typeof KERNEL_NAMES)[number]>;
const everyKernelListed: [Missing] extends [never] ? true : Missing = true;
void everyKernelListed;

/** Builds a complete Kernels object from a partial one: a missing kernel throws when called. */
export function completeKernels(partial: Partial<Kernels>, backend: string): { kernels: Kernels; missing: string[] } {
  const missing: string[] = [];
  const out: Record<string, unknown> = {};
  for (const name of KERNEL_NAMES) {
    const fn = partial[name];
    if (typeof fn === "function") out[name] = fn;
    else {
      missing.push(name);
      out[name] = () => {
        throw new Error(`kernel ${name} is not implemented in the ${backend} backend`);
      };
    }
  }
  return { kernels: out as unknown as Kernels, missing };
}
