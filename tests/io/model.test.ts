import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine.js";
import { SimdnetError } from "../../src/errors.js";
import {
  decodeSafetensors, describeModel, encodeSafetensors, loadWeightsFromBytes, modelFromBytes, modelToBytes,
} from "../../src/io/index.js";
import { loadModel, loadWeights, MODEL_JSON, MODEL_WEIGHTS, saveModel } from "../../src/io/node.js";
import { moduleFromConfig, MODULE_TYPES, type Module, type ModuleConfig, type StateDict } from "../../src/nn/index.js";
import { TestRandom } from "../helpers/random.js";

let js: Engine;
let dir: string;
beforeAll(async () => {
  js = await createEngine({ backend: "js" });
  dir = mkdtempSync(join(tmpdir(), "simdnet-io-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const seq = (...layers: ModuleConfig[]): ModuleConfig => ({ type: "Sequential", layers });

/** One case per layer type: a config with non-default options and an input shape it accepts. */
const LAYER_CASES: { config: ModuleConfig; input: number[]; indices?: number }[] = [
  { config: { type: "Linear", inFeatures: 5, outFeatures: 3 }, input: [2, 5] },
  { config: { type: "Linear", inFeatures: 4, outFeatures: 7, bias: false }, input: [3, 4] },
  { config: { type: "Conv2d", inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1, dilation: 1 }, input: [2, 2, 7, 7] },
  { config: { type: "Conv2d", inChannels: 3, outChannels: 2, kernelSize: [3, 1], padding: "same", bias: false }, input: [1, 3, 5, 6] },
  { config: { type: "MaxPool2d", kernelSize: 2 }, input: [2, 3, 6, 6] },
  { config: { type: "AvgPool2d", kernelSize: 3, stride: 2, padding: 1 }, input: [2, 3, 7, 7] },
  { config: { type: "BatchNorm1d", numFeatures: 5, momentum: 0.2, eps: 1e-3 }, input: [4, 5] },
  { config: { type: "BatchNorm2d", numFeatures: 3 }, input: [2, 3, 4, 4] },
  { config: { type: "BatchNorm2d", numFeatures: 3, affine: false }, input: [2, 3, 4, 4] },
  { config: { type: "Dropout", p: 0.3, seed: 7 }, input: [2, 5] },
  { config: { type: "Flatten" }, input: [2, 3, 2, 2] },
  { config: { type: "Identity" }, input: [2, 5] },
  { config: { type: "ReLU" }, input: [2, 5] },
  { config: { type: "LeakyReLU", negativeSlope: 0.1 }, input: [2, 5] },
  { config: { type: "Sigmoid" }, input: [2, 5] },
  { config: { type: "Tanh" }, input: [2, 5] },
  { config: { type: "Softmax", dim: 1 }, input: [2, 5] },
  { config: { type: "LogSoftmax" }, input: [2, 5] },
  { config: { type: "GELU" }, input: [2, 5] },
  { config: { type: "LayerNorm", normalizedShape: [5], eps: 1e-4, elementwiseAffine: true }, input: [2, 5] },
  { config: { type: "Embedding", numEmbeddings: 7, embeddingDim: 3 }, input: [2, 4], indices: 7 },
  { config: { type: "ResidualBlock", inChannels: 2, outChannels: 3, stride: 2 }, input: [2, 2, 5, 5] },
];

/** Puts random values into every parameter and buffer (running_var > 0 so eval forward is defined). */
function randomize(model: Module, seed: number): void {
  const rnd = new TestRandom(seed);
  const dict: StateDict = new Map();
  for (const [key, t] of model.stateDict()) {
    const data = key.endsWith("running_var") ? rnd.floats(t.data.length, 0.5, 2) : rnd.floats(t.data.length);
    dict.set(key, { shape: t.shape, data });
  }
  model.loadStateDict(dict);
}

/** A copy of the model's state for "unchanged" checks. */
function snapshot(model: Module): [string, number[], number[]][] {
  return [...model.stateDict()].map(([k, t]) => [k, t.shape, Array.from(t.data)]);
}

function forwardEval(model: Module, input: number[], seed: number, indices?: number): Float32Array {
  const n = input.reduce((a, b) => a * b, 1);
  const x = indices === undefined ? js.tensor(new TestRandom(seed).floats(n), input) : js.tensor(new TestRandom(seed).ints(n, 0, indices - 1), input, "int32");
  model.eval();
  const y = model.forward(x).f32.slice();
  x.dispose();
  return y;
}

function build(config: ModuleConfig): Module {
  return moduleFromConfig(config, { engine: js });
}

describe("round trip of every layer type (folder and bytes)", () => {
  it("covers every type moduleFromConfig knows", () => {
    const covered = new Set(LAYER_CASES.map((c) => c.config.type));
    covered.add("Sequential");
    expect([...MODULE_TYPES].sort()).toEqual([...covered].sort());
  });

  for (const [i, { config, input, indices }] of LAYER_CASES.entries()) {
    it(`${config.type} ${JSON.stringify(config)}`, () => {
      const model = build(seq(config));
      randomize(model, 100 + i);
      const before = snapshot(model);
      const y = forwardEval(model, input, 200 + i, indices);
      const folder = join(dir, `layer-${i}`);
      saveModel(model, folder, { inputShape: input.slice(1), extra: { note: "round trip" } });

      const loaded = loadModel(folder, { engine: js });
      expect(loaded.module.config()).toEqual(model.config());
      expect(loaded.description.inputShape).toEqual(input.slice(1));
      expect(loaded.description.extra).toEqual({ note: "round trip" });
      // Bit-exact: F32 values are stored as they are, so the loaded model is the same function.
      expect(snapshot(loaded.module)).toEqual(before);
      expect(Array.from(forwardEval(loaded.module, input, 200 + i, indices))).toEqual(Array.from(y));

      const fromBytes = modelFromBytes(modelToBytes(model, describeModel(model, input.slice(1))), { engine: js });
      expect(fromBytes.module.config()).toEqual(model.config());
      expect(snapshot(fromBytes.module)).toEqual(before);
      loaded.module.dispose();
      fromBytes.module.dispose();
      model.dispose();
    });
  }

  it("a model with every layer type at once, weights and BatchNorm running statistics", () => {
    const config = seq(
      { type: "Conv2d", inChannels: 1, outChannels: 4, kernelSize: 3, padding: "same" }, { type: "BatchNorm2d", numFeatures: 4 },
      { type: "ReLU" }, { type: "MaxPool2d", kernelSize: 2 }, { type: "AvgPool2d", kernelSize: 1 }, { type: "LeakyReLU" },
      { type: "Dropout", p: 0.2 }, { type: "Flatten" }, { type: "Linear", inFeatures: 36, outFeatures: 8 },
      { type: "BatchNorm1d", numFeatures: 8 }, { type: "Sigmoid" }, { type: "Tanh" }, { type: "Identity" },
      { type: "Linear", inFeatures: 8, outFeatures: 3 }, { type: "Softmax" }, { type: "LogSoftmax" },
    );
    const model = build(config);
    randomize(model, 1);
    const keys = [...model.stateDict().keys()];
    expect(keys).toEqual([
      "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "8.weight", "8.bias",
      "9.weight", "9.bias", "9.running_mean", "9.running_var", "13.weight", "13.bias",
    ]);
    const folder = join(dir, "all");
    saveModel(model, folder, { inputShape: [1, 6, 6] });
    const loaded = loadModel(folder, { engine: js });
    expect(snapshot(loaded.module)).toEqual(snapshot(model));
    expect(Array.from(forwardEval(loaded.module, [3, 1, 6, 6], 9))).toEqual(Array.from(forwardEval(model, [3, 1, 6, 6], 9)));
  });
});

describe("safetensors layout", () => {
  it("writes what Python's safetensors writes: u64 length, compact JSON sorted by name, space padding to 8, data in name order", () => {
    const dict: StateDict = new Map([
      ["b", { shape: [2], data: new Float32Array([1.5, -2]) }],
      ["a", { shape: [1, 1], data: new Float32Array([3]) }],
    ]);
    const bytes = encodeSafetensors(dict, { format: "pt" });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(header.trimEnd()).toBe(
      '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
    );
    expect(header.slice(header.trimEnd().length)).toMatch(/^ *$/);
    expect(Array.from(new Float32Array(bytes.slice(8 + n).buffer))).toEqual([3, 1.5, -2]);
    const back = decodeSafetensors(bytes);
    // The same bytes at an odd offset inside a larger buffer (a fetch or file chunk): copies, not views.
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 1);
    const odd = decodeSafetensors(shifted.subarray(1, 1 + bytes.length));
    shifted.fill(0);
    expect(Array.from(odd.tensors.get("b")!.data)).toEqual([1.5, -2]);
    expect(back.metadata).toEqual({ format: "pt" });
    expect([...back.tensors.keys()]).toEqual(["a", "b"]);
    expect(Array.from(back.tensors.get("b")!.data)).toEqual([1.5, -2]);
  });

  it("reads a PyTorch-written file: I64 num_batches_tracked first (8-byte alignment), keys out of offset order, no simdnet metadata", () => {
    // What `safetensors.torch.save_file(nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2)).state_dict())`
    // lays out: tensors sorted by dtype alignment (I64 before F32), then by name.
    const f = (xs: number[]) => new Float32Array(xs);
    const tensors: [string, string, number[], Uint8Array][] = [
      ["1.num_batches_tracked", "I64", [], new Uint8Array(new BigInt64Array([123n]).buffer)],
      ["0.bias", "F32", [2], new Uint8Array(f([0.5, -0.5]).buffer)],
      ["0.weight", "F32", [2, 3], new Uint8Array(f([1, 2, 3, 4, 5, 6]).buffer)],
      ["1.bias", "F32", [2], new Uint8Array(f([0.1, 0.2]).buffer)],
      ["1.running_mean", "F32", [2], new Uint8Array(f([0.3, 0.4]).buffer)],
      ["1.running_var", "F32", [2], new Uint8Array(f([1.5, 2.5]).buffer)],
      ["1.weight", "F32", [2], new Uint8Array(f([0.7, 0.8]).buffer)],
    ];
    const entries: Record<string, unknown> = {};
    let offset = 0;
    for (const [name, dtype, shape, data] of tensors) {
      entries[name] = { dtype, shape, data_offsets: [offset, offset + data.length] };
      offset += data.length;
    }
    // Header key order differs from the data order on purpose: readers must go by offsets.
    const order = ["1.weight", "__metadata__", "0.weight", "1.num_batches_tracked", "1.running_var", "0.bias", "1.bias", "1.running_mean"];
    const header: Record<string, unknown> = {};
    for (const k of order) header[k] = k === "__metadata__" ? { format: "pt" } : entries[k];
    let json = JSON.stringify(header);
    json += " ".repeat((8 - (json.length % 8)) % 8);
    const bytes = new Uint8Array(8 + json.length + offset);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(new TextEncoder().encode(json), 8);
    let at = 8 + json.length;
    for (const [, , , data] of tensors) {
      bytes.set(data, at);
      at += data.length;
    }

    const decoded = decodeSafetensors(bytes, "torch.safetensors");
    expect(decoded.metadata).toEqual({ format: "pt" });
    expect(decoded.skipped).toEqual(["1.num_batches_tracked"]);
    expect([...decoded.tensors.keys()]).toEqual(["0.bias", "0.weight", "1.bias", "1.running_mean", "1.running_var", "1.weight"]);
    expect(decoded.tensors.get("0.weight")).toEqual({ shape: [2, 3], data: f([1, 2, 3, 4, 5, 6]) });

    const model = build(seq({ type: "Linear", inFeatures: 3, outFeatures: 2 }, { type: "BatchNorm1d", numFeatures: 2 }));
    loadWeightsFromBytes(model, bytes, "torch.safetensors");
    const state = model.stateDict();
    expect(Array.from(state.get("1.running_var")!.data)).toEqual(Array.from(f([1.5, 2.5])));
    expect(Array.from(state.get("0.weight")!.data)).toEqual([1, 2, 3, 4, 5, 6]);

    // The same file through the model-bytes path needs the architecture from elsewhere.
    expect(() => modelFromBytes(bytes, { engine: js, file: "torch.safetensors" })).toThrow(
      'torch.safetensors: __metadata__ "simdnet": expected the model description, got nothing',
    );
    const withDescription = modelFromBytes(bytes, { engine: js, description: describeModel(model) });
    expect(snapshot(withDescription.module)).toEqual(snapshot(model));
  });
});

describe("bad files give a clear error and leave the model unchanged", () => {
  const config = seq(
    { type: "Linear", inFeatures: 3, outFeatures: 4 }, { type: "BatchNorm1d", numFeatures: 4 }, { type: "ReLU" },
    { type: "Linear", inFeatures: 4, outFeatures: 2 },
  );

  /** A valid weights file for `config` and its header as an object, for surgical corruption. */
  function validFile(): { bytes: Uint8Array; header: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }> } {
    const source = build(config);
    randomize(source, 77);
    const bytes = encodeSafetensors(source.stateDict());
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    return { bytes, header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) };
  }

  /** Re-encodes `header` (padded) in front of `data`. */
  function withHeader(header: unknown, data: Uint8Array): Uint8Array {
    let json = JSON.stringify(header);
    json += " ".repeat((8 - (json.length % 8)) % 8);
    const out = new Uint8Array(8 + json.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(new TextEncoder().encode(json), 8);
    out.set(data, 8 + json.length);
    return out;
  }

  function dataOf(bytes: Uint8Array): Uint8Array {
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    return bytes.slice(8 + n);
  }

  type Corruption = { name: string; make: () => Uint8Array; message: RegExp };
  const cases: Corruption[] = [
    {
      name: "shorter than the length field",
      make: () => new Uint8Array(5),
      message: /w\.safetensors: file size: expected at least 8 bytes \(the header length\), got 5 bytes \(truncated\)/,
    },
    {
      name: "header length beyond the file",
      make: () => {
        const b = validFile().bytes;
        new DataView(b.buffer).setBigUint64(0, 1n << 40n, true);
        return b;
      },
      message: /w\.safetensors: header length: expected at most \d+ \(the bytes after the length field\), got 1099511627776/,
    },
    {
      name: "header that is not JSON",
      make: () => {
        const b = validFile().bytes;
        b[8] = "x".charCodeAt(0);
        return b;
      },
      message: /w\.safetensors: header: expected UTF-8 JSON, got unparsable text/,
    },
    {
      name: "header that is a JSON array",
      make: () => withHeader([1, 2], new Uint8Array(0)),
      message: /w\.safetensors: header: expected a JSON object, got \[1,2\]/,
    },
    {
      name: "wrong dtype",
      make: () => {
        const { bytes, header } = validFile();
        header["0.weight"]!.dtype = "F16";
        return withHeader(header, dataOf(bytes));
      },
      message: /w\.safetensors: tensor "0\.weight" dtype: expected "F32", got "F16" \(simdnet reads F32 weights only/,
    },
    {
      name: "shape that disagrees with the byte span",
      make: () => {
        const { bytes, header } = validFile();
        header["0.weight"]!.shape = [4, 4];
        return withHeader(header, dataOf(bytes));
      },
      message: /w\.safetensors: tensor "0\.weight" data_offsets: expected a span of 64 bytes \(shape \[4, 4\], F32\), got \[\d+, \d+\]/,
    },
    {
      name: "a shape the model does not have (file consistent in itself)",
      make: () => {
        const source = build(seq(
          { type: "Linear", inFeatures: 5, outFeatures: 4 }, { type: "BatchNorm1d", numFeatures: 4 }, { type: "ReLU" },
          { type: "Linear", inFeatures: 4, outFeatures: 2 },
        ));
        return encodeSafetensors(source.stateDict());
      },
      message: /w\.safetensors: loadStateDict "0\.weight" shape: expected \[4, 3\], got \[4, 5\]/,
    },
    {
      name: "missing key",
      make: () => {
        const source = build(config);
        const dict = source.stateDict();
        dict.delete("1.running_var");
        return encodeSafetensors(dict);
      },
      message: /w\.safetensors: loadStateDict key "1\.running_var": expected a tensor of shape \[4\], got nothing \(missing key\)/,
    },
    {
      name: "extra key",
      make: () => {
        const dict = build(config).stateDict();
        dict.set("5.weight", { shape: [1], data: new Float32Array([1]) });
        return encodeSafetensors(dict);
      },
      message: /w\.safetensors: loadStateDict key "5\.weight": expected one of the model's keys \(0\.weight, .*\), got an unexpected key/,
    },
    {
      name: "truncated data",
      make: () => validFile().bytes.slice(0, -6),
      message: /w\.safetensors: tensor "\d\.\w+" data_offsets end: expected at most \d+ \(the data size\), got \d+ \(truncated file\)/,
    },
    {
      name: "trailing bytes after the last tensor",
      make: () => {
        const b = validFile().bytes;
        const out = new Uint8Array(b.length + 4);
        out.set(b);
        return out;
      },
      message: /w\.safetensors: data size: expected \d+ bytes \(the end of the last tensor\), got \d+ bytes/,
    },
    {
      name: "overlapping tensors",
      make: () => {
        const { bytes, header } = validFile();
        header["0.weight"]!.data_offsets = [0, 48];
        return withHeader(header, dataOf(bytes));
      },
      message: /w\.safetensors: tensor "[^"]+" data_offsets begin: expected \d+ \(tensors must be contiguous, without overlap\), got \d+/,
    },
    {
      name: "a NaN weight",
      make: () => {
        const dict = build(config).stateDict();
        dict.get("3.bias")!.data[1] = Number.NaN;
        return encodeSafetensors(dict);
      },
      message: /w\.safetensors: loadStateDict "3\.bias" data\[1\]: expected a finite number, got NaN/,
    },
  ];

  for (const c of cases) {
    it(`${c.name} (bytes and file)`, () => {
      const model = build(config);
      randomize(model, 5);
      const before = snapshot(model);
      const bytes = c.make();
      expect(() => loadWeightsFromBytes(model, bytes, "w.safetensors")).toThrow(c.message);
      expect(() => loadWeightsFromBytes(model, bytes, "w.safetensors")).toThrow(SimdnetError);
      expect(snapshot(model)).toEqual(before);

      const path = join(dir, "w.safetensors");
      writeFileSync(path, bytes);
      expect(() => loadWeights(model, path)).toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `));
      expect(snapshot(model)).toEqual(before);
    });
  }

  it("missing weights file names the path", () => {
    const model = build(config);
    const path = join(dir, "nowhere.safetensors");
    expect(() => loadWeights(model, path)).toThrow(`${path}: expected a readable file, got ENOENT`);
  });

  describe("model folders", () => {
    function folder(name: string): string {
      const f = join(dir, name);
      const model = build(config);
      randomize(model, 3);
      saveModel(model, f, { inputShape: [3] });
      return f;
    }

    it("model.json that is not JSON", () => {
      const f = folder("badjson");
      writeFileSync(join(f, MODEL_JSON), "{ not json");
      expect(() => loadModel(f, { engine: js })).toThrow(new RegExp(`${MODEL_JSON}: model description: expected JSON, got unparsable text`));
    });

    it("model.json cut short", () => {
      const f = folder("truncjson");
      const text = readFileSync(join(f, MODEL_JSON), "utf8");
      writeFileSync(join(f, MODEL_JSON), text.slice(0, Math.floor(text.length / 2)));
      expect(() => loadModel(f, { engine: js })).toThrow(`${join(f, MODEL_JSON)}: model description: expected JSON, got unparsable text`);
    });

    it("unknown layer type", () => {
      const f = folder("unknown");
      const d = JSON.parse(readFileSync(join(f, MODEL_JSON), "utf8"));
      d.module.layers[2].type = "Swish";
      writeFileSync(join(f, MODEL_JSON), JSON.stringify(d));
      expect(() => loadModel(f, { engine: js })).toThrow(
        /model\.json: module config layers\[2\] type: expected one of Linear, Conv2d, .*, got "Swish"/,
      );
    });

    it("wrong format tag and version", () => {
      const f = folder("format");
      const d = JSON.parse(readFileSync(join(f, MODEL_JSON), "utf8"));
      writeFileSync(join(f, MODEL_JSON), JSON.stringify({ ...d, format: "keras" }));
      expect(() => loadModel(f, { engine: js })).toThrow(/model\.json: format: expected "simdnet-model", got "keras"/);
      writeFileSync(join(f, MODEL_JSON), JSON.stringify({ ...d, version: 9 }));
      expect(() => loadModel(f, { engine: js })).toThrow(/model\.json: version: expected 1, got 9/);
    });

    it("architecture and weights that do not match name the weights file", () => {
      const f = folder("mismatch");
      const d = JSON.parse(readFileSync(join(f, MODEL_JSON), "utf8"));
      d.module.layers[3].outFeatures = 5;
      writeFileSync(join(f, MODEL_JSON), JSON.stringify(d));
      expect(() => loadModel(f, { engine: js })).toThrow(
        new RegExp(`${MODEL_WEIGHTS}: loadStateDict "3\\.weight" shape: expected \\[5, 4\\], got \\[2, 4\\]`),
      );
    });

    it("missing folder names model.json", () => {
      expect(() => loadModel(join(dir, "absent"), { engine: js })).toThrow(/absent\/model\.json: expected a readable file, got ENOENT/);
    });

    it("a truncated model.safetensors in a folder", () => {
      const f = folder("trunc");
      const bytes = readFileSync(join(f, MODEL_WEIGHTS));
      writeFileSync(join(f, MODEL_WEIGHTS), bytes.subarray(0, bytes.length - 3));
      expect(() => loadModel(f, { engine: js })).toThrow(/model\.safetensors: tensor "[^"]+" data_offsets end: .*truncated file/);
    });
  });
});
