import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine.js";
import { Model } from "../../src/train/model.js";
import { testEngines } from "../helpers/engines.js";

// Fixtures made by examples/pytorch (README › PyTorch ↔ simdnet); CI needs no Python.
const json = (path: string) => JSON.parse(readFileSync(path, "utf8")) as { inputs: number[][]; outputs: number[][]; probabilities?: number[][] };

/** |a − b| ≤ 1e-5 · max(1, |b|) for every value. */
function expectClose(actual: Float32Array, expected: number[][], what: string): void {
  const flat = expected.flat();
  expect(actual.length, what).toBe(flat.length);
  flat.forEach((e, i) => expect(Math.abs(actual[i]! - e), `${what}[${i}]: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(e))));
}

describe("PyTorch ↔ simdnet through safetensors", () => {
  it("a network trained in PyTorch loads with Model.load and predicts what PyTorch predicted, on every backend", async () => {
    const expected = json("examples/pytorch/torch-moons/expected.json");
    const { js, wasm } = await testEngines();
    for (const engine of [js, ...wasm]) {
      const model = await Model.load("examples/pytorch/torch-moons", { engine });
      expect(model.inputShape).toEqual([2]);
      expectClose(model.predict(expected.inputs), expected.outputs, `${engine.backend} outputs`);
      expectClose(model.predictProba(expected.inputs), expected.probabilities!, `${engine.backend} probabilities`);
      model.dispose();
    }
  });

  it("a network trained and saved by simdnet runs in PyTorch with the same outputs", async () => {
    const engine = await createEngine({ backend: "js" });
    const model = await Model.load("examples/pytorch/simdnet-moons", { engine });
    const saved = json("examples/pytorch/simdnet-moons/probe.json");
    const torch = json("examples/pytorch/simdnet-moons/torch-outputs.json");
    // The js backend that trained it reproduces its own predictions exactly; PyTorch agrees to 1e-5.
    expect(Array.from(model.predict(saved.inputs))).toEqual(saved.outputs);
    expectClose(model.predict(torch.inputs), torch.outputs, "PyTorch's outputs");
    model.dispose();
  });
});
