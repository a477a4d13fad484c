// Register-tile shapes shared by the gemm and conv families (helpers only: assembly/index.ts does
// not re-export this file). Both multiply through MR×NR = 6×8 tiles of 12 f32x4 accumulators, the
// most that fit the 15 xmm registers V8 allocates on x64 next to two B vectors and a broadcast,
// with 4×8 tiles for the rows a block has left (see sixRows).

/** Rows of the register tile (broadcast A values per step). */
export const MR = 6;
/** Columns of the register tile (two f32x4 B vectors per step). */
export const NR = 8;

/**
 * Rows of an mc-row block covered by 6-row panels; the rest (at most 8 rows) goes to 4-row panels,
 * chosen so that the block computes the fewest padding rows: remainder 1 or 2 → one 6-panel less
 * and two 4-panels (7 → 8, 8 → 8 rows), 3 or 4 → one 4-panel, 5 → one more 6-panel.
 */
// @ts-ignore: decorator
@inline
export function sixRows(mc: i32): i32 {
  const q = mc / MR, r = mc - q * MR;
  if (r == 5) return mc + 1;
  if ((r == 1 || r == 2) && q > 0) return (q - 1) * MR;
  return q * MR;
}

/** Panel height at row ir of a block whose first `six` rows are in 6-row panels. */
// @ts-ignore: decorator
@inline
export function panelRows(ir: i32, six: i32): i32 {
  return ir < six ? MR : 4;
}
