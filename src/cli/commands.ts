/**
 * What `simdnet train | eval | info` do. Output goes through a {@link CliIO}, so tests capture it
 * and the entry (src/cli.ts) binds it to the process streams.
 *
 * A training run writes one folder:
 * - `model.json` + `model.safetensors` — the trained model (see src/io), with the run's recipe,
 *   seed, backend and test figures in `extra`, so `simdnet eval <folder>` knows its data set;
 * - `history.json` — fit's History (per-epoch logs), the per-step trace and the test result;
 * - `loss.svg`, `accuracy.svg` — charts (vega-lite, rendered headlessly);
 * - `boundary.svg` — for 2-D classification inputs (moons): the decision regions and test points;
 * - `log.jsonl` — JSON lines (begin, one per epoch, end), written as training goes;
 * - with `recipe.weightStatsEvery` (C4): `weight-stats.jsonl` (min, max, mean, std, histogram of
 *   every layer's weight, bias and output) and `weights.svg`.
 *
 * Progress, the per-epoch checkpoint into the run folder and the log are src/train's callbacks.
 *
 * @module
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, appendFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { createEngine, type Engine } from "../engine.js";
import { detectWasmFeatures } from "../backend/wasm/features.js";
import { relaxedSimdHint } from "../backend/wasm/hints.js";
import { SimdnetError } from "../errors.js";
import { parseDescription } from "../io/model.js";
import { loadModel, MODEL_JSON, saveModel } from "../io/node.js";
import { moduleFromConfig } from "../nn/config.js";
import { manualSeed } from "../nn/init.js";
import { LOSSES, lossFromConfig } from "../nn/loss-registry.js";
import { createScheduler, OPTIMIZERS } from "../optim/registry.js";
import type { JsonValue, Module, ModuleConfig } from "../nn/module.js";
import { createOptimizer, getPreset, PRESET_NAMES, type DataSpec, type Recipe } from "../presets.js";
import { evaluate, fit } from "../train/fit.js";
import { JsonLinesLogger, ModelCheckpoint, ProgressBar, WeightStats } from "../train/callbacks.js";
import type { Callback, History } from "../train/types.js";
import { UsageError, type BackendChoice, type EvalCommand, type InfoCommand, type TrainCommand } from "./args.js";
import { loadData, type Split } from "./data.js";
import { isPlanar, renderBoundaryChart } from "./boundary.js";
import { renderCharts, renderStatsChart, type StatPoint } from "./plots.js";
import { StepTraceCallback } from "./trace.js";

/** Where the CLI writes: lines of text, and a raw stream for the progress bar. */
export interface CliIO {
  /** Writes text as is (add "\n" yourself). */
  write(text: string): void;
  /** Whether the output is a terminal (a live progress bar) or not (one line per epoch). */
  isTTY: boolean;
}

/** The outcome of a training run (also what tests check). */
export interface TrainResult {
  dir: string;
  history: History;
  test: { loss: number; accuracy: number };
  /** Training samples per second over the whole run (validation excluded). */
  samplesPerSecond: number;
  /** Wall-clock seconds of fit (training and validation). */
  seconds: number;
  backend: string;
}

async function engineFor(backend: BackendChoice): Promise<Engine> {
  return createEngine({ backend });
}

/** Two decimals for seconds, grouped integers for rates. */
const fmt = {
  s: (x: number) => `${x.toFixed(1)} s`,
  rate: (x: number) => Math.round(x).toLocaleString("en-US"),
  acc: (x: number) => (Number.isFinite(x) ? x.toFixed(4) : "n/a"),
  loss: (x: number) => (Number.isFinite(x) ? x.toFixed(4) : "n/a"),
};

/** UTC time as 20261125-104512, for run folder names that sort by time. */
function stamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}-${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
}

/** runs/<name>-<stamp>, with -2, -3 … when two runs start in the same second. */
function defaultRunDir(name: string): string {
  const base = join("runs", `${name}-${stamp(new Date())}`);
  let dir = base;
  for (let i = 2; existsSync(dir); i++) dir = `${base}-${i}`;
  return dir;
}

/** What `train` trains: architecture, input shape, recipe and a name for the run folder. */
interface Target {
  name: string;
  module: ModuleConfig;
  inputShape: number[];
  recipe: Recipe;
  /** The preset id, or null for a model.json. */
  preset: string | null;
}

const DEFAULT_RECIPE: Omit<Recipe, "data"> = { optimizer: "adam", lr: 1e-3, batchSize: 32, epochs: 1, loss: { type: "CrossEntropyLoss" } };

/** Validates a (partial) recipe from a model.json's extra.recipe; the data set may be inferred from the input shape. */
function recipeFromJson(value: unknown, inputShape: number[] | null, file: string): Recipe {
  const where = `${file}: extra.recipe`;
  if (value !== undefined && (value === null || typeof value !== "object" || Array.isArray(value))) {
    throw new SimdnetError(`${where}: expected an object { optimizer, lr, batchSize, epochs, loss, data }, got ${JSON.stringify(value)}`);
  }
  const r = (value ?? {}) as Record<string, unknown>;
  const known = ["optimizer", "lr", "batchSize", "epochs", "loss", "data", "weightStatsEvery", "lrSchedule"];
  for (const k of Object.keys(r)) {
    if (!known.includes(k)) throw new SimdnetError(`${where}: unknown key "${k}" (expected one of ${known.join(", ")})`);
  }
  const out: Recipe = { ...DEFAULT_RECIPE, data: { name: "mnist" } };
  if (r["optimizer"] !== undefined) {
    if (!OPTIMIZERS.has(r["optimizer"])) {
      throw new SimdnetError(`${where}.optimizer: expected one of ${OPTIMIZERS.names().join(", ")}, got ${JSON.stringify(r["optimizer"])}`);
    }
    out.optimizer = r["optimizer"] as Recipe["optimizer"];
  }
  for (const key of ["lr", "batchSize", "epochs", "weightStatsEvery"] as const) {
    const v = r[key];
    if (v === undefined) continue;
    const ok = typeof v === "number" && Number.isFinite(v) && v > 0 && (key === "lr" || Number.isInteger(v));
    if (!ok) throw new SimdnetError(`${where}.${key}: expected a positive ${key === "lr" ? "number" : "integer"}, got ${JSON.stringify(v)}`);
    out[key] = v as number;
  }
  if (r["lrSchedule"] !== undefined) {
    if (r["lrSchedule"] !== "constant" && r["lrSchedule"] !== "cosine") {
      throw new SimdnetError(`${where}.lrSchedule: expected "constant" or "cosine", got ${JSON.stringify(r["lrSchedule"])}`);
    }
    out.lrSchedule = r["lrSchedule"];
  }
  if (r["loss"] !== undefined) {
    const l = r["loss"];
    if (l === null || typeof l !== "object" || !LOSSES.has((l as { type?: unknown }).type)) {
      throw new SimdnetError(`${where}.loss: expected a loss config { type: ${LOSSES.names().map((n) => JSON.stringify(n)).join(" | ")}, … }, got ${JSON.stringify(l)}`);
    }
    out.loss = l as ModuleConfig;
  }
  const d = r["data"] as Record<string, unknown> | undefined;
  if (d !== undefined) {
    if (d === null || typeof d !== "object" || (d["name"] !== "mnist" && d["name"] !== "moons")) {
      throw new SimdnetError(`${where}.data: expected { "name": "mnist" } or { "name": "moons", "n", "noise", "testRatio" }, got ${JSON.stringify(d)}`);
    }
    out.data = d["name"] === "mnist" ? { name: "mnist" } : {
      name: "moons",
      n: typeof d["n"] === "number" ? d["n"] : 1000,
      noise: typeof d["noise"] === "number" ? d["noise"] : 0.2,
      testRatio: typeof d["testRatio"] === "number" ? d["testRatio"] : 0.2,
    };
  } else if (inputShape !== null && inputShape.length === 1 && inputShape[0] === 2) {
    out.data = { name: "moons", n: 1000, noise: 0.2, testRatio: 0.2 };
  } else if (inputShape === null || inputShape.reduce((a, b) => a * b, 1) !== 784) {
    throw new SimdnetError(`${where}.data: expected the data set ({ "name": "mnist" } or { "name": "moons" }), got nothing, and the inputShape ${JSON.stringify(inputShape)} does not imply one ([1, 28, 28] or [784]: MNIST; [2]: moons)`);
  }
  return out;
}

/** Resolves `train`'s argument: a preset name, or a model.json (architecture + optional recipe). */
function resolveTarget(target: string): Target {
  const isFile = target.endsWith(".json") || target.includes("/") || target.includes("\\");
  if (!isFile && PRESET_NAMES.includes(target.toLowerCase())) {
    const p = getPreset(target);
    return { name: p.name, module: p.module, inputShape: p.inputShape, recipe: p.recipe, preset: p.name };
  }
  if (!isFile) {
    throw new UsageError(`train: expected a preset (${PRESET_NAMES.join(", ")}) or a model.json path, got ${JSON.stringify(target)}`, "train");
  }
  let text: string;
  try {
    text = readFileSync(target, "utf8");
  } catch (e) {
    throw new SimdnetError(`${target}: expected a readable model.json, got ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const d = parseDescription(text, target);
  const stem = basename(target).replace(/\.json$/, "");
  // A run folder's model.json is called "model": name the new run after its folder instead.
  const name = (stem === "model" ? basename(dirname(resolve(target))) : stem).replace(/[^\w.-]+/g, "_") || "model";
  return { name, module: d.module, inputShape: d.inputShape ?? [], recipe: recipeFromJson(d.extra["recipe"], d.inputShape, target), preset: null };
}

/** Reshapes a split to the model's input shape when the sizes agree ([n, 1, 28, 28] → [n, 784]). */
function shaped(split: Split, inputShape: number[]): Split {
  if (inputShape.length === 0) return split;
  const size = inputShape.reduce((a, b) => a * b, 1);
  if (split.n === 0 || split.x.data.length !== split.n * size) return split;
  return { ...split, x: { data: split.x.data, shape: [split.n, ...inputShape] } };
}

/** `simdnet train`: trains, writes the run folder, prints test accuracy, throughput and the folder. */
export async function trainCommand(cmd: TrainCommand, io: CliIO): Promise<TrainResult> {
  const target = resolveTarget(cmd.target);
  const recipe: Recipe = {
    ...target.recipe,
    ...(cmd.epochs !== undefined ? { epochs: cmd.epochs } : {}),
    ...(cmd.batchSize !== undefined ? { batchSize: cmd.batchSize } : {}),
    ...(cmd.lr !== undefined ? { lr: cmd.lr } : {}),
    ...(cmd.optimizer !== undefined ? { optimizer: cmd.optimizer } : {}),
  };
  const engine = await engineFor(cmd.backend);
  manualSeed(cmd.seed);
  const model = moduleFromConfig(target.module, { engine });
  const data = await loadData(recipe.data, { seed: cmd.seed, ...(cmd.limit === undefined ? {} : { trainLimit: cmd.limit }) });
  const train = shaped(data.train, target.inputShape);
  const test = shaped(data.test, target.inputShape);
  const inputShape = train.x.shape.slice(1) as number[];
  // Fail on an architecture that does not fit the data before creating the run folder.
  model.outputShape([1, ...inputShape], "model");

  const dir = cmd.out ?? defaultRunDir(target.name);
  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(join(dir, MODEL_JSON))) {
    throw new SimdnetError(`train --out: expected a new or empty folder (or an earlier run folder), got ${JSON.stringify(dir)}, which holds other files`);
  }
  mkdirSync(dir, { recursive: true });

  const optimizer = createOptimizer(recipe.optimizer, model, recipe.lr);
  const loss = lossFromConfig(recipe.loss, { engine });
  const params = model.numParameters();
  io.write(
    `simdnet train ${target.name}: ${params.toLocaleString("en-US")} parameters, backend ${engine.backend}, ${engine.threads} thread${engine.threads === 1 ? "" : "s"}\n` +
    (engine.fallback === null ? "" : `note: ${engine.fallback}\n`) +
    `data: ${data.label}\n` +
    `recipe: ${recipe.optimizer} lr ${recipe.lr}${recipe.lrSchedule === "cosine" ? " (cosine decay)" : ""}, batch ${recipe.batchSize}, ${recipe.epochs} epoch${recipe.epochs === 1 ? "" : "s"}, ${recipe.loss["type"]}, seed ${cmd.seed}\n`,
  );
  const trace = new StepTraceCallback();
  const logPath = join(dir, "log.jsonl");
  writeFileSync(logPath, "");
  // What eval needs to find the data again (recipe, seed) and what the run achieved.
  const extraFor = (figures: { loss: number; accuracy: number }, epoch: number): { [key: string]: JsonValue } => ({
    preset: target.preset, recipe: recipe as unknown as JsonValue, seed: cmd.seed, trainLimit: cmd.limit ?? null,
    backend: engine.backend, epoch, test: { loss: figures.loss, accuracy: figures.accuracy },
  });
  const callbacks: Callback[] = [
    trace,
    // The validation data is the test split: its columns say so (test_loss, test_accuracy).
    new ProgressBar({ write: (text) => io.write(text), isTTY: io.isTTY, valName: "test" }),
    new JsonLinesLogger({ write: (line) => appendFileSync(logPath, line) }),
    // Every epoch's model lands in the run folder, so an interrupted run keeps its last epoch.
    new ModelCheckpoint({
      saveBestOnly: false,
      save: (m, epoch, logs) => void saveModel(m, dir, { inputShape, extra: extraFor({ loss: logs.valLoss, accuracy: logs.valAccuracy }, epoch) }),
    }),
  ];
  const stats = recipe.weightStatsEvery === undefined ? null : new WeightStats({ every: recipe.weightStatsEvery });
  if (stats !== null) callbacks.push(stats);
  const t0 = performance.now();
  const scheduler = recipe.lrSchedule === "cosine" ? createScheduler("CosineAnnealingLR", optimizer, { tMax: recipe.epochs }) : undefined;
  const history = await fit(model, train.x, train.y, {
    epochs: recipe.epochs, batchSize: recipe.batchSize, seed: cmd.seed, optimizer, loss,
    validationData: { x: test.x, y: test.y }, callbacks, ...(scheduler === undefined ? {} : { scheduler }),
  });
  const seconds = (performance.now() - t0) / 1000;
  const last = history.epochs.at(-1);
  // The test split is the validation data: its figures after the last epoch are the test result.
  const result = last !== undefined && Number.isFinite(last.valLoss)
    ? { loss: last.valLoss, accuracy: last.valAccuracy }
    : evaluate(model, test.x, test.y, { loss, batchSize: 256 });
  const trainSeconds = trace.trainSeconds.reduce((a, b) => a + b, 0);
  const trainSamples = trace.trainSamples.reduce((a, b) => a + b, 0);
  const samplesPerSecond = trainSamples / Math.max(trainSeconds, 1e-9);

  saveModel(model, dir, { inputShape, extra: { ...extraFor(result, history.epochs.length), trainSamplesPerSecond: samplesPerSecond } });
  const stepTrace = trace.trace();
  // Weight statistics get their own files (they outweigh the rest of the history many times).
  const { weightStats, ...records } = history.records;
  writeFileSync(join(dir, "history.json"), JSON.stringify({ ...history, records, trace: stepTrace, test: result, seconds, trainSamplesPerSecond: samplesPerSecond }, null, 1) + "\n");
  if (weightStats !== undefined && weightStats.length > 0) {
    writeFileSync(join(dir, "weight-stats.jsonl"), weightStats.map((r) => JSON.stringify(r)).join("\n") + "\n");
  }
  try {
    const charts = await renderCharts(history, { title: target.name, trace: stepTrace, valName: "test" });
    if (weightStats !== undefined && weightStats.length > 0) {
      charts["weights.svg"] = await renderStatsChart(weightStats as StatPoint[], `${target.name}: per-layer statistics every ${recipe.weightStatsEvery} steps`);
    }
    if (isPlanar(inputShape) && recipe.loss["type"] !== "MSELoss") charts["boundary.svg"] = await renderBoundaryChart(model, train, test, `${target.name}: decision boundary`);
    for (const [file, svg] of Object.entries(charts)) writeFileSync(join(dir, file), svg);
  } catch (e) {
    // Charts are optional (vega is an optional peer dependency): the trained run is kept.
    if (!(e instanceof SimdnetError)) throw e;
    io.write(`no charts: ${e.message}\n`);
  }

  const unit = recipe.data.name === "mnist" ? "images" : "samples";
  io.write(
    `test accuracy ${fmt.acc(result.accuracy)} (loss ${fmt.loss(result.loss)}) on ${test.n} samples\n` +
    `throughput ${fmt.rate(samplesPerSecond)} ${unit}/s (training, ${trainSamples} ${unit} in ${fmt.s(trainSeconds)}; ${fmt.s(seconds)} with evaluation)\n` +
    `run folder: ${dir}\n`,
  );
  optimizer.dispose();
  loss.dispose();
  model.dispose();
  return { dir, history, test: result, samplesPerSecond, seconds, backend: engine.backend };
}

/** `simdnet eval`: loads a run folder and reports loss and accuracy on its data set's test split. */
export async function evalCommand(cmd: EvalCommand, io: CliIO): Promise<{ loss: number; accuracy: number; n: number }> {
  const engine = await engineFor(cmd.backend);
  const { module, description } = loadModel(cmd.dir, { engine });
  const file = join(cmd.dir, MODEL_JSON);
  const recipe = recipeFromJson(description.extra["recipe"], description.inputShape, file);
  const seedValue = description.extra["seed"];
  const seed = typeof seedValue === "number" && Number.isInteger(seedValue) && seedValue >= 0 ? seedValue : 0;
  const data = await loadData(recipe.data, { seed, testOnly: true, ...(cmd.limit === undefined ? {} : { testLimit: cmd.limit }) });
  const test = shaped(data.test, description.inputShape ?? []);
  const loss = lossFromConfig(recipe.loss, { engine });
  const t0 = performance.now();
  const r = evaluate(module, test.x, test.y, { loss, batchSize: 256 });
  const seconds = (performance.now() - t0) / 1000;
  io.write(
    `simdnet eval ${cmd.dir}: ${describeData(recipe.data)}, backend ${engine.backend}\n` +
    `test accuracy ${fmt.acc(r.accuracy)} (loss ${fmt.loss(r.loss)}) on ${test.n} samples in ${fmt.s(seconds)}\n`,
  );
  loss.dispose();
  module.dispose();
  return { ...r, n: test.n };
}

function describeData(d: DataSpec): string {
  return d.name === "mnist" ? "MNIST test split" : `make-moons test split (n ${d.n}, noise ${d.noise})`;
}

/** `simdnet info`: the runtime, its WebAssembly features and the backend simdnet picks. */
export async function infoCommand(cmd: InfoCommand, io: CliIO): Promise<{ backend: string }> {
  const f = detectWasmFeatures();
  const yes = (b: boolean) => (b ? "yes" : "no");
  const env = process.env["SIMDNET_BACKEND"];
  const lines = [
    `simdnet ${packageVersion()}`,
    `runtime: Node ${process.versions.node} (V8 ${process.versions.v8}), ${process.platform} ${process.arch}, ` +
      `${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"})`,
    `WebAssembly: ${yes(f.webassembly)}, SIMD: ${yes(f.simd)}, relaxed SIMD: ${yes(f.relaxedSimd)}` +
      (f.relaxedSimd || !f.simd ? "" : ` (${relaxedSimdHint()})`),
    `SIMDNET_BACKEND: ${env === undefined || env === "" ? "not set" : env}`,
  ];
  let backend = "none";
  try {
    const engine = await engineFor(cmd.backend);
    backend = engine.backend;
    lines.push(`backend: ${backend}${cmd.backend === "auto" ? " (auto: the fastest this runtime validates)" : ""}`);
    if (engine.missingKernels.length > 0) lines.push(`missing kernels (JS fallback): ${engine.missingKernels.join(", ")}`);
  } catch (e) {
    if (!(e instanceof SimdnetError)) throw e;
    lines.push(`backend: unavailable: ${e.message}`);
  }
  io.write(lines.join("\n") + "\n");
  return { backend };
}

/** The package version from package.json (two folders up from dist/cli/ and src/cli/). */
export function packageVersion(): string {
  try {
    const url = new URL("../../package.json", import.meta.url);
    const pkg = JSON.parse(readFileSync(url, "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}
