import { createJsKernels } from "./backend/js/index.js";
import type { BackendName, Kernels } from "./backend/kernels.js";
import { Allocator, MemoryViews } from "./backend/memory.js";
import { shapeSize } from "./backend/shapes.js";
import { relaxedWasmGzipBase64, simdWasmGzipBase64 } from "./backend/wasm/embedded.js";
import { detectWasmFeatures, type WasmFeatures } from "./backend/wasm/features.js";
import { relaxedSimdHint } from "./backend/wasm/hints.js";
import { embeddedWasm, instantiateKernels, WasmInflateUnavailable, type WasmSource } from "./backend/wasm/index.js";
import { startThreads, threadsOption, type Threads } from "./backend/threads/index.js";
import { checkOptions, fail, SimdnetError } from "./errors.js";
import { reclaimWhenDropped, Tensor, type DType } from "./tensor.js";

/** Options of createEngine / init. */
export interface EngineOptions {
  /**
   * Which kernels to use. 'auto' (default) picks the fastest the runtime validates:
   * wasm-relaxed-simd → wasm-simd → js. The environment variable SIMDNET_BACKEND, when set,
   * overrides 'auto'. Naming an unavailable backend is an error.
   */
  backend?: "auto" | BackendName;
  /**
   * Where to load the WASM builds from instead of the bytes embedded in the bundle (for sites
   * whose Content-Security-Policy forbids compiling inline bytes): URLs or bytes per build.
   */
  wasm?: { simd?: WasmSource; relaxedSimd?: WasmSource };
  /**
   * Threads that run the WASM kernels (the calling thread and threads − 1 workers sharing the
   * engine's memory): a positive integer. Default: the cores the runtime reports
   * (`os.availableParallelism()`, `navigator.hardwareConcurrency`); the environment variable
   * SIMDNET_THREADS, when set, overrides the default. Where shared memory or workers are
   * impossible (a page that is not cross-origin isolated, a runtime without SharedArrayBuffer,
   * a CSP that forbids blob: workers) the engine runs on one thread and says why in `fallback`.
   * Results are bit-identical for every thread count. The js backend runs on one thread.
   */
  threads?: number;
}

const BACKENDS: readonly string[] = ["auto", "wasm-relaxed-simd", "wasm-simd", "js"];
const OPTION_KEYS = ["backend", "wasm", "threads"];

function envBackend(): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = proc?.env?.["SIMDNET_BACKEND"];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * A WASM compile refused by the embedder (CSP), or embedded bytes it cannot inflate, rather than
 * a broken module or a bug.
 */
function isCompileRefusal(e: unknown): boolean {
  return (typeof WebAssembly.CompileError === "function" && e instanceof WebAssembly.CompileError) ||
    e instanceof EvalError || e instanceof WasmInflateUnavailable;
}

function unavailable(name: BackendName, features: WasmFeatures): never {
  const lacks = !features.webassembly
    ? "WebAssembly"
    : !features.simd
      ? "WebAssembly SIMD"
      : `WebAssembly relaxed SIMD (${relaxedSimdHint()})`;
  throw new SimdnetError(`backend: expected a backend this runtime supports, got "${name}" (the runtime lacks ${lacks})`);
}

/**
 * One set of kernels with its own linear memory and allocator. Several engines (of different
 * backends) can live in one process; tensors belong to the engine that made them.
 */
export class Engine {
  // Held privately so that dispose() can drop them (the memory is then the GC's to reclaim) and
  // every later use through the getters below refuses with a named error.
  private liveMemory: WebAssembly.Memory | null;
  private liveViews: MemoryViews | null;
  private liveAllocator: Allocator | null;
  private liveKernels: Kernels | null;
  /** Threads that run the kernels (1 = the calling thread only). */
  readonly threads: number;
  /**
   * Why the engine runs on fewer threads or a slower backend than asked or than the runtime
   * validates (e.g. a CSP refused to compile WASM, a page without cross-origin isolation has
   * no SharedArrayBuffer); null when nothing was passed over.
   */
  readonly fallback: string | null;
  private readonly pool: Threads["pool"];

  private constructor(
    /** The backend in use. */
    readonly backend: BackendName,
    kernels: Kernels,
    memory: WebAssembly.Memory,
    heapBase: number,
    /** Kernels this backend does not implement (empty in a complete build). */
    readonly missingKernels: readonly string[],
    /** Runs the register-resident SIMD multiply-add probe (WASM backends only). */
    readonly peakProbe: ((iterations: number) => number) | null,
    fallback: string | null,
    threads: Threads | null,
    views: MemoryViews,
    allocator: Allocator,
  ) {
    this.liveKernels = kernels;
    this.liveMemory = memory;
    this.liveViews = views;
    this.liveAllocator = allocator;
    this.threads = threads?.count ?? 1;
    this.pool = threads?.pool ?? null;
    const reasons = [fallback, threads?.fallback ?? null].filter((r): r is string => r !== null);
    this.fallback = reasons.length > 0 ? reasons.join("; ") : null;
    void heapBase;
  }

  /** The memory every tensor of this engine lives in. */
  get memory(): WebAssembly.Memory {
    return this.liveMemory ?? this.refuse("memory");
  }

  /** Typed views of `memory` that survive its growth. */
  get views(): MemoryViews {
    return this.liveViews ?? this.refuse("views");
  }

  /** The host-side allocator over `memory`. */
  get allocator(): Allocator {
    return this.liveAllocator ?? this.refuse("allocator");
  }

  /** The raw kernels (pointer ABI; see src/backend/kernels.ts). */
  get kernels(): Kernels {
    return this.liveKernels ?? this.refuse("kernels");
  }

  /** True once dispose() has run. */
  get isDisposed(): boolean {
    return this.liveMemory === null;
  }

  /** Throws `engine.${what}: expected a live engine, got a disposed engine` after dispose(). */
  checkLive(what: string): void {
    if (this.liveMemory === null) this.refuse(what);
  }

  private refuse(what: string): never {
    throw new SimdnetError(`engine.${what}: expected a live engine, got a disposed ${this.backend} engine`);
  }

  /**
   * Ends the engine's worker threads and drops its memory, allocator and kernels (the GC
   * reclaims them once nothing else holds them). Every later call on the engine, or on its
   * tensors, modules and optimizers, throws a SimdnetError; a second dispose() too.
   */
  dispose(): void {
    this.checkLive("dispose");
    this.pool?.dispose();
    this.liveKernels = null;
    this.liveViews = null;
    this.liveAllocator = null;
    this.liveMemory = null;
    if (defaultEngine === this) defaultEngine = null;
  }

  /** Creates an engine; see EngineOptions. */
  static async create(options: EngineOptions = {}): Promise<Engine> {
    checkOptions("createEngine options", options, OPTION_KEYS);
    threadsOption(options.threads);
    let requested: string = options.backend ?? "auto";
    if (requested === "auto") requested = envBackend() ?? "auto";
    if (!BACKENDS.includes(requested)) fail("backend", `one of ${BACKENDS.map((b) => `"${b}"`).join(", ")}`, requested);
    const features = detectWasmFeatures();
    if (requested !== "auto") {
      const name = requested as BackendName;
      if (name === "wasm-relaxed-simd" && !features.relaxedSimd) unavailable(name, features);
      if (name === "wasm-simd" && !features.simd) unavailable(name, features);
      return Engine.build(name, options, null);
    }
    // 'auto' walks the chain; a runtime that validates WASM may still refuse to compile it (a
    // Content-Security-Policy without 'wasm-unsafe-eval'), which counts as "unavailable" too —
    // recorded in `fallback` so the choice is never silent.
    const chain: BackendName[] = [];
    if (features.relaxedSimd) chain.push("wasm-relaxed-simd");
    if (features.simd) chain.push("wasm-simd");
    const refused: string[] = [];
    const fallback = () => (refused.length === 0 ? null : refused.join("; "));
    for (const name of chain) {
      try {
        return await Engine.build(name, options, fallback());
      } catch (e) {
        // Embedded bytes are known-good, so a compile error there is the embedder's refusal;
        // bytes the caller supplied may simply be wrong, and that must not turn into js quietly.
        const supplied = name === "wasm-relaxed-simd" ? options.wasm?.relaxedSimd : options.wasm?.simd;
        if (supplied !== undefined || !isCompileRefusal(e)) throw e;
        // One line: embedders' messages may end in (or contain) a newline.
        refused.push(`${name} could not be compiled (${String((e as Error).message).replace(/\s+/g, " ").trim()})`);
      }
    }
    return Engine.build("js", options, fallback());
  }

  private static async build(name: BackendName, options: EngineOptions, fallback: string | null): Promise<Engine> {
    if (name === "js") {
      // 65536 pages = 4 GiB, the wasm32 limit; memory grows on demand from one page.
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
      const views = new MemoryViews(memory);
      const { kernels, missing } = createJsKernels(views);
      const threads = options.threads !== undefined && options.threads > 1
        ? { count: 1, pool: null, fallback: "threads: the js backend runs on one thread" }
        : null;
      return new Engine(name, kernels, memory, 64, missing, null, fallback, threads, views, new Allocator(memory, 64));
    }
    const source = name === "wasm-relaxed-simd"
      ? options.wasm?.relaxedSimd ?? await embeddedWasm(relaxedWasmGzipBase64, name)
      : options.wasm?.simd ?? await embeddedWasm(simdWasmGzipBase64, name);
    const threads = await startThreads(options.threads, (memory) => instantiateKernels(source, memory, name));
    const { set, memory } = threads;
    const views = new MemoryViews(memory);
    const allocator = new Allocator(memory, threads.heapBase);
    const kernels = threads.wrap(views, allocator);
    return new Engine(name, kernels, memory, threads.heapBase, set.missing, set.peakProbe, fallback, threads, views, allocator);
  }

  /**
   * Test hook, not for applications: ends worker thread `index` abruptly (as a crash would); the
   * next threaded kernel call then throws.
   * @internal
   */
  killWorkerForTest(index: number): void {
    if (this.pool === null) throw new SimdnetError("killWorkerForTest: expected an engine with worker threads, got one thread");
    this.pool.killWorker(index);
  }

  /** Allocates an uninitialised tensor of the given shape. */
  empty(shape: readonly number[], dtype: DType = "float32"): Tensor {
    this.checkLive("empty");
    // Untyped callers (plain JS, JSON) could pass "float64": kernels would read it as float32.
    if (dtype !== "float32" && dtype !== "int32") fail("tensor dtype", '"float32" or "int32"', dtype);
    const size = shapeSize("shape", shape);
    const ptr = this.allocator.alloc(size * 4);
    const t = new Tensor(this, [...shape], dtype, ptr, size);
    reclaimWhenDropped(t, this.allocator);
    return t;
  }

  /** A tensor of zeros. */
  zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
    this.checkLive("zeros");
    const t = this.empty(shape, dtype);
    t.data.fill(0);
    return t;
  }

  /**
   * A tensor holding a copy of `data` (row-major, length = product of shape). NaN/Inf are
   * rejected for float32 data, naming the first bad index; int32 data must be integers.
   */
  tensor(data: Float32Array | Int32Array | readonly number[], shape: readonly number[], dtype?: DType): Tensor {
    this.checkLive("tensor");
    const type: DType = dtype ?? (data instanceof Int32Array ? "int32" : "float32");
    const size = shapeSize("shape", shape);
    if (data === null || typeof data !== "object" || typeof (data as ArrayLike<number>).length !== "number") {
      fail("tensor data", "a Float32Array, Int32Array or number[]", data);
    }
    if (data.length !== size) fail("tensor data length", `${size} (product of shape [${shape.join(", ")}])`, data.length);
    for (let i = 0; i < data.length; i++) {
      const x = data[i]!;
      if (typeof x !== "number" || !Number.isFinite(x)) fail(`tensor data[${i}]`, "a finite number", x);
      if (type === "int32" && !Number.isInteger(x)) fail(`tensor data[${i}]`, "an integer for dtype int32", x);
    }
    const t = this.empty(shape, type);
    t.data.set(data);
    return t;
  }

  private checkOwn(what: string, t: Tensor): void {
    if (!(t instanceof Tensor)) fail(what, "a Tensor", t);
    if (t.engine !== this) {
      throw new SimdnetError(`${what}: expected a tensor of this engine (${this.backend}), got a tensor of another engine (${t.engine.backend})`);
    }
    if (t.isDisposed) throw new SimdnetError(`${what}: expected a live tensor, got a disposed tensor`);
    if (t.dtype !== "float32") fail(`${what} dtype`, '"float32"', t.dtype);
  }

  /**
   * Matrix product op(a)·op(b) of 2-D float32 tensors, as a new tensor (m×n).
   * a: m×k (or k×m with transA), b: k×n (or n×k with transB).
   */
  matmul(a: Tensor, b: Tensor, options: { transA?: boolean; transB?: boolean } = {}): Tensor {
    this.checkLive("matmul");
    checkOptions("matmul options", options, ["transA", "transB"]);
    this.checkOwn("matmul a", a);
    this.checkOwn("matmul b", b);
    if (a.shape.length !== 2) fail("matmul a shape", "2 dimensions", a.shape);
    if (b.shape.length !== 2) fail("matmul b shape", "2 dimensions", b.shape);
    const transA = options.transA === true;
    const transB = options.transB === true;
    const [a0, a1] = a.shape as [number, number];
    const [b0, b1] = b.shape as [number, number];
    const m = transA ? a1 : a0;
    const k = transA ? a0 : a1;
    const kb = transB ? b1 : b0;
    const n = transB ? b0 : b1;
    if (k !== kb) {
      fail(`matmul b shape`, `${transB ? "[n, " + k + "]" : "[" + k + ", n]"} to match a's inner size ${k}`, b.shape);
    }
    const c = this.empty([m, n]);
    const workBytes = this.kernels.gemmWorkBytes(m, n, k);
    const work = workBytes > 0 ? this.allocator.alloc(workBytes) : 0;
    try {
      this.kernels.gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, 1, a.ptr, a1, b.ptr, b1, 0, c.ptr, n, work);
    } finally {
      if (work !== 0) this.allocator.release(work);
    }
    return c;
  }
}

let defaultEngine: Engine | null = null;

/** Creates an independent engine (its own memory and backend). */
export function createEngine(options?: EngineOptions): Promise<Engine> {
  return Engine.create(options);
}

/** Creates the default engine (replacing any earlier one) and returns it. */
export async function init(options?: EngineOptions): Promise<Engine> {
  defaultEngine = await Engine.create(options);
  return defaultEngine;
}

/**
 * The `engine` option of a layer or loss: the given Engine, or getEngine() when absent. Anything
 * else (a backend name, a plain object) is refused here rather than failing later as a TypeError.
 */
export function engineOption(what: string, engine: unknown): Engine {
  if (engine === undefined) return getEngine();
  if (!(engine instanceof Engine)) fail(what, "an Engine (from createEngine or init)", engine);
  if (engine.isDisposed) throw new SimdnetError(`${what}: expected a live Engine, got a disposed ${engine.backend} engine`);
  return engine;
}

/** The engine made by the last init(); throws if init() has not run. */
export function getEngine(): Engine {
  if (defaultEngine === null) throw new SimdnetError("engine: expected init() to have been awaited first, got no engine");
  return defaultEngine;
}
