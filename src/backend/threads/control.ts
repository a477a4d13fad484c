/**
 * The control block through which the calling thread hands kernel calls to the workers: one
 * slot per worker, in the engine's shared linear memory below the allocator's first block (so
 * it is never handed out and the worker needs nothing but the memory to find it).
 *
 * A slot (SLOT_BYTES, byte offsets):
 *   0  i32 seq     job number the caller posted last (the worker runs a job when seq changes)
 *   4  i32 done    job number the worker finished last
 *   8  i32 status  0 = the job ran, 1 = a kernel threw (message below)
 *  12  i32 ops     kernel calls in the job (≤ MAX_OPS), run in order
 *  16  i32 quit    1 = leave the loop (engine disposed)
 *  64  f64 ops[MAX_OPS][OP_WORDS]: kernel index (KERNEL_NAMES, or OP_GATHER), argument count, arguments
 * 1024 i32 error length, then u16 characters of the error message
 */
export const SLOT_BYTES = 2048;
export const SEQ = 0;
export const DONE = 1;
export const STATUS = 2;
export const NOPS = 3;
export const QUIT = 4;
/** f64 index of the first op within a slot. */
export const OPS_F64 = 8;
/** f64 words per op: index, argument count, up to 22 arguments. */
export const OP_WORDS = 24;
export const MAX_ARGS = OP_WORDS - 2;
export const MAX_OPS = 4;
/** i32 index of the error message length; the characters follow as u16. */
export const ERROR_I32 = 256;
export const ERROR_CHARS = (SLOT_BYTES - 1028) / 2;

/**
 * A strided copy done by the thread itself (not a kernel): (rows, rowBytes, src, srcStride, dst)
 * copies `rows` runs of `rowBytes` from src + r·srcStride to dst + r·rowBytes. The conv filter
 * gradient uses it to give each thread the output-channel slice of dy as a contiguous tensor.
 */
export const OP_GATHER = -1;
