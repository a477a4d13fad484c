/**
 * Shared types of the training loop and its callbacks: epoch logs, the History fit returns, the
 * TrainState every callback reads, and the Callback interface.
 *
 * @module
 */

import type { Loss } from "../nn/loss.js";
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";

/** Metrics of one epoch (train and, when there is validation data, val*). */
export interface EpochLogs {
  /** Epoch number, from 1. */
  epoch: number;
  /** Mean training loss over the epoch's samples. */
  loss: number;
  /** Training accuracy (class labels only; NaN for regression targets). */
  accuracy: number;
  /** Validation loss (NaN without validation data). */
  valLoss: number;
  /** Validation accuracy (NaN without validation data or for regression). */
  valAccuracy: number;
  /** Learning rate the optimizer used during the epoch (before the scheduler stepped). */
  lr: number;
  /** Wall-clock seconds of the epoch (training and validation). */
  seconds: number;
  /** Training samples per second (training time only, validation excluded). */
  samplesPerSecond: number;
}

/** Why training stopped before the last epoch. */
export interface StopInfo {
  /** "nan" (non-finite loss or weights), "early-stopping", "callback" or "aborted" (fit's signal). */
  reason: "nan" | "early-stopping" | "callback" | "aborted";
  /** Epoch (from 1) and global step (from 1) at which it stopped. */
  epoch: number;
  step: number;
  /** The layer or parameter responsible, when known (e.g. "layer 2 (Linear)"). */
  layer: string | null;
  /** A human-readable sentence. */
  message: string;
}

/**
 * What fit returns: per-epoch logs, the same figures as arrays (Keras' `history.history`),
 * and extra records some callbacks add (weight statistics, dead-ReLU fractions).
 */
export interface History {
  epochs: EpochLogs[];
  history: { loss: number[]; accuracy: number[]; valLoss: number[]; valAccuracy: number[]; lr: number[] };
  /** Set when training stopped early. */
  stopped: StopInfo | null;
  /** Epoch (from 1) whose weights the model holds at the end when EarlyStopping restored them. */
  restoredEpoch: number | null;
  /** Extra records by name (e.g. "weightStats", "deadRelu"), written by callbacks. */
  records: Record<string, unknown[]>;
}

/**
 * The state of a running fit, passed to every callback. It is ONE object, updated in place for
 * every batch (so calling batch callbacks allocates nothing): read it, do not keep it.
 */
export interface TrainState {
  readonly model: Module;
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  /** Layer names by module, as errors and records print them ("layer 2 (Linear)"). */
  readonly layerNames: ReadonlyMap<Module, string>;
  /** Shape of one input sample. */
  readonly sampleShape: readonly number[];
  /** Whether targets are class labels (accuracy is defined). */
  readonly classification: boolean;
  /** Total epochs asked for. */
  readonly epochs: number;
  /** Batches per training epoch. */
  readonly batches: number;
  /** Current epoch, from 1. */
  epoch: number;
  /** Batch within the epoch, from 1. */
  batch: number;
  /** Global step (optimizer steps so far, from 1 at the first batch end). */
  step: number;
  /** Samples in the current batch. */
  batchSize: number;
  /** Loss of the current batch (mean over its samples). */
  batchLoss: number;
  /** Running means over the epoch so far. */
  epochLoss: number;
  epochAccuracy: number;
  /** Samples seen in the epoch so far. */
  seen: number;
  /** Whether fit has validation data (valLoss/valAccuracy are NaN without). */
  readonly hasValidation: boolean;
  /** The batchSize option of fit (full batches; the last one of an epoch may be shorter). */
  readonly fitBatchSize: number;
  /** Training samples per epoch. */
  readonly samples: number;
  /** Training inputs (row-major, n × product(sampleShape)), for callbacks that probe the model (DeadReLU). */
  readonly x: Float32Array;
  /** Set by a callback to stop after the current batch; `stopInfo` says why. */
  stopTraining: boolean;
  stopInfo: StopInfo | null;
  /** The history being built. */
  readonly history: History;
}

/**
 * A training callback (Keras style). Batch hooks run on the hot path: they must not allocate
 * (read the state, call kernels on preallocated buffers). Epoch and train hooks may be async.
 */
export interface Callback {
  onTrainBegin?(state: TrainState): void | Promise<void>;
  onEpochBegin?(state: TrainState): void | Promise<void>;
  /** After the optimizer step of every batch; layer outputs still hold this batch's forward. */
  onBatchEnd?(state: TrainState): void;
  /** After validation; `logs` is also the last element of state.history.epochs. */
  onEpochEnd?(state: TrainState, logs: EpochLogs): void | Promise<void>;
  onTrainEnd?(state: TrainState): void | Promise<void>;
}
