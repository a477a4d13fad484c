/**
 * Model files on disk (Node only: imports node:fs, so browser bundles leave this file out).
 *
 * A model folder holds:
 * - `model.json` — the architecture description (see ModelDescription);
 * - `model.safetensors` — the weights (F32, PyTorch state-dict keys), readable by Python's
 *   `safetensors.torch.load_file`, with the description repeated in its metadata.
 *
 * @module
 */

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../engine.js";
import { checkOptions, fail, SimdnetError } from "../errors.js";
import type { JsonValue, Module } from "../nn/module.js";
import { inputShapeOf } from "../train/model.js";
import {
  buildWithWeights, describeModel, loadWeightsFromBytes, modelToBytes, parseDescription,
  type LoadedModel, type ModelDescription,
} from "./model.js";
import { decodeSafetensors } from "./safetensors.js";

/** File names inside a model folder. */
export const MODEL_JSON = "model.json";
export const MODEL_WEIGHTS = "model.safetensors";

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new SimdnetError(`${path}: expected a readable file, got ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Writes via a temporary file and a rename, so a crash never leaves half a model behind. */
function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Options of saveModel. */
export interface SaveModelOptions {
  /**
   * Shape of one input sample, e.g. [1, 28, 28] (stored so `eval` and loaders know it). Default:
   * what the model recorded (a Model's `inputShape`, set by fit), else [inFeatures] of a leading Linear.
   */
  inputShape?: readonly number[] | null;
  /** Extra JSON stored with the description (dataset, preset, loss, …). */
  extra?: { [key: string]: JsonValue };
}

/** Saves `module` to the folder `dir` (created when missing). Returns the description written. */
export function saveModel(module: Module, dir: string, options: SaveModelOptions = {}): ModelDescription {
  const description = describeModel(module, options.inputShape === undefined ? inputShapeOf(module) : options.inputShape, options.extra ?? {});
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, MODEL_WEIGHTS), modelToBytes(module, description));
  writeAtomic(join(dir, MODEL_JSON), JSON.stringify(description, null, 2) + "\n");
  return description;
}

/**
 * Loads a model folder written by saveModel: the architecture from model.json, the weights from
 * model.safetensors. Errors name the file and the expected and actual value.
 */
export function loadModel(dir: string, options: { engine?: Engine; maxBytes?: number } = {}): LoadedModel {
  checkOptions("loadModel options", options, ["engine", "maxBytes"]);
  if (typeof dir !== "string") fail("loadModel dir", "a folder path (string)", dir);
  const jsonPath = join(dir, MODEL_JSON);
  const weightsPath = join(dir, MODEL_WEIGHTS);
  const description = parseDescription(new TextDecoder().decode(readBytes(jsonPath)), jsonPath);
  // Decode (and so validate) the weights, and check them against the description, before building anything.
  const { tensors } = decodeSafetensors(readBytes(weightsPath), weightsPath);
  const module = buildWithWeights(description, tensors, { description: jsonPath, weights: weightsPath }, options.engine, options.maxBytes);
  return { module, description };
}

/** Loads a safetensors weights file into an existing module; on any error the module is unchanged. */
export function loadWeights(module: Module, path: string): void {
  loadWeightsFromBytes(module, readBytes(path), path);
}
