import { fail } from "../errors.js";
import { shapeSize } from "../backend/shapes.js";
import type { DType, Tensor } from "../tensor.js";
import { failText, Module, sameShape, type ModuleConfig } from "./module.js";
import { formatSummary, type Summary, type SummaryRow } from "./summary.js";

export type { Summary, SummaryRow };

/**
 * A chain of modules (PyTorch nn.Sequential): forward runs them in order, backward in reverse.
 * Children are named "0", "1", … so state-dict keys match PyTorch's ("0.weight", "4.running_mean").
 * The input shape is checked against every layer once per new shape, and a mismatch names the
 * layer: `Sequential layer 3 (Linear) input shape: expected [N, 800], got [32, 512]`.
 */
export class Sequential extends Module {
  override readonly type = "Sequential";
  /** The layers, in order (use add() to append). */
  readonly layers: Module[] = [];

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

  override inputDtype(): DType {
    return this.layers.length > 0 ? this.layers[0]!.inputDtype() : "float32";
  }

  override children(): [string, Module][] {
    return this.layers.map((l, i) => [String(i), l]);
  }

  override outputShape(inputShape: readonly number[], where: string = this.type): number[] {
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
    this.checkInput(x);
    let h = x;
    for (let i = 0; i < this.layers.length; i++) h = this.layers[i]!.forward(h);
    return h;
  }

  /**
   * Per-layer output shapes, parameter counts and FLOPs for ONE sample of shape `inputShape`
   * (no batch dimension, like torchsummary): e.g. summary([3, 32, 32]).
   */
  override summary(inputShape: readonly number[]): Summary {
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

  override config(): ModuleConfig {
    this.checkLive("config");
    return { type: this.type, layers: this.layers.map((l) => l.config()) };
  }
}
