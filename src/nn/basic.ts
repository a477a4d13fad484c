import { checkOptions, fail, SimdnetError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { Rng } from "../data/random.js";
import { getDefaultRng } from "./init.js";
import { Layer, num } from "./layer.js";
import { Module, MODULE_OPTION_KEYS, sameShape, type ModuleConfig, type ModuleOptions } from "./module.js";

/** Returns its input unchanged (PyTorch nn.Identity); forward returns x itself, backward dy itself. */
export class Identity extends Module {
  readonly type = "Identity";
  private last: Tensor | null = null;
  constructor(options: ModuleOptions = {}) {
    checkOptions("Identity options", options, MODULE_OPTION_KEYS);
    super(options);
  }
  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }
  forward(x: Tensor): Tensor {
    this.checkTensor("input", x);
    this.last = x;
    return x;
  }
  backward(dy: Tensor): Tensor {
    this.checkTensor("backward dy", dy);
    return dy;
  }
  override get output(): Tensor | null {
    return this.last;
  }
  config(): ModuleConfig {
    return { type: this.type };
  }
}

/** Options of Flatten. */
export interface FlattenOptions extends ModuleOptions {
  /** First dimension to flatten (default 1, keeping the batch). */
  startDim?: number;
  /** Last dimension to flatten, negative counts from the end (default −1). */
  endDim?: number;
}

/**
 * Flattens dimensions startDim..endDim into one (PyTorch nn.Flatten): [N, C, H, W] → [N, C·H·W].
 * No copy: the output is a VIEW of the input memory (and backward's dx a view of dy), so do not
 * dispose it. The view object is reused while the input pointer and shape stay the same.
 */
export class Flatten extends Module {
  readonly type = "Flatten";
  readonly startDim: number;
  readonly endDim: number;
  private view: Tensor | null = null;
  private gradView: Tensor | null = null;
  private inShape: readonly number[] | null = null;

  constructor(options: FlattenOptions = {}) {
    checkOptions("Flatten options", options, ["startDim", "endDim", ...MODULE_OPTION_KEYS]);
    super(options);
    this.startDim = options.startDim ?? 1;
    this.endDim = options.endDim ?? -1;
    if (!Number.isInteger(this.startDim)) fail("Flatten startDim", "an integer", this.startDim);
    if (!Number.isInteger(this.endDim)) fail("Flatten endDim", "an integer", this.endDim);
  }

  outputShape(inputShape: readonly number[], where: string = this.type): number[] {
    const r = inputShape.length;
    const s = this.startDim < 0 ? r + this.startDim : this.startDim;
    const e = this.endDim < 0 ? r + this.endDim : this.endDim;
    if (s < 0 || e >= r || s > e) {
      fail(`${where} input shape`, `at least ${Math.max(this.startDim, this.endDim, -this.startDim, -this.endDim - 1) + 1} dimensions for startDim ${this.startDim}, endDim ${this.endDim}`, inputShape);
    }
    let p = 1;
    for (let i = s; i <= e; i++) p *= inputShape[i]!;
    return [...inputShape.slice(0, s), p, ...inputShape.slice(e + 1)];
  }

  forward(x: Tensor): Tensor {
    this.checkTensor("input", x);
    if (this.view === null || this.view.ptr !== x.ptr || this.inShape === null || !sameShape(this.inShape, x.shape)) {
      this.view = new Tensor(this.engine, this.outputShape(x.shape), "float32", x.ptr, x.size);
      this.inShape = [...x.shape];
    }
    return this.view;
  }

  backward(dy: Tensor): Tensor {
    if (this.view === null || this.inShape === null) throw new SimdnetError("Flatten backward: expected a forward call first, got none");
    this.checkTensor("backward dy", dy);
    if (!sameShape(dy.shape, this.view.shape)) fail("Flatten backward dy shape", `[${this.view.shape.join(", ")}] (the forward output's)`, dy.shape);
    if (this.gradView === null || this.gradView.ptr !== dy.ptr || !sameShape(this.gradView.shape, this.inShape)) {
      this.gradView = new Tensor(this.engine, this.inShape, "float32", dy.ptr, dy.size);
    }
    return this.gradView;
  }

  override get output(): Tensor | null {
    return this.view;
  }

  protected override releaseActivations(): void {
    // Views own no memory: drop them without disposing.
    this.view = null;
    this.gradView = null;
    this.inShape = null;
  }

  config(): ModuleConfig {
    return { type: this.type, startDim: this.startDim, endDim: this.endDim };
  }
}

/** Options of Dropout. */
export interface DropoutOptions extends ModuleOptions {
  /** u32 seed of this layer's mask stream; default drawn from the nn generator (manualSeed). */
  seed?: number;
}

/**
 * Inverted dropout (PyTorch nn.Dropout): in training each element is zeroed with probability p
 * and the rest scaled by 1/(1 − p); in eval mode (or p = 0) forward returns x itself and backward
 * dy itself. Masks come from the dropoutForward kernel's counter-based RNG: element i of a call
 * uses (seed, offset + i) and `offset` advances by the element count after each training
 * forward, so a run is reproducible from the seed and the two fields can be saved/restored.
 * p = 1 zeroes everything (PyTorch's result) without calling the kernel.
 */
export class Dropout extends Layer {
  readonly type = "Dropout";
  readonly p: number;
  /** u32 seed of the mask stream. */
  seed: number;
  /** u32 position in the stream of the next mask element. */
  offset = 0;
  private mask: Tensor | null = null;
  private passed: Tensor | null = null;

  constructor(p = 0.5, options: DropoutOptions = {}) {
    super(options, ["seed"], options, "Dropout");
    this.p = num("Dropout p", p, 0.5, 0, 1);
    if (options.seed !== undefined && (!Number.isInteger(options.seed) || options.seed < 0 || options.seed >= 2 ** 32)) {
      fail("Dropout seed", "an integer in [0, 2^32)", options.seed);
    }
    this.seed = options.seed ?? getDefaultRng().nextUint32();
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  /** One multiply per element. */
  override flops(inputShape: readonly number[]): number {
    let n = 1;
    for (const d of inputShape) n *= d;
    return n;
  }

  protected override allocate(inShape: readonly number[], outShape: number[]): void {
    super.allocate(inShape, outShape);
    this.mask = this.engine.empty(outShape);
  }

  protected override releaseActivations(): void {
    super.releaseActivations();
    if (this.mask !== null && !this.mask.isDisposed) this.mask.dispose();
    this.mask = null;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) {
      this.checkTensor("input", x);
      this.passed = x;
      return x;
    }
    this.passed = null;
    this.prepare(x);
    const k = this.engine.kernels;
    const n = x.size;
    if (this.p === 1) {
      k.fill(n, 0, this.mask!.ptr);
      k.fill(n, 0, this.out!.ptr);
      return this.out!;
    }
    k.dropoutForward(n, this.p, this.seed, this.offset, x.ptr, this.out!.ptr, this.mask!.ptr);
    this.offset = (this.offset + n) % 4294967296;
    return this.out!;
  }

  backward(dy: Tensor): Tensor {
    if (this.passed !== null) {
      this.checkTensor("backward dy", dy);
      return dy;
    }
    const dx = this.prepareBackward(dy);
    if (!this.inputGrad) return dy;
    this.engine.kernels.mul(dy.size, dy.ptr, this.mask!.ptr, dx.ptr);
    return dx;
  }

  override get output(): Tensor | null {
    return this.passed ?? this.out;
  }

  config(): ModuleConfig {
    return { type: this.type, p: this.p, seed: this.seed };
  }
}

/**
 * Gives every Dropout inside `module` a fresh mask stream derived from `seed` (in module order)
 * and rewinds its offset, so a training run with the same seed repeats its masks exactly even
 * for a model built earlier (fit's `seed` option).
 */
export function reseedDropout(module: Module, seed: number): void {
  const rng = new Rng(seed);
  for (const m of module.modules()) {
    if (m instanceof Dropout) {
      m.seed = rng.nextUint32();
      m.offset = 0;
    }
  }
}
