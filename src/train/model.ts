import type { Engine } from "../engine.js";
import { checkOptions, fail } from "../errors.js";
import { describeModel, modelFromBytes, modelToBytes, type ModelDescription } from "../io/model.js";
import { modelStore, type ModelSource, type ModelTarget } from "../io/stores.js";
import type { JsonValue, Module } from "../nn/module.js";
import { Sequential } from "../nn/sequential.js";
import { firstLinear, type Inputs, type Labels } from "./data.js";
import {
  evaluate, fit, predict, predictClasses, type EvalResult, type EvaluateOptions, type FitOptions, type PredictOptions,
} from "./fit.js";
import { toInputs, type PredictInput } from "./samples.js";
import { probabilities } from "./proba.js";
import type { History } from "./types.js";

/** Options of {@link Model.save} and {@link Model.toBlob}. */
export interface ModelSaveOptions {
  /** Free-form JSON stored with the description (dataset, preset, notes). */
  extra?: { [key: string]: JsonValue };
}

/** Options of {@link Model.load}. */
export interface ModelLoadOptions {
  /** The engine to build the layers on (default: the one `init()` made). */
  engine?: Engine;
}

/**
 * A Sequential with Keras' training methods: `model.fit(x, y, options)`, `model.evaluate(x, y)`,
 * `model.predict(x)`, and persistence: `await model.save(target)`, `await Model.load(source)`.
 * Layers, state dicts, configs and summaries are Sequential's (config type "Sequential", so saved
 * files do not depend on the wrapper). The methods call the functions of fit.ts, which take any
 * Module; see that file for why the loop lives outside src/nn.
 *
 * ```ts
 * const model = new Model(new Linear(2, 16), new Tanh(), new Linear(16, 2));
 * const history = await model.fit(ds.x, ds.y, { epochs: 50, batchSize: 16, optimizer: new Adam(model, { lr: 0.01 }) });
 * const { loss, accuracy } = model.evaluate(test.x, test.y);
 * await model.save("indexeddb://moons");                  // or a folder in Node, or model.toBlob()
 * const again = await Model.load("indexeddb://moons");
 * again.predictProba([0.5, -0.2]);                        // class probabilities of one sample
 * ```
 */
export class Model extends Sequential {
  /**
   * Shape of one input sample (no batch dimension), e.g. [2] or [1, 28, 28]; null while unknown.
   * Recorded by `fit` (and by `evaluate` / `predict` while still unknown) and by `Model.load`;
   * `save` stores it, so loaders and `simdnet eval` know what the model takes. May be set by hand.
   */
  inputShape: number[] | null = null;

  /** A Model over the same layer objects as `seq` (no copy: both see the same weights). */
  static from(seq: Sequential): Model {
    const m = new Model(...seq.layers);
    m.train(seq.training);
    return m;
  }

  /**
   * Loads a model saved by {@link Model.save} (or `saveModel` of `simdnet/node`, or any
   * safetensors file whose metadata carries the description): from `"indexeddb://<name>"`, a
   * folder (Node), an http(s) URL or `URL`, a `Blob` / `File`, or a {@link ModelStore}. The file
   * is checked (format, architecture, every key, shape and size) before weights are allocated;
   * errors name the place.
   */
  static async load(source: ModelSource, options: ModelLoadOptions = {}): Promise<Model> {
    checkOptions("Model.load options", options, ["engine"]);
    const store = modelStore(source);
    const stored = await store.load();
    const { module, description } = modelFromBytes(stored.bytes, {
      file: store.name,
      ...(options.engine === undefined ? {} : { engine: options.engine }),
      ...(stored.description === undefined ? {} : { description: stored.description }),
    });
    const model = asModel(module);
    model.inputShape = description.inputShape === null ? null : [...description.inputShape];
    return model;
  }

  /**
   * Saves the architecture, the weights and the input shape: to `"indexeddb://<name>"` (browsers),
   * a folder path (Node: model.safetensors + model.json, as `saveModel` writes them), or a
   * {@link ModelStore}. Resolves with the description written once the bytes are stored.
   */
  async save(target: ModelTarget, options: ModelSaveOptions = {}): Promise<ModelDescription> {
    const description = this.describe("save", options);
    const store = modelStore(target);
    if (store.save === undefined) {
      fail("model.save target", 'a writable place ("indexeddb://<name>", a folder in Node, or a ModelStore with save; for a download use model.toBlob())', store.name);
    }
    await store.save({ bytes: modelToBytes(this, description), description });
    return description;
  }

  /**
   * The model as one safetensors file in a Blob (weights plus the description in its metadata),
   * e.g. for a download link: `URL.createObjectURL(model.toBlob())`. `Model.load(blob)` reads it,
   * and so does PyTorch's `safetensors.torch.load_file`.
   */
  toBlob(options: ModelSaveOptions = {}): Blob {
    const bytes = modelToBytes(this, this.describe("toBlob", options));
    return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" });
  }

  private describe(what: string, options: ModelSaveOptions): ModelDescription {
    this.checkLive(what);
    checkOptions(`model.${what} options`, options, ["extra"]);
    const extra = options.extra ?? {};
    if (extra === null || typeof extra !== "object" || Array.isArray(extra)) fail(`model.${what} extra`, "a JSON object", extra);
    return describeModel(this, this.knownInputShape(), extra);
  }

  private knownInputShape(): number[] | null {
    return inputShapeOf(this);
  }

  /** Records the sample shape of x (after a call that accepted it) when `always` or still unknown. */
  private record(x: Inputs, always: boolean): void {
    if (!always && this.inputShape !== null) return;
    if (x instanceof Float32Array) {
      const lin = firstLinear(this);
      if (lin !== null) this.inputShape = [lin.inFeatures];
    } else {
      this.inputShape = x.shape.slice(1);
    }
  }

  /** See {@link fit}: x `{ data, shape: [n, ...sampleShape] }` or Float32Array, y Int32Array labels or Float32Array targets. */
  fit(x: Inputs, y: Labels, options: FitOptions = {}): Promise<History> {
    this.checkLive("fit");
    return fit(this, x, y, options).then((history) => {
      this.record(x, true);
      return history;
    });
  }

  /** See {@link evaluate}: mean loss and accuracy in eval mode. */
  evaluate(x: Inputs, y: Labels, options: EvaluateOptions = {}): EvalResult {
    this.checkLive("evaluate");
    const result = evaluate(this, x, y, options);
    this.record(x, false);
    return result;
  }

  /**
   * Outputs in eval mode, n × output size values (see {@link predict}). Besides `{ data, shape }`
   * and a Float32Array, `x` may be one sample or a batch as nested arrays (`[x1, x2]`,
   * `[[x1, x2], …]`) or one sample as a Float32Array; which it is follows from `inputShape`.
   */
  predict(x: PredictInput, options: PredictOptions = {}): Float32Array {
    this.checkLive("predict");
    const inputs = toInputs(x, this.knownInputShape(), "predict x");
    const out = predict(this, inputs, options);
    this.record(inputs, false);
    return out;
  }

  /**
   * Class probabilities, n × classes values in eval mode: the softmax of the outputs (logits), or
   * the outputs themselves when the model ends in Softmax, their exp after LogSoftmax, and the
   * sigmoid of a single output (P(class 1), as BCEWithLogitsLoss trains it) unless the model
   * already ends in Sigmoid. Same inputs as {@link Model.predict}.
   */
  predictProba(x: PredictInput, options: PredictOptions = {}): Float32Array {
    this.checkLive("predictProba");
    const inputs = toInputs(x, this.knownInputShape(), "predictProba x");
    const out = predict(this, inputs, options);
    this.record(inputs, false);
    const outShape = this.outputShape([1, ...this.knownInputShape()!]).slice(1);
    if (outShape.length !== 1) fail("predictProba model output sample shape", "[classes]", outShape);
    return probabilities(this, out, outShape[0]!);
  }

  /** See {@link predictClasses}: argmax of the outputs per sample. */
  predictClasses(x: PredictInput, options: PredictOptions = {}): Int32Array {
    this.checkLive("predictClasses");
    return predictClasses(this, toInputs(x, this.knownInputShape(), "predictClasses x"), options);
  }
}

/** Wraps a Sequential (e.g. from moduleFromConfig or loadModel) as a Model; a Model is returned as is. */
export function asModel(module: Module): Model {
  if (module instanceof Model) return module;
  if (module instanceof Sequential) return Model.from(module);
  return new Model(module);
}

/**
 * The input sample shape a save should record for `module`: a Model's `inputShape`, else
 * [inFeatures] of a leading Linear, else null (unknown).
 */
export function inputShapeOf(module: Module): number[] | null {
  if (module instanceof Model && module.inputShape !== null) return [...module.inputShape];
  const lin = firstLinear(module);
  return lin === null ? null : [lin.inFeatures];
}
