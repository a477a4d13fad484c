/**
 * Where a split puts its boundaries: `parts` ranges of [0, total) whose inner boundaries are
 * multiples of `align` (so every range but the last starts on the same SIMD / tile grid as the
 * whole and ends without a tail). Empty ranges are dropped by the callers via partsFor.
 */
export function boundary(total: number, parts: number, align: number, p: number): number {
  if (p <= 0) return 0;
  if (p >= parts) return total;
  return Math.min(total, Math.round((total * p) / parts / align) * align);
}

/**
 * How many parts a job of `work` units splits into: one per `unit` of work (the measured size
 * below which handing a share to a worker costs more than it saves), at most `threads`, and
 * no more than `total / align` ranges so no range is empty.
 */
export function partsFor(threads: number, work: number, unit: number, total: number, align: number): number {
  const byWork = Math.floor(work / unit);
  const byRanges = Math.floor(total / align);
  return Math.max(1, Math.min(threads, byWork, byRanges));
}
