import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import { makeMoons } from "../../src/data/index.js";
import { Linear, manualSeed, ReLU, Sequential, type Module } from "../../src/nn/index.js";
import { ExponentialLR, SGD } from "../../src/optim/index.js";
import {
  DeadReLU, EarlyStopping, fit, JsonLinesLogger, ModelCheckpoint, ProgressBar, tensorStats, WeightStats,
  type DeadReluRecord, type EpochLogs, type TensorStats,
} from "../../src/train/index.js";

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: "wasm-simd" });
});

const moons = makeMoons(200, 0.15, { rng: 7 });

function net(seed: number): Sequential {
  manualSeed(seed);
  return new Sequential(new Linear(2, 8, { engine }), new ReLU({ engine }), new Linear(8, 2, { engine }));
}

function snapshot(model: Module): Float32Array[] {
  return [...model.parameters().map((p) => p.data.f32.slice()), ...model.buffers().map((b) => b.f32.slice())];
}

describe("EarlyStopping", () => {
  it("stops `patience` epochs after the best validation loss and restores that epoch's weights", async () => {
    const model = net(1);
    const optimizer = new SGD(model, { lr: 0.05 });
    // The lr triples every epoch: the validation loss falls, then rises once steps overshoot.
    const scheduler = new ExponentialLR(optimizer, { gamma: 3 });
    const perEpoch: Float32Array[][] = [];
    const keep = { onEpochEnd: () => void perEpoch.push(snapshot(model)) };
    const stopper = new EarlyStopping({ patience: 2, restoreBestWeights: true });
    const h = await fit(model, moons.x, moons.y, {
      epochs: 30, batchSize: 20, optimizer, scheduler, validationSplit: 0.25, callbacks: [keep, stopper],
    });
    const val = h.history.valLoss;
    const best = val.indexOf(Math.min(...val)) + 1;
    expect(best).toBeGreaterThan(1);
    expect(h.epochs.length).toBe(best + 3); // patience 2: the third epoch without improvement stops
    expect(h.stopped?.reason).toBe("early-stopping");
    expect(h.stopped?.epoch).toBe(best + 3);
    expect(h.stopped?.message).toContain(`at epoch ${best}`);
    expect(stopper.bestEpoch).toBe(best);
    expect(h.restoredEpoch).toBe(best);
    expect(snapshot(model)).toEqual(perEpoch[best - 1]);
    expect(snapshot(model)).not.toEqual(perEpoch[perEpoch.length - 1]);
  });

  it("minDelta: smaller improvements do not count; without restore the last weights stay", async () => {
    const model = net(2);
    const h = await fit(model, moons.x, moons.y, {
      epochs: 20, batchSize: 20, optimizer: new SGD(model, { lr: 0.05 }), callbacks: [new EarlyStopping({ monitor: "loss", minDelta: 10, patience: 1 })],
    });
    // Nothing improves the loss by 10: epoch 1 sets the best, epochs 2 and 3 do not beat it.
    expect(h.epochs).toHaveLength(3);
    expect(h.restoredEpoch).toBeNull();
  });

  it("monitoring a validation figure without validation data is an error", async () => {
    const model = net(3);
    await expect(fit(model, moons.x, moons.y, { callbacks: [new EarlyStopping()] })).rejects.toThrow(
      'EarlyStopping monitor: expected validation data in fit (validationSplit or validationData) for "valLoss", got none',
    );
  });
});

describe("stop on NaN/Inf", () => {
  it("names the step and the layer whose weights went non-finite", async () => {
    const model = net(4);
    const lines: string[] = [];
    // At the end of step 5 a weight of layer 2 becomes NaN: step 6's loss is NaN.
    const poison = { onBatchEnd: (s: { step: number }) => { if (s.step === 5) model.get(2).parameters()[0]!.data.f32[3] = Number.NaN; } };
    const h = await fit(model, moons.x, moons.y, {
      epochs: 3, batchSize: 20, optimizer: new SGD(model, { lr: 0.1 }), callbacks: [poison, new ProgressBar({ write: (t) => void lines.push(t), isTTY: false })],
    });
    expect(h.stopped).toMatchObject({ reason: "nan", epoch: 1, step: 6, layer: "layer 2 (Linear) weight" });
    expect(h.stopped!.message).toBe("loss is NaN at step 6 (epoch 1, batch 6): first non-finite values in layer 2 (Linear) weight");
    expect(h.epochs).toHaveLength(1);
    expect(Number.isNaN(h.epochs[0]!.loss)).toBe(true);
    expect(lines.at(-1)).toBe(`Stopped: ${h.stopped!.message}\n`);
  });

  it("an overflow is traced to the first layer output that holds Inf", async () => {
    manualSeed(5);
    const model = new Sequential(new Linear(2, 4, { engine }), new ReLU({ engine }), new Linear(4, 2, { engine }));
    // Finite weights whose products overflow f32 in layer 0's output (moons points have x1 + x2 up to 1.4).
    model.get(0).parameters()[0]!.data.f32.fill(3e38);
    const h = await fit(model, moons.x, moons.y, { epochs: 1, batchSize: 20, optimizer: new SGD(model, { lr: 0 }) });
    expect(h.stopped).toMatchObject({ reason: "nan", step: 1, layer: "layer 0 (Linear) output" });
  });
});

describe("ModelCheckpoint", () => {
  it("saveBestOnly: saves exactly at the epochs where the validation loss improved, awaiting save", async () => {
    const model = net(6);
    const optimizer = new SGD(model, { lr: 0.05 });
    const calls: [number, number][] = [];
    let pending = 0;
    const save = async (m: Module, epoch: number, logs: EpochLogs) => {
      expect(m).toBe(model);
      pending++;
      await new Promise((r) => setTimeout(r, 1));
      calls.push([epoch, logs.valLoss]);
      pending--;
    };
    const next = { onEpochBegin: () => expect(pending).toBe(0) };
    const h = await fit(model, moons.x, moons.y, {
      epochs: 12, batchSize: 20, optimizer, scheduler: new ExponentialLR(optimizer, { gamma: 2 }), validationSplit: 0.25,
      callbacks: [new ModelCheckpoint({ save }), next],
    });
    const expected: number[] = [];
    let best = Infinity;
    h.history.valLoss.forEach((v, i) => { if (v < best) { best = v; expected.push(i + 1); } });
    expect(calls.map(([e]) => e)).toEqual(expected);
    expect(expected.length).toBeLessThan(12); // the growing lr makes some epochs worse
    expect(calls.map(([, v]) => v)).toEqual(expected.map((e) => h.history.valLoss[e - 1]));
  });

  it("every N epochs with saveBestOnly false; accuracy monitored in max mode", async () => {
    const model = net(7);
    const saved: number[] = [];
    const cp = new ModelCheckpoint({ save: (_m, e) => void saved.push(e), saveBestOnly: false, every: 2 });
    await fit(model, moons.x, moons.y, { epochs: 7, batchSize: 50, callbacks: [cp] });
    expect(saved).toEqual([2, 4, 6]);
    expect(cp.saved).toEqual([2, 4, 6]);
    expect(new ModelCheckpoint({ save: () => {}, monitor: "accuracy" }).mode).toBe("max");
  });
});

describe("ProgressBar", () => {
  it("non-TTY: one line per epoch with the epoch's figures", async () => {
    const model = net(8);
    const out: string[] = [];
    const h = await fit(model, moons.x, moons.y, {
      epochs: 3, batchSize: 32, validationSplit: 0.2, optimizer: new SGD(model, { lr: 0.01 }), callbacks: [new ProgressBar({ write: (t) => void out.push(t) })],
    });
    expect(out).toHaveLength(3);
    out.forEach((line, i) => {
      const l = h.epochs[i]!;
      // 160 training samples in batches of 32: 5 batches.
      expect(line).toMatch(/^Epoch \d\/3 - 5\/5 - \d+\.\ds - \d+ samples\/s - loss \d\.\d{4} - accuracy \d\.\d{4} - val_loss \d\.\d{4} - val_accuracy \d\.\d{4} - lr 0\.01\n$/);
      expect(line).toContain(`Epoch ${i + 1}/3 - `);
      expect(line).toContain(` - loss ${l.loss.toFixed(4)} - accuracy ${l.accuracy.toFixed(4)} - val_loss ${l.valLoss.toFixed(4)} - val_accuracy ${l.valAccuracy.toFixed(4)}`);
    });
  });

  it("TTY: a bar redrawn in place with carriage returns, finished by a newline per epoch", async () => {
    const model = net(9);
    let text = "";
    await fit(model, moons.x, moons.y, { epochs: 2, batchSize: 50, callbacks: [new ProgressBar({ write: (t) => void (text += t), isTTY: true, width: 10, intervalMs: 0 })] });
    expect(text).toContain("\rEpoch 1/2 [==>.......] 1/4");
    expect(text).toContain("\rEpoch 1/2 [==========] 4/4");
    expect(text.split("\n")).toHaveLength(3); // two finished epochs and the empty rest
    expect(text.endsWith("\x1b[K\n")).toBe(true);
  });

  it("valName names the validation columns (the CLI validates on the test split: test_loss, test_accuracy)", async () => {
    const model = net(8);
    const out: string[] = [];
    const h = await fit(model, moons.x, moons.y, {
      epochs: 1, batchSize: 32, validationSplit: 0.2, optimizer: new SGD(model, { lr: 0.01 }),
      callbacks: [new ProgressBar({ write: (t) => void out.push(t), valName: "test" })],
    });
    const l = h.epochs[0]!;
    expect(out[0]).toContain(` - test_loss ${l.valLoss.toFixed(4)} - test_accuracy ${l.valAccuracy.toFixed(4)} - lr`);
    expect(out[0]).not.toContain("val_");
    expect(() => new ProgressBar({ valName: "test loss" })).toThrow('ProgressBar valName: expected a word such as "val" or "test", got "test loss"');
  });

  it("a stream option: writes to it and takes its isTTY", async () => {
    const model = net(9);
    let text = "";
    const stream = { isTTY: false, write: (t: string) => { text += t; return true; } };
    await fit(model, moons.x, moons.y, { epochs: 1, batchSize: 50, callbacks: [new ProgressBar({ stream })] });
    expect(text).toMatch(/^Epoch 1\/1 - 4\/4 - .* - lr 0\.001\n$/);
  });
});

describe("JsonLinesLogger", () => {
  it("writes begin, epoch, step and end events as JSON lines (NaN as null)", async () => {
    const model = net(10);
    const lines: string[] = [];
    await fit(model, moons.x, moons.y, { epochs: 2, batchSize: 50, callbacks: [new JsonLinesLogger({ write: (l) => void lines.push(l), everySteps: 3 })] });
    expect(lines.every((l) => l.endsWith("\n") && !l.slice(0, -1).includes("\n"))).toBe(true);
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e["event"])).toEqual(["begin", "step", "epoch", "step", "epoch", "end"]);
    expect(events[0]).toMatchObject({ epochs: 2, batches: 4, samples: 200, batchSize: 50, sampleShape: [2], optimizer: "Adam", loss: "CrossEntropyLoss" });
    expect(events[1]).toMatchObject({ step: 3, epoch: 1, batch: 3 });
    expect(events[3]).toMatchObject({ step: 6, epoch: 2, batch: 2 });
    expect(events[2]).toMatchObject({ epoch: 1, valLoss: null, valAccuracy: null });
    expect(events[5]).toMatchObject({ epochs: 2, steps: 8, stopped: null, restoredEpoch: null });
  });
});

describe("WeightStats", () => {
  it("every N steps: min/max/mean/std/histogram of every weight, bias and layer output", async () => {
    const model = net(11);
    const checks: [TensorStats, Float32Array][] = [];
    const stats = new WeightStats({
      every: 3, bins: 5,
      // At record time, keep a copy of what the records describe, to recompute independently.
      onRecord: (records) => {
        for (const r of records) {
          const idx = Number(r.name.split(".")[0]);
          const layer = model.get(idx);
          const t = r.kind === "activation" ? layer.output! : layer.parameters().find((p) => p.name === r.kind)!.data;
          checks.push([r, t.f32.slice()]);
        }
      },
    });
    const h = await fit(model, moons.x, moons.y, { epochs: 2, batchSize: 40, callbacks: [stats] });
    const records = h.records["weightStats"] as TensorStats[];
    // 10 steps: records at 3, 6, 9; per step 2 Linear × (weight, bias, output) + ReLU output = 7.
    expect(records).toHaveLength(21);
    expect(new Set(records.map((r) => r.step))).toEqual(new Set([3, 6, 9]));
    expect(records.slice(0, 7).map((r) => `${r.layer}|${r.name}|${r.kind}`)).toEqual([
      "layer 0 (Linear)|0.weight|weight", "layer 0 (Linear)|0.bias|bias", "layer 0 (Linear)|0.output|activation",
      "layer 1 (ReLU)|1.output|activation",
      "layer 2 (Linear)|2.weight|weight", "layer 2 (Linear)|2.bias|bias", "layer 2 (Linear)|2.output|activation",
    ]);
    expect(checks).toHaveLength(21);
    for (const [r, values] of checks) {
      const v = Array.from(values);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      expect(r.min).toBe(Math.min(...v));
      expect(r.max).toBe(Math.max(...v));
      expect(r.mean).toBeCloseTo(mean, 6);
      expect(r.std).toBeCloseTo(std, 6);
      expect(r.histogram.counts.reduce((a, b) => a + b, 0)).toBe(v.length);
      expect(r.histogram.counts).toHaveLength(5);
    }
    // The ReLU output's lowest bin holds at least the zeros.
    const relu = checks.find(([r]) => r.name === "1.output")!;
    expect(relu[0].histogram.counts[0]).toBeGreaterThanOrEqual(Array.from(relu[1]).filter((x) => x === 0).length);
  });

  it("tensorStats: hand-computed values, closed last bin, constant input", () => {
    const s = tensorStats(Float32Array.of(0, 1, 2, 3, 4), 4);
    expect(s).toEqual({ min: 0, max: 4, mean: 2, std: Math.sqrt(2), histogram: { min: 0, max: 4, counts: [1, 1, 1, 2] } });
    expect(tensorStats(Float32Array.of(7, 7, 7), 3).histogram.counts).toEqual([3, 0, 0]);
  });
});

describe("DeadReLU", () => {
  it("counts units whose output is zero for every probe sample, per ReLU layer", async () => {
    manualSeed(12);
    const model = new Sequential(
      new Linear(2, 4, { engine }), new ReLU({ engine }), new Linear(4, 3, { engine }), new ReLU({ engine }), new Linear(3, 2, { engine }),
    );
    // Layer 0: units 0 and 1 get bias −100 and zero weights (dead for any input); units 2, 3 bias +1.
    const [w0, b0] = model.get(0).parameters();
    w0!.data.f32.fill(0);
    b0!.data.f32.set([-100, -100, 1, 1]);
    // Layer 2: unit 2 reads only the dead units (weights 0 on live ones) with a negative bias.
    const [w2, b2] = model.get(2).parameters();
    w2!.data.f32.set([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    b2!.data.f32.set([0, 0, -1]);
    const got: DeadReluRecord[][] = [];
    const h = await fit(model, moons.x, moons.y, {
      epochs: 2, batchSize: 50, optimizer: new SGD(model, { lr: 0 }), callbacks: [new DeadReLU({ onRecord: (r) => void got.push(r) })],
    });
    const records = h.records["deadRelu"] as DeadReluRecord[];
    expect(records).toEqual([
      { epoch: 1, step: 4, layer: "layer 1 (ReLU)", units: 4, dead: 2, fraction: 0.5 },
      { epoch: 1, step: 4, layer: "layer 3 (ReLU)", units: 3, dead: 1, fraction: 1 / 3 },
      { epoch: 2, step: 8, layer: "layer 1 (ReLU)", units: 4, dead: 2, fraction: 0.5 },
      { epoch: 2, step: 8, layer: "layer 3 (ReLU)", units: 3, dead: 1, fraction: 1 / 3 },
    ]);
    expect(got).toHaveLength(2);
  });

  it("a probe x of its own; every N epochs", async () => {
    const model = net(13);
    const probe = Float32Array.of(100, 100, -100, -100);
    const h = await fit(model, moons.x, moons.y, { epochs: 4, batchSize: 50, callbacks: [new DeadReLU({ x: probe, everyEpochs: 2 })] });
    const records = h.records["deadRelu"] as DeadReluRecord[];
    expect(records.map((r) => r.epoch)).toEqual([2, 4]);
    // With two opposite probe points a unit is dead only if it is off on both: w·p + b ≤ 0 and −w·p + b ≤ 0.
    const [w, b] = model.get(0).parameters();
    let dead = 0;
    for (let u = 0; u < 8; u++) {
      const d = 100 * (w!.data.f32[2 * u]! + w!.data.f32[2 * u + 1]!);
      if (d + b!.data.f32[u]! <= 0 && -d + b!.data.f32[u]! <= 0) dead++;
    }
    expect(records[1]!.dead).toBe(dead);
  });
});
