// The README's "Custom models" block, as written there (TypeScript spelling), against the package entry.
import { describe, expect, it } from "vitest";
import {
  Module, Conv2d, BatchNorm2d, Linear, add, relu, cat, flatten, crossEntropy, Adam, Tensor,
  init, manualSeed, encodeSafetensors, loadWeightsFromBytes,
} from "../../src/index.js";

describe("README: custom models", () => {
  it("the block runs as written; weights travel by state-dict name", async () => {
    await init({ backend: "js" });
    manualSeed(1);
    class Block extends Module {
      conv1 = new Conv2d(16, 16, 3, { padding: 1 }); bn1 = new BatchNorm2d(16);
      conv2 = new Conv2d(16, 16, 3, { padding: 1 }); bn2 = new BatchNorm2d(16);
      forward(x: Tensor): Tensor { const y = relu(this.bn1.forward(this.conv1.forward(x))); return relu(add(this.bn2.forward(this.conv2.forward(y)), x)); }
    }
    class Net extends Module {
      stem = new Conv2d(1, 16, 3, { padding: 1 }); block = new Block(); side = new Linear(16 * 4 * 4, 4); head = new Linear(16 * 4 * 4 + 4, 3);
      forward(x: Tensor): Tensor {
        const h = flatten(this.block.forward(relu(this.stem.forward(x))), 1);
        return this.head.forward(cat([h, this.side.forward(h)], 1));
      }
    }
    const model = new Net();
    const opt = new Adam(model, { lr: 1e-2 });
    const e = model.engine;
    const x = e.tensor(new Float32Array(2 * 16).map((_, i) => Math.sin(i)), [2, 1, 4, 4]);
    const labels = e.tensor(new Int32Array([0, 2]), [2], "int32");
    const first = crossEntropy(model.forward(x), labels).item();
    for (let i = 0; i < 20; i++) {
      const loss = crossEntropy(model.forward(x), labels);   // a scalar Tensor
      loss.backward();                                        // gradients of every parameter that produced it
      opt.step(); opt.zeroGrad();
    }
    expect(crossEntropy(model.forward(x), labels).item()).toBeLessThan(first);
    expect(model.namedParameters().map(([k]) => k)).toContain("block.conv1.weight");

    const bytes = encodeSafetensors(model.stateDict());
    const copy = new Net();
    loadWeightsFromBytes(copy, bytes, "net.safetensors");
    copy.eval();
    model.eval();
    expect([...copy.forward(x).toArray()]).toEqual([...model.forward(x).toArray()]);
    const other = new Block();
    expect(() => loadWeightsFromBytes(other, bytes, "net.safetensors")).toThrow(/net.safetensors: loadStateDict key "[a-z0-9_.]+": expected one of the model's keys .*got an unexpected key/);
  });
});
