// The practical SIMD multiply-add ceiling of the machine, measured with the instruction mix of a
// GEMM micro-kernel: per iteration 2 vector loads + 6 broadcast loads + 12 multiply-adds into 12
// independent accumulators, all operands read from one 64-byte block that stays in L1. It is
// exactly the ceiling the 6×8 f32x4 GEMM tile can reach, so "% of peak" reads as kernel efficiency.
// FLOPs = iterations · 12 accumulators · 4 lanes · 2.
//
// Why not the first version of this probe, `acc = acc·m + c` with m and c constant splats: with
// plain SIMD it measured ~37 GFLOP/s where this loop measures ~47 (one core, Node 20 / V8 11.3,
// Sapphire Rapids guest; min of 300 interleaved runs, so other processes barely show). The V8
// disassembly (--print-wasm-code) shows two causes:
//  1. 12 accumulators + m + c + a temporary fill the 15 xmm registers V8 allocates on x64 (xmm15
//     is its scratch), so V8 rematerialises the two constant splats inside the loop every
//     iteration (movq imm64; vmovq; vpunpcklqdq, twice): 6 extra instructions, 4 of them on the
//     vector ports that also run the multiplies and adds. Loading m and c from memory before the
//     loop (no rematerialisation possible) lifts the same chain to ~44.
//  2. The chain puts the multiply AND the add on each accumulator's dependency path; in a GEMM
//     the product's inputs are loads, so only the add is on the path and the three vector ports
//     (multiplies on two, adds on two, one shared) stay busy: 12 flops/cycle ≈ 47 GFLOP/s at ~3.9 GHz.
// With relaxed_madd both forms reach ~63: two FMA ports, 16 flops/cycle. The loads here cost the
// FP ports nothing (they go to the load ports), which is why this loop is a fair ceiling.

const OPERANDS = memory.data<f32>([
  0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008,
  0.0011, 0.0012, 0.0013, 0.0014, 0.0015, 0.0016, 0.0017, 0.0018,
]);

// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Runs the probe loop; the result depends on every accumulator so the loop cannot be dropped. */
export function peakProbe(iterations: i32): f32 {
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
