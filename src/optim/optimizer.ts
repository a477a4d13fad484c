import type { Engine } from "../engine.js";
import { checkOptions, fail, SimdnetError } from "../errors.js";
import { failText, Module, Parameter, type StateDict } from "../nn/module.js";
import type { Tensor } from "../tensor.js";
import { optBoolean, optNumberAtLeast } from "../validate.js";

/** What optimizers accept as parameters: a list, or a module (its parameters()). */
export type Params = readonly Parameter[] | Module;

/** Validates a finite number option ≥ lo (and < hiOpen when given); see src/validate.ts. */
export const optNum = optNumberAtLeast;

/** Validates an optional boolean option; see src/validate.ts. */
export const optBool = optBoolean;

/**
 * Base of the optimizers: one parameter group, PyTorch formulas (torch.optim, single-tensor
 * path). State buffers are allocated once in the constructor, zero-filled, so `step()` only
 * calls one fused kernel per parameter. `lr` is public and mutable (schedulers set it).
 */
export abstract class Optimizer {
  abstract readonly type: string;
  readonly engine: Engine;
  /** The parameters updated by step(), in order. */
  readonly params: readonly Parameter[];
  private learningRate: number;
  private disposed = false;
  /** Number of step() calls so far. */
  stepCount = 0;
  /** Named state tensors per parameter index (e.g. "exp_avg"), for stateDict(). */
  protected readonly state: [string, Tensor][][] = [];

  /** Current learning rate; setting it (schedulers do) checks it is a finite number ≥ 0. */
  get lr(): number {
    return this.learningRate;
  }

  set lr(value: number) {
    // NaN or a negative rate set here would otherwise train to NaN (or ascend) silently.
    this.learningRate = optNum(`${this.type} lr`, value, Number.NaN);
  }

  constructor(params: Params, options: object, allowed: readonly string[], what: string, defaultLr: number) {
    checkOptions(`${what} options`, options, ["lr", ...allowed]);
    const list = params instanceof Module ? params.parameters() : params;
    if (!Array.isArray(list) || list.length === 0) fail(`${what} params`, "a non-empty list of parameters (or a module with parameters)", list);
    for (let i = 0; i < list.length; i++) {
      if (!(list[i] instanceof Parameter)) fail(`${what} params[${i}]`, "a Parameter", list[i]);
      if (list[i]!.data.engine !== list[0]!.data.engine) failText(`${what} params[${i}] engine`, "the engine of params[0]", "another engine");
    }
    this.params = [...list];
    this.engine = this.params[0]!.data.engine;
    this.learningRate = optNum(`${what} lr`, (options as { lr?: unknown }).lr, defaultLr);
    for (let i = 0; i < this.params.length; i++) this.state.push([]);
  }

  /** Allocates a zero-filled state tensor shaped like parameter i. */
  protected addState(i: number, name: string): Tensor {
    const t = this.engine.zeros(this.params[i]!.shape);
    this.state[i]!.push([name, t]);
    return t;
  }

  /** Sets every gradient to zero (PyTorch's zero_grad with set_to_none=False). */
  zeroGrad(): void {
    this.checkLive("zeroGrad");
    const k = this.engine.kernels;
    for (let i = 0; i < this.params.length; i++) {
      const g = this.params[i]!.grad;
      k.fill(g.size, 0, g.ptr);
    }
  }

  /** One update of every parameter from its gradient. */
  abstract step(): void;

  /**
   * Optimizer state for checkpoints: keys "<paramIndex>.<name>" (e.g. "0.exp_avg") plus
   * "step" and "lr" as one-element tensors.
   */
  stateDict(): StateDict {
    this.checkLive("stateDict");
    const out: StateDict = new Map();
    out.set("step", { shape: [1], data: Float32Array.of(this.stepCount) });
    out.set("lr", { shape: [1], data: Float32Array.of(this.lr) });
    this.state.forEach((list, i) => {
      for (const [name, t] of list) out.set(`${i}.${name}`, { shape: [...t.shape], data: t.f32.slice() });
    });
    return out;
  }

  /** Restores stateDict() output; validates every key and length before changing anything. */
  loadStateDict(dict: StateDict): void {
    this.checkLive("loadStateDict");
    if (!(dict instanceof Map)) fail(`${this.type} loadStateDict dict`, "a Map of name → { shape, data } (from stateDict())", dict);
    const need: [string, Tensor][] = [];
    this.state.forEach((list, i) => list.forEach(([name, t]) => need.push([`${i}.${name}`, t])));
    for (const key of ["step", "lr"]) {
      const v = dict.get(key);
      if (v === undefined || v.data.length !== 1) failText(`${this.type} loadStateDict "${key}"`, "a one-element tensor", v === undefined ? "nothing" : `${v.data.length} values`);
    }
    const step = dict.get("step")!.data[0]!;
    if (!Number.isSafeInteger(step) || step < 0) fail(`${this.type} loadStateDict "step"`, "an integer ≥ 0", step);
    optNum(`${this.type} loadStateDict "lr"`, dict.get("lr")!.data[0], Number.NaN);
    for (const [key, t] of need) {
      const v = dict.get(key);
      if (v === undefined) failText(`${this.type} loadStateDict "${key}"`, `a tensor of shape [${t.shape.join(", ")}]`, "nothing (missing key)");
      if (!(v.data instanceof Float32Array)) fail(`${this.type} loadStateDict "${key}" data`, "a Float32Array", v.data);
      if (v.data.length !== t.size) fail(`${this.type} loadStateDict "${key}" data length`, `${t.size}`, v.data.length);
      for (let i = 0; i < v.data.length; i++) {
        if (!Number.isFinite(v.data[i]!)) fail(`${this.type} loadStateDict "${key}" data[${i}]`, "a finite number", v.data[i]);
      }
    }
    this.stepCount = step;
    this.lr = dict.get("lr")!.data[0]!;
    for (const [key, t] of need) t.f32.set(dict.get(key)!.data);
  }

  /** Frees the state buffers. Every later call (a second dispose too) throws. */
  dispose(): void {
    if (this.disposed) this.checkLive("dispose");
    for (const list of this.state) for (const [, t] of list) if (!t.isDisposed) t.dispose();
    this.disposed = true;
  }

  /** True once dispose() has run, or once any of its parameters was disposed (with its model). */
  get isDisposed(): boolean {
    if (this.disposed) return true;
    for (let i = 0; i < this.params.length; i++) if (this.params[i]!.data.isDisposed) return true;
    return false;
  }

  /**
   * Throws unless the optimizer and every parameter are live: after a model's dispose() its
   * blocks go to newer tensors, so updating them would silently corrupt another model.
   */
  checkLive(what: string): void {
    if (this.disposed) throw new SimdnetError(`${this.type}.${what}: expected a live optimizer, got a disposed ${this.type} (dispose() was called)`);
    for (let i = 0; i < this.params.length; i++) {
      if (this.params[i]!.data.isDisposed) {
        throw new SimdnetError(`${this.type}.${what}: expected a live optimizer, got a disposed parameter (params[${i}], "${this.params[i]!.name}": was the model disposed?)`);
      }
    }
  }
}
