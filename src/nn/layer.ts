import { engineOption } from "../engine.js";
import { checkPositiveInteger, optBoolean, optNumber } from "../validate.js";
import { checkOptions, fail, SimdnetError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { Module, MODULE_OPTION_KEYS, sameShape, type ModuleOptions } from "./module.js";

/**
 * A layer with per-input-shape buffers: `prepare(x)` validates x once per new shape and calls
 * `allocate` (after freeing the previous shape's buffers), so the steady state costs a shape
 * comparison and nothing else. dx is allocated on the first backward for a shape.
 */
export abstract class Layer extends Module {
  /** Input shape the current buffers were made for, or null. */
  protected inShape: readonly number[] | null = null;
  /** Last forward input (borrowed; see the ownership rules in module.ts). */
  protected x: Tensor | null = null;
  /** Input-gradient buffer, allocated by the first backward for a shape. */
  protected dx: Tensor | null = null;
  /** Scratch pointer (gemm/conv work) for the current shape, or 0. */
  protected work = 0;
  private workBlock: Tensor | null = null;

  constructor(options: ModuleOptions, allowed: readonly string[], given: object | undefined, what: string) {
    checkOptions(`${what} options`, given, [...allowed, ...MODULE_OPTION_KEYS]);
    // Checked here too so the message names the layer; Module's own check cannot (no type yet).
    if (options.engine !== undefined) engineOption(`${what} engine`, options.engine);
    super(options);
  }

  /** Validates x and (re)allocates buffers when its shape is new; remembers x for backward. */
  protected prepare(x: Tensor): void {
    this.checkTensor("input", x);
    if (this.inShape === null || !sameShape(this.inShape, x.shape)) {
      const outShape = this.outputShape(x.shape);
      this.releaseActivations();
      this.inShape = [...x.shape];
      this.allocate(this.inShape, outShape);
    }
    this.x = x;
  }

  /** Allocates this shape's output and scratch (called by prepare after freeing the old ones). */
  protected allocate(inShape: readonly number[], outShape: number[]): void {
    void inShape;
    this.out = this.engine.empty(outShape);
  }

  /** Allocates `bytes` of scratch (kept until the next shape change); no-op for 0. */
  protected allocWork(bytes: number): void {
    // Held as a tensor (not a bare block) so that a dropped layer's scratch is reclaimed too.
    this.workBlock = bytes > 0 ? this.engine.empty([Math.ceil(bytes / 4)]) : null;
    this.work = this.workBlock === null ? 0 : this.workBlock.ptr;
  }

  /** Checks dy against the last output and returns the dx buffer (allocating it on first use). */
  protected prepareBackward(dy: Tensor): Tensor {
    this.checkLive("backward");
    if (this.x === null || this.out === null || this.inShape === null) {
      throw new SimdnetError(`${this.type} backward: expected a forward call first, got none`);
    }
    this.checkTensor("backward dy", dy);
    if (!sameShape(dy.shape, this.out.shape)) fail(`${this.type} backward dy shape`, `[${this.out.shape.join(", ")}] (the forward output's)`, dy.shape);
    if (this.dx === null) this.dx = this.engine.empty(this.inShape);
    return this.dx;
  }

  protected override releaseActivations(): void {
    super.releaseActivations();
    if (this.dx !== null && !this.dx.isDisposed) this.dx.dispose();
    this.dx = null;
    if (this.workBlock !== null && !this.workBlock.isDisposed) this.workBlock.dispose();
    this.workBlock = null;
    this.work = 0;
    this.inShape = null;
    this.x = null;
  }
}

/** Formats an expected shape with symbolic sizes: expectShape(["N", 784]) → "[N, 784]". */
export function expectShape(dims: readonly (string | number)[]): string {
  return `[${dims.join(", ")}]`;
}

/** Throws `${where} input shape: expected ${expected}, got [..]` unless the rank is `rank`. */
export function checkRank(where: string, shape: readonly number[], rank: number, expected: string): void {
  if (shape.length !== rank) fail(`${where} input shape`, `${expected} (${rank} dimensions)`, shape);
}

/** Validates a positive-integer constructor argument (see src/validate.ts). */
export function checkPositiveInt(what: string, v: unknown): number {
  return checkPositiveInteger(what, v);
}

/** Validates a number or [h, w] pair of integers ≥ min and returns [h, w]. */
export function pair(what: string, v: unknown, min: number): [number, number] {
  const ok = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= min;
  if (ok(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
  return fail(what, `an integer ≥ ${min} or a pair [h, w] of them`, v);
}

/** Validates an optional boolean option (see src/validate.ts). */
export const bool = optBoolean;

/** Validates an optional finite number option in [lo, hi] (hiOpen excludes hi; see src/validate.ts). */
export const num = optNumber;
