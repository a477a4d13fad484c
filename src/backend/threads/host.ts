import { WORKER_SOURCE } from "./worker-source.js";

/** A started worker thread, whatever the runtime's kind of worker. */
export interface WorkerHandle {
  post(message: unknown): void;
  /** Calls back on every message the worker posts. */
  onMessage(listener: (data: unknown) => void): void;
  /** Calls back once when the worker ends or fails (with why). */
  onExit(listener: (reason: string) => void): void;
  /** Lets the process exit while the worker lives (Node; nothing elsewhere). */
  unref(): void;
  terminate(): void;
}

/** Starts workers running WORKER_SOURCE, or says why this runtime cannot. */
export type WorkerFactory = { start(): WorkerHandle } | { reason: string };

interface NodeWorker {
  postMessage(message: unknown): void;
  on(event: "message", listener: (data: unknown) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  on(event: "exit", listener: (code: number) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}
type NodeWorkerThreads = { Worker: new (source: string, options: { eval: true }) => NodeWorker };

type Proc = { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown };

function nodeProcess(): Proc | undefined {
  const proc = (globalThis as { process?: Proc }).process;
  // A browser bundle may see a `process` shim; only a real Node has versions.node.
  return proc?.versions?.node !== undefined && typeof (globalThis as { window?: unknown }).window === "undefined" ? proc : undefined;
}

async function nodeWorkerThreads(proc: Proc): Promise<NodeWorkerThreads> {
  if (typeof proc.getBuiltinModule === "function") return proc.getBuiltinModule("node:worker_threads") as NodeWorkerThreads;
  // Node < 20.16 has no getBuiltinModule. A computed specifier keeps browser bundlers from
  // trying to resolve a Node built-in in this browser-safe module; only Node reaches this line.
  const specifier = ["node", "worker_threads"].join(":");
  return (await import(specifier)) as NodeWorkerThreads;
}

function nodeFactory(wt: NodeWorkerThreads): WorkerFactory {
  return {
    start(): WorkerHandle {
      const w = new wt.Worker(WORKER_SOURCE, { eval: true });
      return {
        post: (m) => w.postMessage(m),
        onMessage: (l) => w.on("message", l),
        onExit(l) {
          let said = false;
          w.on("error", (e) => { if (!said) { said = true; l(`it threw ${e.message}`); } });
          w.on("exit", (code) => { if (!said) { said = true; l(`it exited with code ${code}`); } });
        },
        unref: () => w.unref(),
        terminate: () => void w.terminate(),
      };
    },
  };
}

function browserFactory(): WorkerFactory {
  const g = globalThis as { Worker?: typeof Worker; Blob?: typeof Blob; URL?: typeof URL };
  if (typeof g.Worker !== "function") return { reason: "this runtime has no Web Workers" };
  if (typeof g.Blob !== "function" || typeof g.URL?.createObjectURL !== "function") {
    return { reason: "this runtime cannot start a worker from a Blob URL" };
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  return {
    start(): WorkerHandle {
      // A Content-Security-Policy without blob: in worker-src makes this throw (or fail with an
      // error event); the pool turns either into engine.fallback.
      const w = new Worker(url);
      return {
        post: (m) => w.postMessage(m),
        onMessage: (l) => w.addEventListener("message", (e) => l(e.data)),
        onExit(l) {
          w.addEventListener("error", (e) => l(`it failed to start or threw: ${e.message || "a worker error (a Content-Security-Policy may forbid blob: workers)"}`));
          w.addEventListener("messageerror", () => l("it could not receive the module and memory"));
        },
        unref() {},
        terminate: () => w.terminate(),
      };
    },
  };
}

/** The runtime's way to start pool workers: worker_threads in Node, Web Workers elsewhere. */
export async function workerFactory(): Promise<WorkerFactory> {
  const proc = nodeProcess();
  if (proc !== undefined) {
    try {
      return nodeFactory(await nodeWorkerThreads(proc));
    } catch (e) {
      return { reason: `node:worker_threads is unavailable (${(e as Error).message})` };
    }
  }
  return browserFactory();
}

/** The cores the runtime reports: os.availableParallelism() in Node, navigator.hardwareConcurrency elsewhere (1 if unknown). */
export function reportedCores(): number {
  const proc = nodeProcess();
  if (proc !== undefined && typeof proc.getBuiltinModule === "function") {
    const os = proc.getBuiltinModule("node:os") as { availableParallelism?: () => number; cpus(): unknown[] };
    const n = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
    if (Number.isInteger(n) && n >= 1) return n;
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const n = nav?.hardwareConcurrency;
  return typeof n === "number" && Number.isInteger(n) && n >= 1 ? n : 1;
}

/**
 * Why shared WebAssembly memory cannot be used here, or null when it can. A page that is not
 * cross-origin isolated has no SharedArrayBuffer (browsers require COOP/COEP for it).
 */
export function sharedMemoryUnavailable(): string | null {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean; Atomics?: unknown };
  if (typeof g.SharedArrayBuffer !== "function") {
    if (g.crossOriginIsolated === false) {
      return "the page is not cross-origin isolated, so it has no SharedArrayBuffer (serve it with " +
        "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
    }
    return "this runtime has no SharedArrayBuffer";
  }
  if (typeof g.Atomics !== "object") return "this runtime has no Atomics";
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch (e) {
    return `this runtime has no shared WebAssembly memory (${(e as Error).message})`;
  }
  return null;
}
