import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import { BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss, lossFromConfig } from "../../src/nn/index.js";
import { TestRandom } from "../helpers/random.js";
import { lossGradCheck } from "./gradcheck.js";

let js: Engine;
beforeAll(async () => {
  js = await createEngine({ backend: "js" });
});

function logSoftmaxRows(x: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[r * cols + c]!);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[r * cols + c]! - max);
    for (let c = 0; c < cols; c++) out[r * cols + c] = x[r * cols + c]! - max - Math.log(s);
  }
  return out;
}

describe("loss values (f64 references of PyTorch's formulas)", () => {
  const rnd = new TestRandom(21);
  const rows = 5, cols = 4;
  const logits = rnd.floats(rows * cols, -3, 3);
  const labels = Int32Array.from([0, 3, 1, 1, 2]);
  const ls = logSoftmaxRows(logits, rows, cols);

  it("CrossEntropyLoss mean, sum and label smoothing", () => {
    const x = js.tensor(logits, [rows, cols]);
    const y = js.tensor(labels, [rows]);
    let ce = 0;
    let smooth = 0;
    const s = 0.2;
    for (let r = 0; r < rows; r++) {
      ce -= ls[r * cols + labels[r]!]!;
      for (let c = 0; c < cols; c++) smooth -= ((c === labels[r] ? 1 - s : 0) + s / cols) * ls[r * cols + c]!;
    }
    // f32 logits through an f32 log-sum-exp: ~1e-6 relative.
    expect(new CrossEntropyLoss({ engine: js }).forward(x, y)).toBeCloseTo(ce / rows, 5);
    expect(new CrossEntropyLoss({ engine: js, reduction: "sum" }).forward(x, y)).toBeCloseTo(ce, 4);
    expect(new CrossEntropyLoss({ engine: js, labelSmoothing: s }).forward(x, y)).toBeCloseTo(smooth / rows, 5);
  });

  it("NLLLoss, MSELoss, BCEWithLogitsLoss", () => {
    const lp = js.tensor(Float32Array.from(ls), [rows, cols]);
    const y = js.tensor(labels, [rows]);
    let nll = 0;
    for (let r = 0; r < rows; r++) nll -= ls[r * cols + labels[r]!]!;
    expect(new NLLLoss({ engine: js }).forward(lp, y)).toBeCloseTo(nll / rows, 5);

    const a = rnd.floats(12), b = rnd.floats(12, 0, 1);
    let mse = 0, bce = 0;
    for (let i = 0; i < 12; i++) {
      mse += (a[i]! - b[i]!) ** 2;
      bce += Math.max(a[i]!, 0) - a[i]! * b[i]! + Math.log1p(Math.exp(-Math.abs(a[i]!)));
    }
    const at = js.tensor(a, [3, 4]), bt = js.tensor(b, [3, 4]);
    expect(new MSELoss({ engine: js }).forward(at, bt)).toBeCloseTo(mse / 12, 5);
    expect(new MSELoss({ engine: js, reduction: "sum" }).forward(at, bt)).toBeCloseTo(mse, 5);
    expect(new BCEWithLogitsLoss({ engine: js }).forward(at, bt)).toBeCloseTo(bce / 12, 5);
  });
});

describe("loss gradients vs central finite differences (js backend)", () => {
  const rnd = new TestRandom(5);
  const cases = [
    { name: "CrossEntropyLoss mean", loss: () => new CrossEntropyLoss({ engine: js }), cls: true },
    { name: "CrossEntropyLoss sum", loss: () => new CrossEntropyLoss({ engine: js, reduction: "sum" }), cls: true },
    { name: "CrossEntropyLoss smoothing 0.1", loss: () => new CrossEntropyLoss({ engine: js, labelSmoothing: 0.1 }), cls: true },
    { name: "NLLLoss", loss: () => new NLLLoss({ engine: js }), cls: true },
    { name: "MSELoss", loss: () => new MSELoss({ engine: js }), cls: false },
    { name: "MSELoss sum", loss: () => new MSELoss({ engine: js, reduction: "sum" }), cls: false },
    { name: "BCEWithLogitsLoss", loss: () => new BCEWithLogitsLoss({ engine: js }), cls: false },
  ] as const;
  for (const c of cases) {
    it(c.name, () => {
      const input = js.tensor(rnd.floats(6 * 7, -2, 2), [6, 7]);
      const target = c.cls ? js.tensor(rnd.ints(6, 0, 6), [6]) : js.tensor(rnd.floats(42, 0, 1), [6, 7]);
      expect(lossGradCheck(js, c.loss(), input, target)).toEqual([]);
    });
  }
});

describe("loss input validation", () => {
  it("labels out of range name the first bad index and value", () => {
    const loss = new CrossEntropyLoss({ engine: js });
    const x = js.zeros([4, 3]);
    expect(() => loss.forward(x, js.tensor(Int32Array.from([0, 2, 3, -1]), [4])))
      .toThrow("CrossEntropyLoss target[2]: expected a class index in [0, 3), got 3");
    expect(() => new NLLLoss({ engine: js }).forward(x, js.tensor(Int32Array.from([0, -1, 0, 0]), [4])))
      .toThrow("NLLLoss target[1]: expected a class index in [0, 3), got -1");
  });

  it("shape, dtype, reduction and option errors", () => {
    const loss = new CrossEntropyLoss({ engine: js });
    expect(() => loss.forward(js.zeros([4, 3]), js.tensor(Int32Array.from([0, 1, 2]), [3])))
      .toThrow("CrossEntropyLoss target shape: expected [4] (one label per row of the input), got [3]");
    expect(() => loss.forward(js.zeros([4, 3]), js.zeros([4])))
      .toThrow('CrossEntropyLoss target dtype: expected "int32", got "float32"');
    expect(() => loss.forward(js.zeros([4, 3, 2]), js.tensor(Int32Array.from([0, 1, 2, 0]), [4])))
      .toThrow("CrossEntropyLoss input shape: expected [N, C] (2 dimensions), got [4, 3, 2]");
    expect(() => new MSELoss({ engine: js }).forward(js.zeros([2, 3]), js.zeros([3, 2])))
      .toThrow("MSELoss target shape: expected [2, 3] (the input's), got [3, 2]");
    expect(() => new MSELoss({ engine: js, reduction: "none" as never })).toThrow('MSELoss reduction: expected "mean" or "sum", got "none"');
    expect(() => new CrossEntropyLoss({ engine: js, weight: [1, 2] } as never))
      .toThrow('CrossEntropyLoss options: unknown option "weight" (expected one of reduction, engine, labelSmoothing)');
    expect(() => new CrossEntropyLoss({ engine: js }).backward()).toThrow("CrossEntropyLoss backward: expected a forward call first, got none");
  });

  it("configs round trip", () => {
    const l = new CrossEntropyLoss({ engine: js, labelSmoothing: 0.1, reduction: "sum" });
    const back = lossFromConfig(l.config(), { engine: js }) as CrossEntropyLoss;
    expect(back).toBeInstanceOf(CrossEntropyLoss);
    expect(back.labelSmoothing).toBe(0.1);
    expect(back.reduction).toBe("sum");
  });
});
