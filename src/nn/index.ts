/** The model layer: modules, layers, Sequential, losses, initialisers. */
export { Module, Parameter, sameShape, type ModuleConfig, type ModuleOptions, type StateDict, type StateTensor, type JsonValue } from "./module.js";
export { Linear, type LinearOptions, type WeightInitOptions } from "./linear.js";
export { Conv2d, type Conv2dOptions } from "./conv.js";
export { MaxPool2d, AvgPool2d, type Pool2dOptions, type AvgPool2dOptions } from "./pool.js";
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormOptions } from "./norm.js";
export { Embedding, type EmbeddingOptions } from "./embedding.js";
export { ResidualBlock, type ResidualBlockOptions } from "./residual.js";
export { ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, LogSoftmax, GELU, type LeakyReLUOptions, type SoftmaxOptions } from "./activation.js";
export { Identity, Flatten, Dropout, reseedDropout, type FlattenOptions, type DropoutOptions } from "./basic.js";
export { Sequential, type Summary, type SummaryRow } from "./sequential.js";
export { dropout } from "./functional.js";
export {
  moduleFromConfig, planModule, MODULE_TYPES, DEFAULT_MAX_MODULE_BYTES, MAX_CONFIG_DEPTH, LAYERS, registerLayer,
  type ModuleFromConfigOptions, type ModulePlan, type LayerBuilder,
} from "./config.js";
export {
  Loss, CrossEntropyLoss, NLLLoss, MSELoss, BCEWithLogitsLoss,
  type LossOptions, type CrossEntropyLossOptions, type Reduction,
} from "./loss.js";
export { LOSSES, lossFromConfig, registerLoss, type LossEntry } from "./loss-registry.js";
export {
  manualSeed, getDefaultRng, calculateGain, computeFans, applyInit, checkInitSpec,
  type InitSpec, type Nonlinearity,
} from "./init.js";
