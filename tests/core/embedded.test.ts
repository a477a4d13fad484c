import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { relaxedWasmGzipBase64, simdWasmGzipBase64 } from "../../src/backend/wasm/embedded.js";
import { deinterleave, embeddedWasm } from "../../src/backend/wasm/index.js";

describe("embedded WASM builds (one gzip stream, interleaved in blocks)", () => {
  // build/*.wasm are what scripts/build-wasm.mjs compiled (npm install builds them).
  it.runIf(existsSync("build/simdnet-simd.wasm"))("inflate to exactly the compiled modules", async () => {
    expect(await embeddedWasm(simdWasmGzipBase64, "wasm-simd")).toEqual(new Uint8Array(readFileSync("build/simdnet-simd.wasm")));
    expect(await embeddedWasm(relaxedWasmGzipBase64, "wasm-relaxed-simd")).toEqual(new Uint8Array(readFileSync("build/simdnet-relaxed-simd.wasm")));
  });

  it("deinterleave takes each build's blocks in turn, including short and missing last blocks", () => {
    // Build 0: 7 bytes (blocks 3, 3, 1); build 1: 4 bytes (blocks 3, 1); block size 3.
    const a = [1, 2, 3, 4, 5, 6, 7];
    const b = [11, 12, 13, 14];
    const all = new Uint8Array([1, 2, 3, 11, 12, 13, 4, 5, 6, 14, 7]);
    expect([...deinterleave(all, { block: 3, sizes: [7, 4], index: 0 })]).toEqual(a);
    expect([...deinterleave(all, { block: 3, sizes: [7, 4], index: 1 })]).toEqual(b);
  });
});
