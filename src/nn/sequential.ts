import { fail } from "../errors.js";
import { shapeSize } from "../backend/shapes.js";
import type { Tensor } from "../tensor.js";
import { failText, Module, sameShape, type ModuleConfig } from "./module.js";

/** One row of {@link Sequential.summary}. */
export interface SummaryRow {
  /** Child name ("0", "1", …), the PyTorch state-dict prefix. */
  name: string;
  /** Layer class ("Conv2d"). */
  type: string;
  /** Output shape of ONE sample (no batch dimension), e.g. [8, 28, 28]. */
  outputShape: number[];
  /** Trainable parameters of the layer. */
  params: number;
  /** Floating-point operations of one forward pass on one sample (a multiply-add counts 2). */
  flops: number;
}

/** The result of {@link Sequential.summary}: rows, totals, and `table` (printable text). */
export interface Summary {
  inputShape: number[];
  rows: SummaryRow[];
  outputShape: number[];
  totalParams: number;
  /** Values of non-trainable buffers (BatchNorm running statistics). */
  totalBuffers: number;
  totalFlops: number;
  /** A fixed-width table of the rows and totals, ready to print. */
  table: string;
}

/**
 * A chain of modules (PyTorch nn.Sequential): forward runs them in order, backward in reverse.
 * Children are named "0", "1", … so state-dict keys match PyTorch's ("0.weight", "4.running_mean").
 * The input shape is checked against every layer once per new shape, and a mismatch names the
 * layer: `Sequential layer 3 (Linear) input shape: expected [N, 800], got [32, 512]`.
 */
export class Sequential extends Module {
  readonly type = "Sequential";
  /** The layers, in order (use add() to append). */
  readonly layers: Module[] = [];
  private checkedShape: readonly number[] | null = null;

  /** `new Sequential(a, b, c)` or `new Sequential([a, b, c])`. All layers must share one engine. */
  constructor(...layers: (Module | Module[])[]) {
    const flat = layers.flat();
    // A non-module first argument would otherwise surface as a confusing "no engine" error.
    if (flat.length > 0 && !(flat[0] instanceof Module)) fail("Sequential layer 0", "a Module (Linear, Conv2d, ReLU, …)", flat[0]);
    super(flat.length > 0 ? { engine: (flat[0] as Module).engine } : {});
    for (const layer of flat) this.add(layer);
  }

  /** Appends a layer; returns this. */
  add(layer: Module): this {
    this.checkLive("add");
    if (!(layer instanceof Module)) fail(`Sequential layer ${this.layers.length}`, "a Module (Linear, Conv2d, ReLU, …)", layer);
    if (layer.isDisposed) failText(`Sequential layer ${this.layers.length} (${layer.type})`, "a live module", `a disposed ${layer.type}`);
    if (layer.engine !== this.engine) {
      failText(`Sequential layer ${this.layers.length} (${layer.type}) engine`, `the engine of the first layer (${this.engine.backend})`, `another engine (${layer.engine.backend})`);
    }
    layer.training = this.training;
    this.layers.push(layer);
    this.checkedShape = null;
    return this;
  }

  /** The layer at index i. */
  get(i: number): Module {
    const layer = this.layers[i];
    if (layer === undefined) fail("Sequential index", `an integer in [0, ${this.layers.length})`, i);
    return layer;
  }

  get length(): number {
    return this.layers.length;
  }

  override children(): [string, Module][] {
    return this.layers.map((l, i) => [String(i), l]);
  }

  outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    let shape: readonly number[] = inputShape;
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i]!;
      shape = layer.outputShape(shape, `${where} layer ${i} (${layer.type})`);
    }
    return [...shape];
  }

  override flops(inputShape: readonly number[]): number {
    let total = 0;
    let shape: readonly number[] = inputShape;
    for (const layer of this.layers) {
      total += layer.flops(shape);
      shape = layer.outputShape(shape);
    }
    return total;
  }

  forward(x: Tensor): Tensor {
    this.checkTensor("input", x);
    if (this.checkedShape === null || !sameShape(this.checkedShape, x.shape)) {
      this.outputShape(x.shape);
      this.checkedShape = [...x.shape];
    }
    let h = x;
    for (let i = 0; i < this.layers.length; i++) h = this.layers[i]!.forward(h);
    this.out = null;
    this.last = h;
    return h;
  }

  private last: Tensor | null = null;

  /** Runs backward through every layer in reverse; the first layer skips dx when inputGrad is false. */
  backward(dy: Tensor): Tensor {
    this.checkLive("backward");
    let g = dy;
    if (this.layers.length > 0) this.layers[0]!.inputGrad = this.inputGrad;
    for (let i = this.layers.length - 1; i >= 0; i--) g = this.layers[i]!.backward(g);
    return g;
  }

  override get output(): Tensor | null {
    return this.last;
  }

  protected override releaseActivations(): void {
    this.last = null;
  }

  /**
   * Per-layer output shapes, parameter counts and FLOPs for ONE sample of shape `inputShape`
   * (no batch dimension, like torchsummary): e.g. summary([3, 32, 32]).
   */
  summary(inputShape: readonly number[]): Summary {
    this.checkLive("summary");
    shapeSize("summary inputShape", inputShape);
    let shape: number[] = [1, ...inputShape];
    const rows: SummaryRow[] = [];
    let totalFlops = 0;
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i]!;
      const out = layer.outputShape(shape, `Sequential layer ${i} (${layer.type})`);
      const flops = layer.flops(shape);
      rows.push({ name: String(i), type: layer.type, outputShape: out.slice(1), params: layer.numParameters(), flops });
      totalFlops += flops;
      shape = out;
    }
    const totalParams = this.numParameters();
    let totalBuffers = 0;
    for (const b of this.buffers()) totalBuffers += b.size;
    const table = formatSummary(inputShape, rows, totalParams, totalBuffers, totalFlops);
    return { inputShape: [...inputShape], rows, outputShape: shape.slice(1), totalParams, totalBuffers, totalFlops, table };
  }

  config(): ModuleConfig {
    this.checkLive("config");
    return { type: this.type, layers: this.layers.map((l) => l.config()) };
  }
}

/** Thousands separators: 1234567 → "1,234,567". */
function group(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function formatSummary(inputShape: readonly number[], rows: SummaryRow[], params: number, buffers: number, flops: number): string {
  const head = ["Layer (type)", "Output shape", "Params", "FLOPs"];
  const body = rows.map((r) => [`${r.name} (${r.type})`, `[${r.outputShape.join(", ")}]`, group(r.params), group(r.flops)]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((s, c) => (c >= 2 ? s.padStart(widths[c]!) : s.padEnd(widths[c]!))).join("  ");
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  return [
    `Input shape: [${inputShape.join(", ")}] (one sample)`,
    line(head),
    "=".repeat(total),
    ...body.map(line),
    "=".repeat(total),
    `Total params: ${group(params)}`,
    `Non-trainable buffer values: ${group(buffers)}`,
    `FLOPs per sample (multiply-add = 2): ${group(flops)}`,
  ].join("\n");
}
