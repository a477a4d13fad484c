/**
 * PyTorch 1.13 parity of whole networks through autograd (issue 9): a residual CNN, two branches
 * joined with cat, a shared-weight net and a custom two-term loss — loss, every parameter
 * gradient, and three Adam steps. Fixtures: tests/nn/fixtures/torch-graphs.json, written by
 * scripts/torch-fixtures.py (needs Debian's python3-torch; the test is skipped, saying so, until
 * the file exists).
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine.js";
import { add, avgPool2d, cat, crossEntropy, flatten, mean, mseLoss, mul, relu, sigmoid, tanh } from "../../src/autograd/functional.js";
import { BatchNorm2d, Conv2d, Linear, Module, type StateTensor } from "../../src/nn/index.js";
import { Adam } from "../../src/optim/index.js";
import type { Tensor } from "../../src/tensor.js";
import { assertClose, testEngines } from "../helpers/engines.js";

interface T { shape: number[]; data: number[]; dtype?: "int32" }
interface GraphCase {
  name: string; state: Record<string, T>; input: T; target: T; loss: number; grads: Record<string, T>;
  steps: { loss: number; params: Record<string, T> }[];
}

const file = new URL("./fixtures/torch-graphs.json", import.meta.url);
const fixtures = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { torch: string; graphs: GraphCase[] }) : null;

/** f32 on both sides; differences are summation order and the vectorised exp (see torch-parity.test.ts). */
const TOL = { rtol: 1e-5, atol: 1e-5 };

class Block extends Module {
  conv1: Conv2d; bn1: BatchNorm2d; conv2: Conv2d; bn2: BatchNorm2d;
  constructor(engine: Engine, c: number) {
    super({ engine });
    this.conv1 = new Conv2d(c, c, 3, { padding: 1, bias: false, engine }); this.bn1 = new BatchNorm2d(c, { engine });
    this.conv2 = new Conv2d(c, c, 3, { padding: 1, bias: false, engine }); this.bn2 = new BatchNorm2d(c, { engine });
  }
  forward(x: Tensor): Tensor {
    return relu(add(this.bn2.forward(this.conv2.forward(relu(this.bn1.forward(this.conv1.forward(x))))), x));
  }
}
class ResidualCnn extends Module {
  stem: Conv2d; block: Block; head: Linear;
  constructor(engine: Engine) {
    super({ engine });
    this.stem = new Conv2d(1, 4, 3, { padding: 1, engine }); this.block = new Block(engine, 4); this.head = new Linear(16, 3, { engine });
  }
  forward(x: Tensor): Tensor {
    return this.head.forward(flatten(avgPool2d(this.block.forward(relu(this.stem.forward(x))), 2), 1));
  }
}
class TwoBranch extends Module {
  a: Linear; b: Linear; out: Linear;
  constructor(engine: Engine) {
    super({ engine });
    this.a = new Linear(3, 4, { engine }); this.b = new Linear(3, 2, { engine }); this.out = new Linear(6, 2, { engine });
  }
  forward(x: Tensor): Tensor {
    return this.out.forward(cat([tanh(this.a.forward(x)), sigmoid(this.b.forward(x))], 1));
  }
}
class Shared extends Module {
  lin: Linear; out: Linear;
  constructor(engine: Engine) {
    super({ engine });
    this.lin = new Linear(4, 4, { engine }); this.out = new Linear(4, 3, { engine });
  }
  forward(x: Tensor): Tensor {
    return this.out.forward(tanh(this.lin.forward(tanh(this.lin.forward(x)))));
  }
}

const CASES: Record<string, { make: (e: Engine) => Module; loss: (y: Tensor, target: Tensor) => Tensor }> = {
  "residual CNN": { make: (e) => new ResidualCnn(e), loss: (y, t) => crossEntropy(y, t) },
  "two branches joined with cat": { make: (e) => new TwoBranch(e), loss: (y, t) => mseLoss(y, t) },
  "shared weight": { make: (e) => new Shared(e), loss: (y, t) => crossEntropy(y, t) },
  "custom two-term loss": { make: (e) => new ResidualCnn(e), loss: (y, t) => add(crossEntropy(y, t), mul(mean(mul(y, y)), 0.1)) },
};

function tensor(engine: Engine, t: T): Tensor {
  return engine.tensor(t.dtype === "int32" ? Int32Array.from(t.data) : Float32Array.from(t.data), t.shape);
}

describe.skipIf(fixtures === null)(`networks through autograd match PyTorch ${fixtures?.torch ?? "(fixtures not generated: run scripts/torch-fixtures.py)"}`, () => {
  for (const c of fixtures?.graphs ?? []) {
    it(c.name, async () => {
      const { js, wasm } = await testEngines();
      const spec = CASES[c.name]!;
      for (const engine of [js, ...wasm]) {
        const m = spec.make(engine);
        m.loadStateDict(new Map(Object.entries(c.state).map(([k, v]): [string, StateTensor] => [k, { shape: v.shape, data: Float32Array.from(v.data) }])));
        const x = tensor(engine, c.input), target = tensor(engine, c.target);
        const loss = spec.loss(m.forward(x), target);
        expect(Math.abs(loss.item() - c.loss)).toBeLessThanOrEqual(TOL.atol + TOL.rtol * Math.abs(c.loss));
        loss.backward();
        for (const [k, p] of m.namedParameters()) assertClose(p.grad.toArray(), Float32Array.from(c.grads[k]!.data), TOL, `${c.name} ${engine.backend} grad ${k}`);
        const opt = new Adam(m, { lr: 0.01 });
        for (const [i, step] of c.steps.entries()) {
          opt.zeroGrad();
          const l = spec.loss(m.forward(x), target);
          l.backward();
          opt.step();
          expect(Math.abs(l.item() - step.loss)).toBeLessThanOrEqual(TOL.atol + TOL.rtol * Math.abs(step.loss));
          for (const [k, p] of m.namedParameters()) assertClose(p.data.toArray(), Float32Array.from(step.params[k]!.data), TOL, `${c.name} ${engine.backend} step ${i + 1} ${k}`);
        }
        opt.dispose();
        m.dispose();
      }
    });
  }
});
