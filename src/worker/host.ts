/**
 * The worker side of {@link fitInWorker}: `serveTraining()` in a Web Worker or worker_thread
 * answers one "fit" message — builds the model from its description and weights, runs fit,
 * streams progress and epoch logs, and posts the trained weights back. An "abort" message
 * aborts fit's signal (training stops after the current batch; the weights so far come back).
 *
 * @module
 */

import { createEngine } from "../engine.js";
import { SimdnetError } from "../errors.js";
import { lossFromConfig } from "../nn/loss-registry.js";
import { modelFromBytes, modelToBytes } from "../io/model.js";
import { createOptimizer, createScheduler } from "../optim/registry.js";
import type { BackendName } from "../backend/kernels.js";
import type { Module } from "../nn/module.js";
import { fit, type FitOptions } from "../train/fit.js";
import type { Endpoint, ToWorker } from "./protocol.js";

/** Training yields to the event loop this often (ms), so an "abort" message gets in. */
const YIELD_MS = 20;

/** The worker global scope as an endpoint (browsers, Deno). */
function globalEndpoint(): Endpoint {
  const scope = globalThis as unknown as {
    postMessage(m: unknown, t?: Transferable[]): void;
    addEventListener(type: "message", h: (e: MessageEvent) => void): void;
    removeEventListener(type: "message", h: (e: MessageEvent) => void): void;
  };
  if (typeof scope.postMessage !== "function" || typeof scope.addEventListener !== "function") {
    throw new SimdnetError("serveTraining: expected to run in a worker (a global postMessage), got none; in Node, simdnet/node's fitInWorker starts its own worker_thread");
  }
  return {
    post: (m, t = []) => scope.postMessage(m, t),
    listen: (handler) => {
      const h = (e: MessageEvent): void => handler(e.data);
      scope.addEventListener("message", h);
      return () => scope.removeEventListener("message", h);
    },
  };
}

/**
 * Serves fitInWorker's requests on `endpoint` (default: the worker's global scope). Call it once
 * at the top of a worker script: `import { serveTraining } from "simdnet"; serveTraining();`.
 */
export function serveTraining(endpoint: Endpoint = globalEndpoint()): void {
  let controller: AbortController | null = null;
  endpoint.listen((raw) => {
    const msg = raw as ToWorker;
    if (msg.type === "abort") {
      controller?.abort();
      return;
    }
    if (msg.type !== "fit") return;
    controller = new AbortController();
    run(endpoint, msg, controller.signal).catch((e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      endpoint.post({ type: "error", name: err.name, message: err.message });
    });
  });
  endpoint.post({ type: "ready" });
}

async function run(endpoint: Endpoint, msg: Extract<ToWorker, { type: "fit" }>, signal: AbortSignal): Promise<void> {
  const engine = await createEngine({ backend: msg.backend as BackendName, threads: msg.threads });
  let module: Module;
  try {
    module = modelFromBytes(msg.weights, { engine, description: msg.description, file: "model" }).module;
  } catch (e) {
    engine.dispose();
    throw e;
  }
  const o = msg.options;
  const owned: { dispose(): void }[] = [];
  try {
    const options: FitOptions = {
      ...o,
      optimizer: undefined, loss: undefined, scheduler: undefined,
      signal, yieldEvery: YIELD_MS,
      onProgress: (progress) => endpoint.post({ type: "progress", progress }),
      callbacks: [{ onEpochEnd: (_s, logs) => endpoint.post({ type: "epoch", logs }) }],
    };
    delete options.optimizer;
    delete options.loss;
    delete options.scheduler;
    if (o.loss !== undefined) {
      const loss = lossFromConfig(typeof o.loss === "string" ? { type: o.loss } : o.loss, { engine });
      owned.push(loss);
      options.loss = loss;
    }
    const spec = o.optimizer ?? "adam";
    const { type, ...optimizerOptions } = typeof spec === "string" ? { type: spec } : spec;
    const optimizer = createOptimizer(type, module, optimizerOptions);
    owned.push(optimizer);
    options.optimizer = optimizer;
    if (o.scheduler !== undefined) {
      const { type: schedule, ...scheduleOptions } = o.scheduler;
      options.scheduler = createScheduler(schedule, optimizer, scheduleOptions);
    }
    const history = await fit(module, msg.x, msg.y, options);
    const weights = modelToBytes(module, msg.description);
    endpoint.post({ type: "done", weights, history }, [weights.buffer as ArrayBuffer]);
  } finally {
    for (const o of owned) o.dispose();
    module.dispose();
    engine.dispose(); // ends the engine's own kernel threads, if it started any
  }
}
