import { describe, expect, it, vi } from "vitest";
import { currentRuntime, relaxedSimdHint } from "../../src/backend/wasm/hints.js";

describe("relaxed-SIMD hint speaks to the runtime at hand", () => {
  it("Node 20 hears of the flag and enableNodeRelaxedSimd", () => {
    expect(relaxedSimdHint({ kind: "node", major: 20 })).toBe(
      "Node 20 enables it with --experimental-wasm-relaxed-simd or enableNodeRelaxedSimd() from simdnet/node");
  });
  it("a browser user hears nothing of Node or flags", () => {
    const hint = relaxedSimdHint({ kind: "other" });
    expect(hint).not.toMatch(/Node|--experimental/);
    expect(hint).toMatch(/browser/);
  });
  it("Node ≥ 22, which refuses the flag, is not told to pass it", () => {
    const hint = relaxedSimdHint({ kind: "node", major: 24 });
    expect(hint).not.toMatch(/--experimental/);
    expect(hint).toMatch(/^Node 24 normally has it/);
  });
  it("detects Node here, and Deno or Bun (which imitate process.versions.node) as other runtimes", () => {
    expect(currentRuntime()).toEqual({ kind: "node", major: Number(process.versions.node.split(".")[0]) });
    vi.stubGlobal("Deno", {});
    try {
      expect(currentRuntime()).toEqual({ kind: "other" });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
