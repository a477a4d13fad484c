/**
 * The 2-D problems' shared parts (P1–P6 and their fast tests): small fully connected nets,
 * full-batch training, decision-boundary grids, dead-ReLU fractions and the hand-set OR/XOR
 * networks.
 *
 * @module
 */

import type { Engine } from "../../src/engine.js";
import type { Dataset } from "../../src/data/datasets.js";
import type { InitSpec } from "../../src/nn/init.js";
import { Linear, ReLU, Sequential, Sigmoid, Tanh } from "../../src/nn/index.js";
import type { Module } from "../../src/nn/module.js";
import type { Tensor } from "../../src/tensor.js";
import { CrossEntropyLoss } from "../../src/nn/loss.js";
import { SGD } from "../../src/optim/sgd.js";
import { argmax, BatchTensors, predict, Trainer as TrainerClass, type Grid, type Metrics, type Trainer } from "./lib.js";

/** Hidden-layer activations of the 2-D problems. */
export type Activation = "relu" | "tanh" | "sigmoid";

function activation(a: Activation): Module {
  return a === "relu" ? new ReLU() : a === "tanh" ? new Tanh() : new Sigmoid();
}

/**
 * A fully connected net `sizes[0]-…-sizes[last]` with `act` after every hidden layer and raw
 * logits out. `init` overrides PyTorch's default initialisation of weights and biases
 * ("zeros" for P1/P2's zero-init nets).
 */
export function mlp(sizes: readonly number[], act: Activation, init?: InitSpec): Sequential {
  const net = new Sequential();
  for (let i = 0; i + 1 < sizes.length; i++) {
    net.add(new Linear(sizes[i]!, sizes[i + 1]!, init !== undefined ? { init } : {}));
    if (i + 2 < sizes.length) net.add(activation(act));
  }
  return net;
}

/** Accuracy and loss of the trainer's model on a data set. */
export function score(trainer: Trainer, ds: Dataset): Metrics {
  return trainer.evaluate(ds.x, ds.y, ds.n);
}

/**
 * Full-batch training for `iterations` optimizer steps; `every` steps (and at the last one)
 * `log` gets the step and the training loss. Returns the last training loss.
 */
export function trainFullBatch(
  trainer: Trainer, ds: Dataset, iterations: number,
  log?: (step: number, loss: number) => void, every = 10,
): number {
  let loss = NaN;
  for (let i = 1; i <= iterations; i++) {
    loss = trainer.trainBatch(ds.x, ds.y, ds.n);
    if (log !== undefined && (i % every === 0 || i === iterations || i === 1)) log(i, loss);
  }
  return loss;
}

/** Predicted class of every grid point. */
export function gridClasses(model: Module, grid: Grid): Int32Array {
  const out = predict(model, grid.points, [2]);
  const n = grid.size * grid.size;
  const k = out.length / n;
  const cls = new Int32Array(n);
  for (let i = 0; i < n; i++) cls[i] = argmax(out, i * k, k);
  return cls;
}

/**
 * Fraction of dead units in each ReLU layer of a Sequential: units whose input (the
 * pre-activation) is ≤ 0 for EVERY sample of x, so the unit outputs 0 and passes no gradient
 * whatever the input. One entry per ReLU, in order.
 */
export function deadFractions(net: Sequential, x: Float32Array, features = 2): number[] {
  const n = x.length / features;
  const io = new BatchTensors(net.engine, [features]);
  const wasTraining = net.training;
  net.eval();
  let h: Tensor = io.x(x, n);
  const fractions: number[] = [];
  for (const layer of net.layers) {
    if (layer instanceof ReLU) {
      const v = h.f32;
      const units = v.length / n;
      let dead = 0;
      for (let u = 0; u < units; u++) {
        let alive = false;
        for (let s = 0; s < n && !alive; s++) alive = v[s * units + u]! > 0;
        if (!alive) dead++;
      }
      fractions.push(dead / units);
    }
    h = layer.forward(h);
  }
  net.train(wasTraining);
  io.dispose();
  return fractions;
}

/** Sets a Linear layer's weight ([out, in] row-major) and bias. */
export function setLinear(layer: Linear, weight: readonly number[], bias: readonly number[]): void {
  layer.loadStateDict(new Map([
    ["weight", { shape: [layer.outFeatures, layer.inFeatures], data: Float32Array.from(weight) }],
    ["bias", { shape: [layer.outFeatures], data: Float32Array.from(bias) }],
  ]));
}

/**
 * P4's OR with the fewest ReLU units — one: y = ReLU(x1 + x2), which is 0 at (0, 0) and 1 or 2
 * elsewhere on {0,1}².
 */
export function orNet(engine?: Engine): Sequential {
  const o = engine !== undefined ? { engine } : {};
  const l = new Linear(2, 1, o);
  setLinear(l, [1, 1], [0]);
  return new Sequential(l, new ReLU(o));
}

/**
 * P4's XOR with the fewest layers — one hidden layer of two ReLU units and a linear output:
 * h1 = ReLU(x1 + x2), h2 = ReLU(x1 + x2 − 1), y = h1 − 2·h2, giving 0, 1, 1, 0.
 */
export function xorNet(engine?: Engine): Sequential {
  const o = engine !== undefined ? { engine } : {};
  const hidden = new Linear(2, 2, o);
  setLinear(hidden, [1, 1, 1, 1], [0, -1]);
  const out = new Linear(2, 1, o);
  setLinear(out, [1, -2], [0]);
  return new Sequential(hidden, new ReLU(o), out);
}

/** The four points of {0,1}² as a [4, 2] batch: (0,0), (0,1), (1,0), (1,1). */
export const UNIT_SQUARE = Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1);

/**
 * P5's recipe (the classic "neural network from scratch" moons exercise): softmax + cross-entropy
 * SUMMED over the samples, full-batch gradient descent with lr 0.01 and L2 0.01 (as SGD weight
 * decay, which here also decays the biases), `passes` steps. Returns the trainer (caller disposes).
 */
export function trainP5(net: Sequential, ds: Dataset, passes = 20000): Trainer {
  const trainer = new TrainerClass(net, new CrossEntropyLoss({ reduction: "sum" }), new SGD(net, { lr: 0.01, weightDecay: 0.01 }), [2]);
  trainFullBatch(trainer, ds, passes);
  return trainer;
}
