/**
 * The browser entry of simdnet (the `dist/simdnet.bundle.js` bundle): the whole library entry,
 * which imports no `node:` module (file access lives in `simdnet/node`).
 *
 * @module
 */
export * from "./index.js";
