/**
 * Seeded, structure-aware fuzz targets for every reader of untrusted bytes (safetensors, model
 * descriptions and folders, IDX plain and gzip, CSV) and for option objects.
 *
 * Each target turns (seed, case index) into one input — a valid document of its format, then
 * zero or more mutations that know the structure (a shape entry set to -1, a layer type set to
 * "constructor", a header length beyond the file, a gzip stream cut short…) — and runs the reader
 * on it. A case passes when the reader accepts the input or throws a SimdnetError, and when a
 * failed model load leaves the engine's allocator and WASM memory exactly as they were. The
 * library is passed in (`lib`), so the same targets run on src/ in `npm test` (tests/safety/fuzz.test.ts)
 * and on dist/ in the worker harness (`npm run fuzz`, scripts/fuzz.mjs).
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** mulberry32: small, fast and good enough to pick mutations; seeded per case. */
export function caseRng(seed, target, index) {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const ch of `${target}:${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x85ebca6b) >>> 0;
  let a = h;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  return { next, int, pick, chance };
}

/** Values a careless caller or a hostile file puts where a number, string, list or object belongs. */
const HOSTILE = [
  undefined, null, Number.NaN, Infinity, -Infinity, -1, 0, 0.5, 1, 2, 3, 7, 1e9, 2 ** 31, 2 ** 53, 1e300, -0,
  "", "1", "a", "NA", "__proto__", "constructor", "toString", true, false, [], [1], [0, 0], [-1, 2], [1, 2, 3], ["x"],
  {}, { name: "x" }, { a: 1 }, 1n, Symbol("s"), () => 0,
];
const JSON_HOSTILE = HOSTILE.filter((v) => v !== undefined && typeof v !== "bigint" && typeof v !== "symbol" && typeof v !== "function" && !(typeof v === "number" && !Number.isFinite(v)));
const PROTO_NAMES = ["constructor", "toString", "__proto__", "valueOf", "hasOwnProperty", "isPrototypeOf", "toLocaleString"];

function mutateBytes(r, bytes) {
  const out = new Uint8Array(bytes);
  const kind = r.int(0, 4);
  if (kind === 0 && out.length > 0) for (let i = r.int(1, 8); i > 0; i--) out[r.int(0, out.length - 1)] = r.int(0, 255);
  if (kind === 1) return out.subarray(0, r.int(0, out.length));
  if (kind === 2) {
    const extra = new Uint8Array(out.length + r.int(1, 64));
    extra.set(out);
    for (let i = out.length; i < extra.length; i++) extra[i] = r.int(0, 255);
    return extra;
  }
  if (kind === 3 && out.length > 8) out.copyWithin(r.int(0, out.length - 1), r.int(0, out.length - 1), r.int(0, out.length));
  return out;
}

/** Replaces one value somewhere in a JSON tree with a hostile one (or deletes/adds a key). */
function mutateJson(r, value, depth = 0) {
  if (Array.isArray(value)) {
    if (value.length === 0 || r.chance(0.2)) return r.chance(0.5) ? r.pick(JSON_HOSTILE) : [...value, r.pick(JSON_HOSTILE)];
    const i = r.int(0, value.length - 1);
    const copy = [...value];
    copy[i] = mutateJson(r, copy[i], depth + 1);
    return copy;
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    const copy = { ...value };
    const roll = r.next();
    if (keys.length === 0 || roll < 0.1) copy[r.pick(["extra", "__proto__", "type", "layers", "bias", ...keys])] = r.pick(JSON_HOSTILE);
    else if (roll < 0.2) delete copy[r.pick(keys)];
    else {
      const k = r.pick(keys);
      copy[k] = mutateJson(r, copy[k], depth + 1);
    }
    return copy;
  }
  if (typeof value === "string" && r.chance(0.5)) return r.pick([...PROTO_NAMES, "Linear", "Conv2d", "F16", "I64", "F32", "", "Sequential"]);
  if (typeof value === "number" && r.chance(0.5)) return r.pick([-1, 0, 1, 2 ** 31, 2 ** 53, 1e9, 30000, 0.5, 1e300]);
  return r.pick(JSON_HOSTILE);
}

function tensorsFor(r, shapes) {
  const map = new Map();
  for (const [name, shape] of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = r.next() * 2 - 1;
    map.set(name, { shape, data });
  }
  return map;
}

/** The header JSON text of a safetensors file and where its bytes start. */
function splitSafetensors(bytes) {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: new TextDecoder().decode(bytes.subarray(8, 8 + n)), data: bytes.subarray(8 + n) };
}

function joinSafetensors(headerText, data, lengthOverride) {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function mutateSafetensors(r, bytes) {
  const { header, data } = splitSafetensors(bytes);
  const roll = r.next();
  if (roll < 0.3) return mutateBytes(r, bytes);
  if (roll < 0.4) return joinSafetensors(header, data, r.pick([0n, 1n, 7n, BigInt(header.length + 1), 2n ** 40n, 2n ** 63n, 2n ** 64n - 1n]));
  if (roll < 0.5) return joinSafetensors(header.slice(0, r.int(0, header.length)), data);
  let parsed;
  try {
    parsed = JSON.parse(header);
  } catch {
    return bytes;
  }
  return joinSafetensors(JSON.stringify(mutateJson(r, parsed)), r.chance(0.3) ? mutateBytes(r, data) : data);
}

// ---------------------------------------------------------------- model descriptions

function randomLayerConfigs(r, inFeatures) {
  const layers = [];
  let width = inFeatures;
  const count = r.int(1, 5);
  for (let i = 0; i < count; i++) {
    const kind = r.pick(["Linear", "Linear", "ReLU", "Tanh", "Dropout", "BatchNorm1d", "Identity", "LeakyReLU", "Sequential"]);
    if (kind === "Linear") {
      const out = r.int(1, 12);
      layers.push({ type: "Linear", inFeatures: width, outFeatures: out, bias: r.chance(0.8) });
      width = out;
    } else if (kind === "BatchNorm1d") layers.push({ type: "BatchNorm1d", numFeatures: width, eps: 1e-5, momentum: 0.1, affine: r.chance(0.8), trackRunningStats: r.chance(0.8) });
    else if (kind === "Dropout") layers.push({ type: "Dropout", p: r.pick([0, 0.25, 0.5]) });
    else if (kind === "Sequential") layers.push({ type: "Sequential", layers: [{ type: "ReLU" }] });
    else layers.push({ type: kind });
  }
  return { type: "Sequential", layers };
}

function convConfig(r) {
  const c = r.int(1, 3);
  const k = r.int(1, 3);
  return { type: "Sequential", layers: [
    { type: "Conv2d", inChannels: c, outChannels: r.int(1, 4), kernelSize: k, stride: r.int(1, 2), padding: r.pick([0, 1, "same", "valid"]), dilation: 1, bias: true },
    { type: r.pick(["MaxPool2d", "AvgPool2d"]), kernelSize: 2 },
    { type: "BatchNorm2d", numFeatures: 1 },
    { type: "Flatten" },
  ] };
}

function descriptionText(module) {
  return JSON.stringify({ format: "simdnet-model", version: 1, module, inputShape: null, extra: {} });
}

/** Deep nesting as text: JSON.stringify itself overflows the stack a few thousand levels down. */
function nestedText(depth) {
  const module = '{"type":"Sequential","layers":['.repeat(depth) + '{"type":"ReLU"}' + "]}".repeat(depth);
  return `{"format":"simdnet-model","version":1,"module":${module},"inputShape":null,"extra":{}}`;
}

/** A model file: a valid module and its weights, then structural mutations of either. */
function modelCase(lib, r, engine) {
  const config = r.chance(0.8) ? randomLayerConfigs(r, r.int(1, 8)) : convConfig(r);
  let module = config;
  let weights = null;
  try {
    // The weights the description needs, from its plan: no module is built to make them.
    weights = tensorsFor(r, lib.planModule(config, { engine }).state);
  } catch (e) {
    if (!(e instanceof lib.SimdnetError)) throw e;
    weights = new Map();
  }
  const roll = r.next();
  let text = null;
  if (roll < 0.35) module = mutateJson(r, config);
  else if (roll < 0.42) text = nestedText(r.pick([10, 63, 64, 65, 500, 2500]));
  else if (roll < 0.5) module = { type: r.pick(PROTO_NAMES) };
  else if (roll < 0.55) module = { type: "Linear", inFeatures: r.pick([30000, 2 ** 20, 1e9]), outFeatures: r.pick([30000, 4096, 2 ** 31]) };
  if (r.chance(0.4)) {
    weights = new Map(weights);
    const keys = [...weights.keys()];
    const key = keys.length > 0 ? r.pick(keys) : "0.weight";
    const v = weights.get(key);
    const which = r.int(0, 4);
    if (which === 0) weights.delete(key);
    else if (which === 1 && v) weights.set(key, { shape: v.shape, data: v.data.map(() => r.pick([Number.NaN, -1, Infinity, 0])) });
    else if (which === 2 && v) weights.set(key, { shape: [...v.shape, 1], data: v.data });
    else if (which === 3) weights.set(`${key}.extra`, { shape: [1], data: new Float32Array(1) });
    else if (v && key.endsWith("running_var")) weights.set(key, { shape: v.shape, data: v.data.map(() => -0.5) });
  }
  text ??= descriptionText(module);
  if (r.chance(0.15)) text = text.slice(0, r.int(0, text.length));
  let bytes = lib.encodeSafetensors(weights, { format: "pt", simdnet: text });
  if (r.chance(0.25)) bytes = mutateSafetensors(r, bytes);
  return { bytes, text, weights };
}

function footprint(engine) {
  return `${engine.allocator.liveBytes}/${engine.allocator.liveBlocks}/${engine.memory.buffer.byteLength}`;
}

// ---------------------------------------------------------------- CSV

function csvCase(r) {
  const delimiter = r.pick([",", ";", "\t", "|", ","]);
  const cols = r.int(1, 5);
  const rows = r.int(0, 12);
  const cell = () => {
    const roll = r.next();
    if (roll < 0.5) return String(r.int(-5, 5) + (r.chance(0.5) ? r.next() : 0));
    if (roll < 0.6) return r.pick(["NA", "", "?", "null", "NaN", "1e400", "-0", " 3 ", "0x10"]);
    if (roll < 0.7) return `"${r.pick(["a,b", 'q""q', "line\nbreak", "x"])}"`;
    if (roll < 0.8) return r.pick(["100000000", "4294967296", "99999999999999999999", "007", "3"]);
    return r.pick(["cat", "dog", "__proto__", "constructor", "toString", "é", "\u0000"]);
  };
  const lines = [];
  if (r.chance(0.8)) lines.push(Array.from({ length: cols }, (_, i) => r.chance(0.9) ? `c${i}` : r.pick(["", "c0", "__proto__"])).join(delimiter));
  for (let i = 0; i < rows; i++) {
    const n = r.chance(0.9) ? cols : r.int(0, cols + 2);
    lines.push(Array.from({ length: n }, cell).join(delimiter));
  }
  let text = lines.join(r.pick(["\n", "\r\n", "\n\n"]));
  if (r.chance(0.1)) text = text.slice(0, r.int(0, text.length));
  if (r.chance(0.05)) text += '"unterminated';
  const options = {};
  const names = Array.from({ length: cols }, (_, i) => `c${i}`);
  if (r.chance(0.5)) return { text, options };
  if (r.chance(0.3)) options.label = r.chance(0.7) ? r.pick([...names, 0, cols - 1]) : r.pick(HOSTILE);
  if (r.chance(0.2)) options.features = r.chance(0.7) ? [r.pick(names)] : r.pick(HOSTILE);
  if (r.chance(0.2)) options.header = r.chance(0.5) ? r.chance(0.5) : r.pick(HOSTILE);
  if (r.chance(0.1)) options.delimiter = r.chance(0.5) ? delimiter : r.pick(HOSTILE);
  if (r.chance(0.2)) options.labelEncoding = r.chance(0.5) ? r.pick(["auto", "categorical", ["cat", "dog"]]) : r.pick(HOSTILE);
  if (r.chance(0.1)) options.missing = r.chance(0.5) ? ["NA"] : r.pick(HOSTILE);
  if (r.chance(0.1)) options.maxClasses = r.pick([1, 2, 5, ...HOSTILE]);
  if (r.chance(0.05)) options[r.pick(["lable", "__proto__", "constructor"])] = 1;
  return { text, options };
}

// ---------------------------------------------------------------- IDX

function idxCase(lib, r) {
  const ndim = r.int(1, 4);
  const dims = Array.from({ length: ndim }, () => r.int(0, 5));
  const size = dims.reduce((a, b) => a * b, 1);
  const data = new Uint8Array(size).map(() => r.int(0, 255));
  let bytes = lib.encodeIdx(dims, data);
  const roll = r.next();
  if (roll < 0.4) bytes = mutateBytes(r, bytes);
  else if (roll < 0.55) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length >= 8) view.setUint32(4 + 4 * r.int(0, ndim - 1), r.pick([0, 1, 0xffffffff, 2 ** 31, 65536]), false);
  } else if (roll < 0.6 && bytes.length >= 4) bytes[3] = r.pick([0, 5, 255]);
  return { bytes, ndim: r.chance(0.5) ? ndim : undefined };
}

// ---------------------------------------------------------------- option objects

function hostileOptions(r, keys) {
  const o = {};
  for (const k of keys) if (r.chance(0.3)) o[k] = r.pick(HOSTILE);
  if (r.chance(0.05)) o[r.pick(["lr", "bais", "__proto__", "constructor"])] = 1;
  return r.chance(0.05) ? r.pick(HOSTILE) : o;
}

function optionCase(lib, r, engine) {
  const e = { engine };
  // Sizes that fit WASM memory but not a test machine (1e9 floats = 4 GB) are left out: the API
  // allocates what a caller asks for; only descriptions from files have a size budget.
  const arg = () => (r.chance(0.6) ? r.int(1, 6) : r.pick(HOSTILE.filter((v) => v !== 1e9)));
  const which = r.int(0, 13);
  const made = [];
  const keep = (m) => {
    made.push(m);
    return m;
  };
  try {
    switch (which) {
      case 0: keep(new lib.Linear(arg(), arg(), { ...hostileOptions(r, ["bias", "init", "weightInit", "biasInit", "rng"]), ...e })); break;
      case 1: keep(new lib.Conv2d(arg(), arg(), arg(), { ...hostileOptions(r, ["stride", "padding", "dilation", "bias", "init", "rng"]), ...e })); break;
      case 2: keep(new lib.BatchNorm1d(arg(), { ...hostileOptions(r, ["eps", "momentum", "affine", "trackRunningStats"]), ...e })); break;
      case 3: keep(new lib.Dropout(r.pick(HOSTILE), { ...hostileOptions(r, ["seed"]), ...e })); break;
      case 4: keep(new lib.MaxPool2d(arg(), { ...hostileOptions(r, ["stride", "padding"]), ...e })); break;
      case 5: keep(new lib.Flatten({ ...hostileOptions(r, ["startDim", "endDim"]), ...e })); break;
      case 6: keep(new lib.LeakyReLU({ ...hostileOptions(r, ["negativeSlope"]), ...e })); break;
      case 7: {
        const m = keep(new lib.Linear(3, 2, e));
        const ctor = r.pick([lib.SGD, lib.Adam, lib.AdamW, lib.RMSprop]);
        const o = new ctor(m, hostileOptions(r, ["lr", "momentum", "dampening", "nesterov", "weightDecay", "betas", "eps", "amsgrad", "alpha", "centered"]));
        try {
          o.lr = r.chance(0.5) ? 0.1 : r.pick(HOSTILE);
          o.zeroGrad();
          o.step();
        } finally {
          o.dispose();
        }
        break;
      }
      case 8: new lib.DataLoader(new Float32Array(12), new Int32Array(6), [2], hostileOptions(r, ["batchSize", "shuffle", "dropLast", "rng", "augment"])); break;
      case 9: lib.parseCsv("a,b\n1,0\n2,1\n", hostileOptions(r, ["label", "features", "header", "delimiter", "labelEncoding", "missing", "maxClasses"])); break;
      case 10: lib.parseMnist(lib.encodeIdx([1, 2, 2], new Uint8Array(4)), lib.encodeIdx([1], new Uint8Array(1)), hostileOptions(r, ["limit", "normalize", "names"])); break;
      case 11: keep(lib.moduleFromConfig(r.chance(0.5) ? { type: "Linear", inFeatures: arg(), outFeatures: arg(), ...hostileOptions(r, ["bias", "init"]) } : r.pick(HOSTILE), { maxBytes: r.pick([undefined, 0, 100, 1 << 20, -1, "1", Number.NaN]), ...e })); break;
      case 12: {
        const m = keep(new lib.Linear(2, 2, e));
        const x = engine.zeros([2, 2]);
        try {
          m.forward(r.chance(0.7) ? x : r.pick(HOSTILE));
          m.backward(r.chance(0.7) ? x : r.pick(HOSTILE));
        } finally {
          x.dispose();
        }
        break;
      }
      default: lib.checkDescription(mutateJson(r, { format: "simdnet-model", version: 1, module: { type: "ReLU" }, inputShape: [2], extra: {} }), "fuzz");
    }
  } finally {
    for (const m of made) if (!m.isDisposed) m.dispose();
  }
}

// ---------------------------------------------------------------- the targets

/**
 * The fuzz targets. `run(index)` builds case `index` of `seed` and runs the reader; it returns
 * "ok" or "named" (a SimdnetError) and throws anything else (a bug). Model targets also throw when
 * a failed load changed the engine's live bytes, blocks or memory size.
 */
export function makeTargets(lib, engine, seed) {
  let folder = null;
  const tempFolder = () => (folder ??= mkdtempSync(join(tmpdir(), "simdnet-fuzz-")));
  const named = (fn) => {
    try {
      fn();
      return "ok";
    } catch (e) {
      if (e instanceof lib.SimdnetError) return "named";
      throw e;
    }
  };
  const namedAsync = async (fn) => {
    try {
      await fn();
      return "ok";
    } catch (e) {
      if (e instanceof lib.SimdnetError) return "named";
      throw e;
    }
  };
  const checkedLoad = (load) => {
    const before = footprint(engine);
    try {
      load().module.dispose();
      return "ok";
    } catch (e) {
      if (!(e instanceof lib.SimdnetError)) throw e;
      const after = footprint(engine);
      if (after !== before) throw new Error(`failed load changed memory (live bytes/blocks/memory size) ${before} -> ${after}: ${e.message}`);
      return "named";
    }
  };
  return {
    safetensors: (i) => {
      const r = caseRng(seed, "safetensors", i);
      const names = ["0.weight", "0.bias", "1.running_var", "w", "__proto__", "é"];
      const shapes = Array.from({ length: r.int(0, 4) }, () => [r.pick(names) + r.int(0, 9), Array.from({ length: r.int(0, 3) }, () => r.int(0, 4))]);
      const bytes = lib.encodeSafetensors(tensorsFor(r, shapes), r.chance(0.5) ? { simdnet: "{}", format: "pt" } : {});
      return named(() => lib.decodeSafetensors(r.chance(0.9) ? mutateSafetensors(r, bytes) : bytes, "fuzz.safetensors"));
    },
    model: (i) => {
      const r = caseRng(seed, "model", i);
      const { bytes, text } = modelCase(lib, r, engine);
      if (r.chance(0.02)) {
        // The folder form: model.json and model.safetensors on disk.
        const dir = join(tempFolder(), String(i % 4));
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "model.json"), text);
        writeFileSync(join(dir, "model.safetensors"), bytes);
        return checkedLoad(() => lib.loadModel(dir, { engine, maxBytes: 16 << 20 }));
      }
      if (r.chance(0.1)) {
        // Weights into an existing model: on failure its state must be unchanged.
        const target = lib.moduleFromConfig(randomLayerConfigs(r, 4), { engine });
        try {
          const before = target.stateDict();
          const outcome = named(() => lib.loadWeightsFromBytes(target, bytes, "fuzz"));
          if (outcome === "named") {
            const after = target.stateDict();
            for (const [k, v] of before) {
              if (!v.data.every((x, j) => Object.is(x, after.get(k).data[j]))) throw new Error(`failed loadWeights changed "${k}"`);
            }
          }
          return outcome;
        } finally {
          target.dispose();
        }
      }
      return checkedLoad(() => lib.modelFromBytes(bytes, { engine, maxBytes: 16 << 20 }));
    },
    idx: async (i) => {
      const r = caseRng(seed, "idx", i);
      const { bytes, ndim } = idxCase(lib, r);
      if (r.chance(0.3)) {
        let gz = gzipSync(bytes);
        if (r.chance(0.5)) gz = mutateBytes(r, gz);
        return namedAsync(() => lib.decodeIdx(gz, "fuzz.idx.gz", ndim));
      }
      if (r.chance(0.1)) return named(() => lib.parseMnist(bytes, mutateBytes(r, bytes), { limit: r.int(1, 3) }));
      return named(() => lib.parseIdx(bytes, "fuzz.idx", ndim));
    },
    csv: (i) => {
      const r = caseRng(seed, "csv", i);
      const { text, options } = csvCase(r);
      return named(() => lib.parseCsv(text, options));
    },
    options: (i) => {
      const r = caseRng(seed, "options", i);
      const before = footprint(engine);
      const outcome = named(() => optionCase(lib, r, engine));
      const after = footprint(engine);
      const [b0, b1] = before.split("/");
      const [a0, a1] = after.split("/");
      if (a0 !== b0 || a1 !== b1) throw new Error(`options case leaked (live bytes/blocks ${before} -> ${after})`);
      return outcome;
    },
    // Harness self-test (SIMDNET_FUZZ_SELFTEST=1): case 2 hangs, or exhausts the heap.
    _hang: (i) => {
      if (i === 2) for (;;);
      return "ok";
    },
    _oom: (i) => {
      const hog = [];
      if (i === 2) for (;;) hog.push(new Array(1 << 20).fill(i));
      return "ok";
    },
    cleanup: () => {
      if (folder !== null) rmSync(folder, { recursive: true, force: true });
      folder = null;
    },
  };
}

/** The names of the targets, in the order the harness runs them. */
export const TARGETS = ["safetensors", "model", "idx", "csv", "options"];

/** Targets that only prove the harness catches hangs and out-of-memory aborts. */
export const SELFTEST_TARGETS = ["_hang", "_oom"];
