import type { ActivationKernels } from "../contract/activation.js";
import type { MemoryViews } from "../memory.js";

/** Plain-JS reference kernels for the activation family (see the contract for semantics). */
export function activationKernels(v: MemoryViews): Partial<ActivationKernels> {
  void v;
  return {};
}
