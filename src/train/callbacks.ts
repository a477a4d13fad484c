/**
 * Training callbacks (Keras style) for {@link fit}: progress bar, early stopping, checkpoints,
 * a JSON-lines logger, weight/bias/activation statistics and dead-ReLU fractions. The history is
 * always recorded by fit itself, and a NaN/Inf loss always stops training (see fit.ts).
 *
 * Everything here is browser-safe: output goes through injectable functions (`write`, `save`),
 * defaulting to `process.stdout` in Node and `console.log` elsewhere. Batch hooks allocate
 * nothing except where a record is due (every N steps) or a TTY line is redrawn (throttled).
 *
 * @module
 */

import { checkOptions, fail, SimdnetError } from "../errors.js";
import { ReLU } from "../nn/activation.js";
import { failText, type Module } from "../nn/module.js";
import type { Tensor } from "../tensor.js";
import { forwardBatches } from "./fit.js";
import type { Callback, EpochLogs, TrainState } from "./types.js";

/** The epoch figures a callback can watch. */
export type Monitor = "loss" | "accuracy" | "valLoss" | "valAccuracy";
const MONITORS: readonly Monitor[] = ["loss", "accuracy", "valLoss", "valAccuracy"];

interface NodeStdout {
  write(s: string): unknown;
  isTTY?: boolean;
}

function nodeStdout(): NodeStdout | null {
  const proc = (globalThis as { process?: { stdout?: NodeStdout } }).process;
  return proc?.stdout && typeof proc.stdout.write === "function" ? proc.stdout : null;
}

/** Writes to process.stdout in Node, else console.log without the trailing newline. */
function defaultWrite(): (text: string) => void {
  const out = nodeStdout();
  if (out !== null) return (text) => void out.write(text);
  return (text) => console.log(text.replace(/\n$/, ""));
}

function checkMonitor(what: string, v: unknown, dflt: Monitor): Monitor {
  if (v === undefined) return dflt;
  if (!MONITORS.includes(v as Monitor)) fail(what, MONITORS.map((m) => `"${m}"`).join(", "), v);
  return v as Monitor;
}

function checkMode(what: string, v: unknown, monitor: Monitor): "min" | "max" {
  const mode = v ?? "auto";
  if (mode !== "auto" && mode !== "min" && mode !== "max") fail(what, '"auto", "min" or "max"', v);
  if (mode === "auto") return monitor === "loss" || monitor === "valLoss" ? "min" : "max";
  return mode;
}

function nonNegative(what: string, v: unknown, dflt: number, integer: boolean): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
    fail(what, integer ? "a non-negative integer" : "a finite number ≥ 0", v);
  }
  return v;
}

function positiveInt(what: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) fail(what, "a positive integer", v);
  return v;
}

function checkFunction<T>(what: string, v: unknown, expected: string): T {
  if (typeof v !== "function") fail(what, expected, v);
  return v as T;
}

function checkMonitored(what: string, state: TrainState, monitor: Monitor): void {
  if ((monitor === "valLoss" || monitor === "valAccuracy") && !state.hasValidation) {
    throw new SimdnetError(`${what} monitor: expected validation data in fit (validationSplit or validationData) for "${monitor}", got none`);
  }
  if ((monitor === "accuracy" || monitor === "valAccuracy") && !state.classification) {
    throw new SimdnetError(`${what} monitor: expected class labels for "${monitor}", got float targets`);
  }
}

// ---------------------------------------------------------------------------------------------
// Progress bar

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Where text goes (default: process.stdout.write in Node, console.log elsewhere). */
  write?: (text: string) => void;
  /** A stream to write to instead (e.g. process.stderr); its isTTY is the default of `isTTY`. Excludes `write`. */
  stream?: { write(text: string): unknown; isTTY?: boolean };
  /** Redraw one bar per epoch in place (default: the stream's isTTY, process.stdout.isTTY with neither option; false outside Node). */
  isTTY?: boolean;
  /** Bar width in characters (default 30). */
  width?: number;
  /** Minimum milliseconds between redraws on a TTY (default 100). */
  intervalMs?: number;
  /**
   * Prefix of the validation columns (default "val": `val_loss`, `val_accuracy`); "test" when the
   * validation data is really the test split, so the columns say what they measure.
   */
  valName?: string;
}

function fmt(x: number, digits: number): string {
  return x.toFixed(digits);
}

/** " - loss 0.1234 - accuracy 0.9650 …" for the finite figures of a log. */
function figures(l: Pick<EpochLogs, "loss" | "accuracy" | "valLoss" | "valAccuracy">, valName: string): string {
  let s = ` - loss ${fmt(l.loss, 4)}`;
  if (!Number.isNaN(l.accuracy)) s += ` - accuracy ${fmt(l.accuracy, 4)}`;
  if (!Number.isNaN(l.valLoss)) s += ` - ${valName}_loss ${fmt(l.valLoss, 4)}`;
  if (!Number.isNaN(l.valAccuracy)) s += ` - ${valName}_accuracy ${fmt(l.valAccuracy, 4)}`;
  return s;
}

/**
 * Keras-style progress. On a TTY: one bar per epoch redrawn in place (at most every intervalMs),
 * finished with the epoch's figures. Otherwise one line per epoch:
 *
 * `Epoch 3/10 - 1875/1875 - 12.3s - 4870 samples/s - loss 0.1234 - accuracy 0.9650 - val_loss 0.0987 - val_accuracy 0.9712 - lr 0.001`
 *
 * (figures that are NaN — accuracy of regression, validation without data — are left out). When
 * training stops early the reason is printed as a last line, `Stopped: …`, and a restore by
 * EarlyStopping as `Restored the weights of epoch N`.
 */
export class ProgressBar implements Callback {
  private readonly write: (text: string) => void;
  private readonly tty: boolean;
  private readonly width: number;
  private readonly intervalMs: number;
  private readonly valName: string;
  private epochStart = 0;
  private lastDraw = -Infinity;

  constructor(options: ProgressBarOptions = {}) {
    checkOptions("ProgressBar options", options, ["write", "stream", "isTTY", "width", "intervalMs", "valName"]);
    const stream = options.stream;
    if (stream !== undefined) {
      if (options.write !== undefined) failText("ProgressBar options", "write or stream", "both");
      if (stream === null || typeof stream !== "object" || typeof stream.write !== "function") fail("ProgressBar stream", "an object with a write(text) method", stream);
      this.write = (text) => void stream.write(text);
    } else {
      this.write = options.write === undefined ? defaultWrite() : checkFunction("ProgressBar write", options.write, "a function (text) => void");
    }
    if (options.isTTY !== undefined && typeof options.isTTY !== "boolean") fail("ProgressBar isTTY", "true or false", options.isTTY);
    const defaultTty = stream !== undefined ? stream.isTTY === true : options.write === undefined && nodeStdout()?.isTTY === true;
    this.tty = options.isTTY ?? defaultTty;
    this.width = positiveInt("ProgressBar width", options.width, 30);
    this.intervalMs = nonNegative("ProgressBar intervalMs", options.intervalMs, 100, false);
    if (options.valName !== undefined && (typeof options.valName !== "string" || !/^\w+$/.test(options.valName))) {
      fail("ProgressBar valName", 'a word such as "val" or "test"', options.valName);
    }
    this.valName = options.valName ?? "val";
  }

  onEpochBegin(): void {
    this.epochStart = globalThis.performance.now();
    this.lastDraw = -Infinity;
  }

  onBatchEnd(state: TrainState): void {
    if (!this.tty) return;
    const t = globalThis.performance.now();
    if (t - this.lastDraw < this.intervalMs && state.batch < state.batches) return;
    this.lastDraw = t;
    this.write(`\r${this.bar(state)} - ${fmt((t - this.epochStart) / 1000, 1)}s - loss ${fmt(state.epochLoss, 4)}` +
      (Number.isNaN(state.epochAccuracy) ? "" : ` - accuracy ${fmt(state.epochAccuracy, 4)}`) + "\x1b[K");
  }

  private bar(state: TrainState): string {
    const head = `Epoch ${state.epoch}/${state.epochs}`;
    const done = Math.min(state.batch, state.batches);
    if (!this.tty) return `${head} - ${done}/${state.batches}`;
    const filled = Math.floor((this.width * done) / state.batches);
    const body = done === state.batches ? "=".repeat(this.width) : "=".repeat(filled) + ">" + ".".repeat(this.width - filled - 1);
    return `${head} [${body}] ${done}/${state.batches}`;
  }

  onEpochEnd(state: TrainState, logs: EpochLogs): void {
    const line = `${this.bar(state)} - ${fmt(logs.seconds, 1)}s - ${Math.round(logs.samplesPerSecond)} samples/s${figures(logs, this.valName)} - lr ${logs.lr}`;
    this.write(this.tty ? `\r${line}\x1b[K\n` : `${line}\n`);
  }

  onTrainEnd(state: TrainState): void {
    const h = state.history;
    if (h.stopped !== null) this.write(`Stopped: ${h.stopped.message}\n`);
    if (h.restoredEpoch !== null) this.write(`Restored the weights of epoch ${h.restoredEpoch}\n`);
  }
}

// ---------------------------------------------------------------------------------------------
// Snapshots of parameters and buffers (early stopping)

/** Host copies of every parameter and buffer of a model, allocated once. */
class Snapshot {
  private readonly tensors: Tensor[];
  private readonly copies: Float32Array[];
  constructor(model: Module) {
    this.tensors = [...model.parameters().map((p) => p.data), ...model.buffers()];
    this.copies = this.tensors.map((t) => new Float32Array(t.size));
  }
  save(): void {
    for (let i = 0; i < this.tensors.length; i++) this.copies[i]!.set(this.tensors[i]!.f32);
  }
  restore(): void {
    for (let i = 0; i < this.tensors.length; i++) this.tensors[i]!.f32.set(this.copies[i]!);
  }
}

function improved(mode: "min" | "max", value: number, best: number, minDelta: number): boolean {
  if (Number.isNaN(value)) return false;
  return mode === "min" ? value < best - minDelta : value > best + minDelta;
}

// ---------------------------------------------------------------------------------------------
// Early stopping

/** Options of {@link EarlyStopping} (Keras names and defaults). */
export interface EarlyStoppingOptions {
  /** Figure to watch (default "valLoss"). */
  monitor?: Monitor;
  /** An improvement must beat the best by more than this (absolute, default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0: stop at the first one). */
  patience?: number;
  /** "min" for losses, "max" for accuracies; "auto" (default) picks by the monitor's name. */
  mode?: "auto" | "min" | "max";
  /** At the end of training, put back the weights (and BatchNorm statistics) of the best epoch (default false). */
  restoreBestWeights?: boolean;
}

/**
 * Stops training when the monitored figure has not improved for `patience` epochs. With
 * `restoreBestWeights` the model ends with the best epoch's parameters and buffers, copied to
 * host arrays (allocated once at train begin) whenever the figure improves; `history.restoredEpoch`
 * then says which epoch that was.
 */
export class EarlyStopping implements Callback {
  readonly monitor: Monitor;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: "min" | "max";
  readonly restoreBestWeights: boolean;
  /** Best value so far and its epoch (from 1; 0 before the first epoch). */
  best = Number.NaN;
  bestEpoch = 0;
  /** Epoch at which it stopped training, or 0. */
  stoppedEpoch = 0;
  private wait = 0;
  private snapshot: Snapshot | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    checkOptions("EarlyStopping options", options, ["monitor", "minDelta", "patience", "mode", "restoreBestWeights"]);
    this.monitor = checkMonitor("EarlyStopping monitor", options.monitor, "valLoss");
    this.minDelta = nonNegative("EarlyStopping minDelta", options.minDelta, 0, false);
    this.patience = nonNegative("EarlyStopping patience", options.patience, 0, true);
    this.mode = checkMode("EarlyStopping mode", options.mode, this.monitor);
    if (options.restoreBestWeights !== undefined && typeof options.restoreBestWeights !== "boolean") {
      fail("EarlyStopping restoreBestWeights", "true or false", options.restoreBestWeights);
    }
    this.restoreBestWeights = options.restoreBestWeights ?? false;
  }

  onTrainBegin(state: TrainState): void {
    checkMonitored("EarlyStopping", state, this.monitor);
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.bestEpoch = 0;
    this.stoppedEpoch = 0;
    this.wait = 0;
    this.snapshot = this.restoreBestWeights ? new Snapshot(state.model) : null;
  }

  onEpochEnd(state: TrainState, logs: EpochLogs): void {
    const value = logs[this.monitor];
    if (improved(this.mode, value, this.best, this.minDelta)) {
      this.best = value;
      this.bestEpoch = logs.epoch;
      this.wait = 0;
      this.snapshot?.save();
      return;
    }
    this.wait++;
    if (this.wait > this.patience && !state.stopTraining) {
      this.stoppedEpoch = logs.epoch;
      state.stopTraining = true;
      state.stopInfo = {
        reason: "early-stopping", epoch: logs.epoch, step: state.step, layer: null,
        message: `${this.monitor} did not improve for ${this.wait} epoch${this.wait === 1 ? "" : "s"} ` +
          `(best ${this.best} at epoch ${this.bestEpoch}, patience ${this.patience})`,
      };
    }
  }

  onTrainEnd(state: TrainState): void {
    const last = state.history.epochs.length;
    if (this.snapshot !== null && this.bestEpoch > 0 && this.bestEpoch !== last) {
      this.snapshot.restore();
      state.history.restoredEpoch = this.bestEpoch;
    }
    this.snapshot = null;
  }
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

/** Saves a model; in Node e.g. a function writing a model folder, in a browser one storing bytes. */
export type SaveFunction = (model: Module, epoch: number, logs: EpochLogs) => void | Promise<void>;

/** Options of {@link ModelCheckpoint}. */
export interface ModelCheckpointOptions {
  /** Called with the model to save (required). fit awaits it. */
  save: SaveFunction;
  /** Figure deciding "best" (default "valLoss"). */
  monitor?: Monitor;
  /** "min", "max" or "auto" (default: by the monitor's name). */
  mode?: "auto" | "min" | "max";
  /** Save only when the monitored figure improves (default true); false saves every `every` epochs. */
  saveBestOnly?: boolean;
  /** With saveBestOnly false: save every this many epochs (default 1). */
  every?: number;
}

/**
 * Calls `save(model, epoch, logs)` at the end of an epoch: when the monitored figure improves
 * (saveBestOnly, default) or every `every` epochs. `saved` lists the epochs saved.
 */
export class ModelCheckpoint implements Callback {
  readonly monitor: Monitor;
  readonly mode: "min" | "max";
  readonly saveBestOnly: boolean;
  readonly every: number;
  /** Epochs (from 1) at which save was called. */
  readonly saved: number[] = [];
  best = Number.NaN;
  private readonly save: SaveFunction;

  constructor(options: ModelCheckpointOptions) {
    if (options === null || typeof options !== "object") fail("ModelCheckpoint options", "{ save, … }", options);
    checkOptions("ModelCheckpoint options", options, ["save", "monitor", "mode", "saveBestOnly", "every"]);
    this.save = checkFunction("ModelCheckpoint save", options.save, "a function (model, epoch, logs) => void | Promise<void>");
    this.monitor = checkMonitor("ModelCheckpoint monitor", options.monitor, "valLoss");
    this.mode = checkMode("ModelCheckpoint mode", options.mode, this.monitor);
    if (options.saveBestOnly !== undefined && typeof options.saveBestOnly !== "boolean") fail("ModelCheckpoint saveBestOnly", "true or false", options.saveBestOnly);
    this.saveBestOnly = options.saveBestOnly ?? true;
    this.every = positiveInt("ModelCheckpoint every", options.every, 1);
  }

  onTrainBegin(state: TrainState): void {
    if (this.saveBestOnly) checkMonitored("ModelCheckpoint", state, this.monitor);
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.saved.length = 0;
  }

  async onEpochEnd(state: TrainState, logs: EpochLogs): Promise<void> {
    let due: boolean;
    if (this.saveBestOnly) {
      due = improved(this.mode, logs[this.monitor], this.best, 0);
      if (due) this.best = logs[this.monitor];
    } else due = logs.epoch % this.every === 0;
    if (!due) return;
    this.saved.push(logs.epoch);
    await this.save(state.model, logs.epoch, logs);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON lines

/** Options of {@link JsonLinesLogger}. */
export interface JsonLinesLoggerOptions {
  /** Receives one JSON document per call, newline-terminated (e.g. appends to a file). Required. */
  write: (line: string) => void | Promise<void>;
  /** Also log {event:"step"} every this many optimizer steps (default 0: epochs only). */
  everySteps?: number;
}

/**
 * Writes the run as JSON lines: `{"event":"begin",…}`, one `{"event":"epoch",…EpochLogs}` per
 * epoch, optional `{"event":"step","step":…,"epoch":…,"batch":…,"loss":…}` lines, and
 * `{"event":"end","epochs":…,"stopped":…,"restoredEpoch":…}`. NaN figures are written as null
 * (JSON has no NaN).
 */
export class JsonLinesLogger implements Callback {
  private readonly write: (line: string) => void | Promise<void>;
  readonly everySteps: number;

  constructor(options: JsonLinesLoggerOptions) {
    if (options === null || typeof options !== "object") fail("JsonLinesLogger options", "{ write, … }", options);
    checkOptions("JsonLinesLogger options", options, ["write", "everySteps"]);
    this.write = checkFunction("JsonLinesLogger write", options.write, "a function (line) => void");
    this.everySteps = nonNegative("JsonLinesLogger everySteps", options.everySteps, 0, true);
  }

  private line(value: object): string {
    return JSON.stringify(value) + "\n";
  }

  async onTrainBegin(state: TrainState): Promise<void> {
    await this.write(this.line({
      event: "begin", epochs: state.epochs, batches: state.batches, samples: state.samples, batchSize: state.fitBatchSize,
      sampleShape: state.sampleShape, optimizer: state.optimizer.type, loss: state.loss.type, lr: state.optimizer.lr,
    }));
  }

  onBatchEnd(state: TrainState): void {
    if (this.everySteps === 0 || state.step % this.everySteps !== 0) return;
    void this.write(this.line({ event: "step", step: state.step, epoch: state.epoch, batch: state.batch, loss: state.batchLoss }));
  }

  async onEpochEnd(_state: TrainState, logs: EpochLogs): Promise<void> {
    await this.write(this.line({ event: "epoch", ...logs }));
  }

  async onTrainEnd(state: TrainState): Promise<void> {
    const h = state.history;
    await this.write(this.line({ event: "end", epochs: h.epochs.length, steps: state.step, stopped: h.stopped, restoredEpoch: h.restoredEpoch }));
  }
}

// ---------------------------------------------------------------------------------------------
// Weight, bias and activation statistics (problem C4)

/** min, max, mean, std and an equal-width histogram of one tensor at one step. */
export interface TensorStats {
  step: number;
  epoch: number;
  /** "layer 0 (Conv2d)". */
  layer: string;
  /** State-dict key for parameters ("0.weight"), "<layer path>.output" for activations. */
  name: string;
  kind: "weight" | "bias" | "activation";
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (divides by n). */
  std: number;
  /** `counts[i]` values fall in [min + i·w, min + (i+1)·w), the last bin closed; w = (max − min) / bins. */
  histogram: { min: number; max: number; counts: number[] };
}

/** Computes {@link TensorStats} figures of n floats (f64 sums). */
export function tensorStats(values: Float32Array, bins: number): Omit<TensorStats, "step" | "epoch" | "layer" | "name" | "kind"> {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const n = values.length;
  const mean = n > 0 ? sum / n : Number.NaN;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    sq += d * d;
  }
  const counts = new Array<number>(bins).fill(0);
  const w = (max - min) / bins;
  for (let i = 0; i < n; i++) {
    const b = w > 0 ? Math.min(bins - 1, Math.floor((values[i]! - min) / w)) : 0;
    counts[b]!++;
  }
  return { min, max, mean, std: n > 0 ? Math.sqrt(sq / n) : Number.NaN, histogram: { min, max, counts } };
}

/** Options of {@link WeightStats}. */
export interface WeightStatsOptions {
  /** Record every this many optimizer steps (default 100, as problem C4). */
  every?: number;
  /** Histogram bins (default 20). */
  bins?: number;
  /** Include layer outputs of the current batch (default true). */
  activations?: boolean;
  /** Also called with each step's records (e.g. to plot live). */
  onRecord?: (records: TensorStats[]) => void;
}

/**
 * Every `every` steps, records min/max/mean/std/histogram of each layer's weight, bias and (the
 * current training batch's) output into `history.records.weightStats` (an array of
 * {@link TensorStats}). Only leaf layers are recorded; activations of every leaf layer.
 */
export class WeightStats implements Callback {
  readonly every: number;
  readonly bins: number;
  readonly activations: boolean;
  private readonly onRecord: ((records: TensorStats[]) => void) | null;
  private leaves: [Module, string][] = [];

  constructor(options: WeightStatsOptions = {}) {
    checkOptions("WeightStats options", options, ["every", "bins", "activations", "onRecord"]);
    this.every = positiveInt("WeightStats every", options.every, 100);
    this.bins = positiveInt("WeightStats bins", options.bins, 20);
    if (options.activations !== undefined && typeof options.activations !== "boolean") fail("WeightStats activations", "true or false", options.activations);
    this.activations = options.activations ?? true;
    this.onRecord = options.onRecord === undefined ? null : checkFunction("WeightStats onRecord", options.onRecord, "a function (records) => void");
  }

  onTrainBegin(state: TrainState): void {
    this.leaves = [];
    for (const [m, name] of state.layerNames) if (m.children().length === 0) this.leaves.push([m, name]);
    state.history.records["weightStats"] ??= [];
  }

  onBatchEnd(state: TrainState): void {
    if (state.step % this.every !== 0) return;
    const out: TensorStats[] = [];
    const base = { step: state.step, epoch: state.epoch };
    const prefixes = new Map<Module, string>();
    for (const [key, p] of state.model.namedParameters()) {
      for (const [m] of this.leaves) {
        if (m.parameters().includes(p)) prefixes.set(m, key.slice(0, key.length - p.name.length));
      }
    }
    for (const [m, layer] of this.leaves) {
      const prefix = prefixes.get(m) ?? "";
      for (const p of m.parameters()) {
        const kind = p.name === "bias" ? "bias" : "weight";
        out.push({ ...base, layer, name: prefix + p.name, kind, ...tensorStats(p.data.f32, this.bins) });
      }
      const o = m.output;
      if (this.activations && o !== null && !o.isDisposed && o.dtype === "float32") {
        const path = layer.replace(/^layer (\S+) .*$/, "$1");
        out.push({ ...base, layer, name: `${path}.output`, kind: "activation", ...tensorStats(o.f32, this.bins) });
      }
    }
    state.history.records["weightStats"]!.push(...out);
    this.onRecord?.(out);
  }
}

// ---------------------------------------------------------------------------------------------
// Dead ReLU units (problem P3)

/** Dead-unit count of one ReLU layer at the end of an epoch. */
export interface DeadReluRecord {
  epoch: number;
  step: number;
  /** "layer 1 (ReLU)". */
  layer: string;
  /** Units: features of a [N, F] output, channels of an [N, C, H, W] output. */
  units: number;
  /** Units whose output is 0 for every probe sample (and every position). */
  dead: number;
  /** dead / units. */
  fraction: number;
}

/** Options of {@link DeadReLU}. */
export interface DeadReLUOptions {
  /** Probe every this many epochs (default 1). */
  everyEpochs?: number;
  /** Probe inputs, n × product(fit's sample shape) values (default: fit's training x). */
  x?: Float32Array;
  /** Also called with each probe's records. */
  onRecord?: (records: DeadReluRecord[]) => void;
}

/**
 * At the end of every `everyEpochs`-th epoch, runs the model in eval mode over the probe inputs
 * (fit's training x unless given) and counts, per ReLU layer, the units that output 0 for every
 * sample — "dead" units whose pre-activation is negative for every input (problem P3). Records go
 * to `history.records.deadRelu` as {@link DeadReluRecord}s.
 */
export class DeadReLU implements Callback {
  readonly everyEpochs: number;
  private readonly probe: Float32Array | null;
  private readonly onRecord: ((records: DeadReluRecord[]) => void) | null;

  constructor(options: DeadReLUOptions = {}) {
    checkOptions("DeadReLU options", options, ["everyEpochs", "x", "onRecord"]);
    this.everyEpochs = positiveInt("DeadReLU everyEpochs", options.everyEpochs, 1);
    if (options.x !== undefined && !(options.x instanceof Float32Array)) fail("DeadReLU x", "a Float32Array", options.x);
    this.probe = options.x ?? null;
    this.onRecord = options.onRecord === undefined ? null : checkFunction("DeadReLU onRecord", options.onRecord, "a function (records) => void");
  }

  onTrainBegin(state: TrainState): void {
    if (this.probe !== null) {
      let size = 1;
      for (const d of state.sampleShape) size *= d;
      for (let i = 0; i < this.probe.length; i++) {
        if (this.probe[i]! - this.probe[i]! !== 0) fail(`DeadReLU x[${i}]`, "a finite number", this.probe[i]);
      }
      if (this.probe.length === 0 || this.probe.length % size !== 0) fail("DeadReLU x length", `a positive multiple of ${size} (product of the sample shape [${state.sampleShape.join(", ")}])`, this.probe.length);
    }
    state.history.records["deadRelu"] ??= [];
  }

  onEpochEnd(state: TrainState, logs: EpochLogs): void {
    if (logs.epoch % this.everyEpochs !== 0) return;
    const relus: [ReLU, string][] = [];
    for (const [m, name] of state.layerNames) if (m instanceof ReLU) relus.push([m, name]);
    const alive: Uint8Array[] = [];
    forwardBatches(state.model, this.probe ?? state.x, state.sampleShape, state.fitBatchSize, () => {
      for (let r = 0; r < relus.length; r++) {
        const out = relus[r]![0].output!;
        const n = out.shape[0]!;
        const units = out.shape.length > 1 ? out.shape[1]! : 1;
        const per = out.size / (n * units);
        const a = (alive[r] ??= new Uint8Array(units));
        const v = out.f32;
        for (let s = 0; s < n; s++) {
          for (let u = 0; u < units; u++) {
            if (a[u] === 1) continue;
            const o = (s * units + u) * per;
            for (let j = 0; j < per; j++) {
              if (v[o + j]! > 0) {
                a[u] = 1;
                break;
              }
            }
          }
        }
      }
    });
    const records: DeadReluRecord[] = relus.map(([, layer], r) => {
      const a = alive[r] ?? new Uint8Array(0);
      let dead = 0;
      for (let u = 0; u < a.length; u++) if (a[u] === 0) dead++;
      return { epoch: logs.epoch, step: state.step, layer, units: a.length, dead, fraction: a.length > 0 ? dead / a.length : 0 };
    });
    state.history.records["deadRelu"]!.push(...records);
    this.onRecord?.(records);
  }
}
