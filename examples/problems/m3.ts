/**
 * M3: MNIST multilayer perceptron with at most 1000 hidden units in at least 3 hidden layers
 * (784-500-300-200-10), 10 epochs, batch 32, Adam with cosine-annealed lr,
 * training images shifted by up to ±1 pixel (a data transform: the model is still
 * Linear/ReLU/Dropout only). Target ≥ 0.986
 * (solutions reached 0.9833–0.9853).
 *
 * Run: npm run example -- m3 [--seed 1] [--epochs 10] [--limit 60000] [--shift 1]
 */
import { Dropout, Linear, ReLU, Sequential } from "../../src/nn/index.js";
import { runMnist } from "./mnist.js";

await runMnist({
  id: "m3",
  title: "784-500-300-200-10 MLP, ReLU, dropout 0.2 after each hidden layer, Adam 1e-3 cosine, batch 32, ±1 px random shifts of the training images",
  sampleShape: [784],
  epochs: 10,
  cosine: true,
  shift: 1,
  build: () =>
    new Sequential(
      new Linear(784, 500), new ReLU(), new Dropout(0.2),
      new Linear(500, 300), new ReLU(), new Dropout(0.2),
      new Linear(300, 200), new ReLU(), new Dropout(0.2),
      new Linear(200, 10),
    ),
});
