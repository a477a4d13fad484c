/**
 * Class probabilities from a model's outputs, by what its last layer already did: nothing
 * (logits: softmax, or the sigmoid of a single logit), Softmax (as is), LogSoftmax (exp),
 * Sigmoid (as is).
 *
 * @module
 */

import type { Module } from "../nn/module.js";
import { Sequential } from "../nn/sequential.js";

/** The innermost last layer of nested Sequentials. */
function lastLayer(module: Module): Module {
  let m = module;
  while (m instanceof Sequential && m.layers.length > 0) m = m.layers[m.layers.length - 1]!;
  return m;
}

/** Probabilities of `out` (n × classes values, row-major) as a new array. */
export function probabilities(model: Module, out: Float32Array, classes: number): Float32Array {
  const last = lastLayer(model).type;
  if (last === "Softmax" || last === "Sigmoid") return out.slice();
  const p = new Float32Array(out.length);
  if (last === "LogSoftmax") {
    for (let i = 0; i < out.length; i++) p[i] = Math.exp(out[i]!);
    return p;
  }
  if (classes === 1) {
    for (let i = 0; i < out.length; i++) p[i] = 1 / (1 + Math.exp(-out[i]!));
    return p;
  }
  for (let r = 0; r < out.length; r += classes) {
    // Shifted by the row's maximum, so exp never overflows.
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, out[r + j]!);
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(out[r + j]! - max);
    for (let j = 0; j < classes; j++) p[r + j] = Math.exp(out[r + j]! - max) / sum;
  }
  return p;
}
