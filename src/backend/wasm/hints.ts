/**
 * What to tell a user whose runtime lacks relaxed SIMD, worded for the runtime at hand: a Node 20
 * user needs the V8 flag, a browser user needs another browser (or simply the plain SIMD build),
 * and neither should be told about the other.
 *
 * @module
 */

/** The runtime, as far as the hint needs to know it. */
export type HintRuntime =
  | { kind: "node"; major: number }
  | { kind: "other" }; // browsers, workers, Deno, Bun

/** Node's major version, or "other" for browsers and runtimes that only imitate `process` (Deno, Bun). */
export function currentRuntime(): HintRuntime {
  const g = globalThis as { process?: { versions?: Record<string, string | undefined> }; Deno?: unknown };
  const versions = g.process?.versions;
  const node = versions?.["node"];
  if (node === undefined || g.Deno !== undefined || versions?.["bun"] !== undefined) return { kind: "other" };
  return { kind: "node", major: Number(node.split(".")[0]) };
}

/** One clause saying how to get relaxed SIMD (FMA) in this runtime, or that plain SIMD is what it has. */
export function relaxedSimdHint(runtime: HintRuntime = currentRuntime()): string {
  if (runtime.kind === "other") {
    return "this browser or runtime does not validate it (Chromium-based browsers do); wasm-simd runs everywhere else";
  }
  if (runtime.major <= 21) {
    return `Node ${runtime.major} enables it with --experimental-wasm-relaxed-simd or enableNodeRelaxedSimd() from simdnet/node`;
  }
  return `Node ${runtime.major} normally has it: look for a V8 option that turns it off (NODE_OPTIONS)`;
}
