/**
 * Relaxed SIMD (FMA) for a Node 20 program that imports simdnet as a library. Node 20's V8
 * (11.3) validates relaxed SIMD only behind `--experimental-wasm-relaxed-simd`; Node ≥ 22 ships it.
 * Setting that V8 flag at run time, before the first engine compiles its module, turns it on.
 *
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { detectWasmFeatures } from "./features.js";

/**
 * Enables relaxed SIMD in this Node process if it lacks it, so that `init()` / `createEngine()`
 * pick the `wasm-relaxed-simd` build (about 1.4× the plain SIMD build on the reference networks W2–W4).
 * Call it before the first engine is created; returns whether relaxed SIMD now validates.
 *
 * Node documents flag changes after start-up as unsupported in general; this one only widens
 * what the WebAssembly validator accepts, and the same flag on the command line
 * (`node --experimental-wasm-relaxed-simd app.js`) is the conservative alternative. The simdnet
 * command relaunches itself with that flag instead.
 */
export function enableNodeRelaxedSimd(): boolean {
  const before = detectWasmFeatures();
  if (before.relaxedSimd || !before.simd) return before.relaxedSimd;
  setFlagsFromString("--experimental-wasm-relaxed-simd");
  return detectWasmFeatures().relaxedSimd;
}
