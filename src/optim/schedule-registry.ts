/**
 * The LR schedules by PyTorch class name ("CosineAnnealingLR"): the one table the CLI, presets and
 * fitInWorker create schedules from (see src/registry.ts).
 *
 * @module
 */

import { Registry } from "../registry.js";
import type { Optimizer } from "./optimizer.js";
import { optionsObject } from "./registry.js";
import { CosineAnnealingLR, ExponentialLR, ReduceLROnPlateau, StepLR, type Scheduler } from "./scheduler.js";

/** Makes a schedule of `optimizer` with the class's options. */
export type SchedulerFactory = (optimizer: Optimizer, options: Record<string, unknown>) => Scheduler;

/** The LR schedules by PyTorch class name. */
export const SCHEDULERS = /* @__PURE__ */ new Registry<SchedulerFactory>("scheduler", {
  StepLR: (opt, o) => new StepLR(opt, o as unknown as ConstructorParameters<typeof StepLR>[1]),
  ExponentialLR: (opt, o) => new ExponentialLR(opt, o as unknown as ConstructorParameters<typeof ExponentialLR>[1]),
  CosineAnnealingLR: (opt, o) => new CosineAnnealingLR(opt, o as unknown as ConstructorParameters<typeof CosineAnnealingLR>[1]),
  ReduceLROnPlateau: (opt, o) => new ReduceLROnPlateau(opt, o as ConstructorParameters<typeof ReduceLROnPlateau>[1]),
});

/**
 * An LR schedule by PyTorch class name, e.g. `createScheduler("CosineAnnealingLR", opt, { tMax: 10 })`.
 * @throws SimdnetError for an unknown name (listing the known ones) or a bad option.
 */
export function createScheduler(name: string, optimizer: Optimizer, options: Record<string, unknown> = {}): Scheduler {
  return SCHEDULERS.get(name, "scheduler")(optimizer, optionsObject(`${name} options`, options));
}

/** Adds an LR schedule under a new name. */
export function registerScheduler(name: string, factory: SchedulerFactory): void {
  SCHEDULERS.register(name, factory);
}
