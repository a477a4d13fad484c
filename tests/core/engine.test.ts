import { describe, expect, it, vi } from "vitest";
import { createEngine } from "../../src/engine.js";
import { Allocator, ALIGN } from "../../src/backend/memory.js";
import { KERNEL_NAMES } from "../../src/backend/names.js";
import { detectWasmFeatures } from "../../src/backend/wasm/features.js";
import { relaxedSimdHint } from "../../src/backend/wasm/hints.js";

describe("backend selection", () => {
  it("detects SIMD in this runtime and relaxed SIMD only behind the flag the tests run with", () => {
    const f = detectWasmFeatures();
    expect(f.webassembly).toBe(true);
    expect(f.simd).toBe(true);
    // vitest.config.ts passes --experimental-wasm-relaxed-simd, so Node 20 validates it here.
    expect(f.relaxedSimd).toBe(true);
  });

  it("auto picks the fastest validated backend; explicit names are honoured", async () => {
    expect((await createEngine()).backend).toBe("wasm-relaxed-simd");
    expect((await createEngine({ backend: "wasm-simd" })).backend).toBe("wasm-simd");
    expect((await createEngine({ backend: "js" })).backend).toBe("js");
  });

  it("SIMDNET_BACKEND overrides auto", async () => {
    process.env["SIMDNET_BACKEND"] = "js";
    try {
      expect((await createEngine()).backend).toBe("js");
      expect((await createEngine({ backend: "wasm-simd" })).backend).toBe("wasm-simd");
    } finally {
      delete process.env["SIMDNET_BACKEND"];
    }
  });

  it("auto falls back to js, saying why, when the runtime refuses to compile WASM (CSP); explicit names do not", async () => {
    const refuse = vi.spyOn(WebAssembly, "instantiate").mockImplementation(() => {
      // Chromium's CSP refusal ends in a newline; the fallback note stays on one line.
      throw new WebAssembly.CompileError("Refused to compile or instantiate WebAssembly module\n");
    });
    try {
      const e = await createEngine();
      expect(e.backend).toBe("js");
      // Every refused build is named, in the order auto tried them.
      expect(e.fallback).toBe(
        "wasm-relaxed-simd could not be compiled (Refused to compile or instantiate WebAssembly module); " +
        "wasm-simd could not be compiled (Refused to compile or instantiate WebAssembly module)");
      await expect(createEngine({ backend: "wasm-simd" })).rejects.toThrow(/Refused to compile/);
    } finally {
      refuse.mockRestore();
    }
    expect((await createEngine()).fallback).toBeNull();
  });

  it("the embedded modules are gzip-compressed: without DecompressionStream auto falls back to js, saying why", async () => {
    const saved = globalThis.DecompressionStream;
    // @ts-expect-error: simulating a runtime without DecompressionStream
    delete globalThis.DecompressionStream;
    try {
      const e = await createEngine();
      expect(e.backend).toBe("js");
      expect(e.fallback).toMatch(/could not be compiled \(wasm-(relaxed-)?simd: the embedded module is gzip-compressed and this runtime has no DecompressionStream/);
      await expect(createEngine({ backend: "wasm-simd" })).rejects.toThrow(
        "wasm-simd: the embedded module is gzip-compressed and this runtime has no DecompressionStream; pass its .wasm file as init({ wasm: { simd, relaxedSimd } }) (a URL or bytes) or use the js backend",
      );
    } finally {
      globalThis.DecompressionStream = saved;
    }
    const e = await createEngine({ backend: "wasm-simd" });
    const a = e.tensor([1, 2, 3, 4], [2, 2]);
    expect(Array.from(e.matmul(a, a).toArray())).toEqual([7, 10, 15, 22]);
  });

  it("an explicit backend the runtime lacks is refused, naming the missing feature", async () => {
    const validate = vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    try {
      await expect(createEngine({ backend: "wasm-simd" })).rejects.toThrow(
        'backend: expected a backend this runtime supports, got "wasm-simd" (the runtime lacks WebAssembly SIMD)');
      expect((await createEngine()).backend).toBe("js");
    } finally {
      validate.mockRestore();
    }
    // SIMD validates, relaxed SIMD does not (Node 20 without the flag).
    const noRelaxed = vi.spyOn(WebAssembly, "validate").mockReturnValueOnce(true).mockReturnValueOnce(false);
    try {
      await expect(createEngine({ backend: "wasm-relaxed-simd" })).rejects.toThrow(
        `backend: expected a backend this runtime supports, got "wasm-relaxed-simd" (the runtime lacks WebAssembly relaxed SIMD (${relaxedSimdHint()}))`);
    } finally {
      noRelaxed.mockRestore();
    }
  });

  it("rejects unknown backends and options by name", async () => {
    await expect(createEngine({ backend: "gpu" as never })).rejects.toThrow(/backend: expected one of .*got "gpu"/);
    await expect(createEngine({ thread: 2 } as never)).rejects.toThrow(/unknown option "thread"/);
  });

  it("every backend implements every kernel of the contract", async () => {
    for (const backend of ["js", "wasm-simd", "wasm-relaxed-simd"] as const) {
      const e = await createEngine({ backend });
      expect(e.missingKernels, backend).toEqual([]);
      for (const name of KERNEL_NAMES) expect(typeof e.kernels[name], `${backend}.${name}`).toBe("function");
    }
  });
});

describe("allocator", () => {
  it("hands out aligned, disjoint blocks, reuses freed ones and merges neighbours", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 100 });
    const a = new Allocator(memory, 1000);
    const p1 = a.alloc(10);
    const p2 = a.alloc(100);
    const p3 = a.alloc(1);
    for (const p of [p1, p2, p3]) expect(p % ALIGN).toBe(0);
    expect(p1).toBeGreaterThanOrEqual(1000);
    expect(p2).toBeGreaterThanOrEqual(p1 + 10);
    expect(p3).toBeGreaterThanOrEqual(p2 + 100);
    expect(a.liveBytes).toBe(ALIGN + 2 * ALIGN + ALIGN);
    a.release(p1);
    a.release(p2);
    // p1 and p2 merged: a block of 3·ALIGN fits where they were.
    expect(a.alloc(3 * ALIGN)).toBe(p1);
    expect(() => a.release(p2)).toThrow(/double free or not allocated/);
  });

  it("grows memory on demand and views follow the growth", async () => {
    // One thread: a non-shared memory, whose old buffer growth detaches (tests/threads covers shared memory).
    const e = await createEngine({ backend: "wasm-simd", threads: 1 });
    const t = e.tensor([1, 2, 3], [3]);
    const before = e.memory.buffer;
    const view = t.data;
    const big = e.empty([4 * 1024 * 1024]); // 16 MiB forces growth
    expect(e.memory.buffer).not.toBe(before);
    expect(view.length).toBe(0); // the old view was detached by growth ...
    expect(Array.from(t.data)).toEqual([1, 2, 3]); // ... and the tensor's view is rebuilt
    expect(Array.from(e.views.f32().subarray(t.ptr >> 2, (t.ptr >> 2) + 3))).toEqual([1, 2, 3]);
    big.dispose();
    t.dispose();
    expect(e.allocator.liveBytes).toBe(0);
  });

  it("rejects negative and fractional sizes", () => {
    const a = new Allocator(new WebAssembly.Memory({ initial: 1 }), 64);
    expect(() => a.alloc(-1)).toThrow(/alloc bytes: expected a non-negative integer, got -1/);
    expect(() => a.alloc(1.5)).toThrow(/got 1.5/);
  });
});

describe("tensors", () => {
  it("copy data in and out with shape and size", async () => {
    const e = await createEngine({ backend: "js" });
    const t = e.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.size).toBe(6);
    const copy = t.toArray();
    copy[0] = 99;
    expect(t.data[0]).toBe(1);
    expect(Array.from(e.zeros([2, 2]).data)).toEqual([0, 0, 0, 0]);
    const labels = e.tensor(new Int32Array([3, 1]), [2]);
    expect(labels.dtype).toBe("int32");
  });

  it("reject bad shapes, lengths and non-finite values by name", async () => {
    const e = await createEngine({ backend: "js" });
    expect(() => e.tensor([1, 2, 3], [2, 2])).toThrow(/tensor data length: expected 4 \(product of shape \[2, 2\]\), got 3/);
    expect(() => e.zeros([2, 0])).toThrow(/shape\[1\]: expected a positive integer, got 0/);
    expect(() => e.zeros([-3])).toThrow(/shape\[0\]: expected a positive integer, got -3/);
    expect(() => e.tensor([1, Number.NaN], [2])).toThrow(/tensor data\[1\]: expected a finite number, got NaN/);
    expect(() => e.tensor([1.5], [1], "int32")).toThrow(/expected an integer for dtype int32, got 1.5/);
    expect(() => e.tensor([1], [1], "float64" as never)).toThrow('tensor dtype: expected "float32" or "int32", got "float64"');
    expect(() => e.zeros([2], "uint8" as never)).toThrow('tensor dtype: expected "float32" or "int32", got "uint8"');
    expect(() => e.tensor({ a: 1 } as never, [1])).toThrow('tensor data: expected a Float32Array, Int32Array or number[], got {"a":1}');
  });

  it("throw on use after dispose and on double dispose", async () => {
    const e = await createEngine({ backend: "js" });
    const t = e.zeros([3]);
    t.dispose();
    expect(() => t.data).toThrow(/expected a live tensor, got one already disposed/);
    expect(() => t.toArray()).toThrow(/already disposed/);
    expect(() => t.dispose()).toThrow(/already disposed/);
    expect(() => e.matmul(t, t)).toThrow(/matmul a: expected a live tensor, got a disposed tensor/);
  });
});

describe("matmul", () => {
  it("multiplies with every transpose combination on every backend", async () => {
    for (const backend of ["js", "wasm-simd", "wasm-relaxed-simd"] as const) {
      const e = await createEngine({ backend });
      const a = e.tensor([1, 2, 3, 4, 5, 6], [2, 3]); // [[1,2,3],[4,5,6]]
      const b = e.tensor([7, 8, 9, 10, 11, 12], [3, 2]); // [[7,8],[9,10],[11,12]]
      expect(Array.from(e.matmul(a, b).data), backend).toEqual([58, 64, 139, 154]);
      const at = e.tensor([1, 4, 2, 5, 3, 6], [3, 2]);
      const bt = e.tensor([7, 9, 11, 8, 10, 12], [2, 3]);
      expect(Array.from(e.matmul(at, b, { transA: true }).data), backend).toEqual([58, 64, 139, 154]);
      expect(Array.from(e.matmul(a, bt, { transB: true }).data), backend).toEqual([58, 64, 139, 154]);
      expect(Array.from(e.matmul(at, bt, { transA: true, transB: true }).data), backend).toEqual([58, 64, 139, 154]);
    }
  });

  it("names mismatched shapes, ranks, foreign tensors and unknown options", async () => {
    const e = await createEngine({ backend: "js" });
    const other = await createEngine({ backend: "js" });
    const a = e.zeros([2, 3]);
    expect(() => e.matmul(a, e.zeros([4, 2]))).toThrow(/matmul b shape: expected \[3, n\] to match a's inner size 3, got \[4, 2\]/);
    expect(() => e.matmul(e.zeros([2]), a)).toThrow(/matmul a shape: expected 2 dimensions, got \[2\]/);
    expect(() => e.matmul(a, other.zeros([3, 2]))).toThrow(/matmul b: expected a tensor of this engine/);
    expect(() => e.matmul(a, e.zeros([3, 2]), { transpose: true } as never)).toThrow(/unknown option "transpose"/);
  });
});
