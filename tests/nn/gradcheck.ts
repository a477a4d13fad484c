import type { Engine } from "../../src/engine.js";
import type { Module } from "../../src/nn/module.js";
import type { Loss } from "../../src/nn/loss.js";
import type { Tensor } from "../../src/tensor.js";
import { TestRandom } from "../helpers/random.js";

/**
 * (L(x + eps·e_i) − L(x − eps·e_i)) / 2eps, restoring x[i]. Reads `t.f32` afresh each time: L may
 * grow the memory, which replaces the view.
 */
export function centralDifference(t: { f32: Float32Array }, i: number, eps: number, L: () => number): number {
  const keep = t.f32[i]!;
  t.f32[i] = keep + eps;
  const lp = L();
  t.f32[i] = keep - eps;
  const lm = L();
  t.f32[i] = keep;
  return (lp - lm) / (2 * eps);
}

/**
 * Tolerance of the finite-difference checks. Everything runs in f32 (the kernels), the scalar
 * objective is summed in f64 from f32 outputs. With a step eps the central difference has a
 * truncation error O(eps²·f''') and a rounding error ≈ |L|·2^-24·√terms / eps; eps = 1e-2 on
 * inputs of size ~1 keeps both near 1e-4 for these small layers, so a relative tolerance of
 * 1e-2 on top of an absolute 2e-3 separates "correct" from "wrong formula" (which is off by O(1))
 * without flakiness. Kinks (ReLU at 0, max-pool ties) are avoided by the input choice.
 */
export const GRAD_TOL = { rtol: 1e-2, atol: 2e-3 };

/** Fills a tensor from an array. */
export function setData(t: Tensor, values: ArrayLike<number>): void {
  (t.data as Float32Array | Int32Array).set(values as ArrayLike<number>);
}

function dot(y: Tensor, r: Float32Array): number {
  const d = y.f32;
  let s = 0;
  for (let i = 0; i < r.length; i++) s += d[i]! * r[i]!;
  return s;
}

function compare(name: string, analytic: number, numeric: number, tol = GRAD_TOL): string | null {
  const err = Math.abs(analytic - numeric);
  if (err <= tol.atol + tol.rtol * Math.max(Math.abs(analytic), Math.abs(numeric))) return null;
  return `${name}: analytic ${analytic}, numeric ${numeric}`;
}

/** Indices to probe: all when few, else a seeded sample of `max`. */
function probe(n: number, max: number, rnd: TestRandom): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>([0, n - 1]);
  while (out.size < max) out.add(rnd.int(0, n - 1));
  return [...out];
}

export interface GradCheckOptions {
  eps?: number;
  tol?: { rtol: number; atol: number };
  /** Probed entries per tensor. */
  samples?: number;
  /** Called before every forward (e.g. to reset a dropout offset so the mask is fixed). */
  beforeForward?: () => void;
  seed?: number;
}

/**
 * Checks dL/dx and dL/dparams of `module` at input `xValues` for L = Σ r ⊙ forward(x), r fixed
 * random, against central finite differences. Returns the list of mismatches (empty = pass).
 */
export function gradCheck(engine: Engine, module: Module, shape: number[], xValues: Float32Array, options: GradCheckOptions = {}): string[] {
  const eps = options.eps ?? 1e-2;
  const tol = options.tol ?? GRAD_TOL;
  const rnd = new TestRandom(options.seed ?? 7);
  const x = engine.tensor(xValues, shape);
  const fwd = () => {
    options.beforeForward?.();
    return module.forward(x);
  };
  const y0 = fwd();
  const r = rnd.floats(y0.size, -1, 1);
  const rT = engine.tensor(r, y0.shape);
  for (const p of module.parameters()) p.grad.f32.fill(0);
  fwd();
  const dx = module.backward(rT).toArray() as Float32Array;
  const problems: string[] = [];
  const L = () => dot(fwd(), r);
  const xs = x.f32;
  for (const i of probe(x.size, options.samples ?? 40, rnd)) {
    const p = compare(`dx[${i}]`, dx[i]!, centralDifference(x, i, eps, L), tol);
    if (p) problems.push(p);
  }
  void xs;
  for (const [name, param] of module.namedParameters()) {
    const g = param.grad.toArray() as Float32Array;
    for (const i of probe(param.size, options.samples ?? 40, rnd)) {
      const p = compare(`${name}[${i}]`, g[i]!, centralDifference(param.data, i, eps, L), tol);
      if (p) problems.push(p);
    }
  }
  x.dispose();
  rT.dispose();
  return problems;
}

/** Checks dLoss/dinput of a loss against central differences. */
export function lossGradCheck(engine: Engine, loss: Loss, input: Tensor, target: Tensor, options: GradCheckOptions = {}): string[] {
  const eps = options.eps ?? 1e-2;
  const tol = options.tol ?? GRAD_TOL;
  const rnd = new TestRandom(options.seed ?? 11);
  loss.forward(input, target);
  const g = loss.backward().toArray() as Float32Array;
  const problems: string[] = [];
  for (const i of probe(input.size, options.samples ?? 60, rnd)) {
    const p = compare(`dinput[${i}]`, g[i]!, centralDifference(input, i, eps, () => loss.forward(input, target)), tol);
    if (p) problems.push(p);
  }
  void engine;
  return problems;
}

/** n values spaced `gap` apart in random order (no ties, no near-ties: safe around max/relu kinks). */
export function distinctValues(n: number, gap: number, rnd: TestRandom, offset = 0): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = offset + (i - n / 2) * gap;
  for (let i = n - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    const t = v[i]!;
    v[i] = v[j]!;
    v[j] = t;
  }
  return v;
}

/** Values uniform in ±[lo, hi] (bounded away from 0: safe around the ReLU kink). */
export function awayFromZero(n: number, lo: number, hi: number, rnd: TestRandom): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (rnd.next() < 0.5 ? -1 : 1) * rnd.uniform(lo, hi);
  return v;
}
