// Hand-assembled minimal modules whose validation tells which WASM features the runtime has.
// Each is `(func (result v128) ...)`; see the byte comments.
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const TYPE_SECTION = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b]; // one type: () -> v128
const FUNC_SECTION = [0x03, 0x02, 0x01, 0x00]; // one function of type 0
const V128_CONST_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];

/** (func (result v128) (v128.const i32x4 0 0 0 0)) */
const SIMD_MODULE = new Uint8Array([
  ...HEADER, ...TYPE_SECTION, ...FUNC_SECTION,
  0x0a, 0x16, 0x01, 0x14, 0x00, ...V128_CONST_ZERO, 0x0b,
]);

/** (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0))) */
const RELAXED_SIMD_MODULE = new Uint8Array([
  ...HEADER, ...TYPE_SECTION, ...FUNC_SECTION,
  0x0a, 0x3d, 0x01, 0x3b, 0x00, ...V128_CONST_ZERO, ...V128_CONST_ZERO, ...V128_CONST_ZERO,
  0xfd, 0x85, 0x02, 0x0b,
]);

/** What the runtime's WebAssembly supports. */
export interface WasmFeatures {
  webassembly: boolean;
  simd: boolean;
  relaxedSimd: boolean;
}

/** Probes the runtime once per call with WebAssembly.validate (cheap: the modules are ~60 bytes). */
export function detectWasmFeatures(): WasmFeatures {
  const wasm = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  if (!wasm || typeof wasm.validate !== "function") return { webassembly: false, simd: false, relaxedSimd: false };
  const simd = wasm.validate(SIMD_MODULE);
  const relaxedSimd = simd && wasm.validate(RELAXED_SIMD_MODULE);
  return { webassembly: true, simd, relaxedSimd };
}
