/**
 * The Module base class every layer (and Sequential) extends, the Parameter type, and the
 * buffer-ownership rules the whole training stack relies on.
 *
 * ## Buffer ownership (read this before writing a training loop)
 *
 * 1. **Parameters** are allocated when a layer is constructed, on its engine (the `engine`
 *    option, else `getEngine()`). `param.data` and `param.grad` are the same Tensor objects for
 *    the whole life of the module: optimizers keep their pointers. `loadStateDict` copies INTO
 *    them, it never replaces them. They are freed by `module.dispose()`.
 * 2. **forward(x)** borrows `x`: the layer may keep a reference to it for `backward`, so the
 *    caller must not modify or dispose `x` until the matching `backward` has run. The returned
 *    output tensor is OWNED BY THE LAYER and is valid until the layer's next `forward` (or a
 *    shape change, or `dispose`). Never dispose it; copy it if you need it longer.
 * 3. **backward(dy)** must follow a `forward` in training mode (or eval mode: layers
 *    differentiate the function they last computed) with the same input. It borrows `dy`, returns
 *    `dx` OWNED BY THE LAYER (valid until its next `backward`) and ACCUMULATES parameter gradients
 *    into `param.grad` (PyTorch semantics: call `optimizer.zeroGrad()` once per step).
 *    When `inputGrad` is false the layer skips computing `dx` and returns `dy` unchanged (not a
 *    gradient w.r.t. the input) — the fit loop sets it on the first layer to save that work.
 * 4. **Activation, gradient and scratch buffers** (including gemm/conv work space) are allocated
 *    lazily the first time a layer sees an input shape and reused afterwards. A new input shape
 *    (usually a new batch size) frees the old buffers and allocates new ones ONCE; tensors
 *    previously returned by that layer are then disposed. A steady-state training step therefore
 *    allocates nothing: no Tensor, typed array or closure, only kernel calls on pointers.
 * 5. All tensors passed to a module must belong to the module's engine and be float32 (labels
 *    for losses are int32).
 *
 * ## Randomness
 * Initialisers draw from the RNG given by a layer's `rng` option (an `Rng` or a seed), else
 * from the nn default generator set by `manualSeed(seed)` (src/nn/init.ts), so one seed
 * reproduces a model. Dropout layers take a `seed` (u32) at construction, drawn from the same
 * generator when not given, and advance an `offset` per call (see Dropout).
 *
 * @module
 */

import { engineOption, type Engine } from "../engine.js";
import { fail, SimdnetError } from "../errors.js";
import { Tensor } from "../tensor.js";

/** A JSON value (architecture descriptions are JSON). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The architecture of one module as plain JSON: `type` is the class name ("Linear", "Conv2d",
 * "Sequential", …) and the other keys are its constructor options (PyTorch argument names in
 * camelCase: inFeatures, outFeatures, kernelSize, …). `moduleFromConfig` (src/nn/config.ts)
 * rebuilds a module from it; weights travel separately in a state dict.
 */
export interface ModuleConfig {
  type: string;
  [key: string]: JsonValue;
}

/** One tensor of a state dict: row-major values and shape (PyTorch layout). */
export interface StateTensor {
  shape: number[];
  data: Float32Array;
}

/**
 * A state dict: PyTorch key names ("0.weight", "0.bias", "4.running_mean", "4.running_var")
 * in module order. BatchNorm's `num_batches_tracked` is NOT included (simdnet does not use it);
 * `loadStateDict` accepts and ignores it, so dicts exported from PyTorch load unchanged.
 */
export type StateDict = Map<string, StateTensor>;

/**
 * A trainable tensor and its gradient, both owned by the module that created it. `grad` has
 * the same shape; gradients accumulate into it during backward.
 */
export class Parameter {
  constructor(
    /** The values (same Tensor object for the module's whole life). */
    readonly data: Tensor,
    /** The accumulated gradient, same shape as data. */
    readonly grad: Tensor,
    /** Local name within the owning layer: "weight" or "bias". */
    readonly name: string,
  ) {}

  /** Shape of the parameter (PyTorch layout, e.g. Linear weight [out, in], Conv2d [outC, inC, kH, kW]). */
  get shape(): readonly number[] {
    return this.data.shape;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.size;
  }

  /** Frees data and grad. */
  dispose(): void {
    if (!this.data.isDisposed) this.data.dispose();
    if (!this.grad.isDisposed) this.grad.dispose();
  }
}

/**
 * What a layer will allocate at construction, computed from its arguments without allocating
 * (see `planModule` in ./config.ts): parameter and buffer shapes by local name, and other floats.
 */
export interface StatePlan {
  params: [string, number[]][];
  buffers: [string, number[]][];
  /** Floats of internal per-layer state that is not in the state dict (BatchNorm's saved statistics). */
  scratch: number;
}

/** Options every layer accepts. */
export interface ModuleOptions {
  /** Engine to allocate on; default `getEngine()` (await `init()` first). */
  engine?: Engine;
}

/** The keys of ModuleOptions, for checkOptions lists in subclasses. */
export const MODULE_OPTION_KEYS = ["engine"] as const;

/**
 * Base class of layers and containers. Subclasses implement forward/backward/outputShape and
 * register their parameters and buffers in the constructor.
 */
export abstract class Module {
  /** The engine all of this module's tensors live in. */
  readonly engine: Engine;
  /** Training mode (true) or evaluation mode (false); see train()/eval(). */
  training = true;
  /**
   * Whether backward computes dx. False skips it and backward returns dy unchanged (used for
   * the first layer of a model, whose input gradient nobody reads).
   */
  inputGrad = true;
  /** Class name used in summaries, errors and configs ("Linear", "Conv2d", …). */
  abstract readonly type: string;

  /** Parameters in registration order with their local names. */
  protected readonly ownParams: Parameter[] = [];
  /** Non-trainable state (running statistics) with local names, in registration order. */
  protected readonly ownBuffers: [string, Tensor][] = [];
  /** The output of the last forward (owned by this module), or null before the first one. */
  protected out: Tensor | null = null;
  private disposed = false;

  constructor(options: ModuleOptions = {}) {
    this.engine = engineOption("engine", options.engine);
  }

  /** True once dispose() has run (or the engine was disposed): every method then throws. */
  get isDisposed(): boolean {
    return this.disposed || this.engine.isDisposed;
  }

  /**
   * Throws `${type}.${what}: expected a live module, got a disposed ${type}` once dispose() has
   * run: its blocks may already belong to a newer model, so a kernel call would corrupt that one.
   * Every public method starts with it (forward and backward through checkTensor).
   */
  checkLive(what: string): void {
    if (this.disposed) throw new SimdnetError(`${this.type}.${what}: expected a live module, got a disposed ${this.type} (dispose() was called)`);
    if (this.engine.isDisposed) throw new SimdnetError(`${this.type}.${what}: expected a live module, got a ${this.type} of a disposed engine`);
  }

  /**
   * Computes the output for x (shape checked against outputShape). Returns a tensor owned by
   * this module, valid until its next forward. See the ownership rules at the top of this file.
   */
  abstract forward(x: Tensor): Tensor;

  /**
   * Given dL/d(output), accumulates dL/d(parameters) into param.grad and returns dL/dx, owned by
   * this module (valid until its next backward). Must follow forward.
   */
  abstract backward(dy: Tensor): Tensor;

  /**
   * Shape inference: the output shape for an input shape (batch first), without allocating.
   * Throws a SimdnetError naming `where` (default this.type), the expected and the actual shape
   * when the input does not fit, e.g. `Linear input shape: expected [N, 784], got [32, 100]`.
   */
  abstract outputShape(inputShape: readonly number[], where?: string): number[];

  /** Floating-point operations of one forward pass for this input shape (a multiply-add counts 2). */
  flops(inputShape: readonly number[]): number {
    void inputShape;
    return 0;
  }

  /** The JSON architecture description (see ModuleConfig). */
  abstract config(): ModuleConfig;

  /** The output of the last forward (owned by the module), or null: for activation statistics. */
  get output(): Tensor | null {
    return this.out;
  }

  /** Child modules with their names ("0", "1", … in Sequential); none for plain layers. */
  children(): [string, Module][] {
    return [];
  }

  /** This module and all its descendants, depth first (PyTorch's modules()). */
  modules(): Module[] {
    this.checkLive("modules");
    const out: Module[] = [this];
    for (const [, child] of this.children()) out.push(...child.modules());
    return out;
  }

  /** Sets every parameter gradient to zero (same as optimizer.zeroGrad() for these parameters). */
  zeroGrad(): void {
    this.checkLive("zeroGrad");
    const k = this.engine.kernels;
    for (const p of this.parameters()) k.fill(p.grad.size, 0, p.grad.ptr);
  }

  /** Sets training mode (default true) on this module and its children; returns this. */
  train(mode = true): this {
    this.checkLive(mode ? "train" : "eval");
    this.training = mode;
    for (const [, child] of this.children()) child.train(mode);
    return this;
  }

  /** Sets evaluation mode (Dropout passes through, BatchNorm uses running statistics); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** All trainable parameters, this module's first, then children's in order. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Parameters with PyTorch key names ("weight", or "0.weight" inside Sequential). */
  namedParameters(prefix = ""): [string, Parameter][] {
    this.checkLive("parameters");
    const out: [string, Parameter][] = [];
    for (const p of this.ownParams) out.push([prefix + p.name, p]);
    for (const [name, child] of this.children()) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /** Non-trainable state tensors (running_mean, running_var) with PyTorch key names. */
  namedBuffers(prefix = ""): [string, Tensor][] {
    this.checkLive("buffers");
    const out: [string, Tensor][] = [];
    for (const [name, t] of this.ownBuffers) out.push([prefix + name, t]);
    for (const [name, child] of this.children()) out.push(...child.namedBuffers(`${prefix}${name}.`));
    return out;
  }

  /** The buffer tensors of namedBuffers(). */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** Total number of trainable scalars. */
  numParameters(): number {
    let n = 0;
    for (const p of this.parameters()) n += p.size;
    return n;
  }

  /**
   * A copy of every parameter and buffer, keyed as PyTorch does (parameters and buffers of each
   * module in registration order, modules in order).
   */
  stateDict(): StateDict {
    this.checkLive("stateDict");
    const out: StateDict = new Map();
    for (const [key, t] of this.stateEntries()) out.set(key, { shape: [...t.shape], data: t.f32.slice() });
    return out;
  }

  /**
   * Copies values from a state dict into this module's parameters and buffers. Every key and
   * shape is validated BEFORE anything is written, so a failed load leaves the module unchanged.
   * Accepts a Map or a plain object of {shape, data}; `*.num_batches_tracked` keys are ignored.
   * Errors name the key, the expected and the actual value (missing keys, unexpected keys,
   * shape or length mismatches, non-finite values).
   */
  loadStateDict(dict: StateDict | Record<string, StateTensor>): void {
    this.checkLive("loadStateDict");
    const entries = this.stateEntries();
    const given = checkStateDict(entries.map(([k, t]) => [k, t.shape]), dict);
    for (const [key, t] of entries) t.f32.set(given.get(key)!.data);
  }

  /** Parameters then buffers of each module, in module order (the state-dict order). */
  private stateEntries(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const p of this.ownParams) out.push([prefix + p.name, p.data]);
    for (const [name, t] of this.ownBuffers) out.push([prefix + name, t]);
    for (const [name, child] of this.children()) out.push(...child.stateEntries(`${prefix}${name}.`));
    return out;
  }

  /** Frees every tensor this module owns (parameters, buffers, activations). Using it afterwards throws. */
  dispose(): void {
    this.checkLive("dispose");
    for (const p of this.ownParams) p.dispose();
    for (const [, t] of this.ownBuffers) if (!t.isDisposed) t.dispose();
    this.releaseActivations();
    // A child disposed on its own earlier is skipped, not an error: the tree still gets freed.
    for (const [, child] of this.children()) if (!child.disposed) child.dispose();
    this.disposed = true;
  }

  /** Frees the per-shape activation/gradient/scratch buffers (subclasses extend). */
  protected releaseActivations(): void {
    if (this.out !== null && !this.out.isDisposed) this.out.dispose();
    this.out = null;
  }

  /** Registers a parameter of the given shape (data uninitialised, grad zero). */
  protected addParameter(name: string, shape: readonly number[]): Parameter {
    const data = this.allocating(() => this.engine.empty(shape));
    const grad = this.allocating(() => this.engine.zeros(shape), data);
    const p = new Parameter(data, grad, name);
    this.ownParams.push(p);
    return p;
  }

  /** Registers a buffer (running statistics) of the given shape filled with `value`. */
  protected addBuffer(name: string, shape: readonly number[], value: number): Tensor {
    const t = this.allocating(() => this.engine.empty(shape));
    t.f32.fill(value);
    this.ownBuffers.push([name, t]);
    return t;
  }

  /**
   * Runs a constructor allocation; when it fails (memory cannot grow), frees `pending` and every
   * parameter and buffer registered so far before re-throwing: the half-built module is lost to
   * the caller, so nobody else could free them.
   */
  protected allocating<T>(allocate: () => T, pending?: Tensor): T {
    try {
      return allocate();
    } catch (e) {
      if (pending !== undefined && !pending.isDisposed) pending.dispose();
      for (const p of this.ownParams) p.dispose();
      for (const [, t] of this.ownBuffers) if (!t.isDisposed) t.dispose();
      this.ownParams.length = 0;
      this.ownBuffers.length = 0;
      throw e;
    }
  }

  /** Throws unless x is a live float32 tensor of this module's engine. */
  protected checkTensor(what: string, x: Tensor): void {
    this.checkLive(what === "input" ? "forward" : "backward");
    if (!(x instanceof Tensor)) fail(`${this.type} ${what}`, "a Tensor", x);
    if (x.engine !== this.engine) {
      throw new SimdnetError(`${this.type} ${what}: expected a tensor of the module's engine (${this.engine.backend}), got a tensor of another engine (${x.engine.backend})`);
    }
    if (x.isDisposed) throw new SimdnetError(`${this.type} ${what}: expected a live tensor, got a disposed tensor`);
    if (x.dtype !== "float32") fail(`${this.type} ${what} dtype`, '"float32"', x.dtype);
  }
}

/**
 * Validates a state dict against the expected keys and shapes (state-dict order) without touching
 * any module: every key, shape, length and value (finite; BatchNorm running_var ≥ 0, since a
 * negative variance turns later predictions into NaN). Returns the dict as a Map. Used by
 * loadStateDict, and by model loading before the module is even built.
 */
export function checkStateDict(expected: readonly (readonly [string, readonly number[]])[], dict: unknown): Map<string, StateTensor> {
  // Without this, null throws a TypeError and a number reads as an empty dict ("missing key").
  if (!(dict instanceof Map) && (dict === null || typeof dict !== "object" || Array.isArray(dict))) {
    fail("loadStateDict dict", "a Map or an object of name → { shape, data }", dict);
  }
  const given: Map<string, StateTensor> = dict instanceof Map ? dict : new Map(Object.entries(dict as object));
  const known = new Set(expected.map(([k]) => k));
  for (const key of given.keys()) {
    if (!known.has(key) && !(typeof key === "string" && key.endsWith("num_batches_tracked"))) {
      failText(`loadStateDict key "${String(key)}"`, `one of the model's keys (${[...known].join(", ")})`, "an unexpected key");
    }
  }
  for (const [key, shape] of expected) {
    const v = given.get(key);
    if (v === undefined) failText(`loadStateDict key "${key}"`, `a tensor of shape [${shape.join(", ")}]`, "nothing (missing key)");
    if (v === null || typeof v !== "object" || !Array.isArray(v.shape)) {
      fail(`loadStateDict "${key}"`, "{ shape: number[], data: Float32Array }", v);
    }
    if (!sameShape(v.shape, shape)) fail(`loadStateDict "${key}" shape`, `[${shape.join(", ")}]`, v.shape);
    if (!(v.data instanceof Float32Array)) fail(`loadStateDict "${key}" data`, "a Float32Array", v.data);
    const size = shape.reduce((a, b) => a * b, 1);
    if (v.data.length !== size) fail(`loadStateDict "${key}" data length`, `${size}`, v.data.length);
    const variance = key === "running_var" || key.endsWith(".running_var");
    for (let i = 0; i < v.data.length; i++) {
      const x = v.data[i]!;
      if (!Number.isFinite(x)) fail(`loadStateDict "${key}" data[${i}]`, "a finite number", x);
      if (variance && x < 0) fail(`loadStateDict "${key}" data[${i}]`, "a variance ≥ 0", x);
    }
  }
  return given;
}

/** True when two shapes are equal (cheap, no allocation: used on the hot path). */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Like fail() but `actual` is already a description (not quoted): `${what}: expected ${expected}, got ${actual}`. */
export function failText(what: string, expected: string, actual: string): never {
  throw new SimdnetError(`${what}: expected ${expected}, got ${actual}`);
}
