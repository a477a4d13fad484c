/**
 * IDX file parsing (the format of the MNIST files), runtime-independent: works on bytes, so the
 * same code serves Node (files) and browsers (fetched bytes).
 *
 * Layout: two zero bytes, a type byte (0x08 = unsigned byte), a dimension count byte, then one
 * big-endian uint32 per dimension, then the data in row-major order.
 *
 * @module
 */

import { fail, SimdnetError } from "../errors.js";

/** A parsed IDX file of unsigned bytes. */
export interface IdxArray {
  /** Dimensions from the header, e.g. [60000, 28, 28] for MNIST training images. */
  dims: number[];
  /** The data, row-major, product(dims) bytes (a view into the input, not a copy). */
  data: Uint8Array;
}

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses an uncompressed IDX file of unsigned bytes (type 0x08).
 *
 * @param bytes the whole file.
 * @param name the file name (or URL) used in error messages.
 * @param expectedDims optional dimension count (1 for labels, 3 for images) checked against the header.
 * @throws SimdnetError naming the file, what was expected and what was found: gzip data (use
 *   {@link decodeIdx} or decompress first), wrong magic, wrong type, truncated or oversized data.
 */
export function parseIdx(bytes: Uint8Array, name: string, expectedDims?: number): IdxArray {
  const where = `IDX file ${JSON.stringify(name)}`;
  if (!(bytes instanceof Uint8Array)) fail(where, "a Uint8Array of the file's bytes", bytes);
  if (isGzip(bytes)) {
    throw new SimdnetError(`${where}: is gzip-compressed (starts with 1f 8b); decompress it first or use decodeIdx / decodeMnist, which do`);
  }
  if (bytes.length < 4) {
    throw new SimdnetError(`${where}: expected at least a 4-byte header, got ${bytes.length} bytes`);
  }
  const hex = (b: number) => b.toString(16).padStart(2, "0");
  const magic = [...bytes.subarray(0, 4)].map(hex).join(" ");
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new SimdnetError(`${where}: wrong magic: expected 00 00 08 <dims>, got ${magic}`);
  }
  if (bytes[2] !== 0x08) {
    throw new SimdnetError(`${where}: unsupported data type 0x${hex(bytes[2]!)}: expected 0x08 (unsigned byte), got magic ${magic}`);
  }
  const ndim = bytes[3]!;
  if (ndim < 1) throw new SimdnetError(`${where}: expected at least 1 dimension in the header, got 0`);
  if (expectedDims !== undefined && ndim !== expectedDims) {
    throw new SimdnetError(`${where}: expected ${expectedDims} dimension(s), got ${ndim} (magic ${magic})`);
  }
  const headerSize = 4 + 4 * ndim;
  if (bytes.length < headerSize) {
    throw new SimdnetError(`${where}: truncated header: expected ${headerSize} bytes for ${ndim} dimensions, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const actual = bytes.length - headerSize;
  if (actual !== count) {
    const kind = actual < count ? "truncated data" : "trailing data";
    throw new SimdnetError(
      `${where}: ${kind}: header says [${dims.join(", ")}] = ${count} bytes of data, got ${actual}`,
    );
  }
  return { dims, data: bytes.subarray(headerSize) };
}

/** Default cap on decompressed bytes (MNIST's largest file is 47 MB): a gzip bomb is an error, not an out-of-memory abort. */
export const DEFAULT_MAX_GUNZIP_BYTES = 512 * 1024 * 1024;

/**
 * Decompresses gzip bytes with the runtime's `DecompressionStream` (browsers, Node ≥ 18, Deno,
 * Bun), without a dependency. Bytes that are not gzip are returned as they are. Output beyond
 * `maxBytes` (default {@link DEFAULT_MAX_GUNZIP_BYTES}) stops the decompression with an error.
 */
export async function gunzipIfNeeded(bytes: Uint8Array, name = "data", maxBytes = DEFAULT_MAX_GUNZIP_BYTES): Promise<Uint8Array> {
  if (!(bytes instanceof Uint8Array)) fail(`${JSON.stringify(name)}`, "a Uint8Array", bytes);
  if (!isGzip(bytes)) return bytes;
  if (typeof DecompressionStream === "undefined") {
    throw new SimdnetError(`${JSON.stringify(name)}: is gzip-compressed, but this runtime has no DecompressionStream; decompress it first`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  try {
    const source = new ReadableStream<Uint8Array<ArrayBuffer>>({
      start(controller) {
        // DecompressionStream cannot read from a SharedArrayBuffer; copy only in that case.
        controller.enqueue(bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice());
        controller.close();
      },
    });
    reader = source.pipeThrough(new DecompressionStream("gzip")).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) break;
      chunks.push(value);
    }
  } catch (err) {
    throw new SimdnetError(`${JSON.stringify(name)}: gzip decompression failed: ${(err as Error).message}`);
  }
  if (total > maxBytes) {
    await reader?.cancel().catch(() => undefined);
    throw new SimdnetError(`${JSON.stringify(name)}: decompressed size: expected at most ${maxBytes} bytes (the maxBytes limit), got more (a gzip bomb or the wrong file)`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** {@link parseIdx} after decompressing gzip input if needed. */
export async function decodeIdx(bytes: Uint8Array, name: string, expectedDims?: number): Promise<IdxArray> {
  return parseIdx(await gunzipIfNeeded(bytes, name), name, expectedDims);
}

/** Encodes an IDX file of unsigned bytes (the inverse of {@link parseIdx}; for tests and exports). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new SimdnetError(`encodeIdx: expected ${count} bytes for [${dims.join(", ")}], got ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
