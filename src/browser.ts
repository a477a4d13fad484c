/**
 * The browser entry of simdnet (the `dist/simdnet.bundle.js` bundle): everything in the library
 * entry plus the layers, optimizers and data tools, and nothing that imports `node:` modules
 * (file loading lives in `data/mnist-node.ts`, `io/*-node.ts` and `cli.ts`).
 *
 * Re-exporting a name that `./index.js` also exports is harmless (the same binding), so this file
 * stays correct whether or not the library entry grows to include these modules.
 *
 * @module
 */
export * from "./index.js";
export * from "./nn/index.js";
export * from "./optim/index.js";
export * from "./data/index.js";
