import { SimdnetError } from "../../errors.js";
import {
  DONE, ERROR_CHARS, ERROR_I32, MAX_ARGS, MAX_OPS, NOPS, OP_WORDS, OPS_F64, QUIT, SEQ, SLOT_BYTES, STATUS,
} from "./control.js";
import type { WorkerFactory, WorkerHandle } from "./host.js";

/** Options of ThreadPool.start. */
export interface PoolOptions {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  /** Byte offset of the control block (workers × SLOT_BYTES, 8-aligned) in memory. */
  control: number;
  workers: number;
  /** Kernel export names, by the index jobs use. */
  names: readonly string[];
  factory: Extract<WorkerFactory, { start(): WorkerHandle }>;
  /** How long a worker may take to start before the pool gives up (ms). */
  startTimeoutMs?: number;
}

/**
 * Busy-wait iterations before a thread sleeps in Atomics.wait (≈ 50–100 µs): the kernels of a
 * training step follow each other within tens of µs, and a wake from sleep costs about as much.
 */
const SPIN = 20000;
/**
 * A worker that has not finished its share `factor` × the caller's own share time (and at least
 * `minMs`) after the caller finished its own is taken for dead: its 'exit' event cannot arrive
 * while the caller waits synchronously. Shares are equal, so a live worker is late by scheduling
 * noise, not by 100×. Mutable for tests only.
 */
export const STALL = { factor: 100, minMs: 10_000 };

/** Why starting the pool failed; the engine records it in `fallback` and runs on one thread. */
export class PoolStartError extends Error {
  override name = "PoolStartError";
}

function now(): number {
  return typeof performance !== "undefined" ? performance.now() : Date.now();
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function canBlock(probe: Int32Array): boolean {
  try {
    Atomics.wait(probe, 0, probe[0]! + 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Worker threads over one shared memory, each running the same compiled module. The calling
 * thread posts a job (a few kernel calls) into a worker's slot and notifies it, runs its own
 * share, then waits for the workers it used. Jobs are synchronous from the caller's view, so
 * kernels keep their plain call ABI.
 */
export class ThreadPool {
  private readonly ctl: Int32Array[];
  private readonly f64: Float64Array[];
  private readonly seq: number[];
  private readonly blocking: boolean;
  private broken: string | null = null;
  private disposed = false;
  /** Shares handed to workers so far (tests check that a split happened). */
  posted = 0;

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly control: number,
    private readonly handles: WorkerHandle[],
  ) {
    // The control block sits at a fixed low address, so views on this buffer stay valid after
    // growth (a grown shared memory keeps the old bytes where they are).
    const buffer = memory.buffer;
    this.ctl = handles.map((_, w) => new Int32Array(buffer, control + w * SLOT_BYTES, SLOT_BYTES >> 2));
    this.f64 = handles.map((_, w) => new Float64Array(buffer, control + w * SLOT_BYTES, SLOT_BYTES >> 3));
    this.seq = handles.map((_, w) => Atomics.load(this.ctl[w]!, SEQ));
    this.blocking = canBlock(this.ctl[0]!);
    handles.forEach((h, w) => h.onExit((reason) => {
      if (!this.disposed && this.broken === null) this.broken = `worker ${w + 1} stopped: ${reason}`;
    }));
  }

  /** Starts `workers` threads and waits until each has instantiated the module. */
  static async start(o: PoolOptions): Promise<ThreadPool> {
    const handles: WorkerHandle[] = [];
    try {
      const ready: Promise<void>[] = [];
      for (let w = 0; w < o.workers; w++) {
        const h = o.factory.start();
        handles.push(h);
        ready.push(new Promise<void>((resolve, reject) => {
          h.onMessage((data) => {
            const d = data as { ready?: boolean; error?: string };
            if (d.ready === true) resolve();
            else reject(new PoolStartError(`worker ${w + 1} could not instantiate the module (${d.error ?? "no reason given"})`));
          });
          h.onExit((reason) => reject(new PoolStartError(`worker ${w + 1} did not start: ${reason}`)));
        }));
        h.post({ module: o.module, memory: o.memory, slot: o.control + w * SLOT_BYTES, names: o.names, spin: SPIN });
      }
      const timeoutMs = o.startTimeoutMs ?? 15_000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new PoolStartError(`the workers did not start within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([Promise.all(ready), timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (e) {
      for (const h of handles) h.terminate();
      throw e instanceof PoolStartError ? e : new PoolStartError(`workers could not be started (${(e as Error).message})`);
    }
    for (const h of handles) h.unref();
    return new ThreadPool(o.memory, o.control, handles);
  }

  /** Number of worker threads (the caller is one more). */
  get workers(): number {
    return this.handles.length;
  }

  /** Throws when a worker has stopped or the pool is disposed. */
  check(): void {
    if (this.disposed) throw new SimdnetError("threads: expected a live engine, got one already disposed");
    if (this.broken !== null) {
      throw new SimdnetError(`threads: expected every worker thread running, got ${this.broken} (dispose this engine and create another)`);
    }
  }

  /** Starts a job in worker w's slot (call check() first). */
  begin(w: number): void {
    this.ctl[w]![NOPS] = 0;
  }

  /** Appends one kernel call (index into the names, or OP_GATHER) to worker w's job. */
  op(w: number, index: number, args: ArrayLike<number>): void {
    const ctl = this.ctl[w]!;
    const n = ctl[NOPS]!;
    if (n >= MAX_OPS || args.length > MAX_ARGS) throw new Error(`thread job: at most ${MAX_OPS} calls of ${MAX_ARGS} arguments`);
    const f = this.f64[w]!;
    const base = OPS_F64 + n * OP_WORDS;
    f[base] = index;
    f[base + 1] = args.length;
    for (let i = 0; i < args.length; i++) f[base + 2 + i] = args[i]!;
    ctl[NOPS] = n + 1;
  }

  /** Hands worker w its job. */
  submit(w: number): void {
    const ctl = this.ctl[w]!;
    const s = (this.seq[w]! + 1) | 0;
    this.posted++;
    this.seq[w] = s;
    Atomics.store(ctl, SEQ, s);
    Atomics.notify(ctl, SEQ);
  }

  /**
   * Waits until workers 0..count−1 have finished their jobs; `ownMs` is how long the caller's
   * share took (the stall deadline scales with it). Throws a worker's kernel error.
   */
  wait(count: number, ownMs: number): void {
    const deadline = Math.max(STALL.minMs, STALL.factor * ownMs);
    let error: string | null = null;
    for (let w = 0; w < count; w++) {
      const ctl = this.ctl[w]!;
      const s = this.seq[w]!;
      let spins = 0;
      let started = -1;
      while (Atomics.load(ctl, DONE) !== s) {
        if (++spins < SPIN) continue;
        spins = 0;
        if (started < 0) started = now();
        else if (now() - started > deadline) {
          this.broken = `worker ${w + 1} did not finish its share within ${Math.round(deadline)} ms (it has probably died)`;
          this.check();
        }
        if (this.blocking) Atomics.wait(ctl, DONE, Atomics.load(ctl, DONE), 50);
      }
      if (ctl[STATUS] !== 0 && error === null) error = `worker ${w + 1}: ${this.errorText(w)}`;
    }
    if (error !== null) throw new Error(`simdnet kernel failed in ${error}`);
  }

  private errorText(w: number): string {
    const ctl = this.ctl[w]!;
    const len = Math.min(ctl[ERROR_I32]!, ERROR_CHARS);
    const u16 = new Uint16Array(this.memory.buffer, this.control + w * SLOT_BYTES + (ERROR_I32 + 1) * 4, len);
    return String.fromCharCode(...u16);
  }

  /** Test hook: ends worker w abruptly, as a crash would. */
  killWorker(w: number): void {
    this.handles[w]!.terminate();
  }

  /** Ends every worker; later jobs throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (let w = 0; w < this.handles.length; w++) {
      Atomics.store(this.ctl[w]!, QUIT, 1);
      this.submit(w);
      this.handles[w]!.terminate();
    }
  }
}
