// The kernel benchmark, in a worker: the same cases on every backend this browser supports
// (plain JS kernels, WASM SIMD, WASM relaxed SIMD), timed here so that the ratios come from one
// run on one machine. Page → { type: "run", quick }; worker → { type: "backends" | "row" | "done" | "error" }.
import * as sn from "/dist/simdnet.bundle.js";

/** Each case: name, work per call in FLOPs (0 = report time only), setup(engine) → run(). */
const CASES = [
  {
    name: "gemm 256×256×256", flops: 2 * 256 ** 3,
    setup(e) {
      const a = e.zeros([256, 256]); const b = e.zeros([256, 256]); const c = e.zeros([256, 256]);
      a.f32.fill(0.5); b.f32.fill(0.25);
      const wb = e.kernels.gemmWorkBytes(256, 256, 256);
      const work = wb > 0 ? e.allocator.alloc(wb) : 0;
      return () => e.kernels.gemm(0, 0, 256, 256, 256, 1, a.ptr, 256, b.ptr, 256, 0, c.ptr, 256, work);
    },
  },
  {
    name: "gemm 32×100×784 (M1 layer, batch 32)", flops: 2 * 32 * 100 * 784,
    setup(e) {
      const a = e.zeros([32, 784]); const b = e.zeros([100, 784]); const c = e.zeros([32, 100]);
      const wb = e.kernels.gemmWorkBytes(32, 100, 784);
      const work = wb > 0 ? e.allocator.alloc(wb) : 0;
      return () => e.kernels.gemm(0, 1, 32, 100, 784, 1, a.ptr, 784, b.ptr, 784, 0, c.ptr, 100, work);
    },
  },
  {
    name: "Conv2d 32→32 3×3 on 32×32×13×13 (C1), forward", flops: 2 * 32 * 32 * 11 * 11 * 32 * 9,
    setup(e) {
      const conv = new sn.Conv2d(32, 32, 3, { engine: e });
      const x = e.zeros([32, 32, 13, 13]);
      return () => conv.forward(x);
    },
  },
  {
    name: "MaxPool2d 2×2 on 32×32×26×26, forward", flops: 0,
    setup(e) {
      const pool = new sn.MaxPool2d(2, { engine: e });
      const x = e.zeros([32, 32, 26, 26]);
      return () => pool.forward(x);
    },
  },
  {
    name: "relu, 1M values", flops: 0,
    setup(e) { const x = e.zeros([1 << 20]); const y = e.zeros([1 << 20]); return () => e.kernels.reluForward(1 << 20, x.ptr, y.ptr); },
  },
  {
    name: "tanh, 1M values", flops: 0,
    setup(e) { const x = e.zeros([1 << 20]); const y = e.zeros([1 << 20]); x.f32.fill(0.3); return () => e.kernels.tanhForward(1 << 20, x.ptr, y.ptr); },
  },
  {
    name: "axpy, 1M values", flops: 2 << 20,
    setup(e) { const x = e.zeros([1 << 20]); const y = e.zeros([1 << 20]); return () => e.kernels.axpy(1 << 20, 0.5, x.ptr, y.ptr); },
  },
  {
    name: "Adam step, 1M parameters", flops: 0,
    setup(e) { const lin = new sn.Linear(1024, 1024, { engine: e }); const opt = new sn.Adam(lin, { lr: 1e-3 }); return () => opt.step(); },
  },
  {
    name: "M1 training step (batch 32)", flops: 3 * 2 * 32 * (784 * 100 + 100 * 10),
    setup(e) {
      const model = new sn.Sequential(new sn.Flatten({ engine: e }), new sn.Linear(784, 100, { engine: e }), new sn.ReLU({ engine: e }), new sn.Linear(100, 10, { engine: e }));
      const loss = new sn.CrossEntropyLoss({ engine: e });
      const opt = new sn.Adam(model, { lr: 1e-3 });
      const x = e.zeros([32, 1, 28, 28]); const y = e.zeros([32], "int32");
      return () => { opt.zeroGrad(); loss.forward(model.forward(x), y); model.backward(loss.backward()); opt.step(); };
    },
  },
];

/** Median milliseconds per call: calls are batched until one sample takes ≥ minMs. */
function time(run, minMs, samples) {
  run(); run(); // warm up (JIT, first-shape allocation)
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    if (performance.now() - t0 >= minMs) break;
    reps *= 2;
  }
  const out = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    out.push((performance.now() - t0) / reps);
  }
  out.sort((a, b) => a - b);
  return out[Math.floor(out.length / 2)];
}

self.onmessage = async (event) => {
  if (event.data.type !== "run") return;
  try {
    const quick = event.data.quick === true;
    const features = sn.detectWasmFeatures();
    const names = ["js", ...(features.simd ? ["wasm-simd"] : []), ...(features.relaxedSimd ? ["wasm-relaxed-simd"] : [])];
    const engines = [];
    for (const name of names) engines.push(await sn.createEngine({ backend: name }));
    self.postMessage({ type: "backends", names, features });
    for (const c of CASES) {
      const ms = [];
      for (const e of engines) ms.push(time(c.setup(e), quick ? 5 : 60, quick ? 3 : 5));
      self.postMessage({ type: "row", name: c.name, flops: c.flops, ms });
      await new Promise((r) => setTimeout(r, 0));
    }
    self.postMessage({ type: "done" });
  } catch (err) {
    self.postMessage({ type: "error", message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};
