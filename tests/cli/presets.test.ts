import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import { Sequential, type Module } from "../../src/nn/index.js";
import { buildPreset, createOptimizer, getPreset, PRESET_NAMES, PRESETS, presetLoss } from "../../src/presets.js";

let js: Engine;
beforeAll(async () => {
  js = await createEngine({ backend: "js" });
});

/** Hidden units of an MLP: outputs of every Linear but the last (the problem set's budget rule). */
function hiddenUnits(model: Sequential): number[] {
  const outs = model.layers.filter((l) => l.type === "Linear").map((l) => (l.config()["outFeatures"] as number));
  return outs.slice(0, -1);
}

function build(name: string): Sequential {
  const model: Module = buildPreset(getPreset(name), { engine: js });
  expect(model).toBeInstanceOf(Sequential);
  return model as Sequential;
}

describe("presets", () => {
  it("lists the reference networks", () => {
    expect(PRESET_NAMES).toEqual(["m1", "m2", "m3", "c1", "c2", "c4", "moons"]);
    expect(getPreset("C1")).toBe(PRESETS["c1"]);
    expect(() => getPreset("c3")).toThrow('preset: expected one of m1, m2, m3, c1, c2, c4, moons, got "c3"');
  });

  it("every preset builds, maps its input shape to its classes and has a working loss and optimizer", () => {
    for (const name of PRESET_NAMES) {
      const preset = getPreset(name);
      const model = build(name);
      const s = model.summary(preset.inputShape);
      expect(s.outputShape, name).toEqual([preset.classes]);
      const loss = presetLoss(preset, { engine: js });
      expect(loss.type).toBe(preset.recipe.loss["type"]);
      const opt = createOptimizer(preset.recipe.optimizer, model, preset.recipe.lr);
      expect(opt.lr).toBe(preset.recipe.lr);
      model.dispose();
    }
  });

  it("M1–M3 meet the problem set's budgets with only Linear, ReLU, Dropout (and Flatten for NCHW input)", () => {
    const budgets: Record<string, { max: number; minLayers: number }> = { m1: { max: 100, minLayers: 1 }, m2: { max: 200, minLayers: 2 }, m3: { max: 1000, minLayers: 3 } };
    for (const [name, { max, minLayers }] of Object.entries(budgets)) {
      const model = build(name);
      const hidden = hiddenUnits(model);
      expect(hidden.reduce((a, b) => a + b, 0), name).toBeLessThanOrEqual(max);
      expect(hidden.length, name).toBeGreaterThanOrEqual(minLayers);
      expect(new Set(model.layers.map((l) => l.type))).toEqual(new Set(["Flatten", "Linear", "ReLU", "Dropout"]));
      expect(getPreset(name).recipe).toMatchObject({ batchSize: 32, epochs: 10, loss: { type: "CrossEntropyLoss" }, data: { name: "mnist" } });
    }
  });

  it("C1 is the problem set's network exactly (61,546 parameters), Adam 1e-3, batch 32", () => {
    const model = build("c1");
    expect(model.layers.map((l) => l.type)).toEqual([
      "Conv2d", "ReLU", "MaxPool2d", "Dropout", "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Dropout", "Flatten", "Linear", "ReLU", "Linear",
    ]);
    expect(model.layers.filter((l) => l.type === "Dropout").map((l) => l.config()["p"])).toEqual([0.2, 0.2]);
    expect(model.numParameters()).toBe(61546);
    expect(getPreset("c1").recipe).toMatchObject({ optimizer: "adam", lr: 1e-3, batchSize: 32 });
  });

  it("C2: < 1,000,000 parameters, allowed layers only, at least one dropout and one batch norm, 10 epochs of batch 32", () => {
    const model = build("c2");
    expect(model.numParameters()).toBeLessThan(1_000_000);
    expect(getPreset("c2").title).toContain(model.numParameters().toLocaleString("en-US"));
    const types = new Set(model.layers.map((l) => l.type));
    for (const t of types) expect(["Linear", "Conv2d", "MaxPool2d", "BatchNorm2d", "Dropout", "ReLU", "Softmax", "Flatten"]).toContain(t);
    expect(types.has("Dropout") && types.has("BatchNorm2d")).toBe(true);
    expect(getPreset("c2").recipe).toMatchObject({ batchSize: 32, epochs: 10 });
  });

  it("C4: LeNet with log-softmax output and NLL loss", () => {
    const model = build("c4");
    expect(model.summary([1, 28, 28]).rows.map((r) => r.outputShape)).toEqual([
      [10, 24, 24], [10, 12, 12], [10, 12, 12], [20, 8, 8], [20, 4, 4], [20, 4, 4], [320], [50], [50], [50], [10], [10],
    ]);
    expect(model.layers.at(-1)!.type).toBe("LogSoftmax");
    expect(getPreset("c4").recipe).toMatchObject({ optimizer: "adam", epochs: 10, loss: { type: "NLLLoss" } });
  });

  it("moons: 2-D input, tanh, make-moons data", () => {
    const model = build("moons");
    expect(model.layers.some((l) => l.type === "Tanh")).toBe(true);
    expect(getPreset("moons").inputShape).toEqual([2]);
    expect(getPreset("moons").recipe.data).toMatchObject({ name: "moons" });
  });

  it("createOptimizer knows PyTorch's four and rejects others", () => {
    const model = build("moons");
    for (const name of ["sgd", "adam", "adamw", "rmsprop", "Adam"]) expect(createOptimizer(name, model, 0.1).lr).toBe(0.1);
    expect(() => createOptimizer("adagrad", model, 0.1)).toThrow('optimizer: expected one of sgd, adam, adamw, rmsprop, got "adagrad"');
    expect(() => createOptimizer("sgd", model, -1)).toThrow("SGD lr: expected a finite number ≥ 0, got -1");
  });
});
