import type { Node } from "./autograd/tape.js";
import type { Engine } from "./engine.js";
import { SimdnetError } from "./errors.js";

/** The block of a tensor that owns memory, and the allocator it came from. */
interface OwnedBlock {
  allocator: { release(ptr: number): void };
  ptr: number;
}

/**
 * Returns the blocks of tensors that became unreachable without dispose() (a model, optimizer or
 * tensor the caller forgot) to their allocator, so forgotten objects do not keep WASM memory
 * forever. dispose() stays the prompt way and unregisters. The held value names the allocator,
 * not the tensor, so the registry itself keeps nothing alive but the allocator.
 */
const reclaim = typeof FinalizationRegistry === "undefined" ? null : new FinalizationRegistry<OwnedBlock>((block) => {
  try {
    block.allocator.release(block.ptr);
  } catch {
    // Nothing to report from a finalizer: the block is gone either way.
  }
});

/** Registers `t` (which owns `ptr`, allocated from `allocator`) for reclamation when it is dropped undisposed. */
export function reclaimWhenDropped(t: Tensor, allocator: OwnedBlock["allocator"]): void {
  reclaim?.register(t, { allocator, ptr: t.ptr }, t);
}

/** Element types a tensor can hold: f32 for values, i32 for labels and indices. */
export type DType = "float32" | "int32";

/**
 * A tensor is a pointer into its engine's linear memory, a shape and a lazily refreshed typed
 * view. It owns its memory until `dispose()`. Shapes are NCHW for images, [batch, features]
 * for matrices.
 */
export class Tensor {
  /** Byte offset of element 0 in the engine's memory. */
  readonly ptr: number;
  /** Number of elements (product of the shape; 1 for a scalar). */
  readonly size: number;
  /**
   * Accumulated gradient (PyTorch's `.grad`): for a parameter its Parameter.grad; for an
   * operation's output a buffer owned by the step (written by `backward()`); null until needed.
   */
  grad: Tensor | null = null;
  /** Leaf tensors whose gradient `backward()` accumulates (parameters; set it on inputs you differentiate). */
  requiresGrad = false;
  /** @internal The tape node that produced this tensor (null for leaves). */
  node: Node | null = null;
  /** @internal Backward pass in which `grad` last received its first contribution. */
  gradPass = 0;
  /** @internal Whether `grad` was allocated for this leaf (and is freed with it). */
  ownsGrad = false;
  private disposed = false;
  private viewBuffer: ArrayBufferLike | null = null;
  private view: Float32Array | Int32Array | null = null;

  /** Use engine.tensor / engine.zeros / engine.empty instead. */
  constructor(
    readonly engine: Engine,
    readonly shape: readonly number[],
    readonly dtype: DType,
    ptr: number,
    size: number,
    /** False for a view of another tensor's memory (reshape): dispose then frees nothing. */
    private readonly ownsMemory = true,
  ) {
    this.ptr = ptr;
    this.size = size;
  }

  /** True once dispose() (or the engine's dispose()) has run. */
  get isDisposed(): boolean {
    return this.disposed || this.engine.isDisposed;
  }

  /** Bytes of element data. */
  get byteLength(): number {
    return this.size * 4;
  }

  /** Throws `tensor.${what}: expected a live tensor, got …` after dispose() or the engine's dispose(). */
  checkLive(what: string): void {
    if (this.disposed) throw new SimdnetError(`tensor.${what}: expected a live tensor, got one already disposed (shape [${this.shape.join(", ")}])`);
    if (this.engine.isDisposed) throw new SimdnetError(`tensor.${what}: expected a live tensor, got a tensor of a disposed engine (shape [${this.shape.join(", ")}])`);
  }

  /**
   * A live view of the elements (not a copy). It is invalidated by memory growth; call `data`
   * again after any allocation rather than keeping it.
   */
  get data(): Float32Array | Int32Array {
    this.checkLive("data");
    const buffer = this.engine.memory.buffer;
    if (this.view === null || this.viewBuffer !== buffer) {
      this.view = this.dtype === "float32"
        ? new Float32Array(buffer, this.ptr, this.size)
        : new Int32Array(buffer, this.ptr, this.size);
      this.viewBuffer = buffer;
    }
    return this.view;
  }

  /** The f32 view; throws for int32 tensors. */
  get f32(): Float32Array {
    if (this.dtype !== "float32") throw new SimdnetError(`tensor.f32: expected dtype "float32", got "${this.dtype}"`);
    return this.data as Float32Array;
  }

  /** A copy of the elements. */
  toArray(): Float32Array | Int32Array {
    return this.data.slice();
  }

  /** Frees the memory. Using the tensor afterwards, or disposing twice, throws. */
  dispose(): void {
    this.checkLive("dispose");
    reclaim?.unregister(this);
    this.disposed = true;
    this.view = null;
    this.viewBuffer = null;
    if (this.ownsGrad && this.grad !== null && !this.grad.isDisposed) this.grad.dispose();
    this.grad = null;
    if (this.ownsMemory) this.engine.allocator.release(this.ptr);
  }

  /** The single value of a one-element tensor as a number (PyTorch's `item()`). */
  item(): number {
    this.checkLive("item");
    if (this.size !== 1) throw new SimdnetError(`tensor.item: expected a one-element tensor, got shape [${this.shape.join(", ")}]`);
    return this.data[0]!;
  }

  /**
   * Computes the gradient of this tensor (a loss: one element) with respect to every parameter
   * and input that produced it, accumulating into their `.grad` (PyTorch's `loss.backward()`).
   * For a non-scalar tensor pass `grad`, dL/dthis. Ends the step: the next training forward
   * reuses this step's buffers.
   */
  backward(grad?: Tensor): void {
    this.checkLive("backward");
    methods().backward(this, grad);
  }

  /** this + other (broadcasting); see `add`. */
  add(other: Tensor | number): Tensor {
    return methods().add(this, other);
  }
  /** this − other (broadcasting); see `sub`. */
  sub(other: Tensor | number): Tensor {
    return methods().sub(this, other);
  }
  /** this · other elementwise (broadcasting); see `mul`. */
  mul(other: Tensor | number): Tensor {
    return methods().mul(this, other);
  }
  /** this / other elementwise (broadcasting); see `div`. */
  div(other: Tensor | number): Tensor {
    return methods().div(this, other);
  }
  /** Matrix product with a 2-D tensor; see `matmul`. */
  matmul(other: Tensor): Tensor {
    return methods().matmul(this, other);
  }
  /** The same elements in a new shape (one dimension may be −1); a view, see `reshape`. */
  reshape(...shape: number[]): Tensor {
    return methods().reshape(this, shape);
  }
  /** Flattens dimensions startDim..endDim (default 0..−1); see `flatten`. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return methods().flatten(this, startDim, endDim);
  }
  /** Sum of all elements (a one-element tensor), or along `dim`. */
  sum(dim?: number): Tensor {
    return methods().sum(this, dim);
  }
  /** Mean of all elements (a one-element tensor), or along `dim`. */
  mean(dim?: number): Tensor {
    return methods().mean(this, dim);
  }
  /** max(this, 0). */
  relu(): Tensor {
    return methods().relu(this);
  }
}

/** The operations behind Tensor's methods (installed by src/autograd so tensor.ts imports no op). */
export interface TensorMethods {
  backward(t: Tensor, grad?: Tensor): void;
  add(a: Tensor, b: Tensor | number): Tensor;
  sub(a: Tensor, b: Tensor | number): Tensor;
  mul(a: Tensor, b: Tensor | number): Tensor;
  div(a: Tensor, b: Tensor | number): Tensor;
  matmul(a: Tensor, b: Tensor): Tensor;
  reshape(a: Tensor, shape: readonly number[]): Tensor;
  flatten(a: Tensor, startDim: number, endDim: number): Tensor;
  sum(a: Tensor, dim?: number): Tensor;
  mean(a: Tensor, dim?: number): Tensor;
  relu(a: Tensor): Tensor;
}

let installed: TensorMethods | null = null;

/** @internal Called once by src/autograd/functional.ts. */
export function installTensorMethods(m: TensorMethods): void {
  installed = m;
}

function methods(): TensorMethods {
  if (installed === null) throw new SimdnetError("tensor methods: expected the simdnet entry (or src/autograd) to be imported, got none loaded");
  return installed;
}
