// A minimal app: train a 2-16-16-2 ReLU network on make-moons with the Keras-style Model API
// and print the accuracy; then train the same network again in a Web Worker with fitInWorker
// (progress events, the trained Model back). The same file is bundled by esbuild and by Vite.
import { Adam, Linear, Model, ReLU, fitInWorker, init, makeMoons, manualSeed } from "simdnet";

const out = document.getElementById("out");
const engine = await init();
manualSeed(0);
const ds = makeMoons(200, 0.1, { rng: 0 });
const x = { data: ds.x, shape: [ds.n, 2] };
const net = () => new Model(new Linear(2, 16), new ReLU(), new Linear(16, 16), new ReLU(), new Linear(16, 2));
const model = net();
const history = await model.fit(x, ds.y, { epochs: 300, batchSize: ds.n, optimizer: new Adam(model, { lr: 0.02 }) });
const { loss, accuracy } = model.evaluate(x, ds.y);
window.sample = { backend: engine.backend, epochs: history.epochs.length, loss, accuracy };
out.textContent = `backend ${engine.backend}: loss ${loss.toFixed(4)}, training accuracy ${(100 * accuracy).toFixed(1)} %`;

// Inside an app bundle simdnet's code is part of the app's chunk, so the worker's script is the
// app's own two-line training-worker.js, built by the bundler as a second entry.
let progressEvents = 0;
const { model: trained, history: workerHistory } = await fitInWorker(net(), x, ds.y, {
  epochs: 300, batchSize: ds.n, optimizer: { type: "adam", lr: 0.02 },
  onProgress: () => { progressEvents++; },
  worker: () => new Worker(new URL("./training-worker.js", import.meta.url), { type: "module" }),
});
const inWorker = trained.evaluate(x, ds.y);
window.sample.worker = { epochs: workerHistory.epochs.length, accuracy: inWorker.accuracy, progressEvents, isModel: trained instanceof Model };
window.sample.done = true;
out.textContent += ` · in a worker: training accuracy ${(100 * inWorker.accuracy).toFixed(1)} %`;
