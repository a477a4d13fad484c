/** First byte past the module's static data: the host allocator starts above it. */
export function heapBase(): usize {
  return __heap_base;
}

/** 1 when this build was compiled with relaxed SIMD (FMA via f32x4.relaxed_madd), else 0. */
export function hasRelaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
