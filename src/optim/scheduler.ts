/**
 * Learning-rate schedules with PyTorch semantics: construct after the optimizer (the current
 * lr is the base lr), call `step()` once per epoch after the optimizer steps (ReduceLROnPlateau:
 * `step(metric)`); `lastEpoch` counts the step() calls, and the lr after k calls is the
 * closed-form value at epoch k.
 *
 * @module
 */

import { checkOptions, fail } from "../errors.js";
import { Optimizer, optNum } from "./optimizer.js";

abstract class Scheduler {
  readonly baseLr: number;
  /** Number of step() calls so far (PyTorch's last_epoch after construction is 0). */
  lastEpoch = 0;

  constructor(readonly optimizer: Optimizer, what: string) {
    if (!(optimizer instanceof Optimizer)) fail(`${what} optimizer`, "an Optimizer (SGD, Adam, …)", optimizer);
    this.baseLr = optimizer.lr;
  }

  /** Advances one epoch (ReduceLROnPlateau: with the monitored metric). */
  abstract step(metric?: number): void;

  /** The lr the optimizer uses now. */
  getLastLr(): number {
    return this.optimizer.lr;
  }
}

/** Schedules whose lr is a closed-form function of the epoch. */
abstract class EpochScheduler extends Scheduler {
  protected abstract lrAt(epoch: number): number;
  /** Advances one epoch and sets the optimizer's lr. */
  step(): void {
    this.lastEpoch++;
    this.optimizer.lr = this.lrAt(this.lastEpoch);
  }
}

/** lr = baseLr·gamma^floor(epoch/stepSize) (PyTorch StepLR). */
export class StepLR extends EpochScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer, "StepLR");
    checkOptions("StepLR options", options, ["stepSize", "gamma"]);
    if (!Number.isInteger(options?.stepSize) || options.stepSize < 1) fail("StepLR stepSize", "a positive integer", options?.stepSize);
    this.stepSize = options.stepSize;
    this.gamma = optNum("StepLR gamma", options.gamma, 0.1);
  }
  protected lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** lr = baseLr·gamma^epoch (PyTorch ExponentialLR). */
export class ExponentialLR extends EpochScheduler {
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { gamma: number }) {
    super(optimizer, "ExponentialLR");
    checkOptions("ExponentialLR options", options, ["gamma"]);
    if (typeof options?.gamma !== "number") fail("ExponentialLR gamma", "a number", options?.gamma);
    this.gamma = optNum("ExponentialLR gamma", options.gamma, 0);
  }
  protected lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** epoch;
  }
}

/** lr = etaMin + (baseLr − etaMin)·(1 + cos(π·epoch/tMax))/2 (PyTorch CosineAnnealingLR). */
export class CosineAnnealingLR extends EpochScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer, "CosineAnnealingLR");
    checkOptions("CosineAnnealingLR options", options, ["tMax", "etaMin"]);
    if (!Number.isInteger(options?.tMax) || options.tMax < 1) fail("CosineAnnealingLR tMax", "a positive integer", options?.tMax);
    this.tMax = options.tMax;
    this.etaMin = optNum("CosineAnnealingLR etaMin", options.etaMin, 0);
  }
  protected lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

/** Options of ReduceLROnPlateau (PyTorch names and defaults). */
export interface ReduceLROnPlateauOptions {
  /** "min" (default: a loss) or "max" (an accuracy). */
  mode?: "min" | "max";
  /** lr multiplier on a plateau, < 1 (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** Minimum significant change (default 1e-4). */
  threshold?: number;
  /** "rel" (default: relative to the best) or "abs". */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound of the lr (default 0). */
  minLr?: number;
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/** Reduces the lr by `factor` when a metric stops improving (PyTorch ReduceLROnPlateau). */
export class ReduceLROnPlateau extends Scheduler {
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    super(optimizer, "ReduceLROnPlateau");
    checkOptions("ReduceLROnPlateau options", options, ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"]);
    this.mode = options.mode ?? "min";
    if (this.mode !== "min" && this.mode !== "max") fail("ReduceLROnPlateau mode", '"min" or "max"', this.mode);
    this.factor = optNum("ReduceLROnPlateau factor", options.factor, 0.1, 0, 1);
    this.patience = optNum("ReduceLROnPlateau patience", options.patience, 10);
    this.threshold = optNum("ReduceLROnPlateau threshold", options.threshold, 1e-4);
    this.thresholdMode = options.thresholdMode ?? "rel";
    if (this.thresholdMode !== "rel" && this.thresholdMode !== "abs") fail("ReduceLROnPlateau thresholdMode", '"rel" or "abs"', this.thresholdMode);
    this.cooldown = optNum("ReduceLROnPlateau cooldown", options.cooldown, 0);
    this.minLr = optNum("ReduceLROnPlateau minLr", options.minLr, 0);
    this.eps = optNum("ReduceLROnPlateau eps", options.eps, 1e-8);
    this.best = this.mode === "min" ? Infinity : -Infinity;
  }

  private isBetter(a: number): boolean {
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < this.best * (1 - this.threshold) : a < this.best - this.threshold;
    return this.thresholdMode === "rel" ? a > this.best * (1 + this.threshold) : a > this.best + this.threshold;
  }

  /** Records this epoch's metric and reduces the lr after `patience` epochs without improvement. */
  step(metric: number): void {
    if (typeof metric !== "number" || Number.isNaN(metric)) fail("ReduceLROnPlateau step metric", "a number", metric);
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      const old = this.optimizer.lr;
      const next = Math.max(old * this.factor, this.minLr);
      if (old - next > this.eps) this.optimizer.lr = next;
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }
}

export type { Scheduler };
