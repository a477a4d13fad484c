#!/usr/bin/env node
/**
 * The `simdnet` command (package.json "bin"): `simdnet train c1`, `simdnet eval runs/…`,
 * `simdnet info`, `simdnet --help`. The work is in ./cli/.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { detectWasmFeatures } from "./backend/wasm/features.js";
import { main } from "./cli/main.js";
import { RELAUNCHED_ENV, relaunchArgs } from "./cli/relaunch.js";

const nodeMajor = Number(process.versions.node.split(".")[0]);
const relaunch = relaunchArgs(detectWasmFeatures().relaxedSimd, nodeMajor, process.execArgv, process.argv.slice(1), process.env);
const child = relaunch === null
  ? null
  : spawnSync(process.execPath, relaunch, { stdio: "inherit", env: { ...process.env, [RELAUNCHED_ENV]: "1" } });

if (child !== null && child.error === undefined) {
  // The child has done the work and printed everything; pass on how it ended.
  process.exitCode = child.status ?? (child.signal === null ? 1 : 128);
} else {
  const stdout = { write: (text: string) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true };
  const stderr = { write: (text: string) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true };
  process.exitCode = await main(process.argv.slice(2), stdout, stderr);
}
