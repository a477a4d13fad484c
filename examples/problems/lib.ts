/**
 * Shared pieces of the reference-problem scripts (examples/problems/*.ts) and their fast tests:
 * a plain training loop over the nn/optim API, evaluation and prediction (the library's),
 * decision-boundary grids, and SVG figures rendered headlessly with vega-lite + vega.
 *
 * The loop is written out by hand (zeroGrad → forward → loss → backward → step) so each problem
 * shows exactly what one training step is; it allocates its input/label tensors once per batch
 * size and reuses them, as the layers do.
 *
 * @module
 */

import { init, type Engine } from "../../src/engine.js";
import type { Tensor } from "../../src/tensor.js";
import type { Module } from "../../src/nn/module.js";
import { Sequential } from "../../src/nn/sequential.js";
import type { Loss } from "../../src/nn/loss.js";
import type { Optimizer } from "../../src/optim/optimizer.js";
import { DataLoader, type Batch } from "../../src/data/loader.js";
import { evaluate as evaluateModel, predict as predictModel } from "../../src/train/fit.js";

/** Result of one pass over a data set. */
export interface Metrics {
  /** Mean loss per sample. */
  loss: number;
  /** Fraction of samples whose arg-max output equals the label. */
  accuracy: number;
}

/** The engine every example uses (the fastest backend the runtime validates). */
export async function engine(): Promise<Engine> {
  return init();
}

/** Index of the largest of `k` values starting at `off`. */
export function argmax(v: Float32Array, off: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (v[off + j]! > v[off + best]!) best = j;
  return best;
}

/**
 * Input and label tensors kept per batch size, so that a loop over a DataLoader (full batches
 * plus one shorter last batch) allocates twice per run, not once per step.
 */
export class BatchTensors {
  private readonly xs = new Map<number, Tensor>();
  private readonly ys = new Map<number, Tensor>();
  constructor(private readonly eng: Engine, private readonly sampleShape: readonly number[]) {}

  /** The input tensor [n, ...sampleShape] filled with `x` (n × sampleSize values). */
  x(x: Float32Array, n: number): Tensor {
    let t = this.xs.get(n);
    if (t === undefined) {
      t = this.eng.empty([n, ...this.sampleShape]);
      this.xs.set(n, t);
    }
    t.f32.set(x.length === t.size ? x : x.subarray(0, t.size));
    return t;
  }

  /** The int32 label tensor [n] filled with `y`. */
  y(y: Int32Array, n: number): Tensor {
    let t = this.ys.get(n);
    if (t === undefined) {
      t = this.eng.empty([n], "int32");
      this.ys.set(n, t);
    }
    (t.data as Int32Array).set(y.length === n ? y : y.subarray(0, n));
    return t;
  }

  dispose(): void {
    for (const t of this.xs.values()) t.dispose();
    for (const t of this.ys.values()) t.dispose();
    this.xs.clear();
    this.ys.clear();
  }
}

/** Called after every optimizer step with the global step (from 1) and the batch loss. */
export type StepHook = (step: number, loss: number, batch: Batch) => void;

/**
 * Model, loss and optimizer with the manual training loop. `step` counts optimizer steps over
 * the trainer's life (across epochs).
 */
export class Trainer {
  step = 0;
  private readonly io: BatchTensors;
  constructor(
    readonly model: Module,
    readonly loss: Loss,
    readonly optimizer: Optimizer,
    readonly sampleShape: readonly number[],
  ) {
    this.io = new BatchTensors(model.engine, sampleShape);
    // Nobody reads the gradient with respect to the images: let the first layer skip it.
    if (model instanceof Sequential && model.layers.length > 0) model.layers[0]!.inputGrad = false;
  }

  /** One optimizer step on n samples; returns the batch loss (mean over the batch). */
  trainBatch(x: Float32Array, y: Int32Array, n: number): number {
    this.model.train();
    this.optimizer.zeroGrad();
    const out = this.model.forward(this.io.x(x, n));
    const value = this.loss.forward(out, this.io.y(y, n));
    this.model.backward(this.loss.backward());
    this.optimizer.step();
    this.step++;
    return value;
  }

  /** One epoch over the loader; returns mean training loss and accuracy (in training mode). */
  trainEpoch(loader: DataLoader, onStep?: StepHook): Metrics {
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (const batch of loader) {
      const value = this.trainBatch(batch.x, batch.y, batch.size);
      const out = this.model.output!.f32;
      const k = out.length / batch.size;
      for (let i = 0; i < batch.size; i++) if (argmax(out, i * k, k) === batch.y[i]) correct++;
      lossSum += this.loss.reduction === "sum" ? value : value * batch.size;
      seen += batch.size;
      onStep?.(this.step, value, batch);
    }
    return { loss: lossSum / seen, accuracy: correct / seen };
  }

  /** Loss and accuracy on (x, y) in evaluation mode, in batches of `batchSize`. */
  evaluate(x: Float32Array, y: Int32Array, batchSize = 1000): Metrics {
    return evaluate(this.model, this.loss, x, y, this.sampleShape, batchSize);
  }

  dispose(): void {
    this.io.dispose();
  }
}

/**
 * Loss and accuracy of `model` on (x, y) in evaluation mode (restores the mode): the library's
 * `evaluate`, which checks the arrays and batches them itself.
 */
export function evaluate(
  model: Module, loss: Loss, x: Float32Array, y: Int32Array, sampleShape: readonly number[], batchSize = 1000,
): Metrics {
  return evaluateModel(model, { data: x, shape: [y.length, ...sampleShape] }, y, { batchSize, loss });
}

/** Raw model outputs for x (n × outputs), in evaluation mode: the library's `predict`. */
export function predict(model: Module, x: Float32Array, sampleShape: readonly number[], batchSize = 1000): Float32Array {
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  return predictModel(model, { data: x, shape: [x.length / sampleSize, ...sampleShape] }, { batchSize });
}

/** A regular grid over the bounding box of 2-D points (with a margin), as model input. */
export interface Grid {
  /** Points per side. */
  size: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** size² points, row-major from (x0, y0), x varying fastest. */
  points: Float32Array;
}

/** The grid over the points' bounding box, widened by `margin` on every side. */
export function gridFor(x: Float32Array, size = 80, margin = 0.5): Grid {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < x.length; i += 2) {
    x0 = Math.min(x0, x[i]!); x1 = Math.max(x1, x[i]!);
    y0 = Math.min(y0, x[i + 1]!); y1 = Math.max(y1, x[i + 1]!);
  }
  x0 -= margin; x1 += margin; y0 -= margin; y1 += margin;
  const points = new Float32Array(size * size * 2);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      points[(r * size + c) * 2] = x0 + ((x1 - x0) * c) / (size - 1);
      points[(r * size + c) * 2 + 1] = y0 + ((y1 - y0) * r) / (size - 1);
    }
  }
  return { size, x0, x1, y0, y1, points };
}

/** Wall-clock seconds since `t0` (performance.now() milliseconds). */
export function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/** Parses `--name value` / `--flag` command-line options into a record. */
export function args(argv: readonly string[] = process.argv.slice(2)): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith("--")) {
      out[a.slice(2)] = next;
      i++;
    } else out[a.slice(2)] = "true";
  }
  return out;
}

/** Numeric option with a default. */
export function numArg(opts: Record<string, string>, name: string, dflt: number): number {
  const v = opts[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name}: expected a number, got "${v}"`);
  return n;
}

/** Mean, standard deviation, min and max of the values. */
export function stats(v: Float32Array): { min: number; max: number; mean: number; std: number } {
  let min = Infinity, max = -Infinity, sum = 0;
  for (let i = 0; i < v.length; i++) {
    const a = v[i]!;
    if (a < min) min = a;
    if (a > max) max = a;
    sum += a;
  }
  const mean = sum / v.length;
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += (v[i]! - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(sq / v.length) };
}
