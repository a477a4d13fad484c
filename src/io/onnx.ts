/**
 * ONNX export: `exportOnnx(model, { inputShape })` writes an ONNX model (opset 13, IR version 7)
 * that ONNX Runtime, TensorRT, OpenVINO or `onnx2torch` can load, computing what the model
 * computes in eval mode (Dropout is the identity, BatchNorm uses its running statistics).
 *
 * ```ts
 * const bytes = exportOnnx(model, { inputShape: [1, 28, 28] });   // Uint8Array, an .onnx file
 * writeFileSync("mnist.onnx", bytes);                             // Node; in a browser: new Blob([bytes])
 * ```
 *
 * ## How it is built
 * The model is walked module by module; each layer type has an exporter in {@link ONNX_EXPORTERS}
 * (a Registry, like the layer table of model files) that appends nodes and initializers to an
 * {@link OnnxGraph} and returns its output value. Initializers are named by the state-dict keys
 * ("3.weight"), so the file's weights line up with model.safetensors and PyTorch's names.
 * Sequential nests by recursion. A layer type without an exporter is an error naming it.
 *
 * ## Graph models (issue 9)
 * A chain has one value flowing through; a graph model (residual blocks, two branches joined
 * with `cat`) has values used twice. {@link OnnxGraph} already takes any value as input, so
 * graph models need: a record of the operations forward ran (the autograd tape) and one
 * exporter per functional operation (add → Add, cat → Concat, matmul → MatMul, …), mapping each
 * recorded operation's inputs to the values of the ops that produced them.
 *
 * @module
 */

import { checkOptions, fail, SimdnetError } from "../errors.js";
import { AvgPool2d, MaxPool2d } from "../nn/pool.js";
import type { Module } from "../nn/module.js";
import { Registry } from "../registry.js";
import type { Tensor } from "../tensor.js";
import { ProtoWriter } from "./protobuf.js";

/** ONNX's TensorProto.DataType values used here. */
const FLOAT = 1;
const INT64 = 7;

/** The operator set the file declares (Softmax over one axis, ReduceMean with an axes attribute). */
export const ONNX_OPSET = 13;
/** IR version 7 is the one that goes with opset 13. */
const IR_VERSION = 7;

/** A value of the graph: its name and shape (dimension 0, the batch, may be symbolic: -1). */
export interface OnnxValue {
  readonly name: string;
  /** Shape with the batch first; -1 stands for the symbolic batch dimension. */
  readonly shape: readonly number[];
}

/** An attribute value: int, float, int list, or float list (by the JS type and the `floats` flag). */
export type OnnxAttribute = number | readonly number[] | { floats: readonly number[] } | { float: number };

interface NodeSpec {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: [string, OnnxAttribute][];
}

interface Initializer {
  name: string;
  dims: number[];
  type: number;
  raw: Uint8Array;
}

/** Nodes and initializers being collected for one graph. */
export class OnnxGraph {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: Initializer[] = [];
  private readonly used = new Set<string>();

  /** A value name not used yet, based on `base`. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a float32 initializer holding a copy of `data` (taken now: WASM memory may move later). */
  addFloats(name: string, dims: readonly number[], data: Float32Array): string {
    const n = this.fresh(name);
    const copy = new Float32Array(data);
    this.initializers.push({ name: n, dims: [...dims], type: FLOAT, raw: new Uint8Array(copy.buffer) });
    return n;
  }

  /** Adds a float32 initializer from a tensor's current values. */
  addTensor(name: string, t: Tensor): string {
    return this.addFloats(name, t.shape, t.f32);
  }

  /** Adds an int64 initializer (shapes for Reshape). */
  addInt64(name: string, values: readonly number[]): string {
    const n = this.fresh(name);
    const raw = new Uint8Array(8 * values.length);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
    this.initializers.push({ name: n, dims: [values.length], type: INT64, raw });
    return n;
  }

  /**
   * Appends a node computing `op` from `inputs` (value names; "" for an absent optional input)
   * and returns its output, named after `name`, with the given shape.
   */
  node(op: string, name: string, inputs: readonly string[], shape: readonly number[], attributes: Record<string, OnnxAttribute> = {}): OnnxValue {
    const out = this.fresh(`${name}_${op}`);
    this.nodes.push({ op, name: out, inputs: [...inputs], outputs: [out], attributes: Object.entries(attributes) });
    return { name: out, shape: [...shape] };
  }
}

/**
 * Exports one module: appends its nodes to `g` and returns the output value. `path` is the
 * module's state-dict prefix ("3." inside a Sequential, "" for the root) for naming weights.
 */
export type OnnxExporter = (g: OnnxGraph, module: Module, input: OnnxValue, path: string) => OnnxValue;

const stateName = (path: string, key: string): string => `${path}${key}`;
const nodeName = (path: string, module: Module): string => (path === "" ? module.type : path.slice(0, -1));

/** The output shape of `module` for `input`, keeping the symbolic batch dimension symbolic. */
function outShape(module: Module, input: OnnxValue): number[] {
  const batch = input.shape[0]!;
  const out = module.outputShape([batch < 0 ? 1 : batch, ...input.shape.slice(1)]);
  return batch < 0 ? [-1, ...out.slice(1)] : out;
}

/** Fields of a layer, read where the exporters need them (typed without importing each class). */
interface LayerFields {
  weight: { data: Tensor } | null;
  bias: { data: Tensor } | null;
}

function unary(op: string, attributes?: (m: Module) => Record<string, OnnxAttribute>): OnnxExporter {
  return (g, m, x, path) => g.node(op, nodeName(path, m), [x.name], x.shape, attributes?.(m));
}

const identity: OnnxExporter = (_g, _m, x) => x;

function pool(op: string): OnnxExporter {
  return (g, m, x, path) => {
    const p = m as MaxPool2d | AvgPool2d;
    const attributes: Record<string, OnnxAttribute> = {
      kernel_shape: p.kernelSize, strides: p.stride, pads: [p.padding[0], p.padding[1], p.padding[0], p.padding[1]],
    };
    if (p instanceof AvgPool2d) attributes["count_include_pad"] = p.countIncludePad ? 1 : 0;
    return g.node(op, nodeName(path, m), [x.name], outShape(m, x), attributes);
  };
}

interface BatchNormFields extends LayerFields {
  numFeatures: number;
  eps: number;
  trackRunningStats: boolean;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
}

/**
 * BatchNorm in eval mode: BatchNormalization with the running statistics; without them
 * (trackRunningStats false, PyTorch then uses the batch's statistics in eval mode too) the
 * normalisation is spelt out with ReduceMean over every axis but the channel one.
 */
const batchNorm: OnnxExporter = (g, m, x, path) => {
  const bn = m as unknown as BatchNormFields;
  const c = bn.numFeatures;
  const name = nodeName(path, m);
  const scale = bn.weight !== null ? g.addTensor(stateName(path, "weight"), bn.weight.data) : g.addFloats(`${name}.scale`, [c], new Float32Array(c).fill(1));
  const shift = bn.bias !== null ? g.addTensor(stateName(path, "bias"), bn.bias.data) : g.addFloats(`${name}.shift`, [c], new Float32Array(c));
  if (bn.trackRunningStats && bn.runningMean !== null && bn.runningVar !== null) {
    const mean = g.addTensor(stateName(path, "running_mean"), bn.runningMean);
    const variance = g.addTensor(stateName(path, "running_var"), bn.runningVar);
    return g.node("BatchNormalization", name, [x.name, scale, shift, mean, variance], x.shape, { epsilon: { float: bn.eps } });
  }
  const rank = x.shape.length;
  const axes = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
  // [C] parameters broadcast as [C, 1, …] against [N, C, …].
  const perChannel = [c, ...new Array<number>(rank - 2).fill(1)];
  const reduced = [1, c, ...new Array<number>(rank - 2).fill(1)];
  const mean = g.node("ReduceMean", `${name}_mean`, [x.name], reduced, { axes, keepdims: 1 });
  const centred = g.node("Sub", name, [x.name, mean.name], x.shape);
  const squared = g.node("Mul", name, [centred.name, centred.name], x.shape);
  const variance = g.node("ReduceMean", `${name}_var`, [squared.name], reduced, { axes, keepdims: 1 });
  const eps = g.addFloats(`${name}.eps`, [], new Float32Array([bn.eps]));
  const std = g.node("Sqrt", name, [g.node("Add", `${name}_var_eps`, [variance.name, eps], reduced).name], reduced);
  const normed = g.node("Div", name, [centred.name, std.name], x.shape);
  const shape = g.addInt64(`${name}.param_shape`, perChannel);
  const s = g.node("Reshape", `${name}_scale`, [scale, shape], perChannel);
  const b = g.node("Reshape", `${name}_shift`, [shift, shape], perChannel);
  return g.node("Add", name, [g.node("Mul", name, [normed.name, s.name], x.shape).name, b.name], x.shape);
};

/** The exporters by layer type (`module.type`). */
export const ONNX_EXPORTERS = /* @__PURE__ */ new Registry<OnnxExporter>("ONNX exporter", {
  Linear: (g, m, x, path) => {
    const l = m as unknown as LayerFields;
    const inputs = [x.name, g.addTensor(stateName(path, "weight"), l.weight!.data)];
    if (l.bias !== null) inputs.push(g.addTensor(stateName(path, "bias"), l.bias.data));
    return g.node("Gemm", nodeName(path, m), inputs, outShape(m, x), { transB: 1 });
  },
  Conv2d: (g, m, x, path) => {
    const c = m as unknown as LayerFields & { kernelSize: number[]; stride: number[]; padding: number[]; dilation: number[] };
    const inputs = [x.name, g.addTensor(stateName(path, "weight"), c.weight!.data)];
    if (c.bias !== null) inputs.push(g.addTensor(stateName(path, "bias"), c.bias.data));
    return g.node("Conv", nodeName(path, m), inputs, outShape(m, x), {
      kernel_shape: c.kernelSize, strides: c.stride, dilations: c.dilation, group: 1,
      pads: [c.padding[0]!, c.padding[1]!, c.padding[0]!, c.padding[1]!],
    });
  },
  MaxPool2d: pool("MaxPool"),
  AvgPool2d: pool("AveragePool"),
  BatchNorm1d: batchNorm,
  BatchNorm2d: batchNorm,
  ReLU: unary("Relu"),
  LeakyReLU: unary("LeakyRelu", (m) => ({ alpha: { float: (m as unknown as { negativeSlope: number }).negativeSlope } })),
  Sigmoid: unary("Sigmoid"),
  Tanh: unary("Tanh"),
  // Inputs are [N, C]: dim 1 and dim −1 are the same axis.
  Softmax: unary("Softmax", () => ({ axis: 1 })),
  LogSoftmax: unary("LogSoftmax", () => ({ axis: 1 })),
  Dropout: identity,
  Identity: identity,
  Flatten: (g, m, x, path) => {
    const f = m as unknown as { startDim: number; endDim: number };
    const shape = outShape(m, x);
    const r = x.shape.length;
    const s = f.startDim < 0 ? r + f.startDim : f.startDim;
    const e = f.endDim < 0 ? r + f.endDim : f.endDim;
    if (s === 1 && e === r - 1) return g.node("Flatten", nodeName(path, m), [x.name], shape, { axis: 1 });
    // Reshape: 0 copies the (symbolic) batch dimension; flattening it too leaves one -1.
    const target = s === 0 ? [-1, ...shape.slice(1)] : [0, ...shape.slice(1)];
    return g.node("Reshape", nodeName(path, m), [x.name, g.addInt64(`${nodeName(path, m)}.shape`, target)], shape);
  },
  Sequential: (g, m, x, path) => {
    let v = x;
    for (const [name, child] of m.children()) v = exportModule(g, child, v, `${path}${name}.`);
    return v;
  },
});

/** Adds an exporter for a layer type of your own (its `type`), so models using it export. */
export function registerOnnxExporter(type: string, exporter: OnnxExporter): void {
  ONNX_EXPORTERS.register(type, exporter);
}

/** Appends the nodes of `module` (any registered type) and returns its output value. */
export function exportModule(g: OnnxGraph, module: Module, input: OnnxValue, path = ""): OnnxValue {
  const where = path === "" ? `exportOnnx model (${module.type})` : `exportOnnx layer ${path.slice(0, -1)} (${module.type})`;
  if (!ONNX_EXPORTERS.has(module.type)) {
    throw new SimdnetError(`${where}: expected a layer type ONNX export knows (${ONNX_EXPORTERS.names().join(", ")}; add others with registerOnnxExporter), got "${module.type}"`);
  }
  return ONNX_EXPORTERS.get(module.type)(g, module, input, path);
}

/** Options of {@link exportOnnx}. */
export interface OnnxExportOptions {
  /** Shape of ONE input sample, without the batch dimension: [features] or [C, H, W]. */
  inputShape: readonly number[];
  /** A fixed batch size; default: a symbolic batch dimension named "N" (any batch size). */
  batchSize?: number;
  /** Name of the graph input (default "input"). */
  inputName?: string;
  /** Name of the graph output (default "output"). */
  outputName?: string;
  /** The graph's name (default "simdnet"). */
  graphName?: string;
}

function writeAttribute(w: ProtoWriter, name: string, value: OnnxAttribute): void {
  // AttributeProto: name 1, f 2, i 3, floats 7, ints 8, type 20 (FLOAT 1, INT 2, FLOATS 6, INTS 7).
  w.string(1, name);
  if (typeof value === "number") {
    w.int(3, value).int(20, 2);
  } else if (Array.isArray(value)) {
    for (const v of value as readonly number[]) w.int(8, v);
    w.int(20, 7);
  } else if ("float" in (value as object)) {
    w.float(2, (value as { float: number }).float).int(20, 1);
  } else {
    for (const v of (value as { floats: readonly number[] }).floats) w.float(7, v);
    w.int(20, 6);
  }
}

function writeValueInfo(w: ProtoWriter, v: OnnxValue): void {
  // ValueInfoProto { name 1, type 2: TypeProto { tensor_type 1: { elem_type 1, shape 2: { dim 1: { dim_value 1 | dim_param 2 } } } } }
  w.string(1, v.name);
  w.message(2, (type) => type.message(1, (tensor) => {
    tensor.int(1, FLOAT);
    tensor.message(2, (shape) => {
      for (const d of v.shape) shape.message(1, (dim) => (d < 0 ? dim.string(2, "N") : dim.int(1, d)));
    });
  }));
}

function positiveInts(what: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((d) => Number.isInteger(d) && d >= 1)) fail(what, "a non-empty array of positive integers", v);
  return v as number[];
}

/**
 * The model as an ONNX file (opset 13): one input `[N, ...inputShape]` (N symbolic unless
 * `batchSize` is given), one output, float32 throughout, computing the model's eval-mode
 * forward. Weights are copied as they are now; the model is not changed.
 *
 * @throws SimdnetError for a shape the model does not accept, or a layer type without an
 *   exporter (naming it and the known ones).
 */
export function exportOnnx(model: Module, options: OnnxExportOptions): Uint8Array {
  checkOptions("exportOnnx options", options, ["inputShape", "batchSize", "inputName", "outputName", "graphName"]);
  if (options === undefined || options === null) fail("exportOnnx options", "{ inputShape, ... }", options);
  const sample = positiveInts("exportOnnx inputShape", options.inputShape);
  const batch = options.batchSize ?? -1;
  if (batch !== -1 && !(Number.isInteger(batch) && batch >= 1)) fail("exportOnnx batchSize", "a positive integer", options.batchSize);
  for (const key of ["inputName", "outputName", "graphName"] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== "string" || v === "")) fail(`exportOnnx ${key}`, "a non-empty string", v);
  }
  try {
    model.outputShape([batch < 0 ? 1 : batch, ...sample]);
  } catch (e) {
    if (!(e instanceof SimdnetError)) throw e;
    throw new SimdnetError(`exportOnnx inputShape: expected a sample shape the model accepts (${e.message}), got [${sample.join(", ")}]`);
  }
  const g = new OnnxGraph();
  const input: OnnxValue = { name: g.fresh(options.inputName ?? "input"), shape: [batch, ...sample] };
  const outputName = g.fresh(options.outputName ?? "output");
  const result = exportModule(g, model, input);
  const last = g.nodes.at(-1);
  // The last node's output takes the graph output's name; a model that computes nothing
  // (Identity, Dropout) gets an Identity node, as a graph input cannot also be its output.
  if (last !== undefined && last.outputs[0] === result.name) last.outputs[0] = outputName;
  else {
    g.node("Identity", outputName, [result.name], result.shape);
    g.nodes.at(-1)!.outputs[0] = outputName;
  }
  const out: OnnxValue = { name: outputName, shape: result.shape };

  const w = new ProtoWriter();
  // ModelProto: ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8.
  w.int(1, IR_VERSION).string(2, "simdnet").string(3, "0.1.0");
  w.message(7, (graph) => {
    // GraphProto: node 1, name 2, initializer 5, input 11, output 12.
    for (const n of g.nodes) {
      graph.message(1, (node) => {
        // NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.
        for (const i of n.inputs) node.string(1, i);
        for (const o of n.outputs) node.string(2, o);
        node.string(3, n.name).string(4, n.op);
        for (const [name, value] of n.attributes) node.message(5, (a) => writeAttribute(a, name, value));
      });
    }
    graph.string(2, options.graphName ?? "simdnet");
    for (const t of g.initializers) {
      // TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian).
      graph.message(5, (tensor) => {
        for (const d of t.dims) tensor.int(1, d);
        tensor.int(2, t.type).string(8, t.name).bytes(9, t.raw);
      });
    }
    graph.message(11, (v) => writeValueInfo(v, input));
    graph.message(12, (v) => writeValueInfo(v, out));
  });
  w.message(8, (opset) => opset.string(1, "").int(2, ONNX_OPSET));
  return w.finish().slice();
}
