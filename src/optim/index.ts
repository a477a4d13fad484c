/** Optimizers, gradient utilities and learning-rate schedules. */
export { Optimizer, type Params } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { clipGradNorm, addL1Penalty, addL2Penalty } from "./grad.js";
export { StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau, type ReduceLROnPlateauOptions, type Scheduler } from "./scheduler.js";
export {
  OPTIMIZERS, SCHEDULERS, createOptimizer, createScheduler, registerOptimizer, registerScheduler,
  type OptimizerFactory, type SchedulerFactory,
} from "./registry.js";
export { Registry } from "../registry.js";
