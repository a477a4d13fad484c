// The simdnet training workloads W2–W5 (issue 6) on TF.js 4.22 (tfjs-core ops, the CPU backend and
// the WASM backend with XNNPACK and SIMD, one thread), float32, train mode: the same models, batch
// sizes and optimizers as bench/train.ts, written with tfjs-core ops (NHWC, TF.js's native layout)
// and optimizer.minimize as the step. Median ms/step over timed rounds after a warm-up.
//
// TF.js is not a dependency of simdnet: install it into this folder first,
//   npm install --prefix bench/peers
// then: node bench/peers/tfjs.mjs [--json] [--quick] [--filter W3] [--backend wasm|cpu]
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const asJson = argv.includes("--json");
const quick = argv.includes("--quick");
const filter = argv.includes("--filter") ? argv[argv.indexOf("--filter") + 1] : null;
const only = argv.includes("--backend") ? argv[argv.indexOf("--backend") + 1] : null;

let tf;
try {
  // The union package: tfjs-core alone registers no gradients in its Node build.
  tf = await import("@tensorflow/tfjs");
  await import("@tensorflow/tfjs-backend-wasm");
} catch {
  console.error("tfjs.mjs: TF.js is not installed in bench/peers. Install it with\n  npm install --prefix bench/peers\n(it stays in bench/peers/node_modules, never a dependency of simdnet) and run again.");
  process.exit(3);
}
const wasm = await import("@tensorflow/tfjs-backend-wasm");
const require = createRequire(import.meta.url);
const wasmDir = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/";
wasm.setWasmPaths(wasmDir);
wasm.setThreadsCount?.(1);

const rand = (() => {
  let s = 20261125;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
})();

/** PyTorch-style U(±1/√fanIn) weights as a tf.Variable. */
function param(shape, fanIn) {
  const n = shape.reduce((a, b) => a * b, 1);
  const b = 1 / Math.sqrt(fanIn);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (rand() * 2 - 1) * b;
  return tf.variable(tf.tensor(data, shape));
}

const dense = (h, w, b) => tf.add(tf.matMul(h, w), b);
const conv = (h, w, b) => tf.add(tf.conv2d(h, w, 1, "valid"), b);
const pool = (h) => tf.maxPool(h, 2, 2, "valid");

const WORKLOADS = [
  {
    id: "W2", batch: 32, shape: [32, 784], classes: 10, opt: "adam",
    make() {
      const w1 = param([784, 100], 784), b1 = param([100], 784), w2 = param([100, 10], 100), b2 = param([10], 100);
      return { vars: [w1, b1, w2, b2], f: (x) => dense(tf.dropout(tf.relu(dense(x, w1, b1)), 0.5), w2, b2) };
    },
  },
  {
    id: "W3", batch: 32, shape: [32, 28, 28, 1], classes: 10, opt: "adam",
    make() {
      const c1 = param([3, 3, 1, 32], 9), cb1 = param([32], 9), c2 = param([3, 3, 32, 32], 288), cb2 = param([32], 288);
      const g = tf.variable(tf.ones([32])), be = tf.variable(tf.zeros([32]));
      const w1 = param([800, 64], 800), b1 = param([64], 800), w2 = param([64, 10], 64), b2 = param([10], 64);
      return {
        vars: [c1, cb1, c2, cb2, g, be, w1, b1, w2, b2],
        f: (x) => {
          let h = tf.dropout(pool(tf.relu(conv(x, c1, cb1))), 0.2);
          h = conv(h, c2, cb2);
          const { mean, variance } = tf.moments(h, [0, 1, 2]);
          h = tf.dropout(pool(tf.relu(tf.batchNorm(h, mean, variance, be, g, 1e-5))), 0.2);
          return dense(tf.relu(dense(tf.reshape(h, [h.shape[0], 800]), w1, b1)), w2, b2);
        },
      };
    },
  },
  {
    id: "W4", batch: 64, shape: [64, 28, 28, 1], classes: 10, opt: "adam",
    make() {
      const c1 = param([5, 5, 1, 10], 25), cb1 = param([10], 25), c2 = param([5, 5, 10, 20], 250), cb2 = param([20], 250);
      const w1 = param([320, 50], 320), b1 = param([50], 320), w2 = param([50, 10], 50), b2 = param([10], 50);
      return {
        vars: [c1, cb1, c2, cb2, w1, b1, w2, b2],
        f: (x) => {
          let h = tf.relu(pool(conv(x, c1, cb1)));
          h = tf.relu(pool(conv(h, c2, cb2)));
          h = tf.dropout(tf.relu(dense(tf.reshape(h, [h.shape[0], 320]), w1, b1)), 0.5);
          return tf.logSoftmax(dense(h, w2, b2));
        },
      };
    },
  },
  {
    id: "W5", batch: 200, shape: [200, 2], classes: 2, opt: "sgd", runSteps: 10_000,
    make() {
      const w1 = param([2, 3], 2), b1 = param([3], 2), w2 = param([3, 2], 3), b2 = param([2], 3);
      return { vars: [w1, b1, w2, b2], f: (x) => dense(tf.tanh(dense(x, w1, b1)), w2, b2) };
    },
  },
];

const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

/**
 * As bench/train.ts: 64 batches of zero-mean unit-variance inputs labelled by a fixed random
 * linear teacher (uniform [0, 1) inputs kill W2's ReLU units, one repeated batch is memorised:
 * both drive Adam's moments into slow subnormals); W5 is make-moons, 200 points, one batch.
 */
function makeBatches(w) {
  const per = w.shape.slice(1).reduce((a, b) => a * b, 1);
  if (w.id === "W5") {
    const data = new Float32Array(w.batch * 2), labels = new Int32Array(w.batch);
    for (let i = 0; i < w.batch; i++) {
      const c = i % 2, t = Math.PI * rand();
      data[2 * i] = (c === 0 ? Math.cos(t) : 1 - Math.cos(t)) + 0.2 * gauss();
      data[2 * i + 1] = (c === 0 ? Math.sin(t) : 0.5 - Math.sin(t)) + 0.2 * gauss();
      labels[i] = c;
    }
    return [{ x: tf.tensor(data, w.shape), y: tf.oneHot(tf.tensor1d(labels, "int32"), w.classes) }];
  }
  const teacher = Float32Array.from({ length: per * w.classes }, () => rand() - 0.5);
  const out = [];
  for (let b = 0; b < 64; b++) {
    const data = Float32Array.from({ length: w.batch * per }, gauss);
    const labels = new Int32Array(w.batch);
    for (let r = 0; r < w.batch; r++) {
      const s = new Float64Array(w.classes);
      for (let i = 0; i < per; i++) for (let c = 0; c < w.classes; c++) s[c] += data[r * per + i] * teacher[i * w.classes + c];
      labels[r] = s.indexOf(Math.max(...s));
    }
    out.push({ x: tf.tensor(data, w.shape), y: tf.oneHot(tf.tensor1d(labels, "int32"), w.classes) });
  }
  return out;
}

function timeWorkload(w) {
  const { vars, f } = w.make();
  const batches = makeBatches(w);
  let next = 0;
  const opt = w.opt === "adam" ? tf.train.adam(1e-3) : tf.train.sgd(0.01);
  // W4's model ends in log-softmax: softmax cross-entropy of log-probabilities equals NLL of them.
  const step = () => {
    const { x, y } = batches[next];
    next = (next + 1) % batches.length;
    opt.minimize(() => tf.losses.softmaxCrossEntropy(y, f(x)), false, vars);
  };
  try {
    const warmMs = quick ? 150 : 400;
    let t0 = performance.now();
    let warm = 0;
    while (warm < 2 || (performance.now() - t0 < warmMs && warm < 1000)) { step(); warm++; }
    const estimate = (performance.now() - t0) / warm;
    const slow = estimate > 200; // the CPU backend's conv steps take seconds: a few single-step rounds
    const rounds = slow ? 3 : quick ? 5 : 11;
    const steps = slow ? 1 : Math.max(1, Math.round((quick ? 40 : 150) / estimate));
    const times = [];
    for (let r = 0; r < rounds; r++) {
      const cpu0 = process.cpuUsage();
      t0 = performance.now();
      for (let s = 0; s < steps; s++) step();
      // As bench/train.ts: min of wall clock and process CPU time, so descheduled time does not count.
      const cpu = process.cpuUsage(cpu0);
      times.push(Math.min(performance.now() - t0, (cpu.user + cpu.system) / 1000) / steps);
    }
    times.sort((a, b) => a - b);
    return { ms: times[rounds >> 1] };
  } catch (e) {
    return { error: String(e?.message ?? e).split("\n")[0] };
  } finally {
    tf.dispose([...batches.flatMap((b) => [b.x, b.y]), ...vars]);
    opt.dispose();
  }
}

const results = [];
for (const backend of ["wasm", "cpu"]) {
  if (only && only !== backend) continue;
  await tf.setBackend(backend);
  await tf.ready();
  for (const w of WORKLOADS) {
    if (filter && !w.id.includes(filter)) continue;
    const r = timeWorkload(w);
    const peer = `tfjs-${backend}`;
    results.push(r.error ? { workload: w.id, peer, error: r.error } : { workload: w.id, peer, msPerStep: r.ms });
    if (!asJson) {
      console.log(r.error ? `${w.id}  TF.js ${backend}  cannot train: ${r.error}`
        : `${w.id}  TF.js ${backend}  ${r.ms.toFixed(3)} ms/step${w.runSteps ? `  (${(w.runSteps * r.ms / 1000).toFixed(2)} s for ${w.runSteps} steps)` : ""}`);
    }
  }
}
if (asJson) console.log(JSON.stringify({ peer: "tfjs", version: tf.version.tfjs, results }));
