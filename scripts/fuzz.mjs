#!/usr/bin/env node
/**
 * `npm run fuzz`: seeded structure-aware fuzzing of every reader of untrusted bytes and of option
 * objects (targets in scripts/fuzz/targets.mjs), on the built library (dist/). Cases run in
 * workers with a heap limit; a case that does not finish within the time limit is a hang (the
 * worker is replaced and the run goes on after it). Prints per target: cases, accepted inputs,
 * named errors (SimdnetError), other exceptions, hangs, out-of-memory aborts and memory growth;
 * exits 1 on anything but accepted inputs and named errors.
 *
 *   npm run fuzz                                   # 20 000 cases per target (100 000 in all), seed 1
 *   npm run fuzz -- --cases 2000 --seed 7 --target csv,idx
 *   npm run fuzz -- --target model --seed 1 --from 1234 --cases 1 --verbose   # re-run one case
 *
 * Options: --cases N (per target), --seed S, --target a,b, --from I (first case index),
 * --workers W (default 2), --time-limit MS (per case, default 5000), --heap-mb MB (per worker,
 * default 256), --verbose (stack traces).
 */

import { Worker } from "node:worker_threads";
import { SELFTEST_TARGETS, TARGETS } from "./fuzz/targets.mjs";

function parseArgs(argv) {
  const o = { cases: 20000, seed: 1, targets: TARGETS, from: 0, workers: 2, timeLimit: 5000, heapMb: 256, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    const int = (name) => {
      const v = Number(value());
      if (!Number.isSafeInteger(v) || v < 0) usage(`${name}: expected a non-negative integer`);
      return v;
    };
    if (a === "--cases") o.cases = int(a);
    else if (a === "--seed") o.seed = int(a);
    else if (a === "--from") o.from = int(a);
    else if (a === "--workers") o.workers = Math.max(1, int(a));
    else if (a === "--time-limit") o.timeLimit = int(a);
    else if (a === "--heap-mb") o.heapMb = int(a);
    else if (a === "--verbose") o.verbose = true;
    else if (a === "--target") {
      o.targets = value().split(",");
      const known = process.env["SIMDNET_FUZZ_SELFTEST"] ? [...TARGETS, ...SELFTEST_TARGETS] : TARGETS;
      for (const t of o.targets) if (!known.includes(t)) usage(`--target: expected some of ${TARGETS.join(", ")}, got "${t}"`);
    } else usage(`unknown option "${a}"`);
  }
  return o;
}

function usage(message) {
  console.error(`fuzz: ${message}\nusage: node scripts/fuzz.mjs [--cases N] [--seed S] [--target ${TARGETS.join(",")}] [--from I] [--workers W] [--time-limit MS] [--heap-mb MB] [--verbose]`);
  process.exit(2);
}

const MB = 1024 * 1024;
/** Growth allowed between the warm point and the end of a worker's range. */
const HEAP_GROWTH_LIMIT = 16 * MB;
const WASM_GROWTH_LIMIT = 64 * MB;

/** Runs cases [from, to) of `target`, replacing the worker after a hang or a crash. */
function runRange(opts, target, from, to, report) {
  return new Promise((resolve) => {
    let next = from;
    const launch = () => {
      if (next >= to) {
        resolve();
        return;
      }
      let current = -1;
      let timer = null;
      let finished = false;
      const worker = new Worker(new URL("./fuzz/worker.mjs", import.meta.url), {
        workerData: { target, seed: opts.seed, from: next, to, verbose: opts.verbose },
        resourceLimits: { maxOldGenerationSizeMb: opts.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
      });
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          // No report for timeLimit ms: the current case hangs (or startup took that long).
          report.hang(target, current);
          finished = true;
          next = current >= 0 ? current + 1 : next;
          worker.terminate().then(launch);
        }, opts.timeLimit + (current < 0 ? 20000 : 0));
      };
      arm();
      worker.on("message", (m) => {
        if (m.type === "start") {
          current = m.i;
          arm();
        } else if (m.type === "done") {
          report.done(target, m.i, m.outcome, m.error);
          next = m.i + 1;
        } else if (m.type === "end") {
          report.memory(target, from, m);
        }
      });
      worker.on("error", (e) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        report.crash(target, current, e);
        next = current >= 0 ? current + 1 : to;
        launch();
      });
      worker.on("exit", (code) => {
        clearTimeout(timer);
        if (finished) return;
        finished = true;
        if (code !== 0 || next < to) {
          report.crash(target, current, new Error(`worker exited with code ${code}`));
          next = current >= 0 ? current + 1 : to;
        }
        launch();
      });
    };
    launch();
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const rows = new Map();
  const problems = [];
  const row = (t) => {
    if (!rows.has(t)) rows.set(t, { cases: 0, ok: 0, named: 0, other: 0, hangs: 0, oom: 0, heapGrowth: 0, wasmGrowth: 0, liveGrowth: 0 });
    return rows.get(t);
  };
  const repro = (t, i) => `npm run fuzz -- --target ${t} --seed ${opts.seed} --from ${i} --cases 1 --verbose`;
  const report = {
    done(t, i, outcome, error) {
      const r = row(t);
      r.cases++;
      r[outcome]++;
      if (outcome === "other") problems.push(`${t} case ${i}: ${error}\n    re-run: ${repro(t, i)}`);
    },
    hang(t, i) {
      const r = row(t);
      r.cases++;
      r.hangs++;
      problems.push(`${t} case ${i}: no result within ${opts.timeLimit} ms (hang)\n    re-run: ${repro(t, i)}`);
    },
    crash(t, i, e) {
      const r = row(t);
      r.cases++;
      r.oom++;
      problems.push(`${t} case ${i}: worker died (${e.code ?? ""} ${e.message}; heap limit ${opts.heapMb} MB)\n    re-run: ${repro(t, i)}`);
    },
    memory(t, from, m) {
      const r = row(t);
      const heap = m.end.heap - m.warm.heap;
      const wasm = m.end.wasm - m.warm.wasm;
      const live = m.end.live - m.start.live;
      r.heapGrowth = Math.max(r.heapGrowth, heap);
      r.wasmGrowth = Math.max(r.wasmGrowth, wasm);
      r.liveGrowth = Math.max(r.liveGrowth, live);
      if (heap > HEAP_GROWTH_LIMIT) problems.push(`${t} cases from ${from}: JS heap grew ${(heap / MB).toFixed(1)} MB after warm-up (limit ${HEAP_GROWTH_LIMIT / MB} MB)`);
      if (wasm > WASM_GROWTH_LIMIT) problems.push(`${t} cases from ${from}: WASM memory grew ${(wasm / MB).toFixed(1)} MB after warm-up (limit ${WASM_GROWTH_LIMIT / MB} MB)`);
      if (live !== 0) problems.push(`${t} cases from ${from}: ${live} bytes still allocated in the engine after the run (a leak)`);
    },
  };
  const t0 = performance.now();
  console.log(`fuzz: seed ${opts.seed}, ${opts.cases} cases per target from case ${opts.from}, ${opts.workers} workers, ${opts.timeLimit} ms and ${opts.heapMb} MB per case`);
  for (const target of opts.targets) {
    const per = Math.ceil(opts.cases / opts.workers);
    const ranges = [];
    for (let w = 0; w < opts.workers; w++) {
      const from = opts.from + w * per;
      const to = Math.min(opts.from + opts.cases, from + per);
      if (from < to) ranges.push(runRange(opts, target, from, to, report));
    }
    const t1 = performance.now();
    await Promise.all(ranges);
    row(target).seconds = (performance.now() - t1) / 1000;
  }
  const head = ["target", "cases", "accepted", "named errors", "other exceptions", "hangs", "out of memory", "heap growth", "wasm growth", "seconds"];
  const body = [...rows].map(([t, r]) => [t, r.cases, r.ok, r.named, r.other, r.hangs, r.oom,
    `${(r.heapGrowth / MB).toFixed(1)} MB`, `${(r.wasmGrowth / MB).toFixed(1)} MB`, (r.seconds ?? 0).toFixed(1)].map(String));
  const total = body.reduce((a, r) => a + Number(r[1]), 0);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const line = (cells) => cells.map((s, c) => (c === 0 ? s.padEnd(widths[c]) : s.padStart(widths[c]))).join("  ");
  console.log(["", line(head), ...body.map(line), ""].join("\n"));
  console.log(`${total} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (problems.length > 0) {
    console.log(`\n${problems.length} problem(s):`);
    for (const p of problems.slice(0, 30)) console.log(`  ${p}`);
    if (problems.length > 30) console.log(`  … and ${problems.length - 30} more`);
    process.exit(1);
  }
  console.log("OK: every case was accepted or refused with a SimdnetError; no hangs, no out-of-memory, no growth");
}

await main();
