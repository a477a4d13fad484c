// The Web Worker fitInWorker trains in (see main.js): simdnet's worker side, nothing else.
import { serveTraining } from "simdnet";

serveTraining();
