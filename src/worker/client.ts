/**
 * The calling side of training in a worker: sends the model (description + weights), the data
 * and the options, relays progress, epoch logs and aborts, and builds the trained Model from
 * the weights that come back. How the worker is started is the caller's (browser.ts, node.ts).
 *
 * @module
 */

import { fail, SimdnetError } from "../errors.js";
import { describeModel, modelFromBytes, modelToBytes } from "../io/model.js";
import { Module } from "../nn/module.js";
import { prepareInputs } from "../train/data.js";
import type { Inputs, Labels } from "../train/data.js";
import type { FitProgress } from "../train/fit.js";
import { asModel, type Model } from "../train/model.js";
import type { EpochLogs, History } from "../train/types.js";
import { checkWorkerOptions, type Endpoint, type FromWorker, type WorkerFitOptions } from "./protocol.js";

/** A started worker: its endpoint and how to stop it. */
export interface SpawnedWorker {
  endpoint: Endpoint;
  /** Called when the worker reports an error outside the protocol (a script that failed to load). */
  onFailure(handler: (error: Error) => void): void;
  terminate(): void;
}

/** Options of fitInWorker: fit's options that can cross a thread, plus the main-thread hooks. */
export interface FitInWorkerOptions extends WorkerFitOptions {
  /** Stops training after the current batch; the promise then resolves with the weights so far. */
  signal?: AbortSignal;
  /** Progress during training (see fit's `progressEvery`; default every 100 ms). A copy per call. */
  onProgress?: (progress: FitProgress) => void;
  /** Logs of every finished epoch. */
  onEpochEnd?: (logs: EpochLogs) => void;
  /** Backend of the worker's engine (default: the model's engine's backend, so both compute alike). */
  backend?: string;
  /** Kernel threads of the worker's engine (default: as many as the model's engine has; results do not depend on it). */
  threads?: number;
}

/** What fitInWorker resolves to: the trained model (on the caller's engine) and fit's History. */
export interface FitInWorkerResult {
  model: Model;
  history: History;
}

const HOOKS = ["signal", "onProgress", "onEpochEnd", "backend", "threads"] as const;

/**
 * Trains a copy of `model` in the worker `spawn` starts and returns it trained. `model` itself is
 * not changed (its weights are copied to the worker, the trained ones come back in a new Model
 * on model's engine).
 */
export async function fitWithWorker(
  spawn: () => SpawnedWorker | Promise<SpawnedWorker>, model: Module, x: Inputs, y: Labels, options: FitInWorkerOptions = {},
  spawnOptions: readonly string[] = [],
): Promise<FitInWorkerResult> {
  if (!(model instanceof Module)) fail("fitInWorker model", "a Module (e.g. a Model or Sequential)", model);
  if (options === null || typeof options !== "object") fail("fitInWorker options", "an options object", options);
  const workerOptions = checkWorkerOptions("fitInWorker", { ...options }, [...HOOKS, ...spawnOptions]);
  const { signal, onProgress, onEpochEnd } = options;
  if (signal !== undefined && (signal === null || typeof signal.aborted !== "boolean")) fail("fitInWorker signal", "an AbortSignal", signal);
  if (onProgress !== undefined && typeof onProgress !== "function") fail("fitInWorker onProgress", "a function", onProgress);
  if (onEpochEnd !== undefined && typeof onEpochEnd !== "function") fail("fitInWorker onEpochEnd", "a function", onEpochEnd);
  // The sample shape is recorded so the trained model's description says what it takes.
  const sampleShape = prepareInputs(model, x, "fitInWorker x").sampleShape;
  const description = describeModel(model, sampleShape);
  const weights = modelToBytes(model, description);
  const backend = options.backend ?? model.engine.backend;
  const threads = options.threads ?? model.engine.threads;

  const worker = await spawn();
  return new Promise<FitInWorkerResult>((resolve, reject) => {
    let settled = false;
    const finish = (): void => {
      settled = true;
      stop();
      signal?.removeEventListener("abort", abort);
      worker.terminate();
    };
    const failWith = (e: Error): void => {
      if (settled) return;
      finish();
      reject(e);
    };
    const abort = (): void => worker.endpoint.post({ type: "abort" });
    worker.onFailure(failWith);
    const stop = worker.endpoint.listen((raw) => {
      const msg = raw as FromWorker;
      try {
        switch (msg.type) {
          case "ready":
            worker.endpoint.post({ type: "fit", backend, threads, description, weights, x, y, options: workerOptions });
            if (signal?.aborted) abort();
            else signal?.addEventListener("abort", abort);
            break;
          case "progress": onProgress?.(msg.progress); break;
          case "epoch": onEpochEnd?.(msg.logs); break;
          case "error": {
            const e = msg.name === "SimdnetError" ? new SimdnetError(msg.message) : new Error(msg.message);
            e.name = msg.name;
            failWith(e);
            break;
          }
          case "done": {
            if (settled) return;
            const { module } = modelFromBytes(msg.weights, { engine: model.engine, description, file: "fitInWorker weights" });
            finish();
            resolve({ model: asModel(module), history: msg.history });
            break;
          }
          default: break;
        }
      } catch (e) {
        failWith(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}
