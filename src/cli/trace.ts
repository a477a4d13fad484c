/**
 * A callback that samples the running training loss and accuracy every few steps (for the loss
 * chart of one-epoch runs, which would otherwise be a single point) and times the training part
 * of each epoch (fit's epoch seconds include validation; throughput should not).
 *
 * @module
 */

import type { Callback, TrainState } from "../train/types.js";
import type { StepTrace } from "./plots.js";

/** Points of the whole run on the chart: enough for a smooth curve, few enough to keep SVGs small. */
const POINTS = 200;

export class StepTraceCallback implements Callback {
  /** Seconds spent in training steps (no validation), per epoch. */
  readonly trainSeconds: number[] = [];
  /** Training samples per epoch. */
  readonly trainSamples: number[] = [];
  private epochX = new Float64Array(0);
  private lossY = new Float64Array(0);
  private accY = new Float64Array(0);
  private count = 0;
  private every = 1;
  private t0 = 0;
  private prevLoss = 0;
  private prevAcc = 0;
  private prevSeen = 0;

  onTrainBegin(state: TrainState): void {
    // Preallocated here: onBatchEnd runs on the hot path and must not allocate.
    this.every = Math.max(1, Math.floor((state.epochs * state.batches) / POINTS));
    const size = state.epochs * (Math.ceil(state.batches / this.every) + 1);
    this.epochX = new Float64Array(size);
    this.lossY = new Float64Array(size);
    this.accY = new Float64Array(size);
    this.count = 0;
  }

  onEpochBegin(): void {
    this.t0 = performance.now();
    this.prevLoss = 0;
    this.prevAcc = 0;
    this.prevSeen = 0;
  }

  onBatchEnd(state: TrainState): void {
    if (state.batch === state.batches) {
      this.trainSeconds.push((performance.now() - this.t0) / 1000);
      this.trainSamples.push(state.seen);
    }
    if (state.batch % this.every !== 0 && state.batch !== state.batches) return;
    if (this.count >= this.epochX.length) return;
    // Mean over the window since the last sample, recovered from the epoch's running means.
    const seen = state.seen;
    const window = seen - this.prevSeen;
    const loss = (state.epochLoss * seen - this.prevLoss * this.prevSeen) / window;
    const acc = (state.epochAccuracy * seen - this.prevAcc * this.prevSeen) / window;
    this.epochX[this.count] = state.epoch - 1 + state.batch / state.batches;
    this.lossY[this.count] = loss;
    this.accY[this.count] = acc;
    this.count++;
    this.prevLoss = state.epochLoss;
    this.prevAcc = state.epochAccuracy;
    this.prevSeen = seen;
  }

  /** The samples taken so far. */
  trace(): StepTrace {
    return {
      epoch: Array.from(this.epochX.subarray(0, this.count)),
      loss: Array.from(this.lossY.subarray(0, this.count)),
      accuracy: Array.from(this.accY.subarray(0, this.count)),
    };
  }
}
