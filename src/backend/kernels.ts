import type { ActivationKernels } from "./contract/activation.js";
import type { ConvKernels } from "./contract/conv.js";
import type { DropoutKernels } from "./contract/dropout.js";
import type { GemmKernels } from "./contract/gemm.js";
import type { LossKernels } from "./contract/loss.js";
import type { NormKernels } from "./contract/norm.js";
import type { OptimKernels } from "./contract/optim.js";
import type { PoolKernels } from "./contract/pool.js";
import type { ReduceKernels } from "./contract/reduce.js";
import type { VectorKernels } from "./contract/vector.js";

/**
 * Every numeric kernel simdnet has. Both backends implement it over the same kind of linear
 * memory; rules shared by all kernels are in src/backend/contract/README.md. All arguments are
 * numbers (pointers are byte offsets) so the WASM backend is the module's exports as they are.
 */
export interface Kernels
  extends GemmKernels, VectorKernels, ReduceKernels, ActivationKernels, LossKernels,
    ConvKernels, PoolKernels, NormKernels, DropoutKernels, OptimKernels {}

/** Names of the backends, fastest first. */
export type BackendName = "wasm-relaxed-simd" | "wasm-simd" | "js";
