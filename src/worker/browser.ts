/**
 * `fitInWorker` for browsers: fit in a Web Worker with one call, so the page stays responsive.
 *
 * ```ts
 * const controller = new AbortController();
 * const { model: trained, history } = await fitInWorker(model, x, y, {
 *   epochs: 3, optimizer: { type: "sgd", lr: 0.01, momentum: 0.9 }, signal: controller.signal,
 *   onProgress: (p) => console.log(p.epoch, p.batch, p.loss),
 * });
 * ```
 *
 * ## Where the worker's code comes from
 * By default the worker runs THIS module's own file (`import.meta.url`), started with the name
 * "simdnet-training", and the module, seeing that name in a worker, calls `serveTraining()`.
 * That is right for the single bundle (`simdnet/bundle`, `dist/simdnet.bundle.js`) and the
 * unbundled package, and needs no Blob URL (a page's `script-src 'self'` policy allows it). An
 * app bundler (esbuild, Vite, webpack) merges simdnet into the app's own chunk, whose code must
 * not run in a worker: there pass `worker`, a function returning a Worker of a two-line script
 * of the app (`import { serveTraining } from "simdnet"; serveTraining();`), which the bundler
 * builds as a second entry (examples/bundlers/).
 *
 * @module
 */

import { fail, SimdnetError } from "../errors.js";
import type { Module } from "../nn/module.js";
import type { Inputs, Labels } from "../train/data.js";
import { fitWithWorker, type FitInWorkerOptions, type FitInWorkerResult, type SpawnedWorker } from "./client.js";
import type { Endpoint } from "./protocol.js";

import { serveTraining } from "./host.js";

export { serveTraining };

/** Options of {@link fitInWorker} in browsers. */
export interface BrowserFitInWorkerOptions extends FitInWorkerOptions {
  /**
   * Makes the Worker to train in (a module worker whose script calls `serveTraining()`).
   * Default: a Blob-URL worker importing the module simdnet was loaded from (see above).
   */
  worker?: () => Worker;
}

function webEndpoint(w: Worker): Endpoint {
  return {
    post: (m, t = []) => w.postMessage(m, t),
    listen: (handler) => {
      const h = (e: MessageEvent): void => handler(e.data);
      w.addEventListener("message", h);
      return () => w.removeEventListener("message", h);
    },
  };
}

/** The name a default training worker is started with. */
const TRAINING_WORKER = "simdnet-training";

function defaultWorker(): Worker {
  return new Worker(import.meta.url, { type: "module", name: TRAINING_WORKER });
}

// In a worker started by defaultWorker, this module is the worker's script: serve.
{
  const scope = globalThis as { WorkerGlobalScope?: unknown; name?: unknown };
  if (scope.WorkerGlobalScope !== undefined && scope.name === TRAINING_WORKER) serveTraining();
}

function spawnWeb(make: () => Worker): SpawnedWorker {
  if (typeof Worker !== "function") throw new SimdnetError("fitInWorker: expected a runtime with Web Workers, got none (in Node, import fitInWorker from simdnet/node)");
  const w = make();
  if (w === null || typeof w !== "object" || typeof (w as Worker).postMessage !== "function") fail("fitInWorker worker()", "a Worker", w);
  return {
    endpoint: webEndpoint(w),
    onFailure: (handler) => {
      w.addEventListener("error", (e: ErrorEvent) => {
        e.preventDefault();
        handler(new Error(`fitInWorker: the worker failed: ${e.message || "its script did not load"} ` +
          "(inside an app bundle pass the worker option, a Worker whose script calls serveTraining(); see examples/bundlers)"));
      });
    },
    terminate: () => w.terminate(),
  };
}

/**
 * Trains a copy of `model` on (x, y) in a Web Worker and resolves with the trained Model (on
 * model's engine) and fit's History. x, y and the options are fit's (names and configs instead of
 * Optimizer, Loss and scheduler objects; no callbacks: use `onProgress` and `onEpochEnd`).
 * `model` itself is left unchanged.
 *
 * @throws SimdnetError (the promise rejects) for options that cannot cross a thread, and with
 *   fit's own message for bad data or options, raised in the worker.
 */
export function fitInWorker(model: Module, x: Inputs, y: Labels, options: BrowserFitInWorkerOptions = {}): Promise<FitInWorkerResult> {
  const { worker, ...rest } = options ?? {};
  if (worker !== undefined && typeof worker !== "function") return Promise.reject(new SimdnetError(`fitInWorker worker: expected a function returning a Worker, got ${typeof worker}`));
  return fitWithWorker(() => spawnWeb(worker ?? defaultWorker), model, x, y, rest, ["worker"]);
}
