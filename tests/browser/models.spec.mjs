// Models that round-trip in a browser: trained in a page, saved to IndexedDB, loaded again after
// a page reload; a downloadable Blob and a fetched http URL read back the same model.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setUp } from "./harness.mjs";

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

/** Ten moons points to predict, the same in every page. */
const PROBE = [[-1, 0.5], [0, 1], [1, 0], [2, 0.5], [0.5, -0.3], [1.5, -0.5], [-0.5, 0.8], [0.2, 0.2], [1, 1], [0, -0.5]];

test("a model trained in a page is saved to IndexedDB, reloaded after a page reload and predicts the same", async () => {
  const { page, errors } = await env.newPage();
  await page.goto(`${env.url}index.html`);
  const trained = await page.evaluate(async (probe) => {
    const sn = await import("/dist/simdnet.bundle.min.js");
    const engine = await sn.init();
    sn.manualSeed(4);
    const { train, test } = sn.trainTestSplit(sn.makeMoons(400, 0.1, { rng: 4 }), 0.25, { rng: 4 });
    const model = new sn.Model(new sn.Linear(2, 16), new sn.Tanh(), new sn.Linear(16, 2));
    await model.fit(train.x, train.y, { epochs: 40, batchSize: 32, seed: 4, optimizer: new sn.Adam(model, { lr: 0.02 }) });
    const description = await model.save("indexeddb://moons");
    const blob = model.toBlob();
    return {
      backend: engine.backend,
      accuracy: model.evaluate(test.x, test.y).accuracy,
      inputShape: description.inputShape,
      predictions: [...model.predict(probe)],
      proba: [...model.predictProba(probe)],
      bytes: [...new Uint8Array(await blob.arrayBuffer())],
    };
  }, PROBE);
  assert.equal(trained.backend, "wasm-relaxed-simd");
  assert.ok(trained.accuracy >= 0.95, `trained in the page: test accuracy ${trained.accuracy}`);
  assert.deepEqual(trained.inputShape, [2], "the input shape is recorded by fit");

  // A fresh page load: nothing of the trained model survives in memory, only what IndexedDB holds.
  await page.reload();
  const model = "/models/moons.safetensors";
  await page.route(`**${model}`, (route) => route.fulfill({ status: 200, contentType: "application/octet-stream", body: Buffer.from(trained.bytes) }));
  const reloaded = await page.evaluate(async ({ probe, bytes, model }) => {
    const sn = await import("/dist/simdnet.bundle.min.js");
    await sn.init();
    const fromDb = await sn.Model.load("indexeddb://moons");
    const fromBlob = await sn.Model.load(new Blob([new Uint8Array(bytes)]));
    const fromUrl = await sn.Model.load(model);
    let missing = "";
    try { await sn.Model.load("indexeddb://no-such-model"); } catch (e) { missing = `${e.name}: ${e.message}`; }
    return {
      isModel: fromDb instanceof sn.Model,
      inputShape: fromDb.inputShape,
      predictions: [...fromDb.predict(probe)],
      proba: [...fromDb.predictProba(probe)],
      single: [...fromDb.predict(probe[0])],
      blob: [...fromBlob.predict(probe)],
      url: [...fromUrl.predict(probe)],
      missing,
    };
  }, { probe: PROBE, bytes: trained.bytes, model });
  assert.equal(reloaded.isModel, true, "Model.load returns a Model");
  assert.deepEqual(reloaded.inputShape, [2]);
  assert.deepEqual(reloaded.predictions, trained.predictions, "the reloaded model predicts exactly the same");
  assert.deepEqual(reloaded.proba, trained.proba);
  assert.deepEqual(reloaded.single, trained.predictions.slice(0, 2), "one sample as [x1, x2]");
  assert.deepEqual(reloaded.blob, trained.predictions, "a Blob (model.toBlob(), as downloaded) loads the same model");
  assert.deepEqual(reloaded.url, trained.predictions, "a fetched URL loads the same model");
  assert.equal(reloaded.missing, "SimdnetError: indexeddb://no-such-model: expected a saved model, got nothing under that name");
  assert.deepEqual(errors, [], `errors in the browser:\n${errors.join("\n")}`);
});
