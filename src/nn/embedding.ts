import { embedding } from "../autograd/ops/shape.js";
import { fail, SimdnetError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { applyInit, checkInitSpec, resolveRng, type InitSpec } from "./init.js";
import { checkPositiveInt, Layer } from "./layer.js";
import type { ModuleConfig, ModuleOptions, Parameter } from "./module.js";
import type { Rng } from "../data/random.js";

/** Options of Embedding. */
export interface EmbeddingOptions extends ModuleOptions {
  /** Initialiser of the weight; default N(0, 1) as PyTorch. */
  init?: InitSpec;
  /** Generator or seed; default the nn generator (manualSeed). */
  rng?: Rng | number;
}

/**
 * A lookup table (PyTorch nn.Embedding): int32 indices of any shape → their rows of `weight`
 * [numEmbeddings, embeddingDim], output [...indices.shape, embeddingDim].
 */
export class Embedding extends Layer {
  override readonly type = "Embedding";
  readonly weight: Parameter;
  private readonly initSpec: InitSpec;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super(options, ["init", "rng"], options, "Embedding");
    checkPositiveInt("Embedding numEmbeddings", numEmbeddings);
    checkPositiveInt("Embedding embeddingDim", embeddingDim);
    this.initSpec = options.init ?? "normal";
    checkInitSpec("Embedding init", this.initSpec);
    this.weight = this.addParameter("weight", [numEmbeddings, embeddingDim]);
    applyInit(this.initSpec, this.weight.data, { fanIn: embeddingDim, fanOut: numEmbeddings }, resolveRng(options.rng), "normal");
  }

  override inputDtype(): "int32" {
    return "int32";
  }

  override outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape, this.embeddingDim];
  }

  forward(indices: Tensor): Tensor {
    this.checkLive("forward");
    if (!(indices instanceof Tensor)) fail("Embedding input", "an int32 Tensor of indices", indices);
    if (indices.isDisposed) throw new SimdnetError("Embedding input: expected a live tensor, got a disposed tensor");
    if (indices.dtype !== "int32") fail("Embedding input dtype", '"int32" (indices)', indices.dtype);
    return embedding(indices, this.weight.data);
  }

  override config(): ModuleConfig {
    const c: ModuleConfig = { type: this.type, numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim };
    if (this.initSpec !== "normal") c["init"] = this.initSpec as ModuleConfig[string];
    return c;
  }
}
