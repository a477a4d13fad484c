import type { Module } from "../nn/module.js";
import { Sequential } from "../nn/sequential.js";
import type { Inputs, Labels } from "./data.js";
import {
  evaluate, fit, predict, predictClasses, type EvalResult, type EvaluateOptions, type FitOptions, type PredictOptions,
} from "./fit.js";
import type { History } from "./types.js";

/**
 * A Sequential with Keras' training methods: `model.fit(x, y, options)`, `model.evaluate(x, y)`,
 * `model.predict(x)`. Layers, state dicts, configs and summaries are Sequential's (config type
 * "Sequential", so saved files do not depend on the wrapper). The methods call the functions of
 * fit.ts, which take any Module; see that file for why the loop lives outside src/nn.
 *
 * ```ts
 * const model = new Model(new Linear(2, 16), new Tanh(), new Linear(16, 2));
 * const history = await model.fit(ds.x, ds.y, { epochs: 50, batchSize: 16, optimizer: new Adam(model, { lr: 0.01 }) });
 * const { loss, accuracy } = model.evaluate(test.x, test.y);
 * ```
 */
export class Model extends Sequential {
  /** A Model over the same layer objects as `seq` (no copy: both see the same weights). */
  static from(seq: Sequential): Model {
    const m = new Model(...seq.layers);
    m.train(seq.training);
    return m;
  }

  /** See {@link fit}: x `{ data, shape: [n, ...sampleShape] }` or Float32Array, y Int32Array labels or Float32Array targets. */
  fit(x: Inputs, y: Labels, options: FitOptions = {}): Promise<History> {
    this.checkLive("fit");
    return fit(this, x, y, options);
  }

  /** See {@link evaluate}: mean loss and accuracy in eval mode. */
  evaluate(x: Inputs, y: Labels, options: EvaluateOptions = {}): EvalResult {
    this.checkLive("evaluate");
    return evaluate(this, x, y, options);
  }

  /** See {@link predict}: outputs in eval mode, n × output size values. */
  predict(x: Inputs, options: PredictOptions = {}): Float32Array {
    this.checkLive("predict");
    return predict(this, x, options);
  }

  /** See {@link predictClasses}: argmax of the outputs per sample. */
  predictClasses(x: Inputs, options: PredictOptions = {}): Int32Array {
    this.checkLive("predictClasses");
    return predictClasses(this, x, options);
  }
}

/** Wraps a Sequential (e.g. from moduleFromConfig or loadModel) as a Model; a Model is returned as is. */
export function asModel(module: Module): Model {
  if (module instanceof Model) return module;
  if (module instanceof Sequential) return Model.from(module);
  return new Model(module);
}
