import type { VectorKernels } from "../contract/vector.js";
import type { MemoryViews } from "../memory.js";

/** Plain-JS reference kernels for the vector family (see the contract for semantics). */
export function vectorKernels(v: MemoryViews): Partial<VectorKernels> {
  void v;
  return {};
}
