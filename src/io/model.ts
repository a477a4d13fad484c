/**
 * Model files, browser-safe part: a model is its architecture (JSON, `Module.config()`) plus its
 * weights (safetensors, F32, PyTorch state-dict keys). In one blob (`modelToBytes`) the
 * architecture rides in the safetensors `__metadata__` under "simdnet", so a single file works
 * in a browser; on disk (`saveModel` in ./node.ts) the same description is also written as
 * model.json beside model.safetensors, for people and for tools that only read JSON.
 *
 * Loading validates everything (format, architecture, every key, shape and value) before any
 * weight is written, so a bad file leaves the model as it was.
 *
 * @module
 */

import type { Engine } from "../engine.js";
import { checkOptions, SimdnetError } from "../errors.js";
import { moduleFromConfig, planModule } from "../nn/config.js";
import { checkStateDict, type JsonValue, type Module, type ModuleConfig, type StateDict } from "../nn/module.js";
import { optString, ownEntry } from "../validate.js";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";

/** The format tag written into every description. */
export const MODEL_FORMAT = "simdnet-model";
/** The description version this code writes and reads. */
export const MODEL_VERSION = 1;

/** The JSON architecture description of a saved model (model.json). */
export interface ModelDescription {
  format: typeof MODEL_FORMAT;
  version: number;
  /** The module tree (`Module.config()`), rebuilt with `moduleFromConfig`. */
  module: ModuleConfig;
  /** Shape of one input sample (no batch dimension), e.g. [1, 28, 28]; null when unknown. */
  inputShape: number[] | null;
  /** Free-form extras (loss config, dataset name, preset, …). */
  extra: { [key: string]: JsonValue };
}

/** Builds the description of a module. */
export function describeModel(module: Module, inputShape: readonly number[] | null = null, extra: { [key: string]: JsonValue } = {}): ModelDescription {
  return { format: MODEL_FORMAT, version: MODEL_VERSION, module: module.config(), inputShape: inputShape === null ? null : [...inputShape], extra };
}

/**
 * Validates a parsed description; errors start with `file` and name the expected and actual value.
 */
export function checkDescription(value: unknown, file: string): ModelDescription {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SimdnetError(`${file}: model description: expected a JSON object, got ${JSON.stringify(value)}`);
  }
  const d = value as Record<string, unknown>;
  if (d["format"] !== MODEL_FORMAT) {
    throw new SimdnetError(`${file}: format: expected "${MODEL_FORMAT}", got ${JSON.stringify(d["format"])}`);
  }
  if (d["version"] !== MODEL_VERSION) {
    throw new SimdnetError(`${file}: version: expected ${MODEL_VERSION}, got ${JSON.stringify(d["version"])}`);
  }
  const m = d["module"];
  if (m === null || typeof m !== "object" || Array.isArray(m) || typeof (m as Record<string, unknown>)["type"] !== "string") {
    throw new SimdnetError(`${file}: module: expected a module config { type, ... }, got ${JSON.stringify(m)}`);
  }
  const shape = d["inputShape"] ?? null;
  if (shape !== null && (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s > 0))) {
    throw new SimdnetError(`${file}: inputShape: expected null or a list of positive integers, got ${JSON.stringify(shape)}`);
  }
  const extra = d["extra"] ?? {};
  if (extra === null || typeof extra !== "object" || Array.isArray(extra)) {
    throw new SimdnetError(`${file}: extra: expected an object, got ${JSON.stringify(extra)}`);
  }
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, module: m as ModuleConfig,
    inputShape: shape as number[] | null, extra: extra as { [key: string]: JsonValue },
  };
}

/** Parses description JSON text (model.json, or the safetensors metadata). */
export function parseDescription(text: string, file: string): ModelDescription {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SimdnetError(`${file}: model description: expected JSON, got unparsable text (${(e as Error).message})`);
  }
  return checkDescription(value, file);
}

/** Re-throws a SimdnetError with `file: ` in front (other errors as they are). */
function inFile<T>(file: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof SimdnetError) throw new SimdnetError(`${file}: ${e.message}`);
    throw e;
  }
}

/**
 * Builds the module of a description (fresh weights), naming the file on failure. The whole
 * description is checked first (types, options, nesting, size against `maxBytes`), so a bad one
 * allocates nothing.
 */
export function buildModule(description: ModelDescription, file: string, engine?: Engine, maxBytes?: number): Module {
  return inFile(file, () => moduleFromConfig(description.module, { ...(engine === undefined ? {} : { engine }), ...(maxBytes === undefined ? {} : { maxBytes }) }));
}

/**
 * Builds a description's module and loads `tensors` into it, checking the description (against
 * `maxBytes`) and the weights (keys, shapes, values) against each other BEFORE the first
 * allocation: a failed load leaves the engine's memory exactly as it was.
 */
export function buildWithWeights(
  description: ModelDescription, tensors: StateDict, files: { description: string; weights: string }, engine?: Engine, maxBytes?: number,
): Module {
  const options = { ...(engine === undefined ? {} : { engine }), ...(maxBytes === undefined ? {} : { maxBytes }) };
  const plan = inFile(files.description, () => planModule(description.module, options));
  inFile(files.weights, () => checkStateDict(plan.state, tensors));
  const module = buildModule(description, files.description, engine, maxBytes);
  try {
    module.loadStateDict(tensors);
  } catch (e) {
    module.dispose();
    if (e instanceof SimdnetError) throw new SimdnetError(`${files.weights}: ${e.message}`);
    throw e;
  }
  return module;
}

/** The weights and description of a model as one safetensors blob (for browsers: download, IndexedDB, fetch). */
export function modelToBytes(module: Module, description: ModelDescription = describeModel(module)): Uint8Array {
  return encodeSafetensors(module.stateDict(), { format: "pt", simdnet: JSON.stringify(description) });
}

/**
 * Loads safetensors weights into an existing module. Every key, shape and value is checked
 * before anything is written: on error the module is unchanged and the message names `file`.
 */
export function loadWeightsFromBytes(module: Module, bytes: Uint8Array, file = "weights"): void {
  const { tensors } = decodeSafetensors(bytes, file);
  try {
    module.loadStateDict(tensors);
  } catch (e) {
    if (e instanceof SimdnetError) throw new SimdnetError(`${file}: ${e.message}`);
    throw e;
  }
}

/** A model read back: the module (weights loaded) and its description. */
export interface LoadedModel {
  module: Module;
  description: ModelDescription;
}

/**
 * Rebuilds a model from `modelToBytes` output (architecture from the metadata, then weights).
 * Pass `description` to use an architecture stored elsewhere (model.json).
 */
export function modelFromBytes(
  bytes: Uint8Array, options: { engine?: Engine; file?: string; description?: ModelDescription; maxBytes?: number } = {},
): LoadedModel {
  checkOptions("modelFromBytes options", options, ["engine", "file", "description", "maxBytes"]);
  const file = optString("modelFromBytes file", options.file, "model bytes");
  const { tensors, metadata } = decodeSafetensors(bytes, file);
  let description = options.description;
  if (description === undefined) {
    const text = ownEntry(metadata, "simdnet");
    if (text === undefined) {
      throw new SimdnetError(`${file}: __metadata__ "simdnet": expected the model description, got nothing (a weights-only file: use loadWeights with a built model)`);
    }
    description = parseDescription(text, `${file} (__metadata__ "simdnet")`);
  } else description = checkDescription(description, "modelFromBytes description");
  const module = buildWithWeights(description, tensors, { description: file, weights: file }, options.engine, options.maxBytes);
  return { module, description };
}
