import type { DropoutKernels } from "../contract/dropout.js";
import type { MemoryViews } from "../memory.js";

/** Plain-JS reference kernels for the dropout family (see the contract for semantics). */
export function dropoutKernels(v: MemoryViews): Partial<DropoutKernels> {
  void v;
  return {};
}
