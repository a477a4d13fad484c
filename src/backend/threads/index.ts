import { fail } from "../../errors.js";
import type { Kernels } from "../kernels.js";
import type { Allocator, MemoryViews } from "../memory.js";
import { KERNEL_NAMES } from "../names.js";
import type { WasmKernelSet } from "../wasm/index.js";
import { SLOT_BYTES } from "./control.js";
import { reportedCores, sharedMemoryUnavailable, workerFactory } from "./host.js";
import { parallelKernels } from "./parallel.js";
import { PoolStartError, ThreadPool } from "./pool.js";

/** The most threads an engine takes (the control block is 2 KB per worker; nothing else limits it). */
export const MAX_THREADS = 256;

/** How many threads an engine runs, its pool (null on one thread) and why it runs fewer than asked. */
export interface Threads {
  count: number;
  pool: ThreadPool | null;
  fallback: string | null;
}

/** Checks createEngine's `threads` option (undefined = the default). */
export function threadsOption(value: unknown, what = "threads"): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_THREADS) {
    fail(what, `an integer from 1 to ${MAX_THREADS}`, value);
  }
}

function envThreads(): number | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const text = proc?.env?.["SIMDNET_THREADS"];
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  threadsOption(Number.isNaN(n) ? text : n, "SIMDNET_THREADS");
  return n;
}

/** What startThreads made: the kernels set on its memory, and how to wrap them once the allocator exists. */
export interface StartedThreads extends Threads {
  set: WasmKernelSet;
  memory: WebAssembly.Memory;
  /** First byte the allocator may hand out (above the module's data and the control block). */
  heapBase: number;
  wrap(views: MemoryViews, allocator: Allocator): Kernels;
}

/** 65536 pages = 4 GiB, the wasm32 limit; memory grows on demand from one page. */
const MAX_PAGES = 65536;

/**
 * Creates the engine's memory (shared when threads > 1 and the runtime allows), instantiates the
 * kernels on it and starts the workers. Whatever prevents threads becomes `fallback` and the
 * engine runs on one thread; errors of the module itself propagate.
 */
export async function startThreads(
  requested: number | undefined, instantiate: (memory: WebAssembly.Memory) => Promise<WasmKernelSet>,
): Promise<StartedThreads> {
  const wanted = requested ?? envThreads() ?? reportedCores();
  const single = async (fallback: string | null): Promise<StartedThreads> => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES });
    const set = await instantiate(memory);
    return { count: 1, pool: null, fallback, set, memory, heapBase: set.heapBase, wrap: () => set.kernels };
  };
  if (wanted === 1) return single(null);
  const why = (reason: string): string => `threads: running 1 of the ${wanted} asked (${reason})`;
  const unavailable = sharedMemoryUnavailable();
  if (unavailable !== null) return single(why(unavailable));
  const factory = await workerFactory();
  if ("reason" in factory) return single(why(factory.reason));

  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const set = await instantiate(memory);
  const control = Math.ceil(set.heapBase / 64) * 64;
  const heapBase = control + (wanted - 1) * SLOT_BYTES;
  const have = memory.buffer.byteLength;
  if (heapBase > have) memory.grow(Math.ceil((heapBase - have) / 65536));
  let pool: ThreadPool;
  try {
    pool = await ThreadPool.start({ memory, module: set.module, control, workers: wanted - 1, names: KERNEL_NAMES, factory });
  } catch (e) {
    if (!(e instanceof PoolStartError)) throw e;
    return { count: 1, pool: null, fallback: why(e.message), set, memory, heapBase, wrap: () => set.kernels };
  }
  return {
    count: wanted, pool, fallback: null, set, memory, heapBase,
    wrap: (views, allocator) => parallelKernels(set.kernels, pool, allocator, views),
  };
}
