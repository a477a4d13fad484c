/**
 * Weight initialisers (PyTorch's torch.nn.init formulas) and the nn default random generator.
 *
 * Every initialiser is driven by a seeded {@link Rng} (src/data/random.ts): a layer's `rng`
 * option (an Rng or a seed) or, when absent, the default generator that {@link manualSeed}
 * resets — the analogue of `torch.manual_seed`. Building the same model after the same
 * `manualSeed(s)` gives bit-identical weights on every backend (values are drawn in JS).
 *
 * @module
 */

import { Rng } from "../data/random.js";
import { fail, SimdnetError } from "../errors.js";
import type { Tensor } from "../tensor.js";

let defaultRng = new Rng(0);

/** Resets the nn default generator (weight init, dropout seeds) to `seed`, like torch.manual_seed. */
export function manualSeed(seed: number): void {
  defaultRng = new Rng(seed);
}

/** The nn default generator (used by layers built without an `rng` option). */
export function getDefaultRng(): Rng {
  return defaultRng;
}

/** Turns a layer's `rng` option into a generator: an Rng as is, a seed as `new Rng(seed)`, none as the default. */
export function resolveRng(rng: Rng | number | undefined): Rng {
  if (rng === undefined) return defaultRng;
  if (rng instanceof Rng) return rng;
  return new Rng(rng);
}

/** Non-linearities known to {@link calculateGain} (PyTorch's names in camelCase). */
export type Nonlinearity = "linear" | "conv2d" | "sigmoid" | "tanh" | "relu" | "leakyRelu" | "selu";

/**
 * An initialiser, as JSON (it goes into architecture descriptions):
 * - `"default"`: the layer's PyTorch default (Linear/Conv2d weight: kaimingUniform with a = √5,
 *   i.e. U(−1/√fanIn, 1/√fanIn); bias: U(−1/√fanIn, 1/√fanIn); BatchNorm weight 1, bias 0);
 * - `"zeros"`, `"ones"`, `{ name: "constant", value }`;
 * - `"uniform"` = U(0, 1) or `{ name: "uniform", low, high }`;
 * - `"normal"` = N(0, 1) or `{ name: "normal", mean, std }`;
 * - `"xavierUniform"` / `"xavierNormal"` or `{ name, gain }` (Glorot: bound gain·√(6/(fanIn+fanOut)),
 *   std gain·√(2/(fanIn+fanOut)));
 * - `"kaimingUniform"` / `"kaimingNormal"` or `{ name, a, mode, nonlinearity }` (He: defaults
 *   a = 0, mode "fanIn", nonlinearity "leakyRelu" — as PyTorch — so gain √2; bound gain·√(3/fan),
 *   std gain/√fan).
 */
export type InitSpec =
  | "default" | "zeros" | "ones" | "uniform" | "normal"
  | "xavierUniform" | "xavierNormal" | "kaimingUniform" | "kaimingNormal"
  | { name: "constant"; value: number }
  | { name: "uniform"; low?: number; high?: number }
  | { name: "normal"; mean?: number; std?: number }
  | { name: "xavierUniform" | "xavierNormal"; gain?: number }
  | { name: "kaimingUniform" | "kaimingNormal"; a?: number; mode?: "fanIn" | "fanOut"; nonlinearity?: Nonlinearity };

/** fan_in / fan_out of a weight shape as PyTorch computes them (dims ≥ 2: [out, in, ...receptive]). */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) fail("fan in/out shape", "at least 2 dimensions (a weight)", shape);
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i]!;
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/** PyTorch's recommended gain for a non-linearity (`param` = negative slope of leakyRelu, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv2d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leakyRelu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      return fail("nonlinearity", '"linear", "conv2d", "sigmoid", "tanh", "relu", "leakyRelu" or "selu"', nonlinearity);
  }
}

const SPEC_NAMES = ["default", "zeros", "ones", "constant", "uniform", "normal", "xavierUniform", "xavierNormal", "kaimingUniform", "kaimingNormal"];
const SPEC_KEYS: Record<string, readonly string[]> = {
  constant: ["name", "value"],
  uniform: ["name", "low", "high"],
  normal: ["name", "mean", "std"],
  xavierUniform: ["name", "gain"],
  xavierNormal: ["name", "gain"],
  kaimingUniform: ["name", "a", "mode", "nonlinearity"],
  kaimingNormal: ["name", "a", "mode", "nonlinearity"],
};

/** Throws unless `spec` is a valid InitSpec; `what` names the option ("Linear weightInit"). */
export function checkInitSpec(what: string, spec: unknown): asserts spec is InitSpec {
  if (typeof spec === "string") {
    if (!SPEC_NAMES.includes(spec) || spec === "constant") fail(what, `one of ${SPEC_NAMES.filter((n) => n !== "constant").map((n) => `"${n}"`).join(", ")} or { name, ... }`, spec);
    return;
  }
  if (spec === null || typeof spec !== "object") fail(what, "an initialiser name or { name, ... }", spec);
  const name = (spec as { name?: unknown }).name;
  const keys = typeof name === "string" ? SPEC_KEYS[name] : undefined;
  if (keys === undefined) fail(`${what} name`, `one of ${Object.keys(SPEC_KEYS).map((n) => `"${n}"`).join(", ")}`, name);
  for (const key of Object.keys(spec)) {
    if (!keys.includes(key)) throw new SimdnetError(`${what}: expected only the keys ${keys.join(", ")} for "${name}", got unknown key "${key}"`);
    const v = (spec as Record<string, unknown>)[key];
    if (key === "mode" && v !== "fanIn" && v !== "fanOut") fail(`${what} mode`, '"fanIn" or "fanOut"', v);
    if (key === "nonlinearity") calculateGain(v as Nonlinearity);
    if (key !== "name" && key !== "mode" && key !== "nonlinearity" && (typeof v !== "number" || !Number.isFinite(v))) {
      fail(`${what} ${key}`, "a finite number", v);
    }
  }
  if (name === "constant" && typeof (spec as { value?: unknown }).value !== "number") fail(`${what} value`, "a finite number", (spec as { value?: unknown }).value);
}

/**
 * Fills `t` according to `spec`. `fans` are the fan-in/out of the layer's WEIGHT (biases use
 * their weight's fans, as PyTorch's layer defaults do); `defaultSpec` resolves `"default"`.
 */
export function applyInit(
  spec: InitSpec, t: Tensor, fans: { fanIn: number; fanOut: number }, rng: Rng, defaultSpec: InitSpec,
): void {
  if (spec === "default") spec = defaultSpec;
  const obj = typeof spec === "string" ? { name: spec } : spec;
  const data = t.f32;
  const uniform = (lo: number, hi: number) => {
    for (let i = 0; i < data.length; i++) data[i] = rng.uniform(lo, hi);
  };
  const normal = (mean: number, std: number) => {
    for (let i = 0; i < data.length; i++) data[i] = rng.normal(mean, std);
  };
  switch (obj.name) {
    case "zeros":
      data.fill(0);
      return;
    case "ones":
      data.fill(1);
      return;
    case "constant":
      data.fill((obj as { value: number }).value);
      return;
    case "uniform": {
      const o = obj as { low?: number; high?: number };
      uniform(o.low ?? 0, o.high ?? 1);
      return;
    }
    case "normal": {
      const o = obj as { mean?: number; std?: number };
      normal(o.mean ?? 0, o.std ?? 1);
      return;
    }
    case "xavierUniform":
    case "xavierNormal": {
      const gain = (obj as { gain?: number }).gain ?? 1;
      if (obj.name === "xavierUniform") {
        const bound = gain * Math.sqrt(6 / (fans.fanIn + fans.fanOut));
        uniform(-bound, bound);
      } else normal(0, gain * Math.sqrt(2 / (fans.fanIn + fans.fanOut)));
      return;
    }
    case "kaimingUniform":
    case "kaimingNormal": {
      const o = obj as { a?: number; mode?: "fanIn" | "fanOut"; nonlinearity?: Nonlinearity };
      const fan = (o.mode ?? "fanIn") === "fanIn" ? fans.fanIn : fans.fanOut;
      const gain = calculateGain(o.nonlinearity ?? "leakyRelu", o.a ?? 0);
      if (obj.name === "kaimingUniform") {
        const bound = gain * Math.sqrt(3 / fan);
        uniform(-bound, bound);
      } else normal(0, gain / Math.sqrt(fan));
      return;
    }
    default:
      fail("init name", "a known initialiser", obj.name);
  }
}

/** PyTorch's default weight init for Linear and Conv2d: kaiming_uniform_(a=√5) = U(−1/√fanIn, 1/√fanIn). */
export const DEFAULT_WEIGHT_INIT: InitSpec = { name: "kaimingUniform", a: Math.sqrt(5) };

/** PyTorch's default bias init for Linear and Conv2d, as a function of the weight's fan-in. */
export function defaultBiasInit(fanIn: number): InitSpec {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return { name: "uniform", low: -bound, high: bound };
}
