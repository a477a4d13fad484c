// The threads page: C1 training steps on one thread and on N, compared bit for bit, with the
// engine's thread count and fallback reason. ?report=1 posts the result to the test server
// (tests/browser/threads.spec.mjs drives Firefox and WebKitGTK this way).
import * as sn from "/dist/simdnet.bundle.js";

const params = new URLSearchParams(location.search);
const asked = params.has("threads") ? Number(params.get("threads")) : undefined;
const steps = Number(params.get("steps") ?? 8);
const out = document.getElementById("result");

/** C1 training steps on fixed pseudo-random batches; the bits of every loss and of every parameter at the end. */
function train(engine) {
  sn.manualSeed(3);
  const preset = sn.getPreset("c1");
  const model = sn.buildPreset(preset, { engine });
  const loss = sn.presetLoss(preset, { engine });
  const opt = new sn.Adam(model, { lr: 1e-3 });
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const x = engine.tensor(Float32Array.from({ length: 32 * 784 }, rnd), [32, 1, 28, 28]);
  const y = engine.tensor(Int32Array.from({ length: 32 }, () => Math.floor(rnd() * 10)), [32]);
  const losses = [];
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    losses.push(loss.forward(model.forward(x), y));
    model.backward(loss.backward());
    opt.step();
  }
  const ms = (performance.now() - t0) / steps;
  const bits = [];
  for (const p of model.parameters()) bits.push(...new Uint32Array(p.data.toArray().buffer));
  return { losses, bits, ms };
}

async function run() {
  const result = {
    userAgent: navigator.userAgent, isolated: self.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === "function", cores: navigator.hardwareConcurrency ?? null,
  };
  try {
    const many = await sn.createEngine(asked === undefined ? {} : { threads: asked });
    const one = await sn.createEngine({ backend: many.backend, threads: 1 });
    Object.assign(result, { backend: many.backend, threads: many.threads, fallback: many.fallback });
    const a = train(one), b = train(many);
    result.losses = b.losses;
    result.identical = a.losses.every((v, i) => Object.is(v, b.losses[i])) && a.bits.length === b.bits.length && a.bits.every((v, i) => v === b.bits[i]);
    result.msPerStep = { one: a.ms, many: b.ms };
    many.dispose();
    one.dispose();
  } catch (e) {
    result.error = String(e?.stack ?? e);
  }
  return result;
}

const result = await run();
out.textContent = [
  `cross-origin isolated: ${result.isolated}, SharedArrayBuffer: ${result.sharedArrayBuffer}, cores reported: ${result.cores}`,
  `backend: ${result.backend}, threads: ${result.threads}${result.fallback ? ` (${result.fallback})` : ""}`,
  result.error ? `error: ${result.error}` : `${steps} C1 steps on 1 and ${result.threads} threads: ${result.identical ? "identical bits" : "DIFFERENT results"}` +
    ` (${result.msPerStep.one.toFixed(1)} vs ${result.msPerStep.many.toFixed(1)} ms/step)`,
].join("\n");
document.body.dataset.done = "true";
window.threadsResult = result;
if (params.get("report") === "1") {
  await fetch("/__report", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(result) });
}
