// simdnet → PyTorch, first half: trains the same 2-16-2 tanh MLP on two moons in simdnet and saves
// it as a model folder (model.safetensors with PyTorch's keys + model.json), with probe inputs.
// Then `python3 examples/pytorch/simdnet_to_torch.py` runs it in PyTorch.
//
//     npm run build && node examples/pytorch/simdnet_train.mjs
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Adam, init, Linear, makeMoons, manualSeed, Model, Tanh } from "simdnet";

const folder = join(dirname(fileURLToPath(import.meta.url)), "simdnet-moons");
await init({ backend: "js" }); // the reference kernels: the committed outputs do not depend on the CPU
manualSeed(0);
const data = makeMoons(1000, 0.1, { rng: 0 });
const model = new Model(new Linear(2, 16), new Tanh(), new Linear(16, 2));
await model.fit(data.x, data.y, { epochs: 30, batchSize: 32, seed: 0, optimizer: new Adam(model, { lr: 0.02 }) });
const { accuracy } = model.evaluate(data.x, data.y);
await model.save(folder, { extra: { trainedWith: "simdnet", trainAccuracy: accuracy } });
const inputs = [[-1, 0.5], [0, 1], [1, 0], [2, 0.5], [0.5, -0.3], [1.5, -0.5], [-0.5, 0.8], [0.2, 0.2]];
writeFileSync(join(folder, "probe.json"), JSON.stringify({ inputs, outputs: [...model.predict(inputs)] }, null, 1) + "\n");
console.log(`trained in simdnet: train accuracy ${accuracy.toFixed(3)}; wrote ${folder}`);
