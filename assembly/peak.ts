// The practical SIMD multiply-add ceiling of one core, measured with a register-resident loop of
// the GEMM micro-kernel's instruction mix: vector loads of B, broadcast loads of A and independent
// multiply-adds into accumulators that never leave the registers, operands read from one 64-byte
// block that stays in L1. "% of peak" in the benchmarks is taken against the probe of the same
// build, so it reads as kernel efficiency.
//
// One probe per build, each checked free of spills with `node --print-wasm-code` (V8 allocates
// 15 xmm registers on x64; xmm15 is its scratch):
//  - relaxed SIMD: the 6×8 tile's mix, 2 vector loads + 6 broadcasts + 12 FMAs into 12
//    accumulators: 12 + 2 B vectors + 1 broadcast = 15 registers, the loop is loads and
//    vfmadd231ps only.
//  - plain SIMD: a multiply-add is a multiply into a temporary and an add, so the same 12
//    accumulators need 16 registers, and V8 spilled one: a store and a load of [rbp-0xd0] every
//    iteration, which on the AMD EPYC host read 26–29 GFLOP/s, below what the convolution tiles
//    reach (up to 118 % of it). This build runs 5 broadcasts × 2 vectors = 10 accumulators
//    + 2 B vectors + 1 broadcast + 1 product = 14 registers, spill-free (vmulps/vaddps only).
// Either way one call performs `iterations` · 12 vector multiply-adds (plain: 6/5 as many 10-wide
// bodies, rounded down), so FLOPs = iterations · 12 · 4 · 2 for both builds.
//
// History (Intel Sapphire Rapids guest, Node 20): a first probe `acc = acc·m + c` read ~37 GFLOP/s
// plain where the GEMM mix read ~47, because V8 rematerialised the two constant splats inside the
// loop and the chain put the multiply on each accumulator's dependency path; loads cost the FP
// ports nothing, which is why a loop of loads and multiply-adds is a fair ceiling.

import { madd } from "./math";

const OPERANDS = memory.data<f32>([
  0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008,
  0.0011, 0.0012, 0.0013, 0.0014, 0.0015, 0.0016, 0.0017, 0.0018,
]);

/** Runs the probe loop; the result depends on every accumulator so the loop cannot be dropped. */
export function peakProbe(iterations: i32): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) return probe6x8(iterations);
  return probe5x8(<i32>((<i64>iterations * 6) / 5));
}

/** 12 accumulators, 12 FMAs per iteration (relaxed build). */
// @ts-ignore: decorator
@inline
function probe6x8(iterations: i32): f32 {
  let a0 = f32x4.splat(0.1), a1 = f32x4.splat(0.2), a2 = f32x4.splat(0.3), a3 = f32x4.splat(0.4);
  let a4 = f32x4.splat(0.5), a5 = f32x4.splat(0.6), a6 = f32x4.splat(0.7), a7 = f32x4.splat(0.8);
  let a8 = f32x4.splat(0.9), a9 = f32x4.splat(1.0), a10 = f32x4.splat(1.1), a11 = f32x4.splat(1.2);
  const p = OPERANDS;
  for (let i = 0; i < iterations; i++) {
    // Operands are (re)loaded every iteration as in a GEMM; small values keep the sums finite
    // and far from denormals for any iteration count the benchmark uses.
    const b0 = v128.load(p), b1 = v128.load(p, 16);
    let s = v128.load32_splat(p, 32);
    a0 = madd(s, b0, a0); a1 = madd(s, b1, a1);
    s = v128.load32_splat(p, 36);
    a2 = madd(s, b0, a2); a3 = madd(s, b1, a3);
    s = v128.load32_splat(p, 40);
    a4 = madd(s, b0, a4); a5 = madd(s, b1, a5);
    s = v128.load32_splat(p, 44);
    a6 = madd(s, b0, a6); a7 = madd(s, b1, a7);
    s = v128.load32_splat(p, 48);
    a8 = madd(s, b0, a8); a9 = madd(s, b1, a9);
    s = v128.load32_splat(p, 52);
    a10 = madd(s, b0, a10); a11 = madd(s, b1, a11);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)),
    f32x4.add(f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)), f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))),
  );
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

/** 10 accumulators, 10 multiplies + 10 adds per iteration (plain build: spill-free, see above). */
// @ts-ignore: decorator
@inline
function probe5x8(iterations: i32): f32 {
  let a0 = f32x4.splat(0.1), a1 = f32x4.splat(0.2), a2 = f32x4.splat(0.3), a3 = f32x4.splat(0.4);
  let a4 = f32x4.splat(0.5), a5 = f32x4.splat(0.6), a6 = f32x4.splat(0.7), a7 = f32x4.splat(0.8);
  let a8 = f32x4.splat(0.9), a9 = f32x4.splat(1.0);
  const p = OPERANDS;
  for (let i = 0; i < iterations; i++) {
    const b0 = v128.load(p), b1 = v128.load(p, 16);
    let s = v128.load32_splat(p, 32);
    a0 = madd(s, b0, a0); a1 = madd(s, b1, a1);
    s = v128.load32_splat(p, 36);
    a2 = madd(s, b0, a2); a3 = madd(s, b1, a3);
    s = v128.load32_splat(p, 40);
    a4 = madd(s, b0, a4); a5 = madd(s, b1, a5);
    s = v128.load32_splat(p, 44);
    a6 = madd(s, b0, a6); a7 = madd(s, b1, a7);
    s = v128.load32_splat(p, 48);
    a8 = madd(s, b0, a8); a9 = madd(s, b1, a9);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)),
    f32x4.add(f32x4.add(a4, a5), f32x4.add(f32x4.add(a6, a7), f32x4.add(a8, a9))),
  );
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
