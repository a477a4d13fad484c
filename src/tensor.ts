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
    this.engine.allocator.release(this.ptr);
  }
}
