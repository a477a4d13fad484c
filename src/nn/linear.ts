import type { Tensor } from "../tensor.js";
import { applyInit, checkInitSpec, computeFans, DEFAULT_WEIGHT_INIT, defaultBiasInit, resolveRng, type InitSpec } from "./init.js";
import { bool, checkPositiveInt, checkRank, expectShape, Layer } from "./layer.js";
import { MODULE_OPTION_KEYS, type ModuleConfig, type ModuleOptions, type Parameter, type StatePlan } from "./module.js";
import { checkOptions, fail } from "../errors.js";
import { linearChecked } from "../autograd/ops/linalg.js";
import { Rng } from "../data/random.js";

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
const LINEAR_KEYS = ["bias", ...INIT_KEYS, ...MODULE_OPTION_KEYS];

/** Checks the init options (specs and rng) without drawing or allocating anything. */
export function checkInitOptions(what: string, options: WeightInitOptions): void {
  checkInitSpec(`${what} weightInit`, options.weightInit ?? options.init ?? "default");
  checkInitSpec(`${what} biasInit`, options.biasInit ?? options.init ?? "default");
  const rng: unknown = options.rng;
  if (rng !== undefined && !(rng instanceof Rng) && !(typeof rng === "number" && Number.isSafeInteger(rng) && rng >= 0)) {
    fail(`${what} rng`, "an Rng or a seed (an integer in [0, 2^53))", rng);
  }
}

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

  /** Checks Linear's arguments and options without allocating; returns what it would allocate. */
  static plan(inFeatures: unknown, outFeatures: unknown, options: LinearOptions = {}): StatePlan {
    checkOptions("Linear options", options, LINEAR_KEYS);
    const inF = checkPositiveInt("Linear inFeatures", inFeatures);
    const outF = checkPositiveInt("Linear outFeatures", outFeatures);
    const hasBias = bool("Linear bias", options.bias, true);
    checkInitOptions("Linear", options);
    return { params: [["weight", [outF, inF]], ...(hasBias ? [["bias", [outF]] as [string, number[]]] : [])], buffers: [], scratch: 0 };
  }

  constructor(readonly inFeatures: number, readonly outFeatures: number, private readonly options: LinearOptions = {}) {
    super(options, ["bias", ...INIT_KEYS], options, "Linear");
    // Everything is checked before the first allocation, so a bad option leaks nothing.
    Linear.plan(inFeatures, outFeatures, options);
    const hasBias = bool("Linear bias", options.bias, true);
    this.weight = this.addParameter("weight", [outFeatures, inFeatures]);
    this.bias = hasBias ? this.addParameter("bias", [outFeatures]) : null;
    initWeightBias("Linear", options, this.weight, this.bias);
  }

  override outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    checkRank(where, inputShape, 2, expectShape(["N", this.inFeatures]));
    if (inputShape[1] !== this.inFeatures) fail(`${where} input shape`, expectShape(["N", this.inFeatures]), inputShape);
    return [inputShape[0]!, this.outFeatures];
  }

  override flops(inputShape: readonly number[]): number {
    return 2 * inputShape[0]! * this.inFeatures * this.outFeatures;
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return linearChecked(x, this.weight.data, this.bias === null ? null : this.bias.data);
  }

  override config(): ModuleConfig {
    const c: ModuleConfig = { type: this.type, inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null };
    return { ...c, ...initConfig(this.options) };
  }
}
