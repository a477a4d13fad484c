// GEMM cases: the products of an MNIST MLP layer (batch 32, 784 → 100) in the forms the core
// issue names and the forms the Linear layer (W stored out×in) runs, the other W1 shapes of the
// speed issue, and square sizes in every transpose combination.
import type { Engine } from "../../src/engine.js";
import type { CaseRun, KernelCase } from "../kernels.js";

function gemmCase(label: string, transA: 0 | 1, transB: 0 | 1, m: number, n: number, k: number, beta = 0): KernelCase {
  return {
    name: `${label} ${transA ? "T" : "N"}${transB ? "T" : "N"} m=${m} n=${n} k=${k}${beta ? ` beta=${beta}` : ""}`,
    flop: 2 * m * n * k,
    setup(e: Engine): CaseRun {
      const al = e.allocator;
      const a = al.alloc(m * k * 4), b = al.alloc(k * n * 4), c = al.alloc(m * n * 4);
      const workBytes = e.kernels.gemmWorkBytes(m, n, k);
      const work = workBytes > 0 ? al.alloc(workBytes) : 0;
      const f = e.views.f32();
      let seed = 12345;
      const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
      for (let i = 0; i < m * k; i++) f[(a >> 2) + i] = rnd();
      for (let i = 0; i < k * n; i++) f[(b >> 2) + i] = rnd();
      f.fill(0, c >> 2, (c >> 2) + m * n);
      const lda = transA ? m : k, ldb = transB ? k : n;
      const g = e.kernels.gemm;
      return {
        run: () => g(transA, transB, m, n, k, 1, a, lda, b, ldb, beta, c, n, work),
        dispose: () => {
          for (const p of [a, b, c]) al.release(p);
          if (work) al.release(work);
        },
      };
    },
  };
}

const square: KernelCase[] = [];
for (const s of [256, 512, 1024]) {
  for (const [ta, tb] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) square.push(gemmCase("square", ta, tb, s, s, s));
}

/** MNIST MLP layer, batch 32, 784 inputs, 100 outputs. */
const mlp: KernelCase[] = [
  // As in the brief: W stored 784×100.
  gemmCase("mlp fwd Y=X·W", 0, 0, 32, 100, 784),
  gemmCase("mlp dW dW=Xᵀ·dY", 1, 0, 784, 100, 32, 1),
  gemmCase("mlp dX dX=dY·Wᵀ", 0, 1, 32, 784, 100),
  // As src/nn/linear.ts runs it: W stored 100×784 (PyTorch layout).
  gemmCase("linear fwd Y=X·Wᵀ", 0, 1, 32, 100, 784),
  gemmCase("linear dW dW=dYᵀ·X", 1, 0, 100, 784, 32, 1),
  gemmCase("linear dX dX=dY·W", 0, 0, 32, 784, 100),
];

/** The remaining GEMM shapes of workload W1 (issue 6), as (M, K, N): (32, 100, 10) and (128, 784, 512). */
const w1: KernelCase[] = [
  gemmCase("W1 classifier", 0, 0, 32, 10, 100),
  gemmCase("W1 wide layer", 0, 0, 128, 512, 784),
];

export const cases: KernelCase[] = [...mlp, ...w1, ...square];
