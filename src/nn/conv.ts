import { conv2dOutputSize } from "../backend/shapes.js";
import { checkOptions, fail } from "../errors.js";
import { conv2d, type Conv2dArgs } from "../autograd/ops/conv.js";
import type { Tensor } from "../tensor.js";
import { bool, checkPositiveInt, checkRank, expectShape, Layer, pair } from "./layer.js";
import { checkInitOptions, INIT_KEYS, initConfig, initWeightBias, type WeightInitOptions } from "./linear.js";
import { MODULE_OPTION_KEYS, type ModuleConfig, type ModuleOptions, type Parameter, type StatePlan } from "./module.js";

/** Options of Conv2d (PyTorch names; groups and padding modes other than zeros are not supported). */
export interface Conv2dOptions extends ModuleOptions, WeightInitOptions {
  /** Stride, one number or [h, w] (default 1). */
  stride?: number | [number, number];
  /**
   * Zero padding per side, one number or [h, w] (default 0); "valid" = 0; "same" keeps H and W
   * (stride 1 only, as PyTorch; needs dilation·(kernel − 1) even, since padding is symmetric here).
   */
  padding?: number | [number, number] | "same" | "valid";
  /** Dilation, one number or [h, w] (default 1). */
  dilation?: number | [number, number];
  /** Add a learnable bias (default true). */
  bias?: boolean;
}

/**
 * 2-D convolution (cross-correlation, as PyTorch nn.Conv2d). Input [N, inChannels, H, W],
 * output [N, outChannels, outH, outW]; weight [outChannels, inChannels, kH, kW], bias [outChannels].
 */
export class Conv2d extends Layer {
  override readonly type = "Conv2d";
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  private readonly paddingOption: number | [number, number] | "same" | "valid";
  private readonly args: Conv2dArgs;

  /** Checks Conv2d's arguments and options without allocating; returns what it would allocate. */
  static plan(inChannels: unknown, outChannels: unknown, kernelSize: unknown, options: Conv2dOptions = {}): StatePlan {
    const s = conv2dSettings(inChannels, outChannels, kernelSize, options);
    const weight: [string, number[]] = ["weight", [s.outChannels, s.inChannels, s.kernelSize[0], s.kernelSize[1]]];
    return { params: s.hasBias ? [weight, ["bias", [s.outChannels]]] : [weight], buffers: [], scratch: 0 };
  }

  constructor(
    readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number, number],
    private readonly options: Conv2dOptions = {},
  ) {
    super(options, CONV_KEYS, options, "Conv2d");
    // Everything is checked before the first allocation, so a bad option leaks nothing.
    const s = conv2dSettings(inChannels, outChannels, kernelSize, options);
    this.kernelSize = s.kernelSize;
    this.stride = s.stride;
    this.dilation = s.dilation;
    this.paddingOption = options.padding ?? 0;
    this.padding = s.padding;
    const hasBias = s.hasBias;
    this.weight = this.addParameter("weight", [outChannels, inChannels, this.kernelSize[0], this.kernelSize[1]]);
    this.bias = hasBias ? this.addParameter("bias", [outChannels]) : null;
    initWeightBias("Conv2d", options, this.weight, this.bias);
    this.args = { stride: this.stride, padding: this.padding, dilation: this.dilation };
  }

  override outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    const expected = expectShape(["N", this.inChannels, "H", "W"]);
    checkRank(where, inputShape, 4, expected);
    if (inputShape[1] !== this.inChannels) fail(`${where} input shape`, expected, inputShape);
    let size: { outH: number; outW: number };
    try {
      size = conv2dOutputSize(inputShape[2]!, inputShape[3]!, this.kernelSize[0], this.kernelSize[1],
        this.stride[0], this.stride[1], this.padding[0], this.padding[1], this.dilation[0], this.dilation[1]);
    } catch (e) {
      fail(`${where} input shape`, `an image large enough for kernel [${this.kernelSize.join(", ")}] (${(e as Error).message})`, inputShape);
    }
    return [inputShape[0]!, this.outChannels, size.outH, size.outW];
  }

  override flops(inputShape: readonly number[]): number {
    const [n, , outH, outW] = this.outputShape(inputShape);
    return 2 * n! * this.outChannels * outH! * outW! * this.inChannels * this.kernelSize[0] * this.kernelSize[1];
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return conv2d(x, this.weight.data, this.bias === null ? null : this.bias.data, this.args);
  }

  override config(): ModuleConfig {
    const c: ModuleConfig = {
      type: this.type, inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: [...this.kernelSize],
      stride: [...this.stride], padding: typeof this.paddingOption === "string" ? this.paddingOption : [...this.padding],
      dilation: [...this.dilation], bias: this.bias !== null,
    };
    return { ...c, ...initConfig(this.options) };
  }
}

const CONV_KEYS = ["stride", "padding", "dilation", "bias", ...INIT_KEYS];

/** Conv2d's checked arguments (shared by the constructor and Conv2d.plan). */
function conv2dSettings(inChannels: unknown, outChannels: unknown, kernelSizeArg: unknown, options: Conv2dOptions) {
  checkOptions("Conv2d options", options, [...CONV_KEYS, ...MODULE_OPTION_KEYS]);
  const inC = checkPositiveInt("Conv2d inChannels", inChannels);
  const outC = checkPositiveInt("Conv2d outChannels", outChannels);
  const kernelSize = pair("Conv2d kernelSize", kernelSizeArg, 1);
  const stride = pair("Conv2d stride", options.stride ?? 1, 1);
  const dilation = pair("Conv2d dilation", options.dilation ?? 1, 1);
  const p = options.padding ?? 0;
  let padding: [number, number];
  if (p === "valid") padding = [0, 0];
  else if (p === "same") {
    if (stride[0] !== 1 || stride[1] !== 1) fail("Conv2d padding \"same\" stride", "1 (as in PyTorch)", stride);
    const total = [dilation[0] * (kernelSize[0] - 1), dilation[1] * (kernelSize[1] - 1)];
    if (total[0]! % 2 !== 0 || total[1]! % 2 !== 0) {
      fail("Conv2d padding \"same\"", "an odd effective kernel size (dilation·(kernel − 1) even; asymmetric padding is not supported)", kernelSize);
    }
    padding = [total[0]! / 2, total[1]! / 2];
  } else padding = pair("Conv2d padding", p, 0);
  const hasBias = bool("Conv2d bias", options.bias, true);
  checkInitOptions("Conv2d", options);
  return { inChannels: inC, outChannels: outC, kernelSize, stride, dilation, padding, hasBias };
}
