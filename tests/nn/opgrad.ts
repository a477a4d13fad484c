import type { Engine } from "../../src/engine.js";
import { mul, noGrad, sum } from "../../src/autograd/functional.js";
import type { Tensor } from "../../src/tensor.js";
import { centralDifference, GRAD_TOL } from "./gradcheck.js";
import { TestRandom } from "../helpers/random.js";

/** One differentiable input of an operation check. */
export interface OpInput {
  shape: number[];
  /** Values; default uniform in [-1, 1). */
  values?: Float32Array;
}

/**
 * Checks the gradients `backward()` gives for every input of `fn` against central finite
 * differences of L = Σ r ⊙ fn(inputs) (r fixed random; L summed in f64 from the f32 outputs).
 * The analytic pass records on the tape (leaves with requiresGrad); the numeric passes run
 * under noGrad. Returns the mismatches (empty = pass).
 */
export function opGradCheck(
  engine: Engine, inputs: OpInput[], fn: (...xs: Tensor[]) => Tensor,
  options: { eps?: number; tol?: { rtol: number; atol: number }; samples?: number; seed?: number } = {},
): string[] {
  const eps = options.eps ?? 1e-2;
  const tol = options.tol ?? GRAD_TOL;
  const rnd = new TestRandom(options.seed ?? 5);
  const xs = inputs.map((inp) => {
    const n = inp.shape.reduce((a, b) => a * b, 1);
    const t = engine.tensor(inp.values ?? rnd.floats(n, -1, 1), inp.shape);
    t.requiresGrad = true;
    return t;
  });
  const y0 = fn(...xs);
  const r = rnd.floats(y0.size, -1, 1);
  const rT = engine.tensor(r, y0.shape);
  sum(mul(y0, rT)).backward();
  const grads = xs.map((x) => x.grad!.toArray() as Float32Array);
  const L = (): number => noGrad(() => {
    const d = fn(...xs).f32;
    let s = 0;
    for (let i = 0; i < r.length; i++) s += d[i]! * r[i]!;
    return s;
  });
  const problems: string[] = [];
  xs.forEach((x, k) => {
    const n = x.size;
    const probes = n <= (options.samples ?? 30) ? [...Array(n).keys()] : Array.from({ length: options.samples ?? 30 }, () => rnd.int(0, n - 1));
    for (const i of probes) {
      const numeric = centralDifference(x, i, eps, L);
      const analytic = grads[k]![i]!;
      if (Math.abs(analytic - numeric) > tol.atol + tol.rtol * Math.max(Math.abs(analytic), Math.abs(numeric))) {
        problems.push(`input ${k}[${i}]: analytic ${analytic}, numeric ${numeric}`);
      }
    }
  });
  for (const x of xs) x.dispose();
  rT.dispose();
  return problems;
}
