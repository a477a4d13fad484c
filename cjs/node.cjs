// `require("simdnet/node")`. simdnet is an ES module package: a Node that can require() an ES module
// (Node ≥ 20.19, ≥ 22.12) gets the same module that `import` loads; an older one gets a clear
// message instead of Node's "No exports main defined".
"use strict";
if (!process.features || !process.features.require_module) {
  throw new Error(
    'simdnet is ESM only: use `import { init } from "simdnet/node"`, or `const simdnet = await import("simdnet/node")` ' +
    "from CommonJS (this Node cannot require() an ES module; Node 20.19+, 22.12+ and 24 can)",
  );
}
module.exports = require("../dist/node.js");
