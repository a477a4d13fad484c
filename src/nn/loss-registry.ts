/**
 * The losses by class name: the one table fit, evaluate, presets, model files and the CLI create
 * losses from (see src/registry.ts). Each entry also says what targets the loss wants, so fit can
 * check y against the loss before it builds anything.
 *
 * @module
 */

import type { Engine } from "../engine.js";
import { fail } from "../errors.js";
import { Registry } from "../registry.js";
import { BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss, type Loss, type LossOptions } from "./loss.js";
import type { ModuleConfig } from "./module.js";

/** A registered loss: how to make it and whether it takes class labels or float targets. */
export interface LossEntry {
  /** Makes the loss with the class's options (engine included). */
  create(options: LossOptions & Record<string, unknown>): Loss;
  /** "labels": Int32Array class indices (accuracy is defined); "targets": Float32Array, shaped like the output. */
  targets: "labels" | "targets";
}

/** The losses by PyTorch class name. */
export const LOSSES = new Registry<LossEntry>("loss", {
  CrossEntropyLoss: { create: (o) => new CrossEntropyLoss(o), targets: "labels" },
  NLLLoss: { create: (o) => new NLLLoss(o), targets: "labels" },
  MSELoss: { create: (o) => new MSELoss(o), targets: "targets" },
  BCEWithLogitsLoss: { create: (o) => new BCEWithLogitsLoss(o), targets: "targets" },
});

/** Adds a loss under a new class name (for fit's `loss` option, presets and files). */
export function registerLoss(name: string, entry: LossEntry): void {
  LOSSES.register(name, entry);
}

/** Rebuilds a loss from its `config()` ({ type, ...options }). */
export function lossFromConfig(config: ModuleConfig, options: { engine?: Engine } = {}): Loss {
  if (config === null || typeof config !== "object" || Array.isArray(config)) fail("loss config", "an object { type, ... }", config);
  const { type, ...rest } = config as { type: unknown } & Record<string, unknown>;
  return LOSSES.get(type, "loss config type").create({ ...rest, ...(options.engine ? { engine: options.engine } : {}) });
}
