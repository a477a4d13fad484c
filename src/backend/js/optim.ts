import type { OptimKernels } from "../contract/optim.js";
import type { MemoryViews } from "../memory.js";

/** Plain-JS reference kernels for the optim family (see the contract for semantics). */
export function optimKernels(v: MemoryViews): Partial<OptimKernels> {
  void v;
  return {};
}
