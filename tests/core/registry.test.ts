import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import { Registry } from "../../src/registry.js";
import { LAYERS, Linear, LOSSES, lossFromConfig, moduleFromConfig, MSELoss, registerLayer, registerLoss, ReLU } from "../../src/nn/index.js";
import { createOptimizer, createScheduler, OPTIMIZERS, registerOptimizer, SCHEDULERS, SGD, CosineAnnealingLR, Adam } from "../../src/optim/index.js";
import { fit } from "../../src/train/fit.js";
import { getPreset } from "../../src/presets.js";

let js: Engine;
beforeAll(async () => {
  js = await createEngine({ backend: "js" });
});

describe("Registry", () => {
  it("finds own entries only and names the unknown name and the known ones", () => {
    const r = new Registry<number>("thing", { a: 1, b: 2 });
    expect(r.get("a")).toBe(1);
    expect(r.names()).toEqual(["a", "b"]);
    // Names that an object literal would answer through its prototype.
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(r.has(name)).toBe(false);
      expect(() => r.get(name, "my thing")).toThrow(`my thing: expected one of a, b, got ${JSON.stringify(name)}`);
    }
    expect(() => r.get(7, "my thing", "a number or ")).toThrow('my thing: expected a number or one of a, b, got 7');
  });

  it("refuses to replace an entry and empty names", () => {
    const r = new Registry<number>("thing", { a: 1 });
    expect(() => r.register("a", 3)).toThrow('register thing "a": expected a new name, got one already registered');
    expect(() => r.register("", 3)).toThrow("register thing name: expected a non-empty string");
    expect(r.get("a")).toBe(1);
  });
});

describe("the four family registries", () => {
  it("layers: model configs look their type up in LAYERS; prototype names are unknown types", () => {
    expect(LAYERS.names()).toContain("Conv2d");
    expect(() => moduleFromConfig({ type: "constructor" }, { engine: js })).toThrow(/module config type: expected one of Linear, .*, got "constructor"/);
    expect(() => moduleFromConfig({ type: "Sequential", layers: [{ type: "__proto__" }] }, { engine: js }))
      .toThrow(/module config layers\[0\] type: expected one of .*Sequential, got "__proto__"/);
  });

  it("layers: a registered layer type is built from a config", () => {
    registerLayer("TestDoubleWidth", (c, engine) => new Linear(c["n"] as number, 2 * (c["n"] as number), engine ? { engine } : {}));
    const m = moduleFromConfig({ type: "Sequential", layers: [{ type: "TestDoubleWidth", n: 3 }, { type: "ReLU" }] }, { engine: js });
    expect(m.outputShape([4, 3])).toEqual([4, 6]);
    m.dispose();
    expect(() => registerLayer("Linear", () => new ReLU())).toThrow('register layer type "Linear": expected a new name');
  });

  it("losses: lossFromConfig, fit and evaluate use LOSSES", async () => {
    expect(LOSSES.names()).toEqual(["CrossEntropyLoss", "NLLLoss", "MSELoss", "BCEWithLogitsLoss"]);
    expect(() => lossFromConfig({ type: "toString" }, { engine: js })).toThrow('loss config type: expected one of CrossEntropyLoss, NLLLoss, MSELoss, BCEWithLogitsLoss, got "toString"');
    registerLoss("TestHalfMSE", { create: (o) => new MSELoss({ ...o, reduction: "sum" }), targets: "targets" });
    const model = new Linear(2, 1, { engine: js });
    const x = new Float32Array([0, 1, 1, 0, 1, 1]);
    const y = new Float32Array([1, 1, 2]);
    const h = await fit(model, x, y, { loss: "TestHalfMSE" as "MSELoss", epochs: 1, batchSize: 3 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
    // A label-taking name checks y as labels: Float32Array targets are refused before training.
    await expect(fit(model, x, y, { loss: "NLLLoss" })).rejects.toThrow("fit y: expected an Int32Array of class labels (the loss is NLLLoss)");
    await expect(fit(model, x, y, { loss: "valueOf" as "MSELoss" })).rejects.toThrow(/fit loss: expected a Loss or one of CrossEntropyLoss, .*, got "valueOf"/);
    model.dispose();
  });

  it("optimizers: one table with PyTorch's defaults, used by fit, presets and the demos", () => {
    const model = new Linear(2, 2, { engine: js });
    const sgd = createOptimizer("SGD", model, 0.1);
    expect(sgd).toBeInstanceOf(SGD);
    // The library's "sgd" has PyTorch's momentum 0; momentum is asked for explicitly.
    expect((sgd as SGD).momentum).toBe(0);
    expect((createOptimizer("sgd", model, { lr: 0.1, momentum: 0.9 }) as SGD).momentum).toBe(0.9);
    expect(createOptimizer("adam", model)).toBeInstanceOf(Adam);
    expect(() => createOptimizer("adam", model, { lr: 0.1, momentun: 0.9 })).toThrow('Adam options: unknown option "momentun"');
    expect(() => createOptimizer("__proto__", model, 0.1)).toThrow('optimizer: expected one of sgd, adam, adamw, rmsprop, got "__proto__"');
    expect(() => registerOptimizer("MySGD", (p, o) => new SGD(p, o))).toThrow('registerOptimizer name: expected a lower-case name, got "MySGD"');
    registerOptimizer("testsgd", (p, o) => new SGD(p, { momentum: 0.5, ...o }));
    expect(OPTIMIZERS.has("testsgd")).toBe(true);
    // Presets look names up in the same table.
    expect(getPreset("c1").recipe.optimizer).toBe("adam");
    model.dispose();
  });

  it("schedulers: by PyTorch class name", () => {
    const model = new Linear(2, 2, { engine: js });
    const opt = createOptimizer("sgd", model, 1);
    const s = createScheduler("CosineAnnealingLR", opt, { tMax: 2 });
    expect(s).toBeInstanceOf(CosineAnnealingLR);
    s.step();
    expect(opt.lr).toBeCloseTo(0.5, 6);
    expect(SCHEDULERS.names()).toEqual(["StepLR", "ExponentialLR", "CosineAnnealingLR", "ReduceLROnPlateau"]);
    expect(() => createScheduler("cosine", opt)).toThrow('scheduler: expected one of StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau, got "cosine"');
    expect(() => createScheduler("StepLR", opt, { stepSize: 1, gama: 0.5 })).toThrow('StepLR options: unknown option "gama"');
    model.dispose();
  });
});
