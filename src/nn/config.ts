import type { Engine } from "../engine.js";
import { fail } from "../errors.js";
import { GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from "./activation.js";
import { Dropout, Flatten, Identity } from "./basic.js";
import { Conv2d } from "./conv.js";
import { Linear } from "./linear.js";
import { failText, type Module, type ModuleConfig } from "./module.js";
import { BatchNorm1d, BatchNorm2d, LayerNorm } from "./norm.js";
import { Embedding } from "./embedding.js";
import { ResidualBlock } from "./residual.js";
import { AvgPool2d, MaxPool2d } from "./pool.js";
import { Sequential } from "./sequential.js";

type Builder = (c: Record<string, unknown>, engine: Engine | undefined) => Module;

/** Constructor options = the config minus `type` and the positional arguments, plus the engine. */
function opts(c: Record<string, unknown>, positional: readonly string[], engine: Engine | undefined): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (k !== "type" && !positional.includes(k)) o[k] = v;
  if (engine !== undefined) o["engine"] = engine;
  return o;
}

const BUILDERS: Record<string, Builder> = {
  Linear: (c, e) => new Linear(c["inFeatures"] as number, c["outFeatures"] as number, opts(c, ["inFeatures", "outFeatures"], e)),
  Conv2d: (c, e) => new Conv2d(c["inChannels"] as number, c["outChannels"] as number, c["kernelSize"] as number,
    opts(c, ["inChannels", "outChannels", "kernelSize"], e)),
  MaxPool2d: (c, e) => new MaxPool2d(c["kernelSize"] as number, opts(c, ["kernelSize"], e)),
  AvgPool2d: (c, e) => new AvgPool2d(c["kernelSize"] as number, opts(c, ["kernelSize"], e)),
  BatchNorm1d: (c, e) => new BatchNorm1d(c["numFeatures"] as number, opts(c, ["numFeatures"], e)),
  BatchNorm2d: (c, e) => new BatchNorm2d(c["numFeatures"] as number, opts(c, ["numFeatures"], e)),
  Dropout: (c, e) => new Dropout((c["p"] as number | undefined) ?? 0.5, opts(c, ["p"], e)),
  Flatten: (c, e) => new Flatten(opts(c, [], e)),
  Identity: (c, e) => new Identity(opts(c, [], e)),
  ReLU: (c, e) => new ReLU(opts(c, [], e)),
  LeakyReLU: (c, e) => new LeakyReLU(opts(c, [], e)),
  Sigmoid: (c, e) => new Sigmoid(opts(c, [], e)),
  Tanh: (c, e) => new Tanh(opts(c, [], e)),
  Softmax: (c, e) => new Softmax(opts(c, [], e)),
  LogSoftmax: (c, e) => new LogSoftmax(opts(c, [], e)),
  GELU: (c, e) => new GELU(opts(c, [], e)),
  LayerNorm: (c, e) => new LayerNorm(c["normalizedShape"] as number[], opts(c, ["normalizedShape"], e)),
  Embedding: (c, e) => new Embedding(c["numEmbeddings"] as number, c["embeddingDim"] as number, opts(c, ["numEmbeddings", "embeddingDim"], e)),
  ResidualBlock: (c, e) => new ResidualBlock(c["inChannels"] as number, c["outChannels"] as number, opts(c, ["inChannels", "outChannels"], e)),
  Sequential: (c, e) => {
    const layers = c["layers"];
    if (!Array.isArray(layers)) fail("Sequential config layers", "an array of layer configs", layers);
    const extra = Object.keys(c).filter((k) => k !== "type" && k !== "layers");
    if (extra.length > 0) failText("Sequential config", "only the keys type, layers", `unknown key "${extra[0]}"`);
    const built = layers.map((l, i) => buildAt(l, e, `layers[${i}]`));
    const seq = new Sequential(built);
    return seq;
  },
};

/** Names of the module types moduleFromConfig knows. */
export const MODULE_TYPES: readonly string[] = Object.keys(BUILDERS);

function buildAt(config: unknown, engine: Engine | undefined, path: string): Module {
  if (config === null || typeof config !== "object" || Array.isArray(config)) fail(`module config${path ? " " + path : ""}`, "an object { type, ... }", config);
  const c = config as Record<string, unknown>;
  const builder = typeof c["type"] === "string" ? BUILDERS[c["type"]] : undefined;
  if (builder === undefined) fail(`module config${path ? " " + path : ""} type`, `one of ${MODULE_TYPES.join(", ")}`, c["type"]);
  try {
    return builder(c, engine);
  } catch (e) {
    if (path && e instanceof Error) e.message = `module config ${path}: ${e.message}`;
    throw e;
  }
}

/**
 * Rebuilds a module from its `config()` (the JSON architecture description). Weights are
 * freshly initialised; load them with `loadStateDict`. Unknown types or keys are errors that
 * name the path ("module config layers[3]: Linear options: unknown option ...").
 */
export function moduleFromConfig(config: ModuleConfig, options: { engine?: Engine } = {}): Module {
  return buildAt(config, options.engine, "");
}
