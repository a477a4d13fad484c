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
 * 2. **forward(x)** is made of operations (src/autograd): every output, intermediate and
 *    gradient buffer BELONGS TO THE STEP (the tape's cached plan, see src/autograd/tape.ts),
 *    never to the user: never dispose them. An output stays valid until the operation that made
 *    it runs again — the next training step after `backward()`, or the next top-level forward
 *    in eval mode / under `noGrad`. Copy it (`toArray()`, `item()`) to keep it longer.
 *    forward borrows `x`: do not modify or dispose it until backward has run.
 * 3. **loss.backward()** (a one-element tensor from the loss functions) accumulates
 *    dLoss/dparameter into every `param.grad` that produced it (PyTorch semantics: call
 *    `optimizer.zeroGrad()` once per step) and ends the step. The old manual loop still works:
 *    **module.backward(dy)** differentiates the module's last forward (training or eval mode)
 *    from dy, accumulates parameter gradients and returns dx OWNED BY THE MODULE (valid until
 *    its next backward). When `inputGrad` is false it skips dx and returns dy unchanged.
 * 4. **Buffers are made once per shape**: a step with the same operations and shapes as the
 *    last one reuses every buffer, so a steady-state training step allocates nothing. A new
 *    shape (usually the last, smaller batch) re-plans once.
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

import { Parameter } from "../autograd/parameter.js";
import { noGrad, runBackward, tapeOf, type Plan } from "../autograd/tape.js";
import { enterForward, exitForward } from "../autograd/forward.js";
import { engineOption, type Engine } from "../engine.js";
import { fail, SimdnetError } from "../errors.js";
import { Tensor, type DType } from "../tensor.js";
import { formatSummary, type Summary, type SummaryRow } from "./summary.js";

export { Parameter };

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
 * Base class of layers, containers and your own models (PyTorch's nn.Module). A subclass
 * implements `forward` out of operations (src/autograd/functional.ts) and child modules; child
 * modules and parameters assigned to properties are found automatically (PyTorch's attribute
 * registration), so parameters(), namedParameters() ("block.conv1.weight"), stateDict(),
 * train()/eval(), dispose() and summary() work for any Module:
 *
 * ```ts
 * class Block extends Module {
 *   conv = new Conv2d(16, 16, 3, { padding: 1 });
 *   forward(x: Tensor): Tensor { return relu(add(this.conv.forward(x), x)); }
 * }
 * ```
 */
export abstract class Module {
  /** The engine all of this module's tensors live in. */
  readonly engine: Engine;
  /** Training mode (true) or evaluation mode (false); see train()/eval(). */
  training = true;
  /**
   * Whether the old manual loop's backward(dy) computes dx. False skips it and backward returns
   * dy unchanged (used for the first layer of a model, whose input gradient nobody reads).
   */
  inputGrad = true;
  /** Class name used in summaries, errors and configs ("Linear", "Conv2d", or your class's name). */
  readonly type: string;

  /** Parameters in registration order with their local names. */
  protected readonly ownParams: Parameter[] = [];
  /** Non-trainable state (running statistics) with local names, in registration order. */
  protected readonly ownBuffers: [string, Tensor][] = [];
  /** @internal State of the last forward call (see src/autograd/forward.ts). */
  lastIn: Tensor | null = null;
  /** @internal */
  lastOut: Tensor | null = null;
  /** @internal */
  fwdPlan: Plan | null = null;
  /** @internal */
  fwdStart = 0;
  private dxBuffer: Tensor | null = null;
  /** Input shape checkInput last validated (reset when the module changes, e.g. Sequential.add). */
  protected checkedShape: readonly number[] | null = null;
  private disposed = false;

  constructor(options: ModuleOptions = {}) {
    this.engine = engineOption("engine", options.engine);
    this.type = new.target.name;
    // Every forward goes through the tape's bookkeeping (PyTorch's __call__): subclasses only
    // write forward; this wrapper is made once per module, not per call.
    const impl = this.forward as (this: Module, a?: Tensor, b?: Tensor, c?: Tensor, d?: Tensor) => Tensor;
    const self = this;
    const wrapped = function (a?: Tensor, b?: Tensor, c?: Tensor, d?: Tensor): Tensor {
      const top = enterForward(self, a, b, c, d);
      let out: Tensor;
      try {
        out = impl.call(self, a, b, c, d);
      } finally {
        exitForward(self, top);
      }
      self.lastOut = out;
      return out;
    };
    Object.defineProperty(this, "forward", { value: wrapped, writable: true, configurable: true, enumerable: false });
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
   * Computes the output from operations on the inputs (most modules take one tensor; a
   * forward may take up to four). The result belongs to the step: see the ownership rules at
   * the top of this file.
   */
  abstract forward(...inputs: Tensor[]): Tensor;

  /**
   * The old manual loop's backward: given dL/d(output) of the last forward, accumulates
   * dL/d(parameters) into param.grad and returns dL/dx, owned by this module (valid until its
   * next backward). Must follow forward. New code calls `loss.backward()` instead.
   */
  backward(dy: Tensor): Tensor {
    this.checkLive("backward");
    const out = this.lastOut;
    const plan = this.fwdPlan;
    if (out === null || plan === null) throw new SimdnetError(`${this.type} backward: expected a forward call first, got none`);
    this.checkTensor("backward dy", dy);
    if (!sameShape(dy.shape, out.shape)) fail(`${this.type} backward dy shape`, `[${out.shape.join(", ")}] (the forward output's)`, dy.shape);
    const x = this.lastIn;
    const node = out.node;
    if (out === x || node === null || node.plan !== plan || node.index < this.fwdStart) return dy;
    if (node.epoch !== plan.epoch || node.out !== out) {
      throw new SimdnetError(`${this.type} backward: expected the forward's step to be current, got one replaced by a later forward`);
    }
    const tape = plan.tape;
    const wantDx = this.inputGrad && x !== null;
    let dx: Tensor | null = null;
    const keepGrad = x === null ? null : x.grad;
    const keepPass = x === null ? 0 : x.gradPass;
    if (wantDx) {
      if (this.dxBuffer === null || !sameShape(this.dxBuffer.shape, x.shape)) {
        if (this.dxBuffer !== null && !this.dxBuffer.isDisposed) this.dxBuffer.dispose();
        this.dxBuffer = this.engine.empty(x.shape);
      }
      dx = this.dxBuffer;
      x.grad = dx;
      tape.wanted = x;
    }
    try {
      runBackward(tape, out, dy, this.fwdStart);
      if (wantDx && x.gradPass !== tape.pass) this.engine.kernels.fill(dx!.size, 0, dx!.ptr);
    } finally {
      if (x !== null && wantDx) {
        x.grad = keepGrad;
        x.gradPass = keepPass;
      }
      tape.wanted = null;
    }
    if (plan.recording) tape.closed = true;
    return wantDx ? dx! : dy;
  }

  /**
   * Shape inference: the output shape for an input shape (batch first). Layers compute it
   * without allocating and throw a SimdnetError naming `where` (default this.type), e.g.
   * `Linear input shape: expected [N, 784], got [32, 100]`. The default runs forward once in
   * eval mode under noGrad on zeros.
   */
  outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    void where;
    return this.traceShapes(inputShape).out;
  }

  /** Floating-point operations of one forward pass for this input shape (a multiply-add counts 2). */
  flops(inputShape: readonly number[]): number {
    void inputShape;
    return 0;
  }

  /** The JSON architecture description (see ModuleConfig); a custom module describes only its type. */
  config(): ModuleConfig {
    return { type: this.type };
  }

  /** The output of the last forward (owned by the step), or null: for activation statistics. */
  get output(): Tensor | null {
    return this.lastOut;
  }

  /**
   * Child modules with their names: properties holding a Module (or an array of Modules, named
   * "name.0", "name.1", …) in assignment order; "0", "1", … in Sequential.
   */
  children(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const key of Object.keys(this)) {
      const v = (this as unknown as Record<string, unknown>)[key];
      if (v instanceof Module) out.push([key, v]);
      else if (Array.isArray(v) && v.length > 0 && v.every((m) => m instanceof Module)) {
        v.forEach((m: Module, i) => out.push([`${key}.${i}`, m]));
      }
    }
    return out;
  }

  /** This module and all its descendants, depth first, each once (PyTorch's modules()). */
  modules(): Module[] {
    this.checkLive("modules");
    const seen = new Set<Module>();
    const visit = (m: Module): void => {
      if (seen.has(m)) return;
      seen.add(m);
      for (const [, child] of m.children()) visit(child);
    };
    visit(this);
    return [...seen];
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
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Sets evaluation mode (Dropout passes through, BatchNorm uses running statistics); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** All trainable parameters, each once (a shared one counts once), this module's first, then children's. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Parameters with PyTorch key names ("weight", "0.weight", "block.conv1.weight"), each parameter once. */
  namedParameters(prefix = ""): [string, Parameter][] {
    this.checkLive("parameters");
    return this.stateItems(prefix).filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  /** Non-trainable state tensors (running_mean, running_var) with PyTorch key names. */
  namedBuffers(prefix = ""): [string, Tensor][] {
    this.checkLive("buffers");
    return this.stateItems(prefix).filter((e): e is [string, Tensor] => !(e[1] instanceof Parameter));
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
    return this.stateItems(prefix).map(([k, v]) => [k, v instanceof Parameter ? v.data : v]);
  }

  /** Own parameters (registered, then found as properties) and buffers, then children's; each object once. */
  private stateItems(prefix: string, seen: Set<unknown> = new Set()): [string, Parameter | Tensor][] {
    const out: [string, Parameter | Tensor][] = [];
    if (seen.has(this)) return out;
    seen.add(this);
    const own = (name: string, v: Parameter | Tensor): void => {
      if (seen.has(v)) return;
      seen.add(v);
      out.push([prefix + name, v]);
    };
    for (const p of this.ownParams) own(p.name, p);
    for (const key of Object.keys(this)) {
      const v = (this as unknown as Record<string, unknown>)[key];
      if (v instanceof Parameter) own(key, v);
    }
    for (const [name, t] of this.ownBuffers) own(name, t);
    for (const [name, child] of this.children()) out.push(...child.stateItems(`${prefix}${name}.`, seen));
    return out;
  }

  /**
   * Output shape of every direct child for ONE sample of shape `inputShape` (no batch
   * dimension), with parameter counts and FLOPs (Sequential infers shapes; other modules run
   * one eval-mode forward under noGrad on zeros).
   */
  summary(inputShape: readonly number[]): Summary {
    const traced = this.traceShapes([1, ...inputShape]);
    const rows: SummaryRow[] = [];
    let totalFlops = 0;
    for (const [name, child] of this.children()) {
      const calls = traced.calls.get(child);
      if (calls === undefined) continue;
      const flops = child.flops(calls.input);
      rows.push({ name, type: child.type, outputShape: calls.output.slice(1), params: child.numParameters(), flops });
      totalFlops += flops;
    }
    const totalParams = this.numParameters();
    let totalBuffers = 0;
    for (const b of this.buffers()) totalBuffers += b.size;
    const table = formatSummary(inputShape, rows, totalParams, totalBuffers, totalFlops);
    return { inputShape: [...inputShape], rows, outputShape: traced.out.slice(1), totalParams, totalBuffers, totalFlops, table };
  }

  /** Runs one eval-mode forward under noGrad on zeros, noting each direct child's first input and output shape. */
  private traceShapes(inputShape: readonly number[]): { out: number[]; calls: Map<Module, { input: number[]; output: number[] }> } {
    const x = this.engine.zeros(inputShape);
    const modes = this.modules().map((m) => [m, m.training] as const);
    const calls = new Map<Module, { input: number[]; output: number[] }>();
    const children = new Set(this.children().map(([, c]) => c));
    this.eval();
    try {
      const out = noGrad(() => this.forward(x));
      for (const c of children) {
        if (c.lastOut !== null && c.lastIn !== null && c.fwdPlan === tapeOf(this.engine).infer) {
          calls.set(c, { input: [...c.lastIn.shape], output: [...c.lastOut.shape] });
        }
      }
      return { out: [...out.shape], calls };
    } finally {
      for (const [m, t] of modes) m.training = t;
      x.dispose();
    }
  }

  /** Frees every tensor this module owns (parameters, buffers) and its children's. Using it afterwards throws. */
  dispose(): void {
    this.checkLive("dispose");
    const tree = this.modules();
    // A child disposed on its own earlier is skipped, not an error: the tree still gets freed.
    for (const [, v] of this.stateItems("")) {
      if (v instanceof Parameter) v.dispose();
      else if (!v.isDisposed) v.dispose();
    }
    for (const m of tree) {
      if (!m.disposed) m.releaseActivations();
      m.disposed = true;
    }
    // The engine's step buffers hold this module's tensors as inputs; free them too (the next
    // forward of any other module re-plans once), so dispose() leaves nothing of this module behind.
    if (!this.engine.isDisposed) tapeOf(this.engine).clear();
  }

  /** Frees what the module keeps between calls (the old loop's dx buffer; subclasses extend). */
  protected releaseActivations(): void {
    if (this.dxBuffer !== null && !this.dxBuffer.isDisposed) this.dxBuffer.dispose();
    this.dxBuffer = null;
    this.lastIn = null;
    this.lastOut = null;
    this.checkedShape = null;
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
    const dtype = what === "input" ? this.inputDtype() : "float32";
    if (x.dtype !== dtype) fail(`${this.type} ${what} dtype`, `"${dtype}"`, x.dtype);
  }

  /** The dtype forward takes: float32, int32 for index inputs (Embedding, or a Sequential starting with one). */
  inputDtype(): DType {
    return "float32";
  }

  /** checkTensor plus outputShape's shape check, the latter once per new input shape (cheap on the hot path). */
  protected checkInput(x: Tensor): void {
    this.checkTensor("input", x);
    if (this.checkedShape === null || !sameShape(this.checkedShape, x.shape)) {
      this.outputShape(x.shape);
      this.checkedShape = [...x.shape];
    }
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
