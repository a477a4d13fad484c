// A minimal app: train a 2-16-16-2 ReLU network on make-moons with the Keras-style Model API
// and print the accuracy. The same file is bundled by esbuild and by Vite.
import { Adam, Linear, Model, ReLU, init, makeMoons, manualSeed } from "simdnet";

const out = document.getElementById("out");
const engine = await init();
manualSeed(0);
const ds = makeMoons(200, 0.1, { rng: 0 });
const x = { data: ds.x, shape: [ds.n, 2] };
const model = new Model(new Linear(2, 16), new ReLU(), new Linear(16, 16), new ReLU(), new Linear(16, 2));
const history = await model.fit(x, ds.y, { epochs: 300, batchSize: ds.n, optimizer: new Adam(model, { lr: 0.02 }) });
const { loss, accuracy } = model.evaluate(x, ds.y);
window.sample = { backend: engine.backend, epochs: history.epochs.length, loss, accuracy, done: true };
out.textContent = `backend ${engine.backend}: loss ${loss.toFixed(4)}, training accuracy ${(100 * accuracy).toFixed(1)} %`;
