/**
 * One fuzz worker (started by scripts/fuzz.mjs with time and heap limits): runs cases
 * [from, to) of one target on the built library (dist/) and reports each to the parent, so a
 * hang or an out-of-memory abort is pinned to the case that caused it.
 */

import { parentPort, workerData } from "node:worker_threads";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { makeTargets } from "./targets.mjs";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

const { target, seed, from, to, verbose } = workerData;
const lib = await import(new URL("../../dist/node.js", import.meta.url).href);
const engine = await lib.createEngine({ backend: "wasm-simd" });
const targets = makeTargets(lib, engine, seed);

async function settle() {
  // Collect, and let FinalizationRegistry callbacks (queued as tasks) return dropped blocks.
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 0));
  }
}

function measure() {
  return { heap: process.memoryUsage().heapUsed, live: engine.allocator.liveBytes, wasm: engine.memory.buffer.byteLength };
}

await settle();
const start = measure();
let warm = null;
try {
  for (let i = from; i < to; i++) {
    parentPort.postMessage({ type: "start", i });
    let outcome;
    let error = null;
    try {
      outcome = await targets[target](i);
    } catch (e) {
      outcome = "other";
      error = `${e?.name ?? typeof e}: ${String(e?.message ?? e).slice(0, 400)}`;
      if (verbose) error += `\n${e?.stack ?? ""}`;
    }
    parentPort.postMessage({ type: "done", i, outcome, error });
    // Memory growth is measured from a warm state (after the first 500 cases), so one-time
    // costs (compiled code, cached views, the first memory growth) do not count.
    if (i - from === 499) {
      await settle();
      warm = measure();
    }
  }
} finally {
  targets.cleanup();
}
await settle();
parentPort.postMessage({ type: "end", start, warm: warm ?? start, end: measure() });
