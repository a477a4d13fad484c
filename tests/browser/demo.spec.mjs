// Browser tests (node:test + playwright-core + Debian's Chromium). Not part of vitest: run with
// `npm run test:browser` (tests/browser/run.mjs builds what they need first).
//
// One browser and one demo server serve every test, in order; each page records console errors,
// uncaught exceptions and failed requests, and each test asserts there were none.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setUp, shotDir, waitFor } from "./harness.mjs";

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

/** Fails with the collected errors (console, page, network) if there are any. */
function assertNoErrors(errors, where) {
  assert.deepEqual(errors, [], `${where}: errors in the browser:\n${errors.join("\n")}`);
}

test("the bundle loads in a module script with the relaxed-SIMD backend, cross-origin isolated", async () => {
  const { page, errors } = await env.newPage();
  await page.goto(env.url);
  const result = await page.evaluate(async () => {
    const out = { isolated: self.crossOriginIsolated };
    for (const file of ["simdnet.bundle.js", "simdnet.bundle.min.js"]) {
      const sn = await import(`/dist/${file}`);
      const engine = await sn.createEngine();
      const a = engine.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
      const b = engine.tensor([7, 8, 9, 10, 11, 12], [3, 2]);
      out[file] = { backend: engine.backend, missing: [...engine.missingKernels], product: [...engine.matmul(a, b).toArray()] };
    }
    return out;
  });
  assert.equal(result.isolated, true, "COOP/COEP headers make the page cross-origin isolated");
  for (const file of ["simdnet.bundle.js", "simdnet.bundle.min.js"]) {
    assert.equal(result[file].backend, "wasm-relaxed-simd", `${file}: Chromium validates relaxed SIMD, so auto picks it`);
    assert.deepEqual(result[file].missing, [], `${file}: every kernel is implemented in the WASM build`);
    assert.deepEqual(result[file].product, [58, 64, 139, 154]);
  }
  await page.screenshot({ path: join(shotDir, "index.png") });
  assertNoErrors(errors, "index");
});

test("CSP: the .wasm builds load from URLs; under a policy without 'wasm-unsafe-eval' the js backend still trains", async () => {
  const { page, errors } = await env.newPage();
  // Every demo page is served with a strict CSP (script-src 'self' 'wasm-unsafe-eval', no inline code).
  await page.goto(`${env.url}index.html`);
  const fromUrl = await page.evaluate(async () => {
    const sn = await import("/dist/simdnet.bundle.min.js");
    const fetched = [];
    const engine = await sn.createEngine({
      wasm: { relaxedSimd: new URL("/dist/simdnet-relaxed-simd.wasm", location.href), simd: "/dist/simdnet-simd.wasm" },
    });
    for (const e of performance.getEntriesByType("resource")) if (e.name.endsWith(".wasm")) fetched.push(new URL(e.name).pathname);
    const a = engine.tensor([1, 2, 3, 4], [2, 2]);
    return { backend: engine.backend, fetched, product: [...engine.matmul(a, a).toArray()], csp: document.querySelector("#isolation").textContent };
  });
  assert.equal(fromUrl.backend, "wasm-relaxed-simd");
  assert.deepEqual(fromUrl.fetched, ["/dist/simdnet-relaxed-simd.wasm"], "only the build in use is fetched");
  assert.deepEqual(fromUrl.product, [7, 10, 15, 22]);
  assertNoErrors(errors, "index (wasm from URL)");

  // A policy without 'wasm-unsafe-eval' forbids compiling any WASM, embedded or fetched (Chromium
  // checks both paths the same way): such a site asks for the js backend.
  const blocked = await env.newPage();
  await blocked.page.goto(`${env.url}index.html?csp=no-wasm`);
  const js = await blocked.page.evaluate(async () => {
    const sn = await import("/dist/simdnet.bundle.min.js");
    let wasmError = "";
    try { await sn.createEngine({ backend: "wasm-simd", wasm: { simd: "/dist/simdnet-simd.wasm" } }); } catch (e) { wasmError = String(e); }
    const engine = await sn.createEngine({ backend: "js" });
    sn.manualSeed(0);
    const ds = sn.makeMoons(200, 0.1, { rng: 0 });
    const model = new sn.Sequential(new sn.Linear(2, 16, { engine }), new sn.ReLU({ engine }), new sn.Linear(16, 2, { engine }));
    const loss = new sn.CrossEntropyLoss({ engine });
    const opt = new sn.Adam(model, { lr: 0.02 });
    const x = engine.tensor(ds.x, [ds.n, 2]);
    const y = engine.tensor(ds.y, [ds.n]);
    const first = loss.forward(model.forward(x), y);
    let last = first;
    for (let i = 0; i < 100; i++) { opt.zeroGrad(); last = loss.forward(model.forward(x), y); model.backward(loss.backward()); opt.step(); }
    return { backend: engine.backend, wasmError, first, last };
  });
  assert.match(js.wasmError, /Content Security Policy|CompileError/);
  assert.equal(js.backend, "js");
  assert.ok(js.last < js.first / 2, `the js backend trains: loss ${js.first} → ${js.last}`);
  // The start page itself falls back to the js backend.
  assert.ok(await waitFor(blocked.page, () => /backend: js \(/.test(document.getElementById("isolation").textContent), null, { timeout: 10_000, errors: blocked.errors }));
  assertNoErrors(blocked.errors, "index (?csp=no-wasm)");
});

test("Playground: moons reaches ≥ 95 % test accuracy within 200 epochs, state from the URL", async () => {
  const { page, errors } = await env.newPage();
  const query = "dataset=moons&noise=10&points=500&activation=relu&hidden=8,8&optimizer=adam&lr=0.01&batchSize=10&maxEpochs=200";
  await page.goto(`${env.url}playground.html?${query}`);
  assert.ok(await waitFor(page, () => window.playground?.status.updates > 0, null, { timeout: 20_000, errors }), "first update from the worker");
  const st = await page.evaluate(() => window.playground.state);
  assert.equal(st.dataset, "moons");
  assert.deepEqual(st.hidden, [8, 8]);
  assert.equal(await page.locator("canvas.neuron").count(), 16, "one picture per hidden neuron");
  await page.click("#play");
  const reached = await waitFor(page, () => {
    const s = window.playground.status;
    return s.testAcc >= 0.95 || s.epoch >= 200 || s.errors.length > 0 ? { ...s } : null;
  }, null, { timeout: 60_000, errors });
  await page.click("#play"); // pause
  assert.ok(await waitFor(page, () => !window.playground.status.running, null, { timeout: 10_000, errors }), "the worker acknowledged the pause");
  assert.ok(reached, "training made progress");
  assert.ok(reached.testAcc >= 0.95, `test accuracy ${reached.testAcc} after ${reached.epoch} epochs`);
  assert.ok(reached.epoch <= 200, `reached after ${reached.epoch} epochs`);
  assert.equal(reached.backend, "wasm-relaxed-simd");
  // The decision boundary was painted (not a blank canvas): both class colours appear.
  const colours = await page.evaluate(() => {
    const c = document.getElementById("heat");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let orange = 0;
    let blue = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] > d[i + 2] + 40) orange++;
      if (d[i + 2] > d[i] + 40) blue++;
    }
    return { orange, blue };
  });
  assert.ok(colours.orange > 1000 && colours.blue > 1000, `heat map shows both classes: ${JSON.stringify(colours)}`);
  // Step advances exactly one epoch.
  const before = await page.evaluate(() => window.playground.status.epoch);
  await page.click("#step");
  assert.ok(await waitFor(page, (e) => window.playground.status.epoch === e + 1, before, { timeout: 10_000, errors }), "step = one epoch");
  // Hovering a weight shows its value.
  await page.locator("line.link").first().hover({ force: true });
  const tip = await page.locator("#weight-tip").textContent();
  assert.match(tip ?? "", /^weight .+: -?\d/);
  await page.screenshot({ path: join(shotDir, "playground-moons.png"), fullPage: true });
  assertNoErrors(errors, "playground");
});

test("Playground: zero initialisation does not learn; sorted labels without shuffling report dead units", async () => {
  const { page, errors } = await env.newPage();
  await page.goto(`${env.url}playground.html?dataset=moons&activation=relu&hidden=4,4&init=zeros&lr=0.1&maxEpochs=30`);
  await waitFor(page, () => window.playground?.status.updates > 0, null, { timeout: 20_000, errors });
  await page.click("#play");
  const zero = await waitFor(page, () => (window.playground.status.epoch >= 30 ? { ...window.playground.status } : null), null, { timeout: 30_000, errors });
  assert.ok(zero && zero.testAcc <= 0.6, `zero init stays near chance: ${zero?.testAcc}`);
  await page.goto(`${env.url}playground.html?dataset=gauss&activation=relu&hidden=8,8&points=1000&batchSize=1&shuffle=false&sorted=true&lr=0.3&maxEpochs=5`);
  await waitFor(page, () => window.playground?.status.updates > 0, null, { timeout: 20_000, errors });
  await page.click("#play");
  await waitFor(page, () => window.playground.status.epoch >= 5, null, { timeout: 30_000, errors });
  const dead = await page.locator("#dead").textContent();
  assert.match(dead ?? "", /Dead ReLU units .*layer 1: \d+\/8/);
  assert.ok(await page.locator("canvas.dead").count() > 0, "sorted labels with batch 1 kill ReLU units");
  await page.screenshot({ path: join(shotDir, "playground-sorted.png"), fullPage: true });
  // Tanh has no zero-gradient region: the same run flags no unit (a non-positive pre-activation is not death).
  await page.goto(`${env.url}playground.html?dataset=gauss&activation=tanh&hidden=8,8&points=1000&batchSize=1&shuffle=false&sorted=true&lr=0.3&maxEpochs=5`);
  await waitFor(page, () => window.playground?.status.updates > 0, null, { timeout: 20_000, errors });
  await page.click("#play");
  assert.ok(await waitFor(page, () => window.playground.status.epoch >= 5, null, { timeout: 30_000, errors }));
  assert.equal(await page.locator("canvas.dead").count(), 0, "no tanh unit is flagged dead");
  assert.equal(await page.locator("#dead").textContent(), "");
  assertNoErrors(errors, "playground (zeros / sorted)");
});

test("Playground: the controls rebuild the network and write the state into the URL; L2 and zero hidden layers train", async () => {
  const { page, errors } = await env.newPage();
  await page.goto(`${env.url}playground.html`);
  const select = (label) => page.locator("label.field").filter({ has: page.locator("span", { hasText: new RegExp(`^${label}$`) }) }).locator("select");
  const updated = (n) => waitFor(page, (k) => window.playground?.status.updates >= k, n, { timeout: 10_000, errors });
  assert.ok(await updated(1));
  let n = await page.evaluate(() => window.playground.status.updates);
  await page.click('button[data-dataset="xor"]');
  assert.ok(await updated(++n));
  await page.click("#add-layer");
  assert.ok(await updated(++n));
  await select("Activation").selectOption("relu");
  assert.ok(await updated(++n));
  await select("Regularization").selectOption("l2");
  assert.ok(await updated(++n));
  await select("Regularization rate").selectOption("0.01");
  assert.ok(await updated(++n));
  await page.check("#show-test"); // a view option: into the URL, no restart
  const query = Object.fromEntries(new URL(page.url()).searchParams);
  assert.deepEqual(query, { dataset: "xor", hidden: "4,2,2", activation: "relu", regularization: "l2", regRate: "0.01", showTest: "true" });
  assert.equal(await page.locator("canvas.neuron").count(), 8);
  await page.click("#play");
  assert.ok(await waitFor(page, () => window.playground.status.epoch >= 20, null, { timeout: 20_000, errors }), "trains with L2");
  await page.click("#play");
  assert.ok(await waitFor(page, () => !window.playground.status.running, null, { timeout: 10_000, errors }), "paused");
  // Down to logistic regression on the features (the Playground allows 0 hidden layers). Each
  // click waits for the rebuilt network: the buttons of the old one would remove the same layer.
  n = await page.evaluate(() => window.playground.status.updates);
  for (let layers = 3; layers > 0; layers--) {
    await page.click("#remove-layer");
    assert.ok(await updated(++n));
  }
  assert.equal(new URL(page.url()).searchParams.get("hidden"), "");
  assert.equal(await page.locator("canvas.neuron").count(), 0);
  await page.click("#step");
  assert.ok(await waitFor(page, () => window.playground.status.epoch === 1, null, { timeout: 10_000, errors }), "one epoch without hidden layers");
  await page.screenshot({ path: join(shotDir, "playground-controls.png"), fullPage: true });
  assertNoErrors(errors, "playground (controls)");
});

/** Pixels of the output plot: the fraction exactly one of the two class colours, and a digest. */
function heatPixels(page) {
  return page.evaluate(() => {
    const c = document.getElementById("heat");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let pure = 0;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) {
      if ((d[i] === 245 && d[i + 1] === 147 && d[i + 2] === 34) || (d[i] === 8 && d[i + 1] === 119 && d[i + 2] === 189)) pure++;
      sum = (sum * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) % 1_000_000_007;
    }
    return { pure: pure / (d.length / 4), sum };
  });
}

test("Playground: selection follows clicks, speed = epochs per frame, discretize, neuron hover, axes and legend, weight editing", async () => {
  const { page, errors } = await env.newPage();
  await page.goto(`${env.url}playground.html`);
  const updates = () => page.evaluate(() => window.playground.status.updates);
  assert.ok(await waitFor(page, () => window.playground?.status.updates > 0, null, { timeout: 20_000, errors }));
  // The highlight follows the clicked data set.
  let n = await updates();
  await page.click('button[data-dataset="xor"]');
  assert.ok(await waitFor(page, (k) => window.playground.status.updates > k, n, { timeout: 10_000, errors }));
  assert.deepEqual(await page.locator("button.selected").evaluateAll((bs) => bs.map((b) => b.dataset.dataset)), ["xor"]);
  // Axes over the data domain [−6, 6]² and a colour legend.
  const ticks = await page.locator("#axes text.tick").allTextContents();
  assert.ok(ticks.includes("-6") && ticks.includes("6") && ticks.includes("0"), `tick labels ${ticks}`);
  assert.deepEqual(await page.locator(".legend-labels span").allTextContents(), ["class 0, sure", "50 : 50", "class 1, sure"]);

  // Discretize (on the untrained net, whose probabilities are near 50 %): the plot turns into the
  // two pure class colours, without restarting training.
  const soft = await heatPixels(page);
  await page.check("#discretize");
  const hard = await heatPixels(page);
  assert.ok(soft.pure < 0.2 && hard.pure > 0.8, `pure class colours: ${soft.pure} → ${hard.pure}`);
  assert.equal(new URL(page.url()).searchParams.get("discretize"), "true");
  assert.equal(await updates(), n + 1, "a view option does not restart");
  await page.uncheck("#discretize");
  assert.equal((await heatPixels(page)).sum, soft.sum, "unchecking restores the shaded plot");

  // Hovering a hidden neuron shows its activation in the big plot; leaving restores the output.
  await page.locator("canvas.neuron").nth(2).hover();
  assert.equal(await page.evaluate(() => window.playground.status.heatSource), "layer 1 neuron 3");
  assert.notEqual((await heatPixels(page)).sum, soft.sum);
  assert.match(await page.locator("#plot-title").textContent(), /layer 1, neuron 3/);
  await page.mouse.move(5, 5);
  assert.equal(await page.evaluate(() => window.playground.status.heatSource), "output");

  // Clicking a weight edits it: the worker's model takes the value (exact in float32).
  n = await updates();
  await page.locator("line.link").first().click({ force: true });
  await page.locator("#weight-edit").fill("2.5");
  await page.locator("#weight-edit").press("Enter");
  assert.ok(await waitFor(page, (k) => window.playground.status.updates > k, n, { timeout: 10_000, errors }));
  assert.equal(await page.evaluate(() => window.playground.layers[0].w[0]), 2.5);
  assert.equal(await page.locator("#weight-edit").isVisible(), false);

  // Speed: each update (one per drawn frame) advances exactly `speed` epochs.
  await page.click("#play");
  assert.ok(await waitFor(page, () => window.playground.status.steps.length >= 8 && window.playground.status.steps.slice(-6).every((s) => s === 1), null, { timeout: 20_000, errors }), "1 epoch per frame");
  const slow = await page.evaluate(() => ({ epoch: window.playground.status.epoch, updates: window.playground.status.updates }));
  await page.locator("#speed").fill("4"); // the fifth step: 20 epochs per frame
  assert.ok(await waitFor(page, () => window.playground.status.steps.slice(-6).every((s) => s === 20), null, { timeout: 20_000, errors }), "20 epochs per frame");
  const fast = await page.evaluate(() => ({ epoch: window.playground.status.epoch, updates: window.playground.status.updates }));
  const epochsPerUpdate = (fast.epoch - slow.epoch) / (fast.updates - slow.updates);
  assert.ok(epochsPerUpdate > 5, `epochs per update after the change: ${epochsPerUpdate}`);
  assert.equal(new URL(page.url()).searchParams.get("speed"), "20");
  await page.click("#play");
  assert.ok(await waitFor(page, () => !window.playground.status.running, null, { timeout: 10_000, errors }));
  // The loss chart draws the training line in the training colour and the test line in the test colour.
  const lineColours = await page.evaluate(() => {
    const c = document.getElementById("loss-chart");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const near = (i, [r, g, b]) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 30 && d[i + 3] > 200;
    let train = 0;
    let test = 0;
    for (let i = 0; i < d.length; i += 4) { if (near(i, [31, 119, 180])) train++; if (near(i, [255, 127, 14])) test++; }
    return { train, test };
  });
  assert.ok(lineColours.train > 30 && lineColours.test > 30, JSON.stringify(lineColours));
  await page.screenshot({ path: join(shotDir, "playground-xor.png"), fullPage: true });
  assertNoErrors(errors, "playground (interactions)");
});

test("Playground: the regression sets train with a squared-error loss and no accuracy", async () => {
  const { page, errors } = await env.newPage();
  await page.goto(`${env.url}playground.html?dataset=plane&speed=20&maxEpochs=200`);
  assert.ok(await waitFor(page, () => window.playground?.status.updates > 0, null, { timeout: 20_000, errors }));
  const first = await page.evaluate(() => window.playground.status.testLoss);
  assert.equal(await page.locator(".node.output").count(), 1, "one output unit");
  assert.deepEqual(await page.locator(".legend-labels span").allTextContents(), ["−1", "0", "+1"]);
  await page.click("#play");
  const done = await waitFor(page, () => (window.playground.status.epoch >= 200 ? { ...window.playground.status } : null), null, { timeout: 30_000, errors });
  assert.ok(done.testLoss < first / 4, `test MSE ${first} → ${done.testLoss}`);
  assert.equal(await page.locator("#test-acc").textContent(), "–");
  await page.click('button[data-dataset="multigauss"]');
  assert.ok(await waitFor(page, () => window.playground.state.dataset === "multigauss" && window.playground.status.epoch === 0, null, { timeout: 10_000, errors }));
  assert.deepEqual(await page.locator("button.selected").evaluateAll((bs) => bs.map((b) => b.dataset.dataset)), ["multigauss"]);
  await page.screenshot({ path: join(shotDir, "playground-regression.png"), fullPage: true });
  assertNoErrors(errors, "playground (regression)");
});

test("Playground: URL text is never inserted as HTML", async () => {
  const { page, errors } = await env.newPage();
  const evil = encodeURIComponent('<img src=x onerror="window.pwned=1">');
  await page.goto(`${env.url}playground.html?dataset=${evil}&hidden=${evil}&features=${evil}`);
  await waitFor(page, () => window.playground?.status.updates > 0, null, { timeout: 20_000, errors });
  const result = await page.evaluate(() => ({ pwned: window.pwned === 1, imgs: document.querySelectorAll("img").length, dataset: window.playground.state.dataset }));
  assert.deepEqual(result, { pwned: false, imgs: 0, dataset: "circle" });
  assertNoErrors(errors, "playground (URL)");
});

// M1 keeps this fast (≈ 3 s of training in Chromium on 2 cores). Its dropout of 0.5 slows early
// learning: a NumPy re-implementation of the same network, init and data reaches the same ≈ 87 % on
// 10 000 images × 1 epoch (first 2 000 test images), so the subset is half of MNIST for two epochs
// (≈ 94 % in Node with the same seed), which leaves a margin of several points above 90 %.
/** Pixels of a canvas within 30 (summed over r, g, b) of each colour, by colour. */
function colourCounts(page, id, colours) {
  return page.evaluate(([canvasId, wanted]) => {
    const c = document.getElementById(canvasId);
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    return wanted.map(([r, g, b]) => {
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 30 && d[i + 3] > 200) n++;
      return n;
    });
  }, [id, colours]);
}

test("MNIST page: the network list wraps instead of cutting titles; epochs, batch and lr follow the network's recipe", async () => {
  const { page, errors } = await env.newPage();
  await page.goto(`${env.url}mnist.html`);
  await waitFor(page, () => window.mnist?.status.ready, null, { timeout: 20_000, errors });
  const epochs = page.locator("label.field").filter({ has: page.locator("span", { hasText: /^Epochs$/ }) }).locator("select");
  assert.equal(await epochs.inputValue(), "10", "M1's recipe: 10 epochs");
  await page.check('input[name="net"][value="C1"]');
  assert.equal(await epochs.inputValue(), "3", "C1's recipe: 3 epochs");
  assert.equal(new URL(page.url()).searchParams.get("epochs"), "3");
  assert.match(await page.locator("#net-info").textContent(), /3 epochs/);
  const cut = await page.locator("#net label").evaluateAll((labels) => labels.filter((l) => l.scrollWidth > l.clientWidth + 1).map((l) => l.textContent));
  assert.deepEqual(cut, [], "no network title overflows its line");
  assertNoErrors(errors, "mnist (settings)");
});

test("MNIST: M1 on a 30 000-image subset beats 90 % test accuracy; draw, save and load the model", async () => {
  const { page, errors } = await env.newPage();
  const warnings = [];
  page.on("console", (m) => { if (m.type() === "warning") warnings.push(m.text()); });
  await page.goto(`${env.url}mnist.html?net=M1&train=30000&test=10000&epochs=2&batch=32&optimizer=adam&lr=0.001`);
  await waitFor(page, () => window.mnist?.status.ready, null, { timeout: 20_000, errors });
  await page.click("#train");
  const done = await waitFor(page, () => (window.mnist.status.done || window.mnist.status.errors.length ? { ...window.mnist.status } : null), null, { timeout: 90_000, errors });
  assert.ok(done?.done, `training finished: ${JSON.stringify(done)}`);
  assert.ok(done.testAcc > 0.9, `test accuracy ${done.testAcc}`);
  assert.equal(await page.locator("#confusion tr").count(), 11, "10×10 confusion matrix plus header");
  assert.ok((await page.locator("#mistakes canvas").count()) > 0, "misclassified examples shown");
  // The live charts carry the per-epoch test figures (orange) next to the running training ones (blue).
  for (const id of ["loss-chart", "acc-chart"]) {
    const [train, testColour] = await colourCounts(page, id, [[31, 119, 180], [255, 127, 14]]);
    assert.ok(train > 50 && testColour > 20, `${id}: training ${train} px, test ${testColour} px`);
  }
  // The model summary scrolls inside the sidebar instead of running under the results.
  const layout = await page.evaluate(() => {
    const r = (id) => document.getElementById(id).getBoundingClientRect();
    return { summaryRight: r("summary").right, controlsRight: r("controls").right, resultsLeft: r("results").left };
  });
  assert.ok(layout.summaryRight <= layout.controlsRight + 1 && layout.controlsRight < layout.resultsLeft, JSON.stringify(layout));
  // Draw a "1": a vertical stroke.
  const box = await page.locator("#draw").boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width / 2, box.y + box.height * (0.15 + 0.07 * i));
  await page.mouse.up();
  const predicted = await waitFor(page, () => (window.mnist.status.prediction >= 0 ? window.mnist.status.prediction : null), null, { timeout: 10_000, errors });
  assert.equal(predicted, 1, "a vertical stroke reads as 1");
  assert.deepEqual(warnings.filter((w) => /willReadFrequently/.test(w)), [], "the drawing canvas is read back without a Chromium warning");
  // Download (safetensors + JSON), then load the files back.
  const downloads = [];
  page.on("download", (d) => downloads.push(d));
  await page.click("#save");
  await waitFor(page, () => window.mnist.status.exported, null, { timeout: 10_000, errors });
  const end = Date.now() + 10_000;
  while (downloads.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  assert.equal(downloads.length, 2, "two files downloaded");
  const files = [];
  for (const d of downloads) files.push({ name: d.suggestedFilename(), path: await d.path() });
  const st = files.find((f) => f.name.endsWith(".safetensors"));
  const js = files.find((f) => f.name.endsWith(".json"));
  assert.ok(st && js, `files: ${files.map((f) => f.name).join(", ")}`);
  const bytes = readFileSync(st.path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString("utf8"));
  assert.deepEqual(header["1.weight"].shape, [100, 784], "PyTorch key names and shapes");
  const description = JSON.parse(readFileSync(js.path, "utf8"));
  assert.equal(description.format, "simdnet-model");
  assert.equal(description.module.type, "Sequential");
  assert.deepEqual(JSON.parse(header.__metadata__.simdnet).module, description.module, "the architecture also rides in the safetensors metadata");
  await page.locator("#upload").setInputFiles([
    { name: st.name, mimeType: "application/octet-stream", buffer: bytes },
    { name: js.name, mimeType: "application/json", buffer: readFileSync(js.path) },
  ]);
  const imported = await waitFor(page, () => window.mnist.status.imported, null, { timeout: 10_000, errors });
  assert.equal(imported?.params, 79_510);
  // Text from an uploaded file is shown as text, never parsed as HTML.
  const evil = { ...description, extra: { net: '<img src=x onerror="window.pwned=1">' } };
  await page.locator("#upload").setInputFiles([
    { name: "evil.safetensors", mimeType: "application/octet-stream", buffer: bytes },
    { name: "evil.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(evil)) },
  ]);
  assert.ok(await waitFor(page, () => window.mnist.status.imported?.net.startsWith("<img"), null, { timeout: 10_000, errors }));
  assert.deepEqual(await page.evaluate(() => ({ pwned: window.pwned === 1, imgs: document.querySelectorAll("img").length, status: document.getElementById("status").textContent })),
    { pwned: false, imgs: 0, status: 'Loaded model <img src=x onerror="window.pwned=1"> (79,510 parameters). Draw a digit.' });
  await page.screenshot({ path: join(shotDir, "mnist.png"), fullPage: true });
  assertNoErrors(errors, "mnist");
});

test("MNIST: C1 (convolutions, batch norm, pooling) on a 5 000-image subset beats 90 % test accuracy", async () => {
  const { page, errors } = await env.newPage();
  await page.goto(`${env.url}mnist.html?net=C1&train=5000&test=2000&epochs=1&batch=32&optimizer=adam&lr=0.001`);
  await waitFor(page, () => window.mnist?.status.ready, null, { timeout: 20_000, errors });
  await page.click("#train");
  const done = await waitFor(page, () => (window.mnist.status.done || window.mnist.status.errors.length ? { ...window.mnist.status } : null), null, { timeout: 90_000, errors });
  assert.ok(done?.done, `training finished: ${JSON.stringify(done)}`);
  // ≈ 0.94 with this seed (0.84 on 2 000 images): the margin covers other seeds and backends.
  assert.ok(done.testAcc > 0.9, `test accuracy ${done.testAcc}`);
  assert.match(await page.locator("#summary").textContent(), /^C1: 61,546 parameters/);
  assertNoErrors(errors, "mnist (C1)");
});

test("kernel benchmark page fills its table", async () => {
  const { page, errors } = await env.newPage();
  await page.goto(`${env.url}bench.html?quick=1`);
  await page.click("#run");
  const st = await waitFor(page, () => (window.bench.status.done || window.bench.status.errors.length ? { ...window.bench.status } : null), null, { timeout: 90_000, errors });
  assert.ok(st?.done, JSON.stringify(st));
  assert.deepEqual(st.backends, ["js", "wasm-simd", "wasm-relaxed-simd"]);
  assert.ok(st.rows >= 5);
  assert.equal(st.bars, st.rows * 2, "one bar per case and WASM build");
  assert.equal(await page.locator("#chart rect.bar").count(), st.rows * 2);
  assert.match(await page.locator("#status").textContent(), /^Done in \d+ s/);
  assert.equal(await page.locator("#run").isEnabled(), true, "Run is enabled again after a run");
  await page.screenshot({ path: join(shotDir, "bench.png"), fullPage: true });
  assertNoErrors(errors, "bench");
});

test("fitInWorker from the single bundle: the default worker, progress, abort, same result as fit on the page", async () => {
  const { page, errors } = await env.newPage();
  await page.goto(`${env.url}index.html`);
  const r = await page.evaluate(async () => {
    const sn = await import("/dist/simdnet.bundle.min.js");
    const engine = await sn.createEngine();
    const ds = sn.makeMoons(256, 0.1, { rng: 4 });
    const x = { data: ds.x, shape: [ds.n, 2] };
    const net = () => { sn.manualSeed(3); return new sn.Model(new sn.Linear(2, 8, { engine }), new sn.Tanh({ engine }), new sn.Linear(8, 2, { engine })); };
    const progress = [];
    const { model, history } = await sn.fitInWorker(net(), x, ds.y, {
      epochs: 4, batchSize: 32, seed: 1, optimizer: { type: "sgd", lr: 0.1 }, progressEvery: { batches: 4 },
      onProgress: (p) => progress.push(`${p.epoch}:${p.batch}`),
    });
    const ref = net();
    const refHistory = await ref.fit(x, ds.y, { epochs: 4, batchSize: 32, seed: 1, optimizer: new sn.SGD(ref, { lr: 0.1 }) });
    const same = model.parameters().every((p, i) => p.data.f32.every((v, j) => v === ref.parameters()[i].data.f32[j]));
    const controller = new AbortController();
    let n = 0;
    const aborted = await sn.fitInWorker(net(), x, ds.y, {
      epochs: 100000, progressEvery: { batches: 1 }, signal: controller.signal, onProgress: () => { if (++n === 5) controller.abort(); },
    });
    return {
      backend: engine.backend, progress, same, losses: [history.history.loss, refHistory.history.loss],
      stopped: aborted.history.stopped?.reason, abortedEpochs: aborted.history.epochs.length,
    };
  });
  assert.equal(r.backend, "wasm-relaxed-simd");
  assert.deepEqual(r.progress, ["1:4", "1:8", "2:4", "2:8", "3:4", "3:8", "4:4", "4:8"]);
  assert.equal(r.same, true, "the worker's weights equal fit's on the page (same seed and backend)");
  assert.deepEqual(r.losses[0], r.losses[1]);
  assert.equal(r.stopped, "aborted");
  assert.ok(r.abortedEpochs < 100000);
  assertNoErrors(errors, "fitInWorker");
});

for (const bundler of ["esbuild", "vite"]) {
  test(`the ${bundler}-bundled sample app loads and trains`, async () => {
    const { page, errors } = await env.newPage();
    await page.goto(`${env.url}bundlers/${bundler}/`);
    const sample = await waitFor(page, () => window.sample?.done ? window.sample : null, null, { timeout: 30_000, errors });
    assert.ok(sample, "the app finished");
    assert.equal(sample.backend, "wasm-relaxed-simd");
    assert.equal(sample.epochs, 300, "model.fit ran every epoch");
    assert.ok(sample.accuracy >= 0.9, `training accuracy ${sample.accuracy}`);
    // fitInWorker with the app's own worker script (the bundler built it as a second entry).
    assert.equal(sample.worker.epochs, 300, "fitInWorker ran every epoch");
    assert.equal(sample.worker.isModel, true, "the trained weights come back as a Model");
    assert.ok(sample.worker.accuracy >= 0.9, `accuracy of the model trained in the worker ${sample.worker.accuracy}`);
    assert.ok(sample.worker.progressEvents >= 300, `progress events ${sample.worker.progressEvents} (one per epoch at least)`);
    await page.screenshot({ path: join(shotDir, `bundler-${bundler}.png`) });
    assertNoErrors(errors, bundler);
  });
}
