import type { Rng } from "../data/random.js";
import type { Tensor } from "../tensor.js";
import { applyInit, checkInitSpec, computeFans, DEFAULT_WEIGHT_INIT, defaultBiasInit, resolveRng, type InitSpec } from "./init.js";
import { bool, checkPositiveInt, checkRank, expectShape, Layer } from "./layer.js";
import type { ModuleConfig, ModuleOptions, Parameter } from "./module.js";
import { fail } from "../errors.js";
import { linear } from "../autograd/ops/linalg.js";

/** Options of layers with a weight and an optional bias. */
export interface WeightInitOptions {
  /** Initialiser for weight AND bias (shorthand; weightInit/biasInit win). Default "default". */
  init?: InitSpec;
  /** Initialiser of the weight; default PyTorch's (kaimingUniform a = √5 → U(±1/√fanIn)). */
  weightInit?: InitSpec;
  /** Initialiser of the bias; default PyTorch's U(±1/√fanIn). */
  biasInit?: InitSpec;
  /** Generator or seed for the initialisers; default the nn generator (manualSeed). */
  rng?: Rng | number;
}

/** Options of Linear. */
export interface LinearOptions extends ModuleOptions, WeightInitOptions {
  /** Add a learnable bias (default true). */
  bias?: boolean;
}

export const INIT_KEYS = ["init", "weightInit", "biasInit", "rng"] as const;

/** Initialises weight and optional bias per the init options (PyTorch defaults otherwise). */
export function initWeightBias(what: string, options: WeightInitOptions, weight: Parameter, bias: Parameter | null): void {
  const weightSpec = options.weightInit ?? options.init ?? "default";
  const biasSpec = options.biasInit ?? options.init ?? "default";
  checkInitSpec(`${what} weightInit`, weightSpec);
  checkInitSpec(`${what} biasInit`, biasSpec);
  const rng = resolveRng(options.rng);
  const fans = computeFans(weight.shape);
  applyInit(weightSpec, weight.data, fans, rng, DEFAULT_WEIGHT_INIT);
  if (bias !== null) applyInit(biasSpec, bias.data, fans, rng, defaultBiasInit(fans.fanIn));
}

/** The JSON-able init options (rng excluded: weights travel in the state dict). */
export function initConfig(options: WeightInitOptions): ModuleConfig {
  const out: ModuleConfig = { type: "" };
  if (options.init !== undefined) out["init"] = options.init;
  if (options.weightInit !== undefined) out["weightInit"] = options.weightInit;
  if (options.biasInit !== undefined) out["biasInit"] = options.biasInit;
  delete (out as { type?: string }).type;
  return out;
}

/**
 * Fully connected layer y = x·Wᵀ + b (PyTorch nn.Linear). Input [N, inFeatures], output
 * [N, outFeatures]; weight [outFeatures, inFeatures], bias [outFeatures].
 */
export class Linear extends Layer {
  override readonly type = "Linear";
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, private readonly options: LinearOptions = {}) {
    super(options, ["bias", ...INIT_KEYS], options, "Linear");
    checkPositiveInt("Linear inFeatures", inFeatures);
    checkPositiveInt("Linear outFeatures", outFeatures);
    const hasBias = bool("Linear bias", options.bias, true);
    this.weight = this.addParameter("weight", [outFeatures, inFeatures]);
    this.bias = hasBias ? this.addParameter("bias", [outFeatures]) : null;
    initWeightBias("Linear", options, this.weight, this.bias);
  }

  outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    checkRank(where, inputShape, 2, expectShape(["N", this.inFeatures]));
    if (inputShape[1] !== this.inFeatures) fail(`${where} input shape`, expectShape(["N", this.inFeatures]), inputShape);
    return [inputShape[0]!, this.outFeatures];
  }

  override flops(inputShape: readonly number[]): number {
    return 2 * inputShape[0]! * this.inFeatures * this.outFeatures;
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return linear(x, this.weight.data, this.bias === null ? null : this.bias.data);
  }

  config(): ModuleConfig {
    const c: ModuleConfig = { type: this.type, inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null };
    return { ...c, ...initConfig(this.options) };
  }
}
