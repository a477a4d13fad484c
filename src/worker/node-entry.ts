/**
 * The script of the worker_thread simdnet/node's fitInWorker starts: serves one training request
 * on the parent port.
 *
 * @module
 */

import { parentPort } from "node:worker_threads";
import { serveTraining } from "./host.js";

if (parentPort === null) throw new Error("simdnet worker entry: expected to run in a worker_thread, got the main thread");
const port = parentPort;
serveTraining({
  post: (m, t = []) => port.postMessage(m, t as never),
  listen: (handler) => {
    port.on("message", handler);
    return () => port.off("message", handler);
  },
});
