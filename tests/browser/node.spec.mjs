// The same imports in Node (no browser): the package entry by its name, as an app would write
// it (a package may import itself through its "exports"), and the browser bundle file, which has
// no Node-only code and must therefore run in Node too.
import assert from "node:assert/strict";
import { test } from "node:test";

/** Trains a 2-16-2 ReLU MLP on make-moons for 150 full-batch Adam steps; returns the accuracy. */
async function trainMoons(sn) {
  const engine = await sn.createEngine();
  sn.manualSeed(0);
  const ds = sn.makeMoons(200, 0.1, { rng: 0 });
  const model = new sn.Sequential(new sn.Linear(2, 16, { engine }), new sn.ReLU({ engine }), new sn.Linear(16, 2, { engine }));
  const loss = new sn.CrossEntropyLoss({ engine });
  const opt = new sn.Adam(model, { lr: 0.02 });
  const x = engine.tensor(ds.x, [ds.n, 2]);
  const y = engine.tensor(ds.y, [ds.n]);
  for (let i = 0; i < 150; i++) {
    opt.zeroGrad();
    loss.forward(model.forward(x), y);
    model.backward(loss.backward());
    opt.step();
  }
  const logits = model.eval().forward(x).f32;
  let correct = 0;
  for (let i = 0; i < ds.n; i++) if ((logits[2 * i + 1] > logits[2 * i] ? 1 : 0) === ds.y[i]) correct++;
  return { backend: engine.backend, accuracy: correct / ds.n };
}

// Node 20 validates relaxed SIMD only behind a flag, so "auto" picks wasm-simd here (unflagged).
const expected = process.execArgv.some((a) => a.includes("relaxed-simd")) ? "wasm-relaxed-simd" : "wasm-simd";

test('Node: import * from "simdnet" trains on the WASM backend', async () => {
  const r = await trainMoons(await import("simdnet"));
  assert.equal(r.backend, expected);
  assert.ok(r.accuracy >= 0.9, `training accuracy ${r.accuracy}`);
});

test("Node: the minified browser bundle runs unchanged", async () => {
  const r = await trainMoons(await import("../../dist/simdnet.bundle.min.js"));
  assert.equal(r.backend, expected);
  assert.ok(r.accuracy >= 0.9, `training accuracy ${r.accuracy}`);
});
