import { SimdnetError } from "../errors.js";

const PAGE = 65536;
/** Alignment of every block: a cache line, so SIMD loads of a tensor start never split one. */
export const ALIGN = 64;

/**
 * Typed views over a WebAssembly.Memory that follow memory growth: growing detaches the old
 * ArrayBuffer, so a view is rebuilt whenever `memory.buffer` is no longer the one it was built on.
 */
export class MemoryViews {
  private buffer: ArrayBuffer | SharedArrayBuffer;
  private f32View: Float32Array;
  private i32View: Int32Array;
  private u8View: Uint8Array;

  constructor(readonly memory: WebAssembly.Memory) {
    this.buffer = memory.buffer;
    this.f32View = new Float32Array(this.buffer);
    this.i32View = new Int32Array(this.buffer);
    this.u8View = new Uint8Array(this.buffer);
  }

  private refresh(): void {
    this.buffer = this.memory.buffer;
    this.f32View = new Float32Array(this.buffer);
    this.i32View = new Int32Array(this.buffer);
    this.u8View = new Uint8Array(this.buffer);
  }

  /** The whole memory as f32; index = byte pointer >> 2. */
  f32(): Float32Array {
    if (this.memory.buffer !== this.buffer) this.refresh();
    return this.f32View;
  }

  /** The whole memory as i32; index = byte pointer >> 2. */
  i32(): Int32Array {
    if (this.memory.buffer !== this.buffer) this.refresh();
    return this.i32View;
  }

  /** The whole memory as bytes. */
  u8(): Uint8Array {
    if (this.memory.buffer !== this.buffer) this.refresh();
    return this.u8View;
  }
}

/**
 * First-fit free-list allocator over a WebAssembly.Memory, owned by the host so that both
 * backends share it and kernels never allocate. Blocks are ALIGN-aligned; adjacent free blocks
 * merge on free; the memory grows (by whole pages) only when no free block fits. Model buffers
 * are allocated once per batch size, so this is off the hot path and favours simplicity.
 */
export class Allocator {
  /** Free blocks sorted by address: [start, size] pairs. */
  private free: { start: number; size: number }[] = [];
  /** Size of each live block by start address. */
  private live = new Map<number, number>();
  private end: number;
  private liveTotal = 0;

  /** @param base first usable byte (above the module's static data). */
  constructor(readonly memory: WebAssembly.Memory, base: number) {
    this.end = Math.ceil(Math.max(base, ALIGN) / ALIGN) * ALIGN;
  }

  /** Bytes currently handed out (sum of live block sizes, rounded to ALIGN). */
  get liveBytes(): number {
    return this.liveTotal;
  }

  /** Number of live blocks. */
  get liveBlocks(): number {
    return this.live.size;
  }

  /** Size of the linear memory in bytes. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Allocates `bytes` (≥ 0) and returns a non-zero ALIGN-aligned byte pointer. Contents are undefined. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new SimdnetError(`alloc bytes: expected a non-negative integer, got ${bytes}`);
    }
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i]!;
      if (block.size >= size) {
        const ptr = block.start;
        if (block.size === size) this.free.splice(i, 1);
        else {
          block.start += size;
          block.size -= size;
        }
        return this.markLive(ptr, size);
      }
    }
    const ptr = this.end;
    const needed = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (needed > have) {
      const pages = Math.ceil((needed - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch (e) {
        throw new SimdnetError(
          `alloc bytes: expected at most ${have - ptr} more bytes than WebAssembly memory can grow to, got ${bytes} (${(e as Error).message})`,
        );
      }
    }
    this.end = needed;
    return this.markLive(ptr, size);
  }

  private markLive(ptr: number, size: number): number {
    this.live.set(ptr, size);
    this.liveTotal += size;
    return ptr;
  }

  /** Returns a block to the free list. Freeing an unknown or already freed pointer throws. */
  release(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) {
      throw new SimdnetError(`free ptr: expected a live block pointer, got ${ptr} (double free or not allocated here)`);
    }
    this.live.delete(ptr);
    this.liveTotal -= size;
    // Insert sorted, then merge with neighbours.
    let lo = 0;
    let hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.free[mid]!.start < ptr) lo = mid + 1;
      else hi = mid;
    }
    this.free.splice(lo, 0, { start: ptr, size });
    const next = this.free[lo + 1];
    const cur = this.free[lo]!;
    if (next && cur.start + cur.size === next.start) {
      cur.size += next.size;
      this.free.splice(lo + 1, 1);
    }
    const prev = this.free[lo - 1];
    if (prev && prev.start + prev.size === cur.start) {
      prev.size += cur.size;
      this.free.splice(lo, 1);
    }
    // Give the top block back to the bump pointer so the free list stays short.
    const last = this.free[this.free.length - 1];
    if (last && last.start + last.size === this.end) {
      this.end = last.start;
      this.free.pop();
    }
  }
}
