import { add } from "../autograd/ops/binary.js";
import { relu } from "../autograd/ops/unary.js";
import { checkOptions } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { Conv2d } from "./conv.js";
import { checkPositiveInt } from "./layer.js";
import { Module, MODULE_OPTION_KEYS, type ModuleConfig, type ModuleOptions } from "./module.js";
import { BatchNorm2d } from "./norm.js";
import { Sequential } from "./sequential.js";

/** Options of ResidualBlock. */
export interface ResidualBlockOptions extends ModuleOptions {
  /** Stride of the first convolution (and of the shortcut); default 1. */
  stride?: number;
}

/**
 * ResNet's basic block (torchvision BasicBlock), usable as one layer in Sequential:
 * relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), 3×3 convolutions without bias, padding 1.
 * The shortcut is x itself, or `downsample` = 1×1 convolution (stride) + BatchNorm2d when the
 * stride is not 1 or the channel count changes. State-dict names match torchvision's
 * (conv1.weight, bn1.running_mean, downsample.0.weight, …).
 */
export class ResidualBlock extends Module {
  override readonly type = "ResidualBlock";
  readonly stride: number;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;

  constructor(readonly inChannels: number, readonly outChannels: number, options: ResidualBlockOptions = {}) {
    checkOptions("ResidualBlock options", options, ["stride", ...MODULE_OPTION_KEYS]);
    super(options);
    checkPositiveInt("ResidualBlock inChannels", inChannels);
    checkPositiveInt("ResidualBlock outChannels", outChannels);
    this.stride = checkPositiveInt("ResidualBlock stride", options.stride ?? 1);
    const o = { engine: this.engine };
    this.conv1 = new Conv2d(inChannels, outChannels, 3, { ...o, stride: this.stride, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(outChannels, o);
    this.conv2 = new Conv2d(outChannels, outChannels, 3, { ...o, padding: 1, bias: false });
    this.bn2 = new BatchNorm2d(outChannels, o);
    this.downsample = this.stride !== 1 || inChannels !== outChannels
      ? new Sequential(new Conv2d(inChannels, outChannels, 1, { ...o, stride: this.stride, bias: false }), new BatchNorm2d(outChannels, o))
      : null;
  }

  override outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    return this.conv1.outputShape(inputShape, where);
  }

  override flops(inputShape: readonly number[]): number {
    const mid = this.conv1.outputShape(inputShape);
    let f = this.conv1.flops(inputShape) + this.bn1.flops(mid) + this.conv2.flops(mid) + this.bn2.flops(mid);
    if (this.downsample !== null) f += this.downsample.flops(inputShape);
    return f + 3 * mid.reduce((a, b) => a * b, 1);
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    const y = relu(this.bn1.forward(this.conv1.forward(x)));
    const shortcut = this.downsample === null ? x : this.downsample.forward(x);
    return relu(add(this.bn2.forward(this.conv2.forward(y)), shortcut));
  }

  override config(): ModuleConfig {
    return { type: this.type, inChannels: this.inChannels, outChannels: this.outChannels, stride: this.stride };
  }
}
