import type { Kernels } from "../kernels.js";
import type { MemoryViews } from "../memory.js";
import { completeKernels } from "../names.js";
import { activationKernels } from "./activation.js";
import { convKernels } from "./conv.js";
import { dropoutKernels } from "./dropout.js";
import { gemmKernels } from "./gemm.js";
import { lossKernels } from "./loss.js";
import { normKernels } from "./norm.js";
import { optimKernels } from "./optim.js";
import { poolKernels } from "./pool.js";
import { reduceKernels } from "./reduce.js";
import { vectorKernels } from "./vector.js";

/**
 * The plain-TypeScript backend: every kernel written for clarity over Float32Array views of the
 * same kind of linear memory the WASM kernels use. It is the fallback where WASM SIMD is
 * missing, the reference the SIMD kernels are tested against, and the benchmark baseline.
 */
export function createJsKernels(views: MemoryViews): { kernels: Kernels; missing: string[] } {
  const self = {} as Kernels;
  const partial: Partial<Kernels> = {
    ...gemmKernels(views),
    ...vectorKernels(views),
    ...reduceKernels(views),
    ...activationKernels(views),
    ...lossKernels(views),
    ...convKernels(views, () => self),
    ...poolKernels(views),
    ...normKernels(views),
    ...dropoutKernels(views),
    ...optimKernels(views),
  };
  const done = completeKernels(partial, "js");
  Object.assign(self, done.kernels);
  return { kernels: self, missing: done.missing };
}
