/**
 * The training loop (Keras-like `fit` / `evaluate` / `predict`, as functions of any Module and
 * as methods of {@link Model}) and its callbacks. Browser-safe: output goes through injectable
 * write functions.
 *
 * @module
 */
export { fit, evaluate, predict, predictClasses, forwardBatches, layerNames, type FitOptions, type FitProgress, type EvaluateOptions, type PredictOptions, type EvalResult, type LossName, type MetricName, type LrScheduler } from "./fit.js";
export { Model, asModel, type ModelSaveOptions, type ModelLoadOptions } from "./model.js";
export type { NestedArray, PredictInput } from "./samples.js";
export type { Inputs, Labels, ShapedArray } from "./data.js";
export type { Callback, EpochLogs, History, StopInfo, TrainState } from "./types.js";
export {
  ProgressBar, EarlyStopping, ModelCheckpoint, JsonLinesLogger, WeightStats, DeadReLU, tensorStats,
  type Monitor, type ProgressBarOptions, type EarlyStoppingOptions, type ModelCheckpointOptions, type SaveFunction,
  type JsonLinesLoggerOptions, type WeightStatsOptions, type TensorStats, type DeadReLUOptions, type DeadReluRecord,
} from "./callbacks.js";
