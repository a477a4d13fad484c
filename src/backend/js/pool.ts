import type { PoolKernels } from "../contract/pool.js";
import type { MemoryViews } from "../memory.js";

/** Plain-JS reference kernels for the pool family (see the contract for semantics). */
export function poolKernels(v: MemoryViews): Partial<PoolKernels> {
  void v;
  return {};
}
