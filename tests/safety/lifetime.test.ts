import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine.js";
import { SimdnetError } from "../../src/errors.js";
import { BatchNorm1d, Linear, ReLU, Sequential } from "../../src/nn/index.js";
import { Adam, SGD, clipGradNorm } from "../../src/optim/index.js";
import { Model } from "../../src/train/model.js";

/** Runs fn and returns the SimdnetError message it throws (fails the test on anything else). */
function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SimdnetError);
    return (e as Error).message;
  }
  throw new Error("expected a SimdnetError, nothing was thrown");
}

describe("use after dispose (issue 11 item 1)", () => {
  it("the reproducer: zeroGrad of a disposed model's optimizer throws and leaves a newer model's weights alone", async () => {
    const engine = await createEngine({ backend: "wasm-simd" });
    const a = new Model(new Linear(16, 16, { engine }), new ReLU({ engine }), new Linear(16, 16, { engine }));
    const o = new SGD(a, { lr: 0.1 });
    a.dispose();
    const b = new Model(new Linear(32, 24, { engine }));
    const before = b.stateDict().get("0.weight")!.data.slice();
    expect(message(() => o.zeroGrad())).toBe('SGD.zeroGrad: expected a live optimizer, got a disposed parameter (params[0], "weight": was the model disposed?)');
    expect(message(() => o.step())).toMatch(/^SGD\.step: expected a live optimizer, got a disposed parameter/);
    const x = engine.zeros([2, 16]);
    expect(message(() => a.forward(x))).toBe("Sequential.forward: expected a live module, got a disposed Sequential (dispose() was called)");
    expect(message(() => a.backward(x))).toBe("Sequential.backward: expected a live module, got a disposed Sequential (dispose() was called)");
    expect(b.stateDict().get("0.weight")!.data).toEqual(before);
  });

  it("every public method of a disposed module refuses, naming the module and the method", async () => {
    const engine = await createEngine({ backend: "js" });
    const lin = new Linear(3, 2, { engine });
    const seq = new Sequential(new Linear(3, 2, { engine }), new BatchNorm1d(2, { engine }));
    const x = engine.zeros([4, 3]);
    lin.forward(x);
    const dict = lin.stateDict();
    lin.dispose();
    seq.dispose();
    const calls: [string, () => unknown][] = [
      ["forward", () => lin.forward(x)],
      ["backward", () => lin.backward(engine.zeros([4, 2]))],
      ["parameters", () => lin.parameters()],
      ["buffers", () => lin.buffers()],
      ["stateDict", () => lin.stateDict()],
      ["loadStateDict", () => lin.loadStateDict(dict)],
      ["train", () => lin.train()],
      ["eval", () => lin.eval()],
      ["zeroGrad", () => lin.zeroGrad()],
      ["modules", () => lin.modules()],
      ["dispose", () => lin.dispose()],
    ];
    for (const [name, call] of calls) {
      expect(message(call)).toBe(`Linear.${name}: expected a live module, got a disposed Linear (dispose() was called)`);
    }
    expect(lin.isDisposed).toBe(true);
    expect(message(() => seq.forward(x))).toMatch(/^Sequential\.forward: expected a live module/);
    expect(message(() => seq.summary([3]))).toMatch(/^Sequential\.summary: expected a live module/);
    expect(message(() => seq.config())).toMatch(/^Sequential\.config: expected a live module/);
    expect(message(() => new Sequential(new Linear(3, 3, { engine })).add(lin))).toBe("Sequential layer 1 (Linear): expected a live module, got a disposed Linear");
  });

  it("a disposed optimizer refuses every call; its state blocks are freed once", async () => {
    const engine = await createEngine({ backend: "js" });
    const m = new Linear(3, 2, { engine });
    const live = engine.allocator.liveBytes;
    const o = new Adam(m, { lr: 0.01 });
    const state = o.stateDict();
    o.dispose();
    expect(engine.allocator.liveBytes).toBe(live);
    for (const name of ["zeroGrad", "step", "stateDict", "dispose"] as const) {
      expect(message(() => (o[name] as () => unknown)())).toBe(`Adam.${name}: expected a live optimizer, got a disposed Adam (dispose() was called)`);
    }
    expect(message(() => o.loadStateDict(state))).toMatch(/^Adam\.loadStateDict: expected a live optimizer/);
  });

  it("gradient utilities refuse parameters of a disposed model", async () => {
    const engine = await createEngine({ backend: "js" });
    const m = new Linear(3, 2, { engine });
    const params = m.parameters();
    m.dispose();
    expect(message(() => clipGradNorm(params, 1))).toBe("tensor.clipGradNorm params[0]: expected a live tensor, got one already disposed (shape [2, 3])");
  });

  it("a disposed engine refuses every call, and so do its tensors, modules and optimizers", async () => {
    const engine = await createEngine({ backend: "wasm-simd" });
    const t = engine.zeros([2, 2]);
    const m = new Linear(2, 2, { engine });
    const o = new SGD(m, { lr: 0.1 });
    engine.dispose();
    expect(engine.isDisposed).toBe(true);
    expect(message(() => engine.zeros([1]))).toBe("engine.zeros: expected a live engine, got a disposed wasm-simd engine");
    expect(message(() => engine.empty([1]))).toBe("engine.empty: expected a live engine, got a disposed wasm-simd engine");
    expect(message(() => engine.tensor([1], [1]))).toBe("engine.tensor: expected a live engine, got a disposed wasm-simd engine");
    expect(message(() => engine.matmul(t, t))).toBe("engine.matmul: expected a live engine, got a disposed wasm-simd engine");
    expect(message(() => engine.kernels)).toBe("engine.kernels: expected a live engine, got a disposed wasm-simd engine");
    expect(message(() => engine.memory)).toBe("engine.memory: expected a live engine, got a disposed wasm-simd engine");
    expect(message(() => engine.dispose())).toBe("engine.dispose: expected a live engine, got a disposed wasm-simd engine");
    expect(message(() => t.data)).toBe("tensor.data: expected a live tensor, got a tensor of a disposed engine (shape [2, 2])");
    expect(message(() => m.forward(t))).toBe("Linear.forward: expected a live module, got a Linear of a disposed engine");
    expect(message(() => o.step())).toMatch(/^SGD\.step: expected a live optimizer, got a disposed parameter/);
    expect(message(() => new Linear(2, 2, { engine }))).toBe("Linear engine: expected a live Engine, got a disposed wasm-simd engine");
  });
});
