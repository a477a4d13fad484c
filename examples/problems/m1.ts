/**
 * M1: MNIST multilayer perceptron with at most 100 hidden units (784-100-10), 10 epochs,
 * batch 32, Adam with cosine-annealed lr, training images shifted by up to ±1 pixel (a data
 * transform: the model is still Linear/ReLU/Dropout only). Target ≥ 0.978 (solutions reached 0.9757–0.9777).
 *
 * Run: npm run example -- m1 [--seed 1] [--epochs 10] [--limit 60000] [--shift 1]
 */
import { Dropout, Linear, ReLU, Sequential } from "../../src/nn/index.js";
import { runMnist } from "./mnist.js";

await runMnist({
  id: "m1",
  title: "784-100-10 MLP, ReLU, dropout 0.1 before the output, Adam 1e-3 cosine, batch 32, ±1 px random shifts of the training images",
  sampleShape: [784],
  epochs: 10,
  cosine: true,
  shift: 1,
  build: () => new Sequential(new Linear(784, 100), new ReLU(), new Dropout(0.1), new Linear(100, 10)),
});
