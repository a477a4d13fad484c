import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evalCommand } from "../../src/cli/commands.js";
import { loadMnist } from "../../src/data/mnist-node.js";
import { makeMoons } from "../../src/data/datasets.js";
import { createEngine, type Engine } from "../../src/engine.js";
import { SimdnetError } from "../../src/errors.js";
import { saveModel } from "../../src/io/node.js";
import type { ModelStore, StoredModel } from "../../src/io/stores.js";
import { Softmax, Tanh, ReLU } from "../../src/nn/activation.js";
import { Flatten } from "../../src/nn/basic.js";
import { Conv2d } from "../../src/nn/conv.js";
import { manualSeed } from "../../src/nn/init.js";
import { Linear } from "../../src/nn/linear.js";
import { MaxPool2d } from "../../src/nn/pool.js";
import { Adam } from "../../src/optim/adam.js";
import { Model } from "../../src/train/model.js";

let engine: Engine;
let dir: string;
let trained: Model;
const moons = makeMoons(200, 0.1, { rng: 3 });
const probe = { data: moons.x.subarray(0, 20), shape: [10, 2] };

beforeAll(async () => {
  engine = await createEngine({ backend: "js" });
  dir = mkdtempSync(join(tmpdir(), "simdnet-roundtrip-"));
  manualSeed(1);
  trained = new Model(new Linear(2, 12, { engine }), new Tanh({ engine }), new Linear(12, 2, { engine }));
  await trained.fit(moons.x, moons.y, { epochs: 5, batchSize: 20, seed: 1, optimizer: new Adam(trained, { lr: 0.02 }) });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("model.save / Model.load", () => {
  it("a folder (Node): same predictions, a Model that trains and evaluates, the input shape recorded", async () => {
    const folder = join(dir, "moons");
    const description = await trained.save(folder, { extra: { note: "moons" } });
    expect(description.inputShape).toEqual([2]);
    expect(existsSync(join(folder, "model.safetensors"))).toBe(true);
    expect(JSON.parse(readFileSync(join(folder, "model.json"), "utf8")).inputShape).toEqual([2]);
    const loaded = await Model.load(folder, { engine });
    expect(loaded).toBeInstanceOf(Model);
    expect(loaded.inputShape).toEqual([2]);
    expect(loaded.predict(probe)).toEqual(trained.predict(probe));
    expect(loaded.evaluate(moons.x, moons.y)).toEqual(trained.evaluate(moons.x, moons.y));
    const before = loaded.evaluate(moons.x, moons.y).loss;
    await loaded.fit(moons.x, moons.y, { epochs: 3, batchSize: 20, seed: 2, optimizer: new Adam(loaded, { lr: 0.02 }) });
    expect(loaded.evaluate(moons.x, moons.y).loss).toBeLessThan(before);
    expect(trained.predict(probe)).not.toEqual(loaded.predict(probe)); // separate weights
    loaded.dispose();
  });

  it("a Blob (toBlob, as for a download) and a fetched URL", async () => {
    const blob = trained.toBlob();
    expect(blob.type).toBe("application/octet-stream");
    const fromBlob = await Model.load(blob, { engine });
    expect(fromBlob.predict(probe)).toEqual(trained.predict(probe));
    fromBlob.dispose();

    const bytes = new Uint8Array(await blob.arrayBuffer());
    const server: Server = createServer((req, res) => {
      if (req.url === "/moons.safetensors") res.end(bytes);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const fromUrl = await Model.load(`${base}/moons.safetensors`, { engine });
      expect(fromUrl.inputShape).toEqual([2]);
      expect(fromUrl.predict(probe)).toEqual(trained.predict(probe));
      fromUrl.dispose();
      await expect(Model.load(new URL(`${base}/missing`), { engine })).rejects.toThrow(`${base}/missing: expected HTTP 200 with a model file, got 404 Not Found`);
    } finally {
      server.close();
    }
  });

  it("any ModelStore (here: memory)", async () => {
    let kept: StoredModel | null = null;
    const memory: ModelStore = {
      name: "memory",
      save: async (m) => { kept = m; },
      load: async () => { if (kept === null) throw new SimdnetError("memory: empty"); return kept; },
    };
    await trained.save(memory);
    const loaded = await Model.load(memory, { engine });
    expect(loaded.predict(probe)).toEqual(trained.predict(probe));
    loaded.dispose();
  });

  it("refuses read-only targets, IndexedDB outside browsers, missing folders and corrupt files, naming the place", async () => {
    await expect(trained.save("https://example.com/m.safetensors")).rejects.toThrow(
      'model.save target: expected a writable place ("indexeddb://<name>", a folder in Node, or a ModelStore with save; for a download use model.toBlob()), got "https://example.com/m.safetensors"');
    await expect(trained.save("indexeddb://moons")).rejects.toThrow("indexeddb://moons: expected a runtime with IndexedDB (a browser or a worker), got none");
    await expect(trained.save("indexeddb://")).rejects.toThrow('model store: expected "indexeddb://<name>" with a name, got "indexeddb://"');
    await expect(Model.load(join(dir, "nothing"), { engine })).rejects.toThrow(/nothing[/\\]model\.safetensors: expected a readable file, got ENOENT/);
    const junk = new File([new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])], "junk.safetensors");
    await expect(Model.load(junk, { engine })).rejects.toThrow(/^junk\.safetensors: /);
    await expect(Model.load(42 as never)).rejects.toThrow("model store: expected");
    await expect(trained.save(join(dir, "x"), { extras: {} } as never)).rejects.toThrow('model.save options: unknown option "extras"');
  });
});

describe("the input shape is recorded automatically", () => {
  it("saveModel of a Model fitted on images records [1, 28, 28], so `simdnet eval` of the README's MNIST model works", async () => {
    const train = await loadMnist({ split: "train", normalize: true, limit: 512 });
    manualSeed(2);
    const model = new Model(
      new Conv2d(1, 4, 3, { engine }), new ReLU({ engine }), new MaxPool2d(2, { engine }), new Flatten({ engine }), new Linear(4 * 13 * 13, 10, { engine }),
    );
    expect(model.inputShape).toBeNull();
    await model.fit({ data: train.images, shape: train.shape }, train.labels, { epochs: 1, batchSize: 64, seed: 2, optimizer: new Adam(model, { lr: 1e-3 }) });
    expect(model.inputShape).toEqual([1, 28, 28]);
    const folder = join(dir, "my-model");
    saveModel(model, folder); // as the README's MNIST example calls it: no inputShape option
    expect(JSON.parse(readFileSync(join(folder, "model.json"), "utf8")).inputShape).toEqual([1, 28, 28]);
    let out = "";
    const r = await evalCommand({ command: "eval", dir: folder, backend: "js", limit: 200 }, { write: (t) => { out += t; }, isTTY: false });
    expect(r.n).toBe(200);
    expect(r.accuracy).toBeGreaterThan(0.3);
    expect(out).toMatch(/test accuracy [\d.]+ \(loss [\d.]+\) on 200 samples/);
    model.dispose();
  });
});

describe("predict takes single samples and nested arrays; predictProba", () => {
  it("one sample [x1, x2], a batch [[x1, x2], …] and { data, shape } agree", () => {
    const flat = trained.predict(probe);
    const rows = Array.from({ length: 10 }, (_, i) => [probe.data[2 * i]!, probe.data[2 * i + 1]!]);
    expect(trained.predict(rows)).toEqual(flat);
    expect(trained.predict(rows[3]!)).toEqual(flat.subarray(6, 8));
    expect(trained.predict(new Float32Array(rows[3]!))).toEqual(flat.subarray(6, 8));
    expect(trained.predictClasses(rows)).toEqual(trained.predictClasses(probe));
  });

  it("an image as nested arrays, for a model whose input shape is known", async () => {
    manualSeed(3);
    const conv = new Model(new Conv2d(1, 2, 3, { engine }), new Flatten({ engine }), new Linear(2 * 3 * 3, 3, { engine }));
    const image = Array.from({ length: 5 }, (_, r) => Array.from({ length: 5 }, (_, c) => (r * 5 + c) / 25));
    expect(() => conv.predict([image])).toThrow("predict x: expected { data: Float32Array, shape: [n, ...sampleShape] } (the model's input shape is not known yet: fit it, set model.inputShape, or load a saved model), got a nested array");
    conv.inputShape = [1, 5, 5];
    const viaShape = conv.predict({ data: new Float32Array(image.flat()), shape: [1, 1, 5, 5] });
    expect(conv.predict([image])).toEqual(viaShape);
    expect(conv.predict([[image], [image]])).toEqual(new Float32Array([...viaShape, ...viaShape]));
    expect(conv.predict(new Float32Array(image.flat()))).toEqual(viaShape);
    expect(() => conv.predict(image)).toThrow("predict x shape: expected [1, 5, 5] (one sample) or [n, 1, 5, 5] (a batch), got [5, 5]");
    conv.dispose();
  });

  it("refuses ragged and non-numeric nested arrays, naming the depth", () => {
    expect(() => trained.predict([[1, 2], [3]])).toThrow("predict x (not rectangular) at depth 1: expected an array of 2, got 1 items");
    expect(() => trained.predict([[1, "2"]] as never)).toThrow('predict x values: expected numbers, got "2"');
    expect(() => trained.predict([])).toThrow("predict x: expected non-empty arrays, got []");
  });

  it("predictProba: softmax of the logits (rows sum to 1, argmax = predictClasses), as is after Softmax, sigmoid of one logit", () => {
    const logits = trained.predict(probe);
    const p = trained.predictProba(probe);
    for (let i = 0; i < 10; i++) {
      const [a, b] = [logits[2 * i]!, logits[2 * i + 1]!];
      expect(p[2 * i + 1]).toBeCloseTo(1 / (1 + Math.exp(a - b)), 6);
      expect(p[2 * i]! + p[2 * i + 1]!).toBeCloseTo(1, 6);
    }
    expect(Array.from(trained.predictClasses(probe))).toEqual(Array.from({ length: 10 }, (_, i) => (p[2 * i + 1]! > p[2 * i]! ? 1 : 0)));

    const withSoftmax = new Model(...trained.layers, new Softmax({ engine }));
    expect(withSoftmax.predictProba(probe)).toEqual(withSoftmax.predict(probe));
    const single = new Model(new Linear(2, 1, { engine }));
    const z = single.predict([0.3, -0.7])[0]!;
    expect(single.predictProba([0.3, -0.7])[0]).toBeCloseTo(1 / (1 + Math.exp(-z)), 6);
    single.dispose();
  });
});
