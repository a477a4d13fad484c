import { createEngine, type Engine } from "../../src/engine.js";
import { detectWasmFeatures } from "../../src/backend/wasm/features.js";

/** The engines the kernel tests compare: the JS reference and every WASM build the runtime runs. */
export interface TestEngines {
  js: Engine;
  /** WASM builds to check against js (wasm-simd always; wasm-relaxed-simd when the runtime validates it). */
  wasm: Engine[];
}

let cached: Promise<TestEngines> | null = null;

/** Engines shared by the tests of one file (vitest isolates files in separate processes). */
export function testEngines(): Promise<TestEngines> {
  cached ??= (async () => {
    const js = await createEngine({ backend: "js" });
    const wasm = [await createEngine({ backend: "wasm-simd" })];
    if (detectWasmFeatures().relaxedSimd) wasm.push(await createEngine({ backend: "wasm-relaxed-simd" }));
    return { js, wasm };
  })();
  return cached;
}

/**
 * Scratch buffers in one engine for one kernel call: put() copies arrays in, read() copies out,
 * freeAll() releases everything. Reads go through fresh views, so memory growth is harmless.
 */
export class Scratch {
  private ptrs: number[] = [];
  constructor(readonly engine: Engine) {}

  /** Copies data in and returns its byte pointer. */
  put(data: Float32Array | Int32Array): number {
    const ptr = this.alloc(data.length * 4);
    if (data instanceof Float32Array) this.engine.views.f32().set(data, ptr >> 2);
    else this.engine.views.i32().set(data, ptr >> 2);
    return ptr;
  }

  /** Allocates n bytes filled with a NaN pattern, so a kernel that fails to write shows up. */
  alloc(bytes: number): number {
    const ptr = this.engine.allocator.alloc(Math.max(bytes, 4));
    this.engine.views.f32().fill(Number.NaN, ptr >> 2, (ptr >> 2) + Math.ceil(bytes / 4));
    this.ptrs.push(ptr);
    return ptr;
  }

  /** n floats at ptr (a copy). */
  f32(ptr: number, n: number): Float32Array {
    return this.engine.views.f32().slice(ptr >> 2, (ptr >> 2) + n);
  }

  /** n ints at ptr (a copy). */
  i32(ptr: number, n: number): Int32Array {
    return this.engine.views.i32().slice(ptr >> 2, (ptr >> 2) + n);
  }

  freeAll(): void {
    for (const p of this.ptrs) this.engine.allocator.release(p);
    this.ptrs = [];
  }
}

/**
 * Element-wise comparison with |a − e| ≤ atol + rtol·|e|. Fails naming the worst index, both
 * values and the context, so a tail bug in a SIMD kernel points at its size right away.
 * NaN matches NaN only when both are NaN.
 */
export function assertClose(
  actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { rtol: number; atol: number }, context: string,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${context}: length ${actual.length} vs expected ${expected.length}`);
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(a) || Number.isNaN(e)) {
      if (Number.isNaN(a) && Number.isNaN(e)) continue;
      worst = i;
      worstExcess = Infinity;
      break;
    }
    if (a === e) continue;
    const excess = Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${context}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} ` +
        `(rtol ${tol.rtol}, atol ${tol.atol})`,
    );
  }
}
