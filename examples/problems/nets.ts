/**
 * Reference networks used by more than one problem script.
 *
 * @module
 */
import {
  BatchNorm2d, Conv2d, Dropout, Flatten, Linear, LogSoftmax, MaxPool2d, ReLU, Sequential,
} from "../../src/nn/index.js";

/** C1's network (input [N, 1, 28, 28]) with dropout probability p after both pooling layers. */
export function c1Net(p: number): Sequential {
  return new Sequential(
    new Conv2d(1, 32, 3), new ReLU(), new MaxPool2d(2), new Dropout(p),
    new Conv2d(32, 32, 3), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2), new Dropout(p),
    new Flatten(),
    new Linear(800, 64), new ReLU(),
    new Linear(64, 10),
  );
}

/** C4's LeNet-style network (input [N, 1, 28, 28]), ending in log-softmax for NLLLoss. */
export function lenet(): Sequential {
  return new Sequential(
    new Conv2d(1, 10, 5), new MaxPool2d(2), new ReLU(),
    new Conv2d(10, 20, 5), new MaxPool2d(2), new ReLU(),
    new Flatten(),
    new Linear(320, 50), new ReLU(), new Dropout(0.5),
    new Linear(50, 10),
    new LogSoftmax({ dim: 1 }),
  );
}
