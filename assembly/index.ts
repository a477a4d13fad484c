// Every kernel family lives in its own file; this file only re-exports them so the two builds
// (plain SIMD and relaxed SIMD) share one source. Contracts: src/backend/contract/.
export * from "./memory";
export * from "./peak";
export * from "./gemm";
export * from "./vector";
export * from "./reduce";
export * from "./activation";
export * from "./loss";
export * from "./conv";
export * from "./pool";
export * from "./norm";
export * from "./dropout";
export * from "./optim";
