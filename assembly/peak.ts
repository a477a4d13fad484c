// Register-resident multiply-add loop: the practical SIMD ceiling of the machine. Twelve
// independent accumulators hide the add latency; nothing touches memory inside the loop.
// Returns a value derived from the accumulators so the optimiser cannot drop the loop.
// FLOPs = iterations * 12 accumulators * 4 lanes * 2.
export function peakProbe(iterations: i32): f32 {
  let a0 = f32x4.splat(0.1), a1 = f32x4.splat(0.2), a2 = f32x4.splat(0.3), a3 = f32x4.splat(0.4);
  let a4 = f32x4.splat(0.5), a5 = f32x4.splat(0.6), a6 = f32x4.splat(0.7), a7 = f32x4.splat(0.8);
  let a8 = f32x4.splat(0.9), a9 = f32x4.splat(1.0), a10 = f32x4.splat(1.1), a11 = f32x4.splat(1.2);
  const m = f32x4.splat(0.999999);
  const c = f32x4.splat(1e-7);
  for (let i = 0; i < iterations; i++) {
    if (ASC_FEATURE_RELAXED_SIMD) {
      a0 = f32x4.relaxed_madd(a0, m, c); a1 = f32x4.relaxed_madd(a1, m, c);
      a2 = f32x4.relaxed_madd(a2, m, c); a3 = f32x4.relaxed_madd(a3, m, c);
      a4 = f32x4.relaxed_madd(a4, m, c); a5 = f32x4.relaxed_madd(a5, m, c);
      a6 = f32x4.relaxed_madd(a6, m, c); a7 = f32x4.relaxed_madd(a7, m, c);
      a8 = f32x4.relaxed_madd(a8, m, c); a9 = f32x4.relaxed_madd(a9, m, c);
      a10 = f32x4.relaxed_madd(a10, m, c); a11 = f32x4.relaxed_madd(a11, m, c);
    } else {
      a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
      a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
      a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
      a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
      a8 = f32x4.add(f32x4.mul(a8, m), c); a9 = f32x4.add(f32x4.mul(a9, m), c);
      a10 = f32x4.add(f32x4.mul(a10, m), c); a11 = f32x4.add(f32x4.mul(a11, m), c);
    }
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)),
    f32x4.add(f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)), f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))),
  );
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
