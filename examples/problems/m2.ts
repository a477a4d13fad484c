/**
 * M2: MNIST multilayer perceptron with at most 200 hidden units in at least 2 hidden layers
 * (784-120-80-10), 10 epochs, batch 32, Adam with cosine-annealed lr,
 * training images shifted by up to ±1 pixel (a data transform: the model is still
 * Linear/ReLU/Dropout only). Target ≥ 0.983
 * (solutions reached 0.9800–0.9824).
 *
 * Run: npm run example -- m2 [--seed 1] [--epochs 10] [--limit 60000] [--shift 1]
 */
import { Dropout, Linear, ReLU, Sequential } from "../../src/nn/index.js";
import { runMnist } from "./mnist.js";

await runMnist({
  id: "m2",
  title: "784-120-80-10 MLP, ReLU, dropout 0.1 after each hidden layer, Adam 1e-3 cosine, batch 32, ±1 px random shifts of the training images",
  sampleShape: [784],
  epochs: 10,
  cosine: true,
  shift: 1,
  build: () =>
    new Sequential(
      new Linear(784, 120), new ReLU(), new Dropout(0.1),
      new Linear(120, 80), new ReLU(), new Dropout(0.1),
      new Linear(80, 10),
    ),
});
