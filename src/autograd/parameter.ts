import type { Tensor } from "../tensor.js";

/**
 * A trainable tensor and its gradient (PyTorch's nn.Parameter). `data.requiresGrad` is true and
 * `data.grad` is `grad`, so operations given the parameter (or its `data`) accumulate into
 * `grad` on `backward()`. Both tensors are the same objects for the owner's whole life
 * (optimizers keep their pointers); the owning module frees them.
 */
export class Parameter {
  /** The accumulated gradient, same shape as data. */
  readonly grad: Tensor;
  constructor(
    /** The values (same Tensor object for the module's whole life). */
    readonly data: Tensor,
    /** The gradient buffer; default a new zero tensor of data's shape. */
    grad?: Tensor,
    /** Local name within the owning module ("weight", "bias"); properties found by a Module name it after the property. */
    public name = "",
  ) {
    this.grad = grad ?? data.engine.zeros(data.shape);
    data.requiresGrad = true;
    data.grad = this.grad;
  }

  /** Shape of the parameter (PyTorch layout, e.g. Linear weight [out, in], Conv2d [outC, inC, kH, kW]). */
  get shape(): readonly number[] {
    return this.data.shape;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.size;
  }

  /** Frees data and grad. */
  dispose(): void {
    this.data.grad = null;
    if (!this.data.isDisposed) this.data.dispose();
    if (!this.grad.isDisposed) this.grad.dispose();
  }
}
