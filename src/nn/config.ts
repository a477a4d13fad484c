import { getEngine, type Engine } from "../engine.js";
import { checkOptions, fail, SimdnetError } from "../errors.js";
import { Registry } from "../registry.js";
import { GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from "./activation.js";
import { Dropout, Flatten, Identity } from "./basic.js";
import { Conv2d } from "./conv.js";
import { getDefaultRng } from "./init.js";
import { Linear } from "./linear.js";
import { failText, type Module, type ModuleConfig, type StatePlan } from "./module.js";
import { BatchNorm1d, BatchNorm2d, LayerNorm } from "./norm.js";
import { Embedding } from "./embedding.js";
import { ResidualBlock } from "./residual.js";
import { AvgPool2d, MaxPool2d } from "./pool.js";
import { Sequential } from "./sequential.js";

/**
 * The default size budget of a module built from a description: 512 MiB of parameters,
 * gradients and buffers (the reference networks need well under 10 MiB). WASM memory never
 * shrinks, so a description asking for more (e.g. a 260-byte model.json with a 30000 × 30000
 * Linear) is refused before anything is allocated; pass `maxBytes` to allow more.
 */
export const DEFAULT_MAX_MODULE_BYTES = 512 * 1024 * 1024;

/** Deepest nesting of Sequential configs accepted (deeper would exhaust the stack). */
export const MAX_CONFIG_DEPTH = 64;

/** Options of moduleFromConfig / planModule. */
export interface ModuleFromConfigOptions {
  /** Engine to build on (default getEngine()). */
  engine?: Engine;
  /** Most bytes the module may allocate (parameters, gradients, buffers); default {@link DEFAULT_MAX_MODULE_BYTES}. */
  maxBytes?: number;
}

/** What a description will allocate: its state-dict keys and shapes (in order), and its bytes. */
export interface ModulePlan {
  /** State-dict keys with shapes, in state-dict order. */
  state: [string, number[]][];
  /** Bytes the built module allocates at construction (data, gradients, buffers, block rounding). */
  bytes: number;
}

interface Builder {
  /** Checks the config without allocating (layers that allocate nothing are built and dropped). */
  plan(c: Record<string, unknown>, engine: Engine, path: string, depth: number): StatePlan & { children: [string, ModulePlanNode][] };
  build(c: Record<string, unknown>, engine: Engine, path: string, depth: number): Module;
}

interface ModulePlanNode extends StatePlan {
  children: [string, ModulePlanNode][];
}

/** Constructor options = the config minus `type` and the positional arguments, plus the engine. */
function opts(c: Record<string, unknown>, positional: readonly string[], engine: Engine): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (k !== "type" && !positional.includes(k)) o[k] = v;
  o["engine"] = engine;
  return o;
}

const NONE = { params: [], buffers: [], scratch: 0, children: [] };

/** A layer that allocates nothing at construction: planning builds it once to check its options. */
function plain(make: (c: Record<string, unknown>, e: Engine) => Module): Builder {
  return {
    plan(c, e) {
      make(c, e).dispose();
      return NONE;
    },
    build: make,
  };
}

/** A layer with parameters: a static plan checks everything without allocating. */
function weighted(plan: (c: Record<string, unknown>, e: Engine) => StatePlan, make: (c: Record<string, unknown>, e: Engine) => Module): Builder {
  return { plan: (c, e) => ({ ...plan(c, e), children: [] }), build: make };
}

/**
 * A layer whose state is built from others (ResidualBlock) or that is new to the format: planning
 * builds it once, reads its state-dict entries and frees it (it allocates only its own weights).
 */
function measured(make: (c: Record<string, unknown>, e: Engine) => Module): Builder {
  return {
    plan(c, e) {
      const m = make(c, e);
      try {
        const params = new Set(m.namedParameters().map(([k]) => k));
        const node: ModulePlanNode = { params: [], buffers: [], scratch: 0, children: [] };
        for (const [key, t] of m.stateDict()) {
          const dot = key.lastIndexOf(".");
          const prefix = dot < 0 ? "" : key.slice(0, dot);
          let target = node;
          if (prefix !== "") {
            const last = node.children[node.children.length - 1];
            if (last !== undefined && last[0] === prefix) target = last[1];
            else {
              target = { params: [], buffers: [], scratch: 0, children: [] };
              node.children.push([prefix, target]);
            }
          }
          (params.has(key) ? target.params : target.buffers).push([key.slice(dot + 1), t.shape]);
        }
        return node;
      } finally {
        m.dispose();
      }
    },
    build: make,
  };
}

function layerList(c: Record<string, unknown>): unknown[] {
  const layers = c["layers"];
  if (!Array.isArray(layers)) fail("Sequential config layers", "an array of layer configs", layers);
  const extra = Object.keys(c).filter((k) => k !== "type" && k !== "layers");
  if (extra.length > 0) failText("Sequential config", "only the keys type, layers", `unknown key "${extra[0]}"`);
  return layers;
}

const BUILDERS: Readonly<Record<string, Builder>> = {
  Linear: weighted(
    (c, e) => Linear.plan(c["inFeatures"], c["outFeatures"], opts(c, ["inFeatures", "outFeatures"], e)),
    (c, e) => new Linear(c["inFeatures"] as number, c["outFeatures"] as number, opts(c, ["inFeatures", "outFeatures"], e)),
  ),
  Conv2d: weighted(
    (c, e) => Conv2d.plan(c["inChannels"], c["outChannels"], c["kernelSize"], opts(c, ["inChannels", "outChannels", "kernelSize"], e)),
    (c, e) => new Conv2d(c["inChannels"] as number, c["outChannels"] as number, c["kernelSize"] as number,
      opts(c, ["inChannels", "outChannels", "kernelSize"], e)),
  ),
  BatchNorm1d: weighted(
    (c, e) => BatchNorm1d.plan(c["numFeatures"], opts(c, ["numFeatures"], e)),
    (c, e) => new BatchNorm1d(c["numFeatures"] as number, opts(c, ["numFeatures"], e)),
  ),
  BatchNorm2d: weighted(
    (c, e) => BatchNorm2d.plan(c["numFeatures"], opts(c, ["numFeatures"], e)),
    (c, e) => new BatchNorm2d(c["numFeatures"] as number, opts(c, ["numFeatures"], e)),
  ),
  MaxPool2d: plain((c, e) => new MaxPool2d(c["kernelSize"] as number, opts(c, ["kernelSize"], e))),
  AvgPool2d: plain((c, e) => new AvgPool2d(c["kernelSize"] as number, opts(c, ["kernelSize"], e))),
  Dropout: plain((c, e) => new Dropout((c["p"] as number | undefined) ?? 0.5, opts(c, ["p"], e))),
  Flatten: plain((c, e) => new Flatten(opts(c, [], e))),
  Identity: plain((c, e) => new Identity(opts(c, [], e))),
  ReLU: plain((c, e) => new ReLU(opts(c, [], e))),
  LeakyReLU: plain((c, e) => new LeakyReLU(opts(c, [], e))),
  Sigmoid: plain((c, e) => new Sigmoid(opts(c, [], e))),
  Tanh: plain((c, e) => new Tanh(opts(c, [], e))),
  Softmax: plain((c, e) => new Softmax(opts(c, [], e))),
  LogSoftmax: plain((c, e) => new LogSoftmax(opts(c, [], e))),
  GELU: plain((c, e) => new GELU(opts(c, [], e))),
  LayerNorm: measured((c, e) => new LayerNorm(c["normalizedShape"] as number[], opts(c, ["normalizedShape"], e))),
  Embedding: measured((c, e) => new Embedding(c["numEmbeddings"] as number, c["embeddingDim"] as number, opts(c, ["numEmbeddings", "embeddingDim"], e))),
  ResidualBlock: measured((c, e) => new ResidualBlock(c["inChannels"] as number, c["outChannels"] as number, opts(c, ["inChannels", "outChannels"], e))),
  Sequential: {
    plan(c, e, path, depth) {
      const children = layerList(c).map((l, i): [string, ModulePlanNode] => [String(i), planAt(l, e, `${path}layers[${i}]`, depth + 1)]);
      return { ...NONE, children };
    },
    build(c, e, path, depth) {
      const built: Module[] = [];
      try {
        layerList(c).forEach((l, i) => built.push(buildAt(l, e, `${path}layers[${i}]`, depth + 1)));
        return new Sequential(built);
      } catch (err) {
        // A failed build frees what it allocated: the layers built before the one that failed.
        for (const m of built) if (!m.isDisposed) m.dispose();
        throw err;
      }
    },
  },
};

/**
 * The layer types by class name: the one table model files, presets and the CLI build layers
 * from (src/registry.ts). Entries check a config without allocating (`plan`) and build it.
 */
const LAYER_TABLE = new Registry<Builder>("layer type", BUILDERS);

/** Names of the module types moduleFromConfig knows (the built-in ones and those added by registerLayer). */
export const LAYERS: { names(): string[]; has(name: unknown): boolean } = LAYER_TABLE;

/** Names of the built-in module types moduleFromConfig knows. */
export const MODULE_TYPES: readonly string[] = LAYER_TABLE.names();

/** Builds a layer of a registered type from its config (`type` included) on `engine`. */
export type LayerBuilder = (config: Record<string, unknown>, engine: Engine) => Module;

/**
 * Adds a layer type for `moduleFromConfig` and model files: `build(config, engine)` gets the
 * layer's `config()` (with `type`) and returns a fresh module on `engine`. Planning (the checks
 * before loading weights) builds such a layer once, reads its state-dict shapes and frees it.
 */
export function registerLayer(name: string, build: LayerBuilder): void {
  LAYER_TABLE.register(name, {
    plan(c, e) {
      const m = build(c, e);
      try {
        return {
          params: m.namedParameters().map(([n, p]): [string, number[]] => [n, [...p.shape]]),
          buffers: m.namedBuffers().map(([n, b]): [string, number[]] => [n, [...b.shape]]),
          scratch: 0, children: [],
        };
      } finally {
        m.dispose();
      }
    },
    build: (c, e) => build(c, e),
  });
}

/** Errors already prefixed with their config path (so enclosing levels do not prefix again). */
const prefixed = new WeakSet<Error>();

function lookup(config: unknown, path: string, depth: number): { c: Record<string, unknown>; builder: Builder } {
  const where = `module config${path ? " " + path.replace(/\.$/, "") : ""}`;
  if (depth > MAX_CONFIG_DEPTH) {
    // Short on purpose: the path at this depth would be thousands of characters long.
    const e = new SimdnetError(`module config: nesting depth: expected at most ${MAX_CONFIG_DEPTH} levels of Sequential, got more`);
    prefixed.add(e);
    throw e;
  }
  if (config === null || typeof config !== "object" || Array.isArray(config)) fail(where, "an object { type, ... }", config);
  const c = config as Record<string, unknown>;
  // Own properties only: "constructor", "toString" or "__proto__" from a file are not layer types.
  const type = Object.prototype.hasOwnProperty.call(c, "type") ? c["type"] : undefined;
  return { c, builder: LAYER_TABLE.get(type, `${where} type`) };
}

function withPath<T>(path: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (path && e instanceof SimdnetError && !prefixed.has(e)) {
      e.message = `module config ${path.replace(/\.$/, "")}: ${e.message}`;
    }
    if (e instanceof Error) prefixed.add(e);
    throw e;
  }
}

function planAt(config: unknown, engine: Engine, path: string, depth: number): ModulePlanNode {
  const { c, builder } = lookup(config, path, depth);
  return withPath(path, () => builder.plan(c, engine, path ? path + "." : "", depth));
}

function buildAt(config: unknown, engine: Engine, path: string, depth: number): Module {
  const { c, builder } = lookup(config, path, depth);
  return withPath(path, () => builder.build(c, engine, path ? path + "." : "", depth));
}

const BLOCK = 64;

function flatten(node: ModulePlanNode, prefix: string, out: ModulePlan): void {
  const floats = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const block = (n: number) => Math.max(BLOCK, Math.ceil((4 * n) / BLOCK) * BLOCK);
  for (const [name, shape] of node.params) {
    out.state.push([prefix + name, shape]);
    out.bytes += 2 * block(floats(shape)); // data and gradient
  }
  for (const [name, shape] of node.buffers) {
    out.state.push([prefix + name, shape]);
    out.bytes += block(floats(shape));
  }
  if (node.scratch > 0) out.bytes += 2 * block(node.scratch / 2);
  for (const [name, child] of node.children) flatten(child, `${prefix}${name}.`, out);
}

function checkedMaxBytes(v: unknown): number {
  if (v === undefined) return DEFAULT_MAX_MODULE_BYTES;
  if (typeof v !== "number" || !(v >= 0)) fail("maxBytes", "a number of bytes ≥ 0", v);
  return v;
}

/**
 * Checks a config without allocating anything: layer types (own names only), nesting depth, every
 * constructor argument and option, and the bytes the module would allocate against `maxBytes`.
 * Returns the state-dict keys and shapes the built module will have, so weights can be checked
 * against them before building.
 */
export function planModule(config: unknown, options: ModuleFromConfigOptions = {}): ModulePlan {
  checkOptions("planModule options", options, ["engine", "maxBytes"]);
  const maxBytes = checkedMaxBytes(options.maxBytes);
  const engine = options.engine ?? getEngine();
  // Planning builds layers without parameters to check their options; Dropout draws its seed from
  // the nn generator then, so the generator is put back to keep builds reproducible.
  const rng = getDefaultRng();
  const saved = rng.getState();
  let node: ModulePlanNode;
  try {
    node = planAt(config, engine, "", 0);
  } finally {
    rng.setState(saved);
  }
  const plan: ModulePlan = { state: [], bytes: 0 };
  flatten(node, "", plan);
  if (!(plan.bytes <= maxBytes)) {
    throw new SimdnetError(`module size: expected at most ${maxBytes} bytes of parameters, gradients and buffers (the maxBytes option), got ${plan.bytes}`);
  }
  return plan;
}

/**
 * Rebuilds a module from its `config()` (the JSON architecture description). Weights are
 * freshly initialised; load them with `loadStateDict`. Everything is checked (planModule) before
 * the first allocation, so a bad config allocates nothing. Unknown types or keys are errors that
 * name the path ("module config layers[3]: Linear options: unknown option ...").
 */
export function moduleFromConfig(config: ModuleConfig, options: ModuleFromConfigOptions = {}): Module {
  checkOptions("moduleFromConfig options", options, ["engine", "maxBytes"]);
  const engine = options.engine ?? getEngine();
  planModule(config, { ...options, engine });
  return buildAt(config, engine, "", 0);
}
