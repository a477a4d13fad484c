/** The V8 flag that enables relaxed SIMD in Node 20. */
export declare const RELAXED_SIMD_FLAG: "--experimental-wasm-relaxed-simd";
/** The flag on Node 20/21 when this process lacks relaxed SIMD, otherwise none (Node ≥ 22 rejects it). */
export declare function relaxedSimdNodeFlags(): string[];
