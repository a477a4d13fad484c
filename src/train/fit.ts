/**
 * The Keras-like training loop: `fit`, `evaluate` and `predict` as functions of any Module, on
 * plain typed arrays.
 *
 * ## Why functions of a Module (and a Model class on top)
 * Layers must not know about training (arrows point down: train imports nn, never the reverse),
 * so `fit` cannot be a method of `Sequential`. The loop is written once as functions taking the
 * model as the first argument; they work for every Module, including a Sequential rebuilt by
 * `moduleFromConfig` or `loadModel`. `Model` (model.ts) is a Sequential subclass whose
 * `fit/evaluate/predict` methods call these functions, for users who want Keras' spelling.
 *
 * ## What one step costs
 * The arrays are validated once (shapes, label ranges, NaN/Inf) before the first step. A
 * DataLoader (src/data) refills two host batch buffers; fit copies each batch into engine tensors
 * allocated once per call (one set per batch size that occurs), then runs zeroGrad → forward →
 * loss → backward → step and the accuracy kernels (argmaxRows, countEqual) on those pointers.
 * Nothing is allocated per batch, on the JS heap or in WASM memory; with n not a multiple of
 * batchSize the layers swap their buffers for the short last batch and back (twice per epoch,
 * at the same addresses every epoch). Validation and `evaluate` run the same way in eval mode.
 *
 * @module
 */

import { checkOptions, fail, show } from "../errors.js";
import { DataLoader, type BatchHook } from "../data/loader.js";
import { reseedDropout } from "../nn/basic.js";
import { Loss } from "../nn/loss.js";
import { LOSSES } from "../nn/loss-registry.js";
import { failText, type Module } from "../nn/module.js";
import { Optimizer } from "../optim/optimizer.js";
import { OPTIMIZERS } from "../optim/registry.js";
import { ReduceLROnPlateau } from "../optim/scheduler.js";
import type { Tensor } from "../tensor.js";
import { prepareInputs, prepareTargets, Slots, type Inputs, type Labels, type Prepared } from "./data.js";
import type { Callback, EpochLogs, History, StopInfo, TrainState } from "./types.js";

/** Optimizers fit can create by name, with their PyTorch defaults (lr 1e-3). */
export type OptimizerName = "sgd" | "adam" | "adamw" | "rmsprop";
/** Losses fit can create by class name. */
export type LossName = "CrossEntropyLoss" | "NLLLoss" | "MSELoss" | "BCEWithLogitsLoss";
/** Metrics fit can report ("accuracy": class labels only). */
export type MetricName = "accuracy";

/** An LR schedule from src/optim: stepped once per epoch (ReduceLROnPlateau with the val loss). */
export interface LrScheduler {
  readonly optimizer: Optimizer;
  step(metric?: number): void;
}

/** Options of {@link fit}. Unknown keys are an error. */
export interface FitOptions {
  /** Passes over the training data (default 1). */
  epochs?: number;
  /** Samples per optimizer step (default 32); also the batch size of validation. */
  batchSize?: number;
  /** Reshuffle the training samples every epoch (default true). */
  shuffle?: boolean;
  /**
   * Seed (integer) of the shuffling and of the Dropout masks (default 0): the same seed, model
   * initialisation and backend give bit-identical weights. Initialisation is seeded when the
   * model is built (`manualSeed` or each layer's `rng`).
   */
  seed?: number;
  /**
   * Fraction in [0, 1) of the samples held out for validation: the LAST ones, before shuffling
   * (Keras semantics), so shuffle the data first if it is sorted. Excludes validationData.
   */
  validationSplit?: number;
  /** Validation samples as { x, y } or [x, y] (same formats as fit's x and y). */
  validationData?: { x: Inputs; y: Labels } | readonly [Inputs, Labels];
  /**
   * An Optimizer over the model's parameters, or a name (created with its defaults and disposed
   * at the end). Default "adam".
   */
  optimizer?: Optimizer | OptimizerName;
  /** A Loss, or its class name. Default CrossEntropyLoss for Int32Array labels, MSELoss for Float32Array targets. */
  loss?: Loss | LossName;
  /** Metrics besides the loss: ["accuracy"] (the default for class labels) or []. */
  metrics?: readonly MetricName[];
  /** Callbacks, called in order (see callbacks.ts). */
  callbacks?: readonly Callback[];
  /** LR schedule of `optimizer`, stepped after every epoch; ReduceLROnPlateau gets valLoss (loss without validation). */
  scheduler?: LrScheduler;
  /** Skip the last, shorter batch of each epoch (default false). */
  dropLast?: boolean;
  /** Changes every training batch in place (augmentation from src/data/augment.ts). */
  augment?: BatchHook<Labels>;
  /**
   * Milliseconds of training after which fit yields to the event loop (a zero-delay timer), so a
   * page running fit on its main thread can repaint and handle input: 0 yields after every batch.
   * Default: never within an epoch (workers and Node need no yielding).
   */
  yieldEvery?: number;
  /**
   * Stops training after the current batch when aborted (also before the first batch if already
   * aborted). fit then resolves normally: the model keeps the weights trained so far and
   * `history.stopped.reason` is "aborted". Abort events from other threads arrive only when fit
   * yields (see `yieldEvery`; an async `onProgress` also yields).
   */
  signal?: AbortSignal;
  /**
   * Called during training (see `progressEvery`) and after the last batch of every epoch, with
   * ONE object updated in place (read it, do not keep it). fit awaits a returned promise.
   */
  onProgress?: (progress: FitProgress) => void | Promise<void>;
  /** How often onProgress is called: every `ms` milliseconds and/or every `batches` batches (default { ms: 100 }). */
  progressEvery?: { ms?: number; batches?: number };
}

/** What {@link FitOptions.onProgress} receives: where training is and the running figures of the epoch. */
export interface FitProgress {
  /** Epoch (from 1) and total epochs. */
  epoch: number;
  epochs: number;
  /** Batch within the epoch (from 1) and batches per epoch. */
  batch: number;
  batches: number;
  /** Optimizer steps so far (global, from 1). */
  step: number;
  /** Loss of the last batch (mean over its samples). */
  batchLoss: number;
  /** Mean loss over the epoch so far. */
  loss: number;
  /** Accuracy over the epoch so far (NaN without the accuracy metric). */
  accuracy: number;
}

const FIT_KEYS = [
  "epochs", "batchSize", "shuffle", "seed", "validationSplit", "validationData", "optimizer", "loss", "metrics",
  "callbacks", "scheduler", "dropLast", "augment", "yieldEvery", "signal", "onProgress", "progressEvery",
] as const;

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Samples per forward pass (default 32). */
  batchSize?: number;
  /** A Loss or its class name (default as fit). */
  loss?: Loss | LossName;
}

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Samples per forward pass (default 32). */
  batchSize?: number;
}

/** What {@link evaluate} returns: mean loss over the samples, and accuracy (NaN for float targets). */
export interface EvalResult {
  loss: number;
  accuracy: number;
}

function posInt(what: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) fail(what, "a positive integer", v);
  return v;
}

function bool(what: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") fail(what, "true or false", v);
  return v;
}

/**
 * The loss option's name (class name of a Loss, a registered name, or "" when absent) and whether
 * it wants class labels (null: no loss chosen, y decides).
 * @throws SimdnetError for a name that is not registered.
 */
function lossKind(what: string, option: unknown): [string, boolean | null] {
  if (option === undefined) return ["", null];
  if (option instanceof Loss) return [option.type, LOSSES.has(option.type) && LOSSES.get(option.type).targets === "labels"];
  return [option as string, LOSSES.get(option, `${what} loss`, "a Loss or ").targets === "labels"];
}

/** Resolves the loss option: [loss, created here]. */
function resolveLoss(what: string, model: Module, option: unknown, y: unknown): [Loss, boolean] {
  if (option instanceof Loss) {
    if (option.engine !== model.engine) failText(`${what} loss engine`, `the model's engine (${model.engine.backend})`, `another engine (${option.engine.backend})`);
    return [option, false];
  }
  const name = option ?? (y instanceof Float32Array ? "MSELoss" : "CrossEntropyLoss");
  return [LOSSES.get(name, `${what} loss`, "a Loss or ").create({ engine: model.engine }), true];
}

function resolveOptimizer(model: Module, option: unknown): [Optimizer, boolean] {
  if (option instanceof Optimizer) {
    if (option.engine !== model.engine) failText("fit optimizer engine", `the model's engine (${model.engine.backend})`, `another engine (${option.engine.backend})`);
    const own = new Set(model.parameters());
    for (const p of option.params) {
      if (!own.has(p)) failText("fit optimizer params", "parameters of the model being fitted", "a parameter the model does not have");
    }
    return [option, false];
  }
  return [OPTIMIZERS.get(option ?? "adam", "fit optimizer", "an Optimizer or ")(model, {}), true];
}

/** "layer 2 (Linear)" for each layer of a Sequential; dotted paths for nested modules. */
export function layerNames(model: Module): Map<Module, string> {
  const names = new Map<Module, string>();
  const visit = (m: Module, path: string): void => {
    for (const [name, child] of m.children()) {
      const p = path === "" ? name : `${path}.${name}`;
      names.set(child, `layer ${p} (${child.type})`);
      visit(child, p);
    }
  };
  names.set(model, `model (${model.type})`);
  visit(model, "");
  return names;
}

/**
 * Copies `data` batch by batch (in order) into the reserved slots, runs the model's forward (in
 * whatever mode the caller set) and calls `each(output, first sample, batch size, targets, preds)`.
 */
function forEachBatch(
  model: Module, data: Prepared | Omit<Prepared, "y" | "classification">, slots: Slots, batchSize: number,
  each: (out: Tensor, start: number, size: number, y: Tensor | null, pred: Tensor | null) => void,
): void {
  const sampleSize = data.x.length / data.n;
  const y = "y" in data ? data.y : null;
  for (let start = 0; start < data.n; start += batchSize) {
    const size = Math.min(batchSize, data.n - start);
    const slot = slots.get(size);
    // Element loops: set(subarray(...)) would allocate a view object per batch.
    const dst = slot.x.f32;
    const off = start * sampleSize;
    for (let i = 0; i < size * sampleSize; i++) dst[i] = data.x[off + i]!;
    if (y !== null && slot.y !== null) {
      const yd = slot.y.data;
      const per = y.length / data.n;
      const yo = start * per;
      for (let i = 0; i < size * per; i++) yd[i] = y[yo + i]!;
    }
    each(model.forward(slot.x), start, size, slot.y, slot.pred);
  }
}

/** Mean loss and accuracy of `data` (eval mode; the caller restores the mode). */
function evaluatePrepared(model: Module, data: Prepared, loss: Loss, slots: Slots, batchSize: number, wantAccuracy: boolean): EvalResult {
  const k = model.engine.kernels;
  const classes = data.outSize;
  let lossSum = 0;
  let correct = 0;
  model.eval();
  forEachBatch(model, data, slots, batchSize, (out, _start, size, y, pred) => {
    const l = loss.forward(out, y!);
    lossSum += loss.reduction === "sum" ? l : l * size;
    if (wantAccuracy && pred !== null) {
      k.argmaxRows(size, classes, out.ptr, classes, pred.ptr);
      correct += k.countEqual(size, pred.ptr, y!.ptr);
    }
  });
  return { loss: lossSum / data.n, accuracy: wantAccuracy && data.classification ? correct / data.n : Number.NaN };
}

function now(): number {
  return globalThis.performance.now();
}

/** Finds the first non-finite parameter or layer output after a non-finite loss. */
function locateNonFinite(model: Module, names: ReadonlyMap<Module, string>): string | null {
  const k = model.engine.kernels;
  for (const m of model.modules()) {
    if (m.children().length > 0) continue;
    for (const [pname, p] of m.namedParameters()) {
      if (k.countNonFinite(p.size, p.data.ptr) > 0) return `${names.get(m) ?? m.type} ${pname}`;
    }
  }
  for (const m of model.modules()) {
    if (m.children().length > 0) continue;
    const out = m.output;
    if (out !== null && !out.isDisposed && k.countNonFinite(out.size, out.ptr) > 0) return `${names.get(m) ?? m.type} output`;
  }
  return null;
}

function emptyHistory(): History {
  return {
    epochs: [],
    history: { loss: [], accuracy: [], valLoss: [], valAccuracy: [], lr: [] },
    stopped: null,
    restoredEpoch: null,
    records: {},
  };
}

/**
 * Everything fit needs, validated: the options with defaults applied, the prepared data, and the
 * loss and optimizer (created by fit when given by name: `own*` says so, and the loop frees them).
 */
interface FitPlan {
  model: Module;
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  dropLast: boolean;
  seed: number;
  callbacks: readonly Callback[];
  yieldEvery: number;
  augment: BatchHook<Labels> | undefined;
  signal: AbortSignal | undefined;
  onProgress: ((p: FitProgress) => void | Promise<void>) | undefined;
  progressMs: number;
  progressBatches: number;
  train: Prepared;
  val: Prepared | null;
  wantAccuracy: boolean;
  loss: Loss;
  ownLoss: boolean;
  optimizer: Optimizer;
  ownOptimizer: boolean;
  scheduler: LrScheduler | undefined;
}

function isAbortSignal(v: unknown): v is AbortSignal {
  // Duck-typed: a signal from another realm (a worker's, a test runner's) is not an instance of ours.
  return v !== null && typeof v === "object" && typeof (v as AbortSignal).aborted === "boolean" && typeof (v as AbortSignal).addEventListener === "function";
}

/**
 * Validates fit's arguments and creates the loss and optimizer it was given by name. Nothing is
 * allocated until everything cheap to check has been checked; a failure after that frees what
 * was created here.
 */
function resolveFit(model: Module, x: Inputs, y: Labels, options: FitOptions): FitPlan {
  checkOptions("fit options", options, FIT_KEYS);
  const epochs = posInt("fit epochs", options.epochs, 1);
  const batchSize = posInt("fit batchSize", options.batchSize, 32);
  const shuffle = bool("fit shuffle", options.shuffle, true);
  const dropLast = bool("fit dropLast", options.dropLast, false);
  const seed = options.seed ?? 0;
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail("fit seed", "an integer in [0, 2^32)", seed);
  const split = options.validationSplit;
  if (split !== undefined && (typeof split !== "number" || !(split >= 0 && split < 1))) fail("fit validationSplit", "a number in [0, 1)", split);
  if (split !== undefined && split > 0 && options.validationData !== undefined) {
    failText("fit options", "validationSplit or validationData", "both");
  }
  const callbacks = options.callbacks ?? [];
  if (!Array.isArray(callbacks)) fail("fit callbacks", "an array of callbacks", callbacks);
  callbacks.forEach((c: unknown, i) => {
    if (c === null || typeof c !== "object") fail(`fit callbacks[${i}]`, "a callback object", c);
  });
  const yieldEvery = options.yieldEvery ?? Infinity;
  if (typeof yieldEvery !== "number" || !(yieldEvery >= 0)) fail("fit yieldEvery", "a number of milliseconds ≥ 0", options.yieldEvery);
  if (options.augment !== undefined && typeof options.augment !== "function") fail("fit augment", "a function (batch, rng) => void", options.augment);
  if (options.signal !== undefined && !isAbortSignal(options.signal)) fail("fit signal", "an AbortSignal", options.signal);
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") fail("fit onProgress", "a function (progress) => void", options.onProgress);
  const every = options.progressEvery ?? {};
  checkOptions("fit progressEvery", every, ["ms", "batches"]);
  const progressMs = every.ms ?? (every.batches === undefined ? 100 : Infinity);
  if (typeof progressMs !== "number" || !(progressMs >= 0)) fail("fit progressEvery.ms", "a number of milliseconds ≥ 0", every.ms);
  const progressBatches = every.batches === undefined ? Infinity : posInt("fit progressEvery.batches", every.batches, 1);

  // Data first (cheap to reject), then the objects that allocate.
  const all = prepareInputs(model, x, "fit x");
  const [lossName, classLoss] = lossKind("fit", options.loss);
  const prepared = prepareTargets(all, y, "fit y", lossName, classLoss);
  const effectiveLoss = lossName !== "" ? lossName : prepared.classification ? "CrossEntropyLoss" : "MSELoss";
  const metrics = options.metrics ?? (prepared.classification ? ["accuracy"] : []);
  if (!Array.isArray(metrics)) fail("fit metrics", '["accuracy"] or []', metrics);
  for (const m of metrics) if (m !== "accuracy") fail("fit metrics", '["accuracy"] or []', metrics);
  const wantAccuracy = metrics.includes("accuracy");
  if (wantAccuracy && !prepared.classification) failText("fit metrics", '"accuracy" only with Int32Array class labels y', "Float32Array targets");

  let train: Prepared = prepared;
  let val: Prepared | null = null;
  if (split !== undefined && split > 0) {
    // Keras: split_at = int(n · (1 − split)); the validation part is x[split_at:].
    const nTrain = Math.floor(prepared.n * (1 - split));
    const nVal = prepared.n - nTrain;
    if (nTrain < 1) fail("fit validationSplit", `a fraction leaving at least one of the ${prepared.n} samples for training`, split);
    const ss = prepared.x.length / prepared.n;
    const per = prepared.y!.length / prepared.n;
    train = { ...prepared, n: nTrain, x: prepared.x.subarray(0, nTrain * ss), y: prepared.y!.subarray(0, nTrain * per) };
    val = { ...prepared, n: nVal, x: prepared.x.subarray(nTrain * ss), y: prepared.y!.subarray(nTrain * per) };
  } else if (options.validationData !== undefined) {
    const vd = options.validationData as unknown;
    let vx: unknown;
    let vy: unknown;
    if (Array.isArray(vd) && vd.length === 2) [vx, vy] = vd;
    else if (vd !== null && typeof vd === "object" && "x" in vd && "y" in vd) ({ x: vx, y: vy } = vd as { x: unknown; y: unknown });
    else fail("fit validationData", "{ x, y } or [x, y]", vd);
    const vIn = prepareInputs(model, vx, "fit validationData x");
    const want = [train.sampleShape.join(","), vIn.sampleShape.join(",")];
    if (want[0] !== want[1]) fail("fit validationData x sample shape", show(train.sampleShape) + " (the sample shape of x)", vIn.sampleShape);
    val = prepareTargets(vIn, vy, "fit validationData y", effectiveLoss, prepared.classification);
  }
  if (options.scheduler !== undefined) {
    const s = options.scheduler as unknown;
    if (s === null || typeof s !== "object" || typeof (s as LrScheduler).step !== "function") fail("fit scheduler", "an LR scheduler (StepLR, ReduceLROnPlateau, …)", s);
  }
  if (dropLast && train.n < batchSize) fail("fit batchSize", `at most ${train.n} (the training samples) when dropLast is true`, batchSize);

  const [loss, ownLoss] = resolveLoss("fit", model, options.loss, y);
  let optimizer: Optimizer;
  let ownOptimizer: boolean;
  try {
    [optimizer, ownOptimizer] = resolveOptimizer(model, options.optimizer);
  } catch (e) {
    if (ownLoss) loss.dispose();
    throw e;
  }
  const scheduler = options.scheduler;
  if (scheduler !== undefined && scheduler.optimizer !== optimizer) {
    if (ownLoss) loss.dispose();
    if (ownOptimizer) optimizer.dispose();
    failText("fit scheduler", "a scheduler of the optimizer passed to fit", "a scheduler of another optimizer");
  }
  return {
    model, epochs, batchSize, shuffle, dropLast, seed, callbacks, yieldEvery, augment: options.augment,
    signal: options.signal, onProgress: options.onProgress, progressMs, progressBatches,
    train, val, wantAccuracy, loss, ownLoss, optimizer, ownOptimizer, scheduler,
  };
}

/**
 * Trains `model` on (x, y) in mini-batches (Keras `model.fit`).
 *
 * @param model any Module whose output is [N, classes] (class labels) or [N, ...targetShape].
 * @param x inputs: `{ data, shape: [n, ...sampleShape] }` (NCHW images), or a bare Float32Array of
 *   n × features when the model starts with Linear.
 * @param y Int32Array of n class labels, or Float32Array of n × output-size targets.
 * @returns the History (per-epoch logs, arrays per metric, why it stopped early if it did).
 *   Training stops early, without throwing, when the loss becomes NaN/Inf (`history.stopped`
 *   names the step and the first layer with non-finite weights or outputs), a callback stops it,
 *   or `options.signal` is aborted (after the current batch; the model keeps the weights so far).
 * @throws SimdnetError for invalid options or data, before any step, naming the argument, the
 *   expected and the actual value.
 */
export async function fit(model: Module, x: Inputs, y: Labels, options: FitOptions = {}): Promise<History> {
  return trainLoop(resolveFit(model, x, y, options));
}

/** The epochs of a resolved fit; one try/finally frees everything the call created, whatever happens. */
async function trainLoop(plan: FitPlan): Promise<History> {
  const { model, epochs, batchSize, callbacks, yieldEvery, signal, onProgress, train, val, wantAccuracy, loss, optimizer, scheduler } = plan;
  const engine = model.engine;
  const k = engine.kernels;
  const classes = train.outSize;
  const history = emptyHistory();
  const names = layerNames(model);
  const wasTraining = model.training;
  const inputGrad = model.inputGrad;
  const slots = new Slots(engine, train, true);
  const valSlots = val === null ? null : new Slots(engine, val, true);
  try {
    const loader = new DataLoader<Labels>(train.x, train.y!, train.sampleShape, {
      batchSize, shuffle: plan.shuffle, dropLast: plan.dropLast, rng: plan.seed, ...(plan.augment ? { augment: plan.augment } : {}),
    });
    const state: TrainState = {
      model, optimizer, loss, layerNames: names, sampleShape: train.sampleShape, classification: train.classification,
      epochs, batches: loader.length, epoch: 0, batch: 0, step: 0, batchSize: 0, batchLoss: 0, epochLoss: 0,
      epochAccuracy: Number.NaN, seen: 0, samples: train.n, hasValidation: val !== null, fitBatchSize: batchSize, x: train.x, stopTraining: false, stopInfo: null, history,
    };
    // One object, updated in place, so reporting progress allocates nothing per call.
    const progress: FitProgress = { epoch: 0, epochs, batch: 0, batches: loader.length, step: 0, batchLoss: 0, loss: 0, accuracy: Number.NaN };
    const report = async (): Promise<void> => {
      progress.epoch = state.epoch;
      progress.batch = state.batch;
      progress.step = state.step;
      progress.batchLoss = state.batchLoss;
      progress.loss = state.epochLoss;
      progress.accuracy = state.epochAccuracy;
      await onProgress!(progress);
    };
    /** Whether the signal was aborted; the first time, records why training stops. */
    const aborted = (): boolean => {
      if (signal === undefined || !signal.aborted) return false;
      state.stopTraining = true;
      state.stopInfo ??= {
        reason: "aborted", epoch: state.epoch, step: state.step, layer: null,
        message: `the signal was aborted at step ${state.step} (epoch ${state.epoch}, batch ${state.batch})`,
      };
      return true;
    };
    slots.reserveFor(train.n, batchSize, plan.dropLast);
    if (val !== null) valSlots!.reserveFor(val.n, batchSize);
    reseedDropout(model, plan.seed);
    // Counted across epochs: epochs shorter than yieldEvery must still let an abort message in.
    let lastYield = now();
    for (const c of callbacks) await c.onTrainBegin?.(state);
    for (let epoch = 1; epoch <= epochs && !state.stopTraining && !aborted(); epoch++) {
      model.train();
      // Nobody reads dL/dx of the first layer: skip that work (restored in finally).
      model.inputGrad = false;
      state.epoch = epoch;
      state.batch = 0;
      state.seen = 0;
      state.epochLoss = 0;
      state.epochAccuracy = wantAccuracy ? 0 : Number.NaN;
      for (const c of callbacks) await c.onEpochBegin?.(state);
      const t0 = now();
      let lastReport = t0;
      let reportedAt = 0;
      const lr = optimizer.lr;
      let lossSum = 0;
      let correct = 0;
      const it = loader.epoch();
      for (let r = it.next(); !r.done; r = it.next()) {
        const batch = r.value;
        const size = batch.size;
        const slot = slots.get(size);
        slot.x.f32.set(batch.x);
        slot.y!.data.set(batch.y);
        optimizer.zeroGrad();
        const out = model.forward(slot.x);
        const l = loss.forward(out, slot.y!);
        state.step++;
        state.batch++;
        state.batchSize = size;
        state.batchLoss = l;
        if (!Number.isFinite(l)) {
          const where = locateNonFinite(model, names);
          const info: StopInfo = {
            reason: "nan", epoch, step: state.step, layer: where,
            message: `loss is ${l} at step ${state.step} (epoch ${epoch}, batch ${state.batch}): ` +
              (where === null ? "weights and layer outputs are finite, the loss itself overflowed" : `first non-finite values in ${where}`),
          };
          state.stopTraining = true;
          state.stopInfo = info;
          lossSum += l * size;
          state.seen += size;
          break;
        }
        if (wantAccuracy) {
          k.argmaxRows(size, classes, out.ptr, classes, slot.pred!.ptr);
          correct += k.countEqual(size, slot.pred!.ptr, slot.y!.ptr);
        }
        model.backward(loss.backward());
        optimizer.step();
        lossSum += loss.reduction === "sum" ? l : l * size;
        state.seen += size;
        state.epochLoss = lossSum / state.seen;
        if (wantAccuracy) state.epochAccuracy = correct / state.seen;
        for (let i = 0; i < callbacks.length; i++) callbacks[i]!.onBatchEnd?.(state);
        if (onProgress !== undefined) {
          const t = now();
          if (state.batch === loader.length || t - lastReport >= plan.progressMs || state.batch - reportedAt >= plan.progressBatches) {
            await report();
            lastReport = t;
            reportedAt = state.batch;
          }
        }
        if (state.stopTraining || aborted()) break;
        if (yieldEvery !== Infinity && now() - lastYield >= yieldEvery) {
          await new Promise<void>((resolve) => setTimeout(resolve, 0));
          lastYield = now();
          if (aborted()) break;
        }
      }
      state.epochLoss = lossSum / Math.max(state.seen, 1);
      const trainSeconds = (now() - t0) / 1000;
      let valResult: EvalResult = { loss: Number.NaN, accuracy: Number.NaN };
      // An abort asks for a prompt stop: no validation pass of the unfinished epoch.
      if (val !== null && state.stopInfo?.reason !== "nan" && state.stopInfo?.reason !== "aborted") {
        valResult = evaluatePrepared(model, val, loss, valSlots!, batchSize, wantAccuracy);
        model.train();
      }
      const seconds = (now() - t0) / 1000;
      const logs: EpochLogs = {
        epoch, loss: state.epochLoss, accuracy: state.epochAccuracy, valLoss: valResult.loss, valAccuracy: valResult.accuracy,
        lr, seconds, samplesPerSecond: state.seen / Math.max(trainSeconds, 1e-9),
      };
      history.epochs.push(logs);
      history.history.loss.push(logs.loss);
      history.history.accuracy.push(logs.accuracy);
      history.history.valLoss.push(logs.valLoss);
      history.history.valAccuracy.push(logs.valAccuracy);
      history.history.lr.push(lr);
      if (scheduler !== undefined && state.stopInfo?.reason !== "nan") {
        if (scheduler instanceof ReduceLROnPlateau) scheduler.step(val !== null ? logs.valLoss : logs.loss);
        else scheduler.step();
      }
      for (const c of callbacks) await c.onEpochEnd?.(state, logs);
    }
    if (state.stopTraining) {
      history.stopped = state.stopInfo ?? {
        reason: "callback", epoch: state.epoch, step: state.step, layer: null,
        message: `a callback stopped training at step ${state.step} (epoch ${state.epoch})`,
      };
    }
    for (const c of callbacks) await c.onTrainEnd?.(state);
  } finally {
    slots.dispose();
    valSlots?.dispose();
    if (plan.ownLoss) loss.dispose();
    if (plan.ownOptimizer) optimizer.dispose();
    model.inputGrad = inputGrad;
    model.train(wasTraining);
  }
  return history;
}

/**
 * Mean loss and accuracy of the model on (x, y), in eval mode (Dropout off, BatchNorm running
 * statistics), batch by batch (Keras `model.evaluate`). Accuracy is NaN for float targets.
 * Shapes and errors as {@link fit}.
 */
export function evaluate(model: Module, x: Inputs, y: Labels, options: EvaluateOptions = {}): EvalResult {
  checkOptions("evaluate options", options, ["batchSize", "loss"]);
  const batchSize = posInt("evaluate batchSize", options.batchSize, 32);
  const [lossName, classLoss] = lossKind("evaluate", options.loss);
  const data = prepareTargets(prepareInputs(model, x, "evaluate x"), y, "evaluate y", lossName, classLoss);
  const [loss, ownLoss] = resolveLoss("evaluate", model, options.loss, y);
  const slots = new Slots(model.engine, data, true);
  const wasTraining = model.training;
  try {
    slots.reserveFor(data.n, batchSize);
    return evaluatePrepared(model, data, loss, slots, batchSize, data.classification);
  } finally {
    slots.dispose();
    if (ownLoss) loss.dispose();
    model.train(wasTraining);
  }
}

/**
 * The model's outputs for x in eval mode (Keras `model.predict`): a new Float32Array of
 * n × product(output sample shape) values, row-major (logits [n, classes] for a classifier).
 */
export function predict(model: Module, x: Inputs, options: PredictOptions = {}): Float32Array {
  checkOptions("predict options", options, ["batchSize"]);
  const batchSize = posInt("predict batchSize", options.batchSize, 32);
  const data = prepareInputs(model, x, "predict x");
  const result = new Float32Array(data.n * data.outSize);
  const slots = new Slots(model.engine, data, false);
  const wasTraining = model.training;
  try {
    slots.reserveFor(data.n, batchSize);
    model.eval();
    forEachBatch(model, data, slots, batchSize, (out, start) => {
      result.set(out.f32, start * data.outSize);
    });
  } finally {
    slots.dispose();
    model.train(wasTraining);
  }
  return result;
}

/**
 * Runs `model` in eval mode over `x` (n × product(sampleShape) values) in batches of batchSize,
 * calling `each(start, size)` after each forward, while every layer's `output` holds that batch
 * (for callbacks that inspect activations, such as DeadReLU). Restores the training mode.
 * Batch tensors are allocated for the call and freed at its end.
 */
export function forwardBatches(
  model: Module, x: Float32Array, sampleShape: readonly number[], batchSize: number, each: (start: number, size: number) => void,
): void {
  // x comes from fit (already validated): skip the NaN scan of prepareInputs.
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const n = x.length / sampleSize;
  const outShape = model.outputShape([n, ...sampleShape]).slice(1);
  const data = { x, n, sampleShape: [...sampleShape], outShape, outSize: outShape.reduce((a, b) => a * b, 1) };
  const slots = new Slots(model.engine, data, false);
  const wasTraining = model.training;
  try {
    slots.reserveFor(data.n, batchSize);
    model.eval();
    forEachBatch(model, data, slots, batchSize, (_out, start, size) => each(start, size));
  } finally {
    slots.dispose();
    model.train(wasTraining);
  }
}

/** Indices of the largest output per sample (argmax over classes) — predicted labels. */
export function predictClasses(model: Module, x: Inputs, options: PredictOptions = {}): Int32Array {
  const out = predict(model, x, options);
  const data = prepareInputs(model, x, "predictClasses x");
  if (data.outShape.length !== 1) fail("predictClasses model output sample shape", "[classes]", data.outShape);
  const c = data.outSize;
  const labels = new Int32Array(data.n);
  for (let i = 0; i < data.n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (out[i * c + j]! > out[i * c + best]!) best = j;
    labels[i] = best;
  }
  return labels;
}
