#!/usr/bin/env node
/**
 * The `simdnet` command (package.json "bin"): `simdnet train c1`, `simdnet eval runs/…`,
 * `simdnet info`, `simdnet --help`. The work is in ./cli/.
 *
 * @module
 */

import { main } from "./cli/main.js";

const stdout = { write: (text: string) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true };
const stderr = { write: (text: string) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true };

process.exitCode = await main(process.argv.slice(2), stdout, stderr);
