// The kernel benchmark suite: every family's cases (bench/cases/<family>.ts, found by bench/run.mjs)
// timed with tinybench on every backend the runtime has, reported as throughput, as a share of
// the SIMD peak probe measured in the same process, and as a ratio to the JS reference.
import { Bench } from "tinybench";
import { createEngine, type Engine } from "../src/engine.js";
import type { BackendName } from "../src/backend/kernels.js";
import { detectWasmFeatures } from "../src/backend/wasm/features.js";

/** What a case's setup returns: the timed closure, and optionally a clean-up for its buffers. */
export type CaseRun = (() => void) | { run: () => void; dispose?: () => void };

/**
 * One benchmark case of a kernel family, exported by bench/cases/<family>.ts as
 * `export const cases: KernelCase[]`. Give `flop` for compute-bound kernels (reported in
 * GFLOP/s and as % of the peak probe) or `bytes` for memory-bound ones (reported in GB/s).
 */
export interface KernelCase {
  /** Short name shown in the table, e.g. "gemm NN 256³". */
  name: string;
  /** Floating-point operations of one run() (a multiply-add counts 2). */
  flop?: number;
  /** Bytes read + written by one run(), for memory-bound kernels. */
  bytes?: number;
  /**
   * Whether to time the JS backend too (default: only when flop, or bytes/4, is at most
   * JS_WORK_LIMIT, because the plain-JS reference would take seconds per run on large cases).
   */
  js?: boolean;
  /** Allocates inputs in the engine, fills them, and returns the closure to time. */
  setup(engine: Engine): CaseRun;
}

/** Cases of one family, as bench/run.mjs passes them in. */
export interface CaseFamily {
  family: string;
  cases: readonly KernelCase[];
}

/**
 * Buffers of one case in one engine: f32/i32 arrays filled with deterministic pseudo-random
 * values (the same in every engine, so backends time the same data), released by dispose().
 */
export class CaseBuffers {
  private readonly ptrs: number[] = [];
  private seed = 12345;
  constructor(readonly engine: Engine) {}

  /** Uniform in [lo, hi), from a fixed LCG. */
  random(lo = -1, hi = 1): number {
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    return lo + (hi - lo) * (this.seed / 2 ** 32);
  }

  /** n f32 values, random in [lo, hi) unless `fill` is given; returns the byte pointer. */
  f32(n: number, lo = -1, hi = 1, fill?: number): number {
    const ptr = this.engine.allocator.alloc(Math.max(4, n * 4));
    this.ptrs.push(ptr);
    const f = this.engine.views.f32();
    const at = ptr >> 2;
    if (fill !== undefined) f.fill(fill, at, at + n);
    else for (let i = 0; i < n; i++) f[at + i] = this.random(lo, hi);
    return ptr;
  }

  /** n i32 values, uniform integers in [0, max); returns the byte pointer. */
  i32(n: number, max: number): number {
    const ptr = this.engine.allocator.alloc(Math.max(4, n * 4));
    this.ptrs.push(ptr);
    const v = this.engine.views.i32();
    for (let i = 0; i < n; i++) v[(ptr >> 2) + i] = Math.floor(this.random(0, max));
    return ptr;
  }

  dispose(): void {
    for (const p of this.ptrs) this.engine.allocator.release(p);
    this.ptrs.length = 0;
  }
}

/**
 * A case over CaseBuffers: `make` allocates through the buffers and returns the closure to time;
 * the buffers are released after timing.
 */
export function bufferCase(
  name: string, work: { flop?: number; bytes?: number; js?: boolean },
  make: (buf: CaseBuffers, e: Engine) => () => void,
): KernelCase {
  return {
    name, ...work,
    setup(e: Engine): CaseRun {
      const buf = new CaseBuffers(e);
      return { run: make(buf, e), dispose: () => buf.dispose() };
    },
  };
}

/** Work (flop, or bytes/4) above which JS is skipped unless a case asks for it. */
export const JS_WORK_LIMIT = 4e7;

/** Options of the kernel suite. */
export interface KernelBenchOptions {
  /** Only cases whose "family name" contains this text. */
  filter?: string;
  /** Milliseconds of timing per case and backend (tinybench `time`). */
  time: number;
  /** Print JSON instead of tables. */
  json: boolean;
  /**
   * Which of tinybench's per-run latencies a figure uses: "median" (default), or "min", the run
   * least disturbed by other processes, for a loaded machine. The probe uses the same statistic.
   */
  stat: Stat;
  /**
   * "wall" (default): performance.now(). "cpu": the CPU time of this process (process.cpuUsage),
   * which does not advance while other processes hold the core, for a loaded machine.
   */
  clock: Clock;
}

/** Statistic of the samples a figure uses. */
export type Stat = "median" | "min";
/** Clock the samples are taken with. */
export type Clock = "wall" | "cpu";

/** One measured (case, backend) pair. */
export interface KernelResult {
  family: string;
  case: string;
  backend: BackendName;
  /** Milliseconds per run (median, or min with --stat min); null when the backend was skipped. */
  ms: number | null;
  /** GFLOP/s or GB/s (see unit). */
  rate: number | null;
  unit: "GFLOP/s" | "GB/s";
  /** GFLOP/s of the peak probe run right before this row (for JS: the plain SIMD build's), flop cases only. */
  peak: number | null;
  /** rate / peak. */
  ofPeak: number | null;
  /** ms of JS / ms of this backend. */
  vsJs: number | null;
  note?: string;
}

async function engines(): Promise<Engine[]> {
  // One thread: the kernel table compares builds core for core (bench/train.ts has the threaded rows).
  const out = [await createEngine({ backend: "js", threads: 1 })];
  const f = detectWasmFeatures();
  if (f.simd) out.push(await createEngine({ backend: "wasm-simd", threads: 1 }));
  if (f.relaxedSimd) out.push(await createEngine({ backend: "wasm-relaxed-simd", threads: 1 }));
  return out;
}

/** Milliseconds of CPU time this process has used (all its threads), as tinybench's clock. */
function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Shortest timed sample: shorter runs are repeated inside one sample, so clock resolution and call overhead vanish. */
const MIN_SAMPLE_MS = 0.5;

/** Timing of fn with tinybench: the median (or min) of its samples, in ms per run. */
async function timeIt(name: string, fn: () => void, time: number, stat: Stat, clock: Clock): Promise<number> {
  const t0 = performance.now();
  fn();
  const once = performance.now() - t0;
  const reps = once >= MIN_SAMPLE_MS ? 1 : Math.min(100_000, Math.ceil(MIN_SAMPLE_MS / Math.max(once, 1e-4)));
  const sample = reps === 1 ? fn : (): void => {
    for (let i = 0; i < reps; i++) fn();
  };
  const bench = new Bench({
    time, iterations: 3, warmupTime: Math.min(100, time / 4), warmupIterations: 2, ...(clock === "cpu" ? { now: cpuNow } : {}),
  });
  bench.add(name, sample);
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== "completed") throw new Error(`bench ${name}: ${r.state}${r.state === "errored" ? `: ${String(r.error)}` : ""}`);
  return (stat === "min" ? r.latency.min : r.latency.p50) / reps;
}

/**
 * GFLOP/s of the peak probe of a WASM engine (see assembly/peak.ts): 12 accumulators, the
 * instruction mix of the 6×8 GEMM tile, nothing but L1 traffic. `iterations` sets the length of
 * one run (~0.4 ms at 200 000).
 */
async function peakOf(e: Engine, time: number, stat: Stat, clock: Clock, iterations = 200_000): Promise<number> {
  const probe = e.peakProbe;
  if (probe === null) throw new Error("peak probe: expected a WASM engine");
  const ms = await timeIt(`peak ${e.backend}`, () => probe(iterations), time, stat, clock);
  return (iterations * 12 * 4 * 2) / (ms * 1e6);
}

/**
 * Minimum milliseconds of the probe run next to each compute-bound case. The probe's single run
 * is made as long as one run of the case: on a loaded machine a 100 ms run is preempted where a
 * 0.4 ms one is not, and the ratio is only fair when both are exposed alike.
 */
const ADJACENT_PROBE_MS = 150;

const fmt = (x: number | null, digits = 1): string => (x === null ? "—" : x.toFixed(digits));

function printTable(rows: KernelResult[]): void {
  const header = ["backend", "ms/run", rows[0]!.unit, "% peak", "× JS"];
  const body = rows.map((r) => [
    r.backend, r.ms === null ? "—" : r.ms < 1 ? r.ms.toFixed(4) : r.ms.toFixed(2), fmt(r.rate, 2),
    r.ofPeak === null ? "—" : `${(r.ofPeak * 100).toFixed(0)}%`, r.vsJs === null ? "—" : `${r.vsJs.toFixed(1)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const peaks = rows.filter((r) => r.peak !== null && r.backend !== "js").map((r) => `${r.backend} ${r.peak!.toFixed(1)}`);
  console.log(`\n${rows[0]!.family} / ${rows[0]!.case}${peaks.length ? `   (probe run after it: ${peaks.join(", ")} GFLOP/s)` : ""}`);
  console.log(line(header));
  for (const b of body) console.log(line(b));
  for (const r of rows) if (r.note) console.log(`  ${r.backend}: ${r.note}`);
}

/** What the kernel suite measured (bench/main.ts prints it with --json). */
export interface KernelReport {
  stat: Stat;
  clock: Clock;
  /** GFLOP/s of the peak probe per WASM backend, measured before the cases. */
  peaks: Partial<Record<BackendName, number>>;
  results: KernelResult[];
}

/** Runs every case on every backend, prints tables (unless json), and returns the results. */
export async function runKernelBench(families: readonly CaseFamily[], opts: KernelBenchOptions): Promise<KernelReport> {
  const selected = (fam: CaseFamily, kc: KernelCase): boolean => !opts.filter || `${fam.family} ${kc.name}`.includes(opts.filter);
  // A filter meant for the training suite (e.g. "W5") selects no kernel case: skip the probe too.
  if (!families.some((fam) => fam.cases.some((kc) => selected(fam, kc)))) {
    return { stat: opts.stat, clock: opts.clock, peaks: {}, results: [] };
  }
  const all = await engines();
  const peaks = new Map<BackendName, number>();
  for (const e of all) if (e.peakProbe) peaks.set(e.backend, await peakOf(e, Math.max(opts.time, 300), opts.stat, opts.clock));
  if (!opts.json) {
    console.log(`peak probe (12 accumulators, 6×8-tile instruction mix): ${
      [...peaks].map(([b, g]) => `${b} ${g.toFixed(1)} GFLOP/s`).join(", ")}`);
    console.log("Compute-bound cases re-run the probe right after each backend's timing, one probe run as long as one " +
      "run of the case, and report % of that (load from other processes then moves both alike); JS is compared " +
      "with the plain SIMD probe.");
    console.log(`ms/run = ${opts.stat} of tinybench's samples, ${opts.clock === "cpu" ? "CPU time of this process" : "wall-clock time"}. JS is timed only when a case's work is ≤ ${JS_WORK_LIMIT.toExponential(0)} flop (or 4-byte elements); "× JS" needs it.`);
  }
  const simdEngine = all.find((e) => e.backend === "wasm-simd") ?? null;
  const results: KernelResult[] = [];
  for (const fam of families) {
    for (const kc of fam.cases) {
      if (!selected(fam, kc)) continue;
      const unit = kc.flop !== undefined ? "GFLOP/s" : "GB/s";
      const work = kc.flop ?? kc.bytes ?? 0;
      const runJs = kc.js ?? (kc.flop ?? (kc.bytes ?? 0) / 4) <= JS_WORK_LIMIT;
      const rows: KernelResult[] = [];
      for (const e of all) {
        const row: KernelResult = {
          family: fam.family, case: kc.name, backend: e.backend, ms: null, rate: null, unit, peak: null, ofPeak: null, vsJs: null,
        };
        rows.push(row);
        if (e.backend === "js" && !runJs) {
          row.note = "skipped (over the JS work limit)";
          continue;
        }
        let made: CaseRun | null = null;
        try {
          made = kc.setup(e);
          const run = typeof made === "function" ? made : made.run;
          row.ms = await timeIt(`${fam.family} ${kc.name} ${e.backend}`, run, opts.time, opts.stat, opts.clock);
        } catch (err) {
          // A kernel another family has not finished yet must not take the whole table down.
          row.note = `failed: ${err instanceof Error ? err.message : String(err)}`;
          row.peak = null;
          continue;
        } finally {
          if (made !== null && typeof made !== "function") made.dispose?.();
        }
        row.rate = work / (row.ms * 1e6);
        const probeEngine = e.peakProbe ? e : simdEngine;
        if (kc.flop !== undefined && probeEngine !== null) {
          const g = peaks.get(probeEngine.backend)!;
          const iterations = Math.max(20_000, Math.round((Math.min(row.ms, 200) * 1e6 * g) / 96));
          row.peak = await peakOf(probeEngine, Math.max(ADJACENT_PROBE_MS, 3 * row.ms), opts.stat, opts.clock, iterations);
          row.ofPeak = row.rate / row.peak;
        }
      }
      const jsMs = rows[0]!.ms;
      for (const r of rows) if (jsMs !== null && r.ms !== null) r.vsJs = jsMs / r.ms;
      results.push(...rows);
      if (!opts.json) printTable(rows);
    }
  }
  return { stat: opts.stat, clock: opts.clock, peaks: Object.fromEntries(peaks), results };
}
