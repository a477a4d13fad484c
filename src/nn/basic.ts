import { checkOptions, fail } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { dropoutWithSeed } from "../autograd/ops/norm.js";
import { flatten } from "../autograd/ops/shape.js";
import { Rng } from "../data/random.js";
import { getDefaultRng } from "./init.js";
import { Layer, num } from "./layer.js";
import { Module, MODULE_OPTION_KEYS, type ModuleConfig, type ModuleOptions } from "./module.js";

/** Returns its input unchanged (PyTorch nn.Identity); forward returns x itself, backward dy itself. */
export class Identity extends Module {
  override readonly type = "Identity";
  constructor(options: ModuleOptions = {}) {
    checkOptions("Identity options", options, MODULE_OPTION_KEYS);
    super(options);
  }
  override outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }
  forward(x: Tensor): Tensor {
    this.checkTensor("input", x);
    return x;
  }
  override config(): ModuleConfig {
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
 * No copy: the output is a VIEW of the input memory (the reshape operation), owned by the step.
 */
export class Flatten extends Module {
  override readonly type = "Flatten";
  readonly startDim: number;
  readonly endDim: number;

  constructor(options: FlattenOptions = {}) {
    checkOptions("Flatten options", options, ["startDim", "endDim", ...MODULE_OPTION_KEYS]);
    super(options);
    this.startDim = options.startDim ?? 1;
    this.endDim = options.endDim ?? -1;
    if (!Number.isInteger(this.startDim)) fail("Flatten startDim", "an integer", this.startDim);
    if (!Number.isInteger(this.endDim)) fail("Flatten endDim", "an integer", this.endDim);
  }

  override outputShape(inputShape: readonly number[], where: string = this.type): number[] {
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
    this.checkInput(x);
    return flatten(x, this.startDim, this.endDim);
  }

  override config(): ModuleConfig {
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
  override readonly type = "Dropout";
  readonly p: number;
  /** u32 seed of the mask stream. */
  seed: number;
  /** u32 position in the stream of the next mask element. */
  offset = 0;

  constructor(p = 0.5, options: DropoutOptions = {}) {
    super(options, ["seed"], options, "Dropout");
    this.p = num("Dropout p", p, 0.5, 0, 1);
    if (options.seed !== undefined && (!Number.isInteger(options.seed) || options.seed < 0 || options.seed >= 2 ** 32)) {
      fail("Dropout seed", "an integer in [0, 2^32)", options.seed);
    }
    this.seed = options.seed ?? getDefaultRng().nextUint32();
  }

  override outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  /** One multiply per element. */
  override flops(inputShape: readonly number[]): number {
    let n = 1;
    for (const d of inputShape) n *= d;
    return n;
  }

  forward(x: Tensor): Tensor {
    this.checkTensor("input", x);
    if (!this.training || this.p === 0) return x;
    const y = dropoutWithSeed(x, this.p, this.seed, this.offset);
    if (this.p !== 1) this.offset = (this.offset + x.size) % 4294967296;
    return y;
  }

  override config(): ModuleConfig {
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
