import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import { SimdnetError } from "../../src/errors.js";
import { describeModel, modelFromBytes, modelToBytes } from "../../src/io/model.js";
import { loadModel } from "../../src/io/node.js";
import { encodeSafetensors } from "../../src/io/safetensors.js";
import { DEFAULT_MAX_MODULE_BYTES, MAX_CONFIG_DEPTH, moduleFromConfig } from "../../src/nn/config.js";
import { BatchNorm1d, Linear, ReLU, Sequential } from "../../src/nn/index.js";
import type { ModuleConfig } from "../../src/nn/module.js";
import { Adam, SGD } from "../../src/optim/index.js";

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SimdnetError);
    return (e as Error).message;
  }
  throw new Error("expected a SimdnetError, nothing was thrown");
}

/** The allocator's live bytes and the WASM memory size: both must be unchanged by a failed load. */
function footprint(engine: Engine): [number, number, number] {
  return [engine.allocator.liveBytes, engine.allocator.liveBlocks, engine.memory.buffer.byteLength];
}

/** modelToBytes with another description in the metadata. */
function bytesWith(module: ModuleConfig | unknown, tensors = new Map()): Uint8Array {
  return encodeSafetensors(tensors, { simdnet: JSON.stringify({ format: "simdnet-model", version: 1, module, inputShape: null, extra: {} }) });
}

describe("model files are checked before anything is allocated (issue 11 items 2, 3, 5, 6)", () => {
  it("item 2: a 260-byte model.json asking for a 30000 x 30000 Linear is refused by the weights header, memory untouched", async () => {
    const engine = await createEngine({ backend: "wasm-simd" });
    const dir = mkdtempSync(join(tmpdir(), "simdnet-bomb-"));
    writeFileSync(join(dir, "model.json"), JSON.stringify({ format: "simdnet-model", version: 1, module: { type: "Linear", inFeatures: 30000, outFeatures: 30000 }, inputShape: null, extra: {} }));
    writeFileSync(join(dir, "model.safetensors"), encodeSafetensors(new Map([["weight", { shape: [1, 1], data: new Float32Array(1) }]])));
    const before = footprint(engine);
    // The size budget comes first: 7.2 GB of weights and gradients is over the default 512 MiB.
    expect(message(() => loadModel(dir, { engine }))).toBe(
      `${join(dir, "model.json")}: module size: expected at most ${DEFAULT_MAX_MODULE_BYTES} bytes of parameters, gradients and buffers (the maxBytes option), got 7200240000`);
    // With the budget raised, the weights header refuses it: its shapes do not match the description.
    expect(message(() => loadModel(dir, { engine, maxBytes: 1e12 }))).toBe(
      `${join(dir, "model.safetensors")}: loadStateDict "weight" shape: expected [30000, 30000], got [1, 1]`);
    expect(footprint(engine)).toEqual(before);
    expect(message(() => moduleFromConfig({ type: "Linear", inFeatures: 30000, outFeatures: 30000 }, { engine }))).toMatch(/^module size: expected at most 536870912 bytes/);
    expect(message(() => moduleFromConfig({ type: "Linear", inFeatures: 4, outFeatures: 4 }, { engine, maxBytes: 100 }))).toBe(
      "module size: expected at most 100 bytes of parameters, gradients and buffers (the maxBytes option), got 256");
    expect(footprint(engine)).toEqual(before);
  });

  it("WASM memory after any failed load equals memory before it (allocator live bytes and memory.buffer.byteLength)", async () => {
    const engine = await createEngine({ backend: "wasm-simd" });
    const good = new Sequential(new Linear(20, 64, { engine }), new BatchNorm1d(64, { engine }), new ReLU({ engine }), new Linear(64, 10, { engine }));
    const tensors = good.stateDict();
    const bytes = modelToBytes(good);
    good.dispose();
    const config = describeModel(new Sequential(new Linear(20, 64, { engine }), new BatchNorm1d(64, { engine }), new ReLU({ engine }), new Linear(64, 10, { engine }))).module;
    const negVar = new Map(tensors);
    negVar.set("1.running_var", { shape: [64], data: new Float32Array(64).fill(-1) });
    const nan = new Map(tensors);
    nan.set("3.bias", { shape: [10], data: new Float32Array(10).fill(Number.NaN) });
    const layers = (config as unknown as { layers: ModuleConfig[] }).layers;
    const failures: [string, Uint8Array][] = [
      ["negative running_var", bytesWith(config, negVar)],
      ["NaN weight", bytesWith(config, nan)],
      ["wrong width", bytesWith({ ...config, layers: [{ ...layers[0]!, outFeatures: 63 }, ...layers.slice(1)] }, tensors)],
      ["bad option in the last layer", bytesWith({ ...config, layers: [...layers.slice(0, 3), { ...layers[3]!, init: "bogus" }] }, tensors)],
      ["unknown type in the last layer", bytesWith({ ...config, layers: [...layers.slice(0, 3), { type: "constructor" }] }, tensors)],
      ["truncated", bytes.subarray(0, bytes.length - 3)],
    ];
    // Grow the memory once so that the failures could only add to it, never hide in slack.
    modelFromBytes(bytes, { engine }).module.dispose();
    for (const [name, b] of failures) {
      const before = footprint(engine);
      expect(() => modelFromBytes(b, { engine }), name).toThrow(SimdnetError);
      expect(footprint(engine), name).toEqual(before);
    }
  });

  it("item 3: a failed build frees what it allocated, and layer constructors check options before allocating", async () => {
    const engine = await createEngine({ backend: "js" });
    const before = footprint(engine);
    const config = { type: "Sequential", layers: [
      { type: "Linear", inFeatures: 64, outFeatures: 64 }, { type: "ReLU" }, { type: "Linear", inFeatures: 64, outFeatures: 64 },
      { type: "ReLU" }, { type: "Linear", inFeatures: 64, outFeatures: 64, bais: true },
    ] } as unknown as ModuleConfig;
    for (let i = 0; i < 1000; i++) {
      expect(() => moduleFromConfig(config, { engine })).toThrow('module config layers[4]: Linear options: unknown option "bais"');
    }
    for (let i = 0; i < 1000; i++) {
      expect(() => new Linear(64, 64, { engine, init: "bogus" as never })).toThrow(/^Linear weightInit: expected one of "default"/);
    }
    expect(() => new Linear(64, 64, { engine, rng: "x" as never })).toThrow('Linear rng: expected an Rng or a seed (an integer in [0, 2^53)), got "x"');
    expect(footprint(engine)).toEqual(before);
  });

  it("item 5: prototype names are not layer types", async () => {
    const engine = await createEngine({ backend: "js" });
    for (const type of ["constructor", "toString", "__proto__", "valueOf", "hasOwnProperty"]) {
      expect(message(() => moduleFromConfig({ type }, { engine }))).toMatch(new RegExp(`^module config type: expected one of Linear, .*, got "${type}"$`));
      expect(message(() => moduleFromConfig({ type: "Sequential", layers: [{ type }] }, { engine }))).toMatch(/^module config layers\[0\] type: expected one of Linear/);
    }
    // A JSON "__proto__" key is an own property after JSON.parse; it must not be mistaken for a type.
    expect(message(() => moduleFromConfig(JSON.parse('{"__proto__":{"type":"Linear"}}'), { engine }))).toMatch(/^module config type: expected one of Linear, .*, got undefined$/);
  });

  it("item 6: nesting 2000 deep gives a short named error, not a stack overflow", async () => {
    const engine = await createEngine({ backend: "js" });
    let config: unknown = { type: "ReLU" };
    for (let i = 0; i < 2000; i++) config = { type: "Sequential", layers: [config] };
    const m = message(() => moduleFromConfig(config as ModuleConfig, { engine }));
    expect(m).toBe(`module config: nesting depth: expected at most ${MAX_CONFIG_DEPTH} levels of Sequential, got more`);
    const text = JSON.stringify({ format: "simdnet-model", version: 1, module: config, inputShape: null, extra: {} });
    expect(message(() => modelFromBytes(encodeSafetensors(new Map(), { simdnet: text }), { engine }))).toBe(`model bytes: ${m}`);
    let ok: unknown = { type: "ReLU" };
    for (let i = 0; i < MAX_CONFIG_DEPTH; i++) ok = { type: "Sequential", layers: [ok] };
    moduleFromConfig(ok as ModuleConfig, { engine }).dispose();
  });

  it("errors deep inside nested configs name the path once", async () => {
    const engine = await createEngine({ backend: "js" });
    const config = { type: "Sequential", layers: [{ type: "ReLU" }, { type: "Sequential", layers: [{ type: "Dropout", p: 2 }] }] } as unknown as ModuleConfig;
    expect(message(() => moduleFromConfig(config, { engine }))).toBe("module config layers[1].layers[0]: Dropout p: expected a finite number in [0, 1], got 2");
  });
});

describe("values that poison later are refused at the boundary (issue 11 item 8)", () => {
  it("a state dict with a negative BatchNorm running_var", async () => {
    const engine = await createEngine({ backend: "js" });
    const bn = new BatchNorm1d(3, { engine });
    const dict = bn.stateDict();
    dict.set("running_var", { shape: [3], data: Float32Array.of(1, -0.5, 1) });
    expect(message(() => bn.loadStateDict(dict))).toBe('loadStateDict "running_var" data[1]: expected a variance ≥ 0, got -0.5');
    expect([...bn.runningVar!.f32]).toEqual([1, 1, 1]);
  });

  it("optimizer.lr set to NaN or a negative value after construction", async () => {
    const engine = await createEngine({ backend: "js" });
    const m = new Linear(2, 2, { engine });
    const o = new SGD(m, { lr: 0.1 });
    expect(message(() => { o.lr = Number.NaN; })).toBe("SGD lr: expected a finite number ≥ 0, got NaN");
    expect(message(() => { o.lr = -1; })).toBe("SGD lr: expected a finite number ≥ 0, got -1");
    expect(message(() => { (o as { lr: unknown }).lr = "0.1"; })).toBe('SGD lr: expected a finite number ≥ 0, got "0.1"');
    expect(o.lr).toBe(0.1);
    o.lr = 0.05;
    expect(o.lr).toBe(0.05);
    const a = new Adam(m);
    const state = a.stateDict();
    state.set("lr", { shape: [1], data: Float32Array.of(Number.NaN) });
    expect(message(() => a.loadStateDict(state))).toBe('Adam loadStateDict "lr": expected a finite number ≥ 0, got NaN');
    state.set("lr", { shape: [1], data: Float32Array.of(0.01) });
    state.set("step", { shape: [1], data: Float32Array.of(-3) });
    expect(message(() => a.loadStateDict(state))).toBe('Adam loadStateDict "step": expected an integer ≥ 0, got -3');
  });
});
