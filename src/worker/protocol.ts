/**
 * The messages between {@link fitInWorker} (the page or main thread) and {@link serveTraining}
 * (the worker), and the part of fit's options that can cross a thread: data, names and configs,
 * no functions and no engine objects.
 *
 * @module
 */

import { checkOptions, fail, SimdnetError } from "../errors.js";
import type { ModuleConfig } from "../nn/module.js";
import type { ModelDescription } from "../io/model.js";
import type { Inputs, Labels } from "../train/data.js";
import type { FitOptions, FitProgress } from "../train/fit.js";
import type { EpochLogs, History } from "../train/types.js";

/** An optimizer for the worker: a registered name ("adam") or { type: name, ...the class's options }. */
export type OptimizerSpec = string | { type: string; [option: string]: string | number | boolean };
/** An LR schedule for the worker: { type: "CosineAnnealingLR", tMax: 10 } (PyTorch class names). */
export type SchedulerSpec = { type: string; [option: string]: string | number | boolean };

/** fit's options that can be sent to a worker (see {@link FitOptions}). */
export interface WorkerFitOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  seed?: number;
  validationSplit?: number;
  validationData?: { x: Inputs; y: Labels } | readonly [Inputs, Labels];
  /** Default "adam" with lr 1e-3. */
  optimizer?: OptimizerSpec;
  /** A loss name ("NLLLoss") or config ({ type: "CrossEntropyLoss", labelSmoothing: 0.1 }). */
  loss?: string | ModuleConfig;
  metrics?: FitOptions["metrics"];
  scheduler?: SchedulerSpec;
  dropLast?: boolean;
  progressEvery?: FitOptions["progressEvery"];
}

/** The keys of {@link WorkerFitOptions}. */
export const WORKER_FIT_KEYS = [
  "epochs", "batchSize", "shuffle", "seed", "validationSplit", "validationData", "optimizer", "loss", "metrics",
  "scheduler", "dropLast", "progressEvery",
] as const;

/** Main thread → worker. */
export type ToWorker =
  | {
    type: "fit";
    backend: string;
    threads: number;
    description: ModelDescription;
    weights: Uint8Array;
    x: Inputs;
    y: Labels;
    options: WorkerFitOptions;
  }
  | { type: "abort" };

/** Worker → main thread. */
export type FromWorker =
  | { type: "ready" }
  | { type: "progress"; progress: FitProgress }
  | { type: "epoch"; logs: EpochLogs }
  | { type: "done"; weights: Uint8Array; history: History }
  | { type: "error"; name: string; message: string };

/** A thread endpoint: a Web Worker, the worker's global scope, or a worker_threads port, adapted. */
export interface Endpoint {
  post(message: FromWorker | ToWorker, transfer?: Transferable[]): void;
  /** Calls `handler` for every message; returns a function that stops listening. */
  listen(handler: (message: unknown) => void): () => void;
}

const OBJECT_OPTIONS = ["optimizer", "scheduler", "loss"] as const;

/**
 * Splits options for fitInWorker into what goes to the worker, rejecting (by name) what cannot
 * cross a thread: callbacks, augment, Optimizer/Loss/scheduler objects, yieldEvery.
 */
export function checkWorkerOptions(what: string, options: Record<string, unknown>, hooks: readonly string[]): WorkerFitOptions {
  const movable: Record<string, unknown> = {};
  for (const key of Object.keys(options)) {
    if ((WORKER_FIT_KEYS as readonly string[]).includes(key)) movable[key] = options[key];
  }
  for (const key of ["callbacks", "augment", "yieldEvery"]) {
    if (options[key] !== undefined) {
      throw new SimdnetError(`${what} ${key}: expected nothing (functions do not cross to the worker; use onProgress and onEpochEnd), got ${typeof options[key] === "function" ? "a function" : "a value"}`);
    }
  }
  for (const key of OBJECT_OPTIONS) {
    const v = movable[key];
    if (v === undefined || typeof v === "string") continue;
    const plain = v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype;
    if (!plain || typeof (v as { type?: unknown }).type !== "string") {
      fail(`${what} ${key}`, `a name or a plain { type, ...options } object (${key} objects live in one thread's memory)`, plain ? v : (v as object)?.constructor?.name ?? v);
    }
  }
  const rest = Object.fromEntries(Object.entries(options).filter(([k]) => !hooks.includes(k)));
  checkOptions(`${what} options`, rest, [...WORKER_FIT_KEYS, ...hooks]);
  return movable as WorkerFitOptions;
}
