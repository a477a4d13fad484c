import { pool2dOutputSize } from "../backend/shapes.js";
import { fail } from "../errors.js";
import { avgPool2d, maxPool2d, type AvgPool2dArgs } from "../autograd/ops/conv.js";
import type { Tensor } from "../tensor.js";
import { bool, checkRank, expectShape, Layer, pair } from "./layer.js";
import type { ModuleConfig, ModuleOptions } from "./module.js";

/** Options of MaxPool2d / AvgPool2d (floor mode, as PyTorch's default). */
export interface Pool2dOptions extends ModuleOptions {
  /** Stride, one number or [h, w]; default the kernel size (PyTorch's default). */
  stride?: number | [number, number];
  /** Implicit padding per side (−∞ for max, 0 for avg), at most half the kernel; default 0. */
  padding?: number | [number, number];
}

/** Options of AvgPool2d. */
export interface AvgPool2dOptions extends Pool2dOptions {
  /** Divide by the full window size even where it overlaps padding (default true, as PyTorch). */
  countIncludePad?: boolean;
}

abstract class Pool2d extends Layer {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  protected readonly args: AvgPool2dArgs;

  constructor(kernelSize: number | [number, number], options: Pool2dOptions, extra: readonly string[], what: string) {
    super(options, ["stride", "padding", ...extra], options, what);
    this.kernelSize = pair(`${what} kernelSize`, kernelSize, 1);
    this.stride = pair(`${what} stride`, options.stride ?? this.kernelSize, 1);
    this.padding = pair(`${what} padding`, options.padding ?? 0, 0);
    if (2 * this.padding[0] > this.kernelSize[0] || 2 * this.padding[1] > this.kernelSize[1]) {
      fail(`${what} padding`, "at most half the kernel size", this.padding);
    }
    this.args = { stride: this.stride, padding: this.padding };
  }

  override outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    checkRank(where, inputShape, 4, expectShape(["N", "C", "H", "W"]));
    let size: { outH: number; outW: number };
    try {
      size = pool2dOutputSize(inputShape[2]!, inputShape[3]!, this.kernelSize[0], this.kernelSize[1],
        this.stride[0], this.stride[1], this.padding[0], this.padding[1]);
    } catch (e) {
      fail(`${where} input shape`, `an image large enough for kernel [${this.kernelSize.join(", ")}] (${(e as Error).message})`, inputShape);
    }
    return [inputShape[0]!, inputShape[1]!, size.outH, size.outW];
  }

  /** One operation per window cell (comparison or addition). */
  override flops(inputShape: readonly number[]): number {
    const s = this.outputShape(inputShape);
    return s[0]! * s[1]! * s[2]! * s[3]! * this.kernelSize[0] * this.kernelSize[1];
  }

  protected baseConfig(): ModuleConfig {
    return { type: this.type, kernelSize: [...this.kernelSize], stride: [...this.stride], padding: [...this.padding] };
  }
}

/** 2-D max pooling (PyTorch nn.MaxPool2d, floor mode). Input/output [N, C, H, W]. */
export class MaxPool2d extends Pool2d {
  override readonly type = "MaxPool2d";

  constructor(kernelSize: number | [number, number], options: Pool2dOptions = {}) {
    super(kernelSize, options, [], "MaxPool2d");
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return maxPool2d(x, this.kernelSize, this.args);
  }

  override config(): ModuleConfig {
    return this.baseConfig();
  }
}

/** 2-D average pooling (PyTorch nn.AvgPool2d, floor mode). Input/output [N, C, H, W]. */
export class AvgPool2d extends Pool2d {
  override readonly type = "AvgPool2d";
  readonly countIncludePad: boolean;

  constructor(kernelSize: number | [number, number], options: AvgPool2dOptions = {}) {
    super(kernelSize, options, ["countIncludePad"], "AvgPool2d");
    this.countIncludePad = bool("AvgPool2d countIncludePad", options.countIncludePad, true);
    this.args.countIncludePad = this.countIncludePad;
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return avgPool2d(x, this.kernelSize, this.args);
  }

  override config(): ModuleConfig {
    return { ...this.baseConfig(), countIncludePad: this.countIncludePad };
  }
}
