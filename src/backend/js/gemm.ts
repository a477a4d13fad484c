import type { GemmKernels } from "../contract/gemm.js";
import type { MemoryViews } from "../memory.js";

/** Plain-JS reference kernels for the gemm family (see the contract for semantics). */
export function gemmKernels(v: MemoryViews): Partial<GemmKernels> {
  void v;
  return {};
}
