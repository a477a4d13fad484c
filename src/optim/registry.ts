/**
 * The optimizers and LR schedules by name: the one table fit, presets, the CLI and the demos
 * create them from (see src/registry.ts). Optimizer names are PyTorch's class names in lower
 * case ("sgd", "adamw"); schedules keep PyTorch's class names ("CosineAnnealingLR").
 *
 * @module
 */

import { fail } from "../errors.js";
import { Registry } from "../registry.js";
import { Adam, AdamW } from "./adam.js";
import type { Optimizer, Params } from "./optimizer.js";
import { RMSprop } from "./rmsprop.js";
import { CosineAnnealingLR, ExponentialLR, ReduceLROnPlateau, StepLR, type Scheduler } from "./scheduler.js";
import { SGD } from "./sgd.js";

/** Makes an optimizer over `params`; `options` are the class's own (PyTorch defaults for the rest). */
export type OptimizerFactory = (params: Params, options: Record<string, unknown>) => Optimizer;

/** Makes a schedule of `optimizer` with the class's options. */
export type SchedulerFactory = (optimizer: Optimizer, options: Record<string, unknown>) => Scheduler;

/** The optimizers by name, with PyTorch's defaults (SGD: momentum 0, lr 1e-3). */
export const OPTIMIZERS = new Registry<OptimizerFactory>("optimizer", {
  sgd: (p, o) => new SGD(p, o),
  adam: (p, o) => new Adam(p, o),
  adamw: (p, o) => new AdamW(p, o),
  rmsprop: (p, o) => new RMSprop(p, o),
});

/** The LR schedules by PyTorch class name. */
export const SCHEDULERS = new Registry<SchedulerFactory>("scheduler", {
  StepLR: (opt, o) => new StepLR(opt, o as unknown as ConstructorParameters<typeof StepLR>[1]),
  ExponentialLR: (opt, o) => new ExponentialLR(opt, o as unknown as ConstructorParameters<typeof ExponentialLR>[1]),
  CosineAnnealingLR: (opt, o) => new CosineAnnealingLR(opt, o as unknown as ConstructorParameters<typeof CosineAnnealingLR>[1]),
  ReduceLROnPlateau: (opt, o) => new ReduceLROnPlateau(opt, o as ConstructorParameters<typeof ReduceLROnPlateau>[1]),
});

function optionsObject(what: string, options: unknown): Record<string, unknown> {
  if (options === null || typeof options !== "object" || Array.isArray(options)) fail(what, "an options object", options);
  return options as Record<string, unknown>;
}

/**
 * An optimizer by registered name ("sgd", "adam", "adamw", "rmsprop"; case-insensitive) with the
 * class's options, or just the learning rate: `createOptimizer("sgd", model, { lr: 0.01, momentum: 0.9 })`,
 * `createOptimizer("adam", model, 1e-3)`. Everything not given has PyTorch's default.
 * @throws SimdnetError for an unknown name (listing the known ones) or a bad option.
 */
export function createOptimizer(name: string, params: Params, options: number | Record<string, unknown> = {}): Optimizer {
  const factory = OPTIMIZERS.get(typeof name === "string" ? name.toLowerCase() : name, "optimizer");
  return factory(params, typeof options === "number" ? { lr: options } : optionsObject(`${name} options`, options));
}

/**
 * An LR schedule by PyTorch class name, e.g. `createScheduler("CosineAnnealingLR", opt, { tMax: 10 })`.
 * @throws SimdnetError for an unknown name (listing the known ones) or a bad option.
 */
export function createScheduler(name: string, optimizer: Optimizer, options: Record<string, unknown> = {}): Scheduler {
  return SCHEDULERS.get(name, "scheduler")(optimizer, optionsObject(`${name} options`, options));
}

/** Adds an optimizer under a new lower-case name, for fit, presets and files to refer to. */
export function registerOptimizer(name: string, factory: OptimizerFactory): void {
  // createOptimizer lower-cases what it is given: an upper-case entry could never be found.
  if (typeof name === "string" && name !== name.toLowerCase()) fail("registerOptimizer name", "a lower-case name", name);
  OPTIMIZERS.register(name, factory);
}

/** Adds an LR schedule under a new name. */
export function registerScheduler(name: string, factory: SchedulerFactory): void {
  SCHEDULERS.register(name, factory);
}
