import type { Kernels } from "../kernels.js";
import { completeKernels } from "../names.js";
import { withSharedMemoryImport } from "./shared-memory.js";

/** The exports of a simdnet WASM build beyond the kernels. */
interface ModuleExtras {
  heapBase(): number;
  hasRelaxedSimd(): number;
  peakProbe(iterations: number): number;
}

export type WasmKernelSet = {
  kernels: Kernels; missing: string[]; heapBase: number; peakProbe: (iterations: number) => number;
  /** The compiled module, for worker threads to instantiate on the same memory. */
  module: WebAssembly.Module;
};

/** Where the WASM bytes come from: embedded (default), given bytes, or a URL to fetch (CSP-strict sites). */
export type WasmSource = BufferSource | URL | string;

async function loadBytes(source: WasmSource): Promise<BufferSource> {
  if (typeof source === "string" || source instanceof URL) {
    const res = await fetch(source);
    if (!res.ok) throw new Error(`wasm url: expected HTTP 200, got ${res.status} for ${String(source)}`);
    return await res.arrayBuffer();
  }
  return source;
}

/**
 * Instantiates one WASM build against a host-created memory. The kernels are the module's
 * exports as they are: every argument is a number, so no glue sits between JS and the kernel
 * (which is why simdnet needs neither @assemblyscript/loader nor generated bindings).
 */
export async function instantiateKernels(source: WasmSource, memory: WebAssembly.Memory, name: string): Promise<WasmKernelSet> {
  let bytes = await loadBytes(source);
  // A shared memory needs a module that declares its import shared (see shared-memory.ts).
  if (memory.buffer instanceof ArrayBuffer === false) bytes = withSharedMemoryImport(asBytes(bytes));
  const module = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory,
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new Error(`simdnet ${name} kernel aborted at line ${line}:${column}`);
      },
    },
  });
  const exports = instance.exports as unknown as Partial<Kernels> & ModuleExtras;
  const { kernels, missing } = completeKernels(exports, name);
  return { kernels, missing, heapBase: exports.heapBase(), peakProbe: exports.peakProbe, module };
}

function asBytes(source: BufferSource): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return new Uint8Array(source);
}

/**
 * The runtime cannot inflate the embedded (gzip-compressed) modules: it lacks DecompressionStream
 * (Node ≥ 18 and every current browser have it). `init()` then falls back to the js backend, as
 * for a module the runtime refuses to compile.
 */
export class WasmInflateUnavailable extends Error {
  override name = "WasmInflateUnavailable";
}

/**
 * One embedded build: both builds share one gzip stream (base64) in which they alternate in blocks
 * of `block` bytes (scripts/build-wasm.mjs explains why); `sizes` are the builds' byte lengths and
 * `index` says which of them this is.
 */
export interface EmbeddedWasm {
  gzipBase64: string;
  block: number;
  sizes: readonly number[];
  index: number;
}

/**
 * The bytes of an embedded module: base64 decoded, gunzipped with DecompressionStream
 * (scripts/build-wasm.mjs compresses them: about 18 KB per build less in a gzip-served bundle),
 * then its blocks picked out of the interleaved builds.
 */
export async function embeddedWasm(embedded: EmbeddedWasm, name: string): Promise<Uint8Array<ArrayBuffer>> {
  const packed = decodeBase64(embedded.gzipBase64);
  if (typeof DecompressionStream !== "function") {
    throw new WasmInflateUnavailable(
      `${name}: the embedded module is gzip-compressed and this runtime has no DecompressionStream; ` +
      "pass its .wasm file as init({ wasm: { simd, relaxedSimd } }) (a URL or bytes) or use the js backend",
    );
  }
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip"));
  return deinterleave(new Uint8Array(await new Response(stream).arrayBuffer()), embedded);
}

/** Build `index` out of blocks taken in turn from each build (the last blocks may be short or absent). */
export function deinterleave(all: Uint8Array, { block, sizes, index }: Omit<EmbeddedWasm, "gzipBase64">): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(sizes[index]!));
  let from = 0;
  for (let at = 0; at < out.length; at += block) {
    for (let i = 0; i < sizes.length; i++) {
      const n = Math.max(0, Math.min(block, sizes[i]! - at));
      if (i === index) out.set(all.subarray(from, from + n), at);
      from += n;
    }
  }
  return out;
}

/** Decodes base64 in any runtime (atob exists in browsers and Node ≥ 16). */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
