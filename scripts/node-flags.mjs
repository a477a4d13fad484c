// Whether this Node needs --experimental-wasm-relaxed-simd to validate the relaxed-SIMD build:
// the one decision for the repository's tooling (vitest.config.ts, bench/run.mjs,
// examples/problems/run.mjs). Node 20 validates relaxed SIMD only behind the flag; Node ≥ 22 ships
// the feature and refuses to start with the flag ("bad option"), so it must never be passed there.
// The published `simdnet` command decides the same way in src/cli/relaunch.ts.

/** The V8 flag that enables relaxed SIMD in Node 20. */
export const RELAXED_SIMD_FLAG = "--experimental-wasm-relaxed-simd";

// (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0))),
// the same probe as src/backend/wasm/features.ts.
const zero = [0xfd, 0x0c, ...new Array(16).fill(0)];
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x3d, 0x01, 0x3b, 0x00, ...zero, ...zero, ...zero, 0xfd, 0x85, 0x02, 0x0b,
]);

/**
 * The Node arguments a child process needs so that relaxed SIMD validates in it: the flag on
 * Node 20/21 when this process lacks relaxed SIMD, otherwise none.
 */
export function relaxedSimdNodeFlags() {
  if (WebAssembly.validate(RELAXED_SIMD_PROBE)) return [];
  const major = Number(process.versions.node.split(".")[0]);
  return major >= 20 && major <= 21 ? [RELAXED_SIMD_FLAG] : [];
}
