import { describe, expect, it } from "vitest";
import { relaxedWasmGzipBase64, simdWasmGzipBase64 } from "../../src/backend/wasm/embedded.js";
import { embeddedWasm, type EmbeddedWasm } from "../../src/backend/wasm/index.js";
import { detectWasmFeatures } from "../../src/backend/wasm/features.js";
import { KERNEL_NAMES } from "../../src/backend/names.js";
import { testEngines } from "../helpers/engines.js";

/** Exports of a WASM build that are not kernels (src/backend/wasm/index.ts reads them). */
const EXTRAS: Record<string, number> = { heapBase: 0, hasRelaxedSimd: 0, peakProbe: 1 };

/**
 * The exports of one build, instantiated raw (no completeKernels), so that a kernel missing from
 * the module or an export that is neither a kernel nor a known extra shows up.
 */
async function rawExports(embedded: EmbeddedWasm, name: string): Promise<Record<string, unknown>> {
  const bytes = await embeddedWasm(embedded, name);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory, abort: () => undefined } });
  return instance.exports as Record<string, unknown>;
}

describe("kernel ABI", () => {
  it("every WASM export has the arity of its JS reference, and every kernel is exported", async () => {
    const { js } = await testEngines();
    const builds: [string, EmbeddedWasm][] = [["wasm-simd", simdWasmGzipBase64]];
    if (detectWasmFeatures().relaxedSimd) builds.push(["wasm-relaxed-simd", relaxedWasmGzipBase64]);
    for (const [name, gz] of builds) {
      const exports = await rawExports(gz, name);
      for (const kernel of KERNEL_NAMES) {
        const fn = exports[kernel];
        expect(typeof fn, `${name} exports ${kernel}`).toBe("function");
        // A WASM export's length is its parameter count; a JS function's, its declared parameters
        // (the references declare every one, unused ones with a leading underscore).
        expect((fn as (...a: number[]) => unknown).length, `${name} ${kernel} arity`).toBe(js.kernels[kernel].length);
      }
      for (const [key, value] of Object.entries(exports)) {
        if (typeof value !== "function") continue;
        if (key in EXTRAS) {
          expect((value as () => unknown).length, `${name} ${key} arity`).toBe(EXTRAS[key]);
          continue;
        }
        expect((KERNEL_NAMES as readonly string[]).includes(key), `${name} export ${key} is a kernel of names.ts`).toBe(true);
      }
    }
  });
});
