import { pool2dOutputSize } from "../backend/shapes.js";
import { fail } from "../errors.js";
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
  protected outH = 0;
  protected outW = 0;

  constructor(kernelSize: number | [number, number], options: Pool2dOptions, extra: readonly string[], what: string) {
    super(options, ["stride", "padding", ...extra], options, what);
    this.kernelSize = pair(`${what} kernelSize`, kernelSize, 1);
    this.stride = pair(`${what} stride`, options.stride ?? this.kernelSize, 1);
    this.padding = pair(`${what} padding`, options.padding ?? 0, 0);
    if (2 * this.padding[0] > this.kernelSize[0] || 2 * this.padding[1] > this.kernelSize[1]) {
      fail(`${what} padding`, "at most half the kernel size", this.padding);
    }
  }

  outputShape(inputShape: readonly number[], where: string = this.type): number[] {
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

  protected override allocate(inShape: readonly number[], outShape: number[]): void {
    super.allocate(inShape, outShape);
    this.outH = outShape[2]!;
    this.outW = outShape[3]!;
  }

  protected baseConfig(): ModuleConfig {
    return { type: this.type, kernelSize: [...this.kernelSize], stride: [...this.stride], padding: [...this.padding] };
  }
}

/** 2-D max pooling (PyTorch nn.MaxPool2d, floor mode). Input/output [N, C, H, W]. */
export class MaxPool2d extends Pool2d {
  readonly type = "MaxPool2d";
  private argmax: Tensor | null = null;

  constructor(kernelSize: number | [number, number], options: Pool2dOptions = {}) {
    super(kernelSize, options, [], "MaxPool2d");
  }

  protected override allocate(inShape: readonly number[], outShape: number[]): void {
    super.allocate(inShape, outShape);
    this.argmax = this.engine.empty(outShape, "int32");
  }

  protected override releaseActivations(): void {
    super.releaseActivations();
    if (this.argmax !== null && !this.argmax.isDisposed) this.argmax.dispose();
    this.argmax = null;
  }

  forward(x: Tensor): Tensor {
    this.prepare(x);
    const s = x.shape;
    this.engine.kernels.maxPool2dForward(s[0]! * s[1]!, s[2]!, s[3]!, this.kernelSize[0], this.kernelSize[1], this.stride[0], this.stride[1],
      this.padding[0], this.padding[1], this.outH, this.outW, x.ptr, this.out!.ptr, this.argmax!.ptr);
    return this.out!;
  }

  backward(dy: Tensor): Tensor {
    const dx = this.prepareBackward(dy);
    if (!this.inputGrad) return dy;
    const s = this.x!.shape;
    this.engine.kernels.maxPool2dBackward(s[0]! * s[1]!, s[2]!, s[3]!, this.outH, this.outW, dy.ptr, this.argmax!.ptr, dx.ptr);
    return dx;
  }

  config(): ModuleConfig {
    return this.baseConfig();
  }
}

/** 2-D average pooling (PyTorch nn.AvgPool2d, floor mode). Input/output [N, C, H, W]. */
export class AvgPool2d extends Pool2d {
  readonly type = "AvgPool2d";
  readonly countIncludePad: boolean;

  constructor(kernelSize: number | [number, number], options: AvgPool2dOptions = {}) {
    super(kernelSize, options, ["countIncludePad"], "AvgPool2d");
    this.countIncludePad = bool("AvgPool2d countIncludePad", options.countIncludePad, true);
  }

  forward(x: Tensor): Tensor {
    this.prepare(x);
    const s = x.shape;
    this.engine.kernels.avgPool2dForward(s[0]! * s[1]!, s[2]!, s[3]!, this.kernelSize[0], this.kernelSize[1], this.stride[0], this.stride[1],
      this.padding[0], this.padding[1], this.outH, this.outW, this.countIncludePad ? 1 : 0, x.ptr, this.out!.ptr);
    return this.out!;
  }

  backward(dy: Tensor): Tensor {
    const dx = this.prepareBackward(dy);
    if (!this.inputGrad) return dy;
    const s = this.x!.shape;
    this.engine.kernels.avgPool2dBackward(s[0]! * s[1]!, s[2]!, s[3]!, this.kernelSize[0], this.kernelSize[1], this.stride[0], this.stride[1],
      this.padding[0], this.padding[1], this.outH, this.outW, this.countIncludePad ? 1 : 0, dy.ptr, dx.ptr);
    return dx;
  }

  config(): ModuleConfig {
    return { ...this.baseConfig(), countIncludePad: this.countIncludePad };
  }
}
