// A minimal app: train a 2-16-16-2 ReLU network on make-moons and print the accuracy.
import { Adam, CrossEntropyLoss, Linear, ReLU, Sequential, init, makeMoons, manualSeed } from "simdnet";

const out = document.getElementById("out");
const engine = await init();
manualSeed(0);
const ds = makeMoons(200, 0.1, { rng: 0 });
const model = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 16), new ReLU(), new Linear(16, 2));
const loss = new CrossEntropyLoss();
const opt = new Adam(model, { lr: 0.02 });
const x = engine.tensor(ds.x, [ds.n, 2]);
const y = engine.tensor(ds.y, [ds.n]);
let value = NaN;
for (let step = 0; step < 300; step++) {
  opt.zeroGrad();
  value = loss.forward(model.forward(x), y);
  model.backward(loss.backward());
  opt.step();
}
const logits = model.eval().forward(x).f32;
let correct = 0;
for (let i = 0; i < ds.n; i++) if ((logits[2 * i + 1] > logits[2 * i] ? 1 : 0) === ds.y[i]) correct++;
const accuracy = correct / ds.n;
window.sample = { backend: engine.backend, loss: value, accuracy, done: true };
out.textContent = `backend ${engine.backend}: loss ${value.toFixed(4)}, training accuracy ${(100 * accuracy).toFixed(1)} %`;
