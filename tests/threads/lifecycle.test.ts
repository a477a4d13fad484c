// Engine threads: the option, the default, the fallback without SharedArrayBuffer, a worker that
// dies, dispose, many engines, and a program that never disposes still exiting.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, SimdnetError } from "../../src/index.js";
import { STALL } from "../../src/backend/threads/pool.js";
import { brokenReason } from "./helpers.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
let dir = "";
let lib = "";

beforeAll(async () => {
  // Child processes import the library bundled from src (not dist/, which may be stale).
  dir = mkdtempSync(join(tmpdir(), "simdnet-threads-"));
  lib = join(dir, "simdnet.mjs");
  await build({ entryPoints: [join(root, "src/index.ts")], bundle: true, format: "esm", platform: "node", outfile: lib, logLevel: "error" });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs an ES module script in a fresh Node process (SIMDNET_THREADS unset) and returns its stdout. */
function node(script: string, timeout = 30_000): string {
  const env = { ...process.env };
  delete env["SIMDNET_THREADS"];
  return execFileSync(process.execPath, ["--input-type=module", "-e", script.replaceAll("LIB", JSON.stringify(lib))], { env, timeout, encoding: "utf8" });
}

/** OS threads of this process (Linux), or null elsewhere. */
function osThreads(): number | null {
  return existsSync("/proc/self/task") ? readdirSync("/proc/self/task").length : null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the threads option", () => {
  it("rejects values that are not an integer from 1 to 256, naming the value", async () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, 257, "2", null]) {
      const p = createEngine({ threads: bad as never });
      await expect(p).rejects.toThrow(SimdnetError);
      await expect(p).rejects.toThrow(`threads: expected an integer from 1 to 256, got ${bad === "2" ? '"2"' : String(bad)}`);
    }
  });

  it("defaults to the cores Node reports, and says how many run", () => {
    const out = node(`
      const { createEngine } = await import(LIB);
      const e = await createEngine({ backend: "wasm-simd" });
      const one = await createEngine({ backend: "wasm-simd", threads: 1 });
      const js = await createEngine({ backend: "js", threads: 2 });
      console.log(JSON.stringify([e.threads, e.fallback, one.threads, one.fallback, js.threads, js.fallback]));
      e.dispose();
    `);
    expect(JSON.parse(out)).toEqual([availableParallelism(), null, 1, null, 1, "threads: the js backend runs on one thread"]);
  });

  it("SIMDNET_THREADS sets the default and is checked like the option", () => {
    const env = { ...process.env, SIMDNET_THREADS: "3" };
    const script = `const { createEngine } = await import(${JSON.stringify(lib)});
      const e = await createEngine({ backend: "wasm-simd" }); console.log(e.threads); e.dispose();`;
    expect(execFileSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8" }).trim()).toBe("3");
    expect(() => execFileSync(process.execPath, ["--input-type=module", "-e", script], { env: { ...env, SIMDNET_THREADS: "lots" }, encoding: "utf8", stdio: "pipe" }))
      .toThrow(/SIMDNET_THREADS: expected an integer from 1 to 256, got "lots"/);
  });
});

describe("fallback", () => {
  it("without SharedArrayBuffer, runs on one thread and says why", () => {
    const out = node(`
      delete globalThis.SharedArrayBuffer;
      const { createEngine } = await import(LIB);
      const e = await createEngine({ backend: "wasm-simd", threads: 4 });
      const a = e.tensor(new Float32Array(300 * 300).fill(1), [300, 300]);
      console.log(JSON.stringify([e.threads, e.fallback, e.matmul(a, a).data[0]]));
    `);
    expect(JSON.parse(out)).toEqual([1, "threads: running 1 of the 4 asked (this runtime has no SharedArrayBuffer)", 300]);
  });

  it("without worker_threads (a runtime that cannot start workers), runs on one thread and says why", () => {
    const out = node(`
      process.getBuiltinModule = () => { throw new Error("no workers here"); };
      const { createEngine } = await import(LIB);
      const e = await createEngine({ backend: "wasm-simd", threads: 2 });
      console.log(JSON.stringify([e.threads, e.fallback]));
    `);
    expect(JSON.parse(out)).toEqual([1, "threads: running 1 of the 2 asked (node:worker_threads is unavailable (no workers here))"]);
  });
});

describe("lifetimes", () => {
  it("a worker that dies makes the next threaded call throw a SimdnetError instead of hanging", async () => {
    const e = await createEngine({ backend: "wasm-simd", threads: 3 });
    const a = e.tensor(new Float32Array(256 * 256).fill(0.5), [256, 256]);
    expect(e.matmul(a, a).data[0]).toBe(64);
    e.killWorkerForTest(1);
    // The worker's exit event arrives on this thread's event loop (slowly on a loaded machine).
    for (let i = 0; i < 200 && brokenReason(e) === null; i++) await sleep(50);
    expect(() => e.matmul(a, a)).toThrow(SimdnetError);
    expect(() => e.matmul(a, a)).toThrow(/threads: expected every worker thread running, got worker 2 stopped: it exited with code 1 \(dispose this engine and create another\)/);
    // Calls too small to split still run on the caller.
    const s = e.tensor([1, 2, 3, 4], [2, 2]);
    expect(Array.from(e.matmul(s, s).data)).toEqual([7, 10, 15, 22]);
    e.dispose();
  });

  it("a worker that dies while the caller waits synchronously is detected by time, not left to hang", async () => {
    const e = await createEngine({ backend: "wasm-simd", threads: 2 });
    const a = e.tensor(new Float32Array(256 * 256).fill(0.5), [256, 256]);
    const saved = { ...STALL };
    Object.assign(STALL, { minMs: 300, factor: 100 });
    try {
      e.killWorkerForTest(0);
      // No await: the worker's exit event cannot be delivered, so only the stall deadline can
      // notice; within a few calls the terminated worker stops taking shares.
      expect(() => { for (let i = 0; i < 200; i++) e.matmul(a, a).dispose(); })
        .toThrow(/threads: expected every worker thread running, got worker 1 (did not finish its share within \d+ ms \(it has probably died\)|stopped)/);
    } finally {
      Object.assign(STALL, saved);
    }
    e.dispose();
  });

  it("dispose ends the workers; a disposed engine refuses work; many engines leave no threads behind", async () => {
    const e = await createEngine({ backend: "wasm-simd", threads: 2 });
    e.dispose();
    expect(e.isDisposed).toBe(true);
    expect(() => e.empty([2])).toThrow("engine.empty: expected a live engine, got a disposed wasm-simd engine");

    const start = osThreads();
    for (let round = 0; round < 3; round++) {
      const engines = await Promise.all(Array.from({ length: 6 }, () => createEngine({ backend: "wasm-simd", threads: 4 })));
      for (const x of engines) {
        expect(x.threads).toBe(4);
        const a = x.tensor(new Float32Array(200 * 200).fill(1), [200, 200]);
        expect(x.matmul(a, a).data[0]).toBe(200);
      }
      // 18 workers (V8's own helper threads come and go by a few, hence the slack here and below).
      if (start !== null) expect(osThreads()!).toBeGreaterThanOrEqual(start + 14);
      for (const x of engines) x.dispose();
    }
    if (start !== null) {
      for (let i = 0; i < 100 && osThreads()! > start; i++) await sleep(50);
      // 54 workers were started in all; a leak would leave dozens.
      expect(osThreads()).toBeLessThanOrEqual(start + 4);
    }
  });

  it("a program that never disposes its engine still exits (workers are unref'd)", () => {
    const t0 = Date.now();
    const out = node(`
      const { createEngine } = await import(LIB);
      const e = await createEngine({ backend: "wasm-simd", threads: 2 });
      const a = e.tensor(new Float32Array(256 * 256).fill(1), [256, 256]);
      console.log(e.threads, e.matmul(a, a).data[0]);
    `, 20_000);
    expect(out.trim()).toBe("2 256");
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it("shared memory grows without detaching views, and workers use the grown memory", async () => {
    const e = await createEngine({ backend: "wasm-simd", threads: 2 });
    const t = e.tensor([1, 2, 3], [3]);
    const view = t.data;
    const before = e.memory.buffer;
    const big = e.empty([8 * 1024 * 1024]); // 32 MiB: growth
    expect(e.memory.buffer).not.toBe(before);
    expect(Array.from(view)).toEqual([1, 2, 3]); // a shared buffer is never detached
    big.data.fill(0.25);
    const a = e.empty([512, 512]);
    a.data.fill(2);
    const c = e.matmul(a, a); // above the old size: workers must see the new pages
    expect(c.data[c.size - 1]).toBe(2048);
    e.dispose();
  });
});
