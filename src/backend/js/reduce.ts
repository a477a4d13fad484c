import type { ReduceKernels } from "../contract/reduce.js";
import type { MemoryViews } from "../memory.js";

/** Plain-JS reference kernels for the reduce family (see the contract for semantics). */
export function reduceKernels(v: MemoryViews): Partial<ReduceKernels> {
  void v;
  return {};
}
