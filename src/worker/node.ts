/**
 * `fitInWorker` for Node (from `simdnet/node`): the same call as in browsers, on a
 * `worker_threads` Worker running node-entry.js. The worker inherits the process's V8 flags, so
 * the relaxed-SIMD backend is available there whenever it is here.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import type { Module } from "../nn/module.js";
import type { Inputs, Labels } from "../train/data.js";
import { fitWithWorker, type FitInWorkerOptions, type FitInWorkerResult, type SpawnedWorker } from "./client.js";

function spawnNode(): SpawnedWorker {
  const w = new Worker(new URL("./node-entry.js", import.meta.url));
  return {
    endpoint: {
      post: (m, t = []) => w.postMessage(m, t as never),
      listen: (handler) => {
        w.on("message", handler);
        return () => w.off("message", handler);
      },
    },
    onFailure: (handler) => {
      w.on("error", handler);
      w.on("exit", (code) => handler(new Error(`fitInWorker: the worker exited (code ${code}) before it answered`)));
    },
    terminate: () => void w.terminate(),
  };
}

/**
 * Trains a copy of `model` on (x, y) in a worker_thread and resolves with the trained Model (on
 * model's engine) and fit's History; see the browser `fitInWorker` for the options.
 */
export function fitInWorker(model: Module, x: Inputs, y: Labels, options: FitInWorkerOptions = {}): Promise<FitInWorkerResult> {
  return fitWithWorker(spawnNode, model, x, y, options);
}
