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
}

/** One measured (case, backend) pair. */
export interface KernelResult {
  family: string;
  case: string;
  backend: BackendName;
  /** Median milliseconds per run; null when the backend was skipped. */
  ms: number | null;
  /** GFLOP/s or GB/s (see unit). */
  rate: number | null;
  unit: "GFLOP/s" | "GB/s";
  /** rate / peak probe of the same backend (for JS: of the plain SIMD build), flop cases only. */
  ofPeak: number | null;
  /** ms of JS / ms of this backend. */
  vsJs: number | null;
  note?: string;
}

async function engines(): Promise<Engine[]> {
  const out = [await createEngine({ backend: "js" })];
  const f = detectWasmFeatures();
  if (f.simd) out.push(await createEngine({ backend: "wasm-simd" }));
  if (f.relaxedSimd) out.push(await createEngine({ backend: "wasm-relaxed-simd" }));
  return out;
}

/** Median of tinybench's samples for fn, in ms. */
async function timeIt(name: string, fn: () => void, time: number): Promise<number> {
  const bench = new Bench({ time, iterations: 3, warmupTime: Math.min(100, time / 4), warmupIterations: 2 });
  bench.add(name, fn);
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== "completed") throw new Error(`bench ${name}: ${r.state}${r.state === "errored" ? `: ${String(r.error)}` : ""}`);
  return r.latency.p50;
}

/** GFLOP/s of the register-resident peak probe of a WASM engine (see assembly/peak.ts). */
async function peakOf(e: Engine, time: number): Promise<number> {
  const probe = e.peakProbe;
  if (probe === null) throw new Error("peak probe: expected a WASM engine");
  const iterations = 1_000_000;
  const ms = await timeIt(`peak ${e.backend}`, () => probe(iterations), time);
  return (iterations * 12 * 4 * 2) / (ms * 1e6);
}

const fmt = (x: number | null, digits = 1): string => (x === null ? "—" : x.toFixed(digits));

function printTable(rows: KernelResult[]): void {
  const header = ["backend", "ms/run", rows[0]!.unit, "% peak", "× JS"];
  const body = rows.map((r) => [
    r.backend, r.ms === null ? "—" : r.ms < 1 ? r.ms.toFixed(3) : r.ms.toFixed(1), fmt(r.rate, 2),
    r.ofPeak === null ? "—" : `${(r.ofPeak * 100).toFixed(0)}%`, r.vsJs === null ? "—" : `${r.vsJs.toFixed(1)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(`\n${rows[0]!.family} / ${rows[0]!.case}`);
  console.log(line(header));
  for (const b of body) console.log(line(b));
  for (const r of rows) if (r.note) console.log(`  ${r.backend}: ${r.note}`);
}

/** Runs every case on every backend and prints tables (or JSON); returns the results. */
export async function runKernelBench(families: readonly CaseFamily[], opts: KernelBenchOptions): Promise<KernelResult[]> {
  const all = await engines();
  const peaks = new Map<BackendName, number>();
  for (const e of all) if (e.peakProbe) peaks.set(e.backend, await peakOf(e, Math.max(opts.time, 300)));
  const simdPeak = peaks.get("wasm-simd") ?? null;
  if (!opts.json) {
    console.log(`peak probe (12 accumulators, 6×8-tile instruction mix, same process): ${
      [...peaks].map(([b, g]) => `${b} ${g.toFixed(1)} GFLOP/s`).join(", ")}`);
    console.log(`JS is timed only when a case's work is ≤ ${JS_WORK_LIMIT.toExponential(0)} flop (or 4-byte elements); "× JS" needs it.`);
  }
  const results: KernelResult[] = [];
  for (const fam of families) {
    for (const kc of fam.cases) {
      if (opts.filter && !`${fam.family} ${kc.name}`.includes(opts.filter)) continue;
      const unit = kc.flop !== undefined ? "GFLOP/s" : "GB/s";
      const work = kc.flop ?? kc.bytes ?? 0;
      const runJs = kc.js ?? (kc.flop ?? (kc.bytes ?? 0) / 4) <= JS_WORK_LIMIT;
      const rows: KernelResult[] = [];
      for (const e of all) {
        const row: KernelResult = { family: fam.family, case: kc.name, backend: e.backend, ms: null, rate: null, unit, ofPeak: null, vsJs: null };
        rows.push(row);
        if (e.backend === "js" && !runJs) {
          row.note = "skipped (over the JS work limit)";
          continue;
        }
        const made = kc.setup(e);
        const run = typeof made === "function" ? made : made.run;
        try {
          row.ms = await timeIt(`${fam.family} ${kc.name} ${e.backend}`, run, opts.time);
        } finally {
          if (typeof made !== "function") made.dispose?.();
        }
        row.rate = work / (row.ms * 1e6);
        const peak = e.backend === "js" ? simdPeak : peaks.get(e.backend) ?? null;
        if (kc.flop !== undefined && peak !== null) row.ofPeak = row.rate / peak;
      }
      const jsMs = rows[0]!.ms;
      for (const r of rows) if (jsMs !== null && r.ms !== null) r.vsJs = jsMs / r.ms;
      results.push(...rows);
      if (!opts.json) printTable(rows);
    }
  }
  if (opts.json) {
    console.log(JSON.stringify({ peaks: Object.fromEntries(peaks), results }, null, 2));
  }
  return results;
}
