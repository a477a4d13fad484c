export { createEngine, Engine, getEngine, init, type EngineOptions } from "./engine.js";
export { Tensor, type DType } from "./tensor.js";
export { SimdnetError } from "./errors.js";
export type { BackendName, Kernels } from "./backend/kernels.js";
export { detectWasmFeatures, type WasmFeatures } from "./backend/wasm/features.js";
