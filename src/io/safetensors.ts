/**
 * The safetensors format (https://github.com/huggingface/safetensors), F32 tensors only:
 *
 * ```
 * [8 bytes: header length n, u64 little-endian][n bytes: JSON header, space-padded][tensor bytes]
 * header = {"__metadata__":{"k":"v"},"name":{"dtype":"F32","shape":[…],"data_offsets":[begin,end]},…}
 * ```
 *
 * Offsets are relative to the start of the tensor bytes. The writer produces exactly what
 * Python's `safetensors` (Rust core) writes for the same F32 tensors: tensors sorted by name
 * (byte order), laid out contiguously in that order, header keys in the order `__metadata__`,
 * then tensors; compact JSON; the header padded with spaces to a multiple of 8 bytes. Browser-safe
 * (no Node imports).
 *
 * @module
 */

import { SimdnetError } from "../errors.js";
import type { StateDict } from "../nn/module.js";

/** A decoded safetensors file. */
export interface Safetensors {
  /** Tensors in file order (ascending data offset). */
  tensors: StateDict;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
  /**
   * Names of integer `*.num_batches_tracked` tensors that were validated but not decoded:
   * PyTorch stores that BatchNorm counter as I64, and simdnet does not use it.
   */
  skipped: string[];
}

/** Bytes per element of every safetensors dtype, so offsets of any tensor can be checked. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};
const INTEGER_DTYPES = ["U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64"];

/** Whether typed arrays are little-endian here (all current browsers and Node hosts), so F32 data copies as bytes. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The largest header the reader accepts (Python's safetensors uses the same 100 MB limit). */
const MAX_HEADER = 100_000_000;

function byteOrder(a: string, b: string): number {
  // UTF-8 byte order equals code-point order; JS's < compares UTF-16 units, which differs only
  // for astral characters, so compare code points explicitly to match Rust's String ordering.
  const ca = Array.from(a, (c) => c.codePointAt(0)!);
  const cb = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i]! - cb[i]!;
  return ca.length - cb.length;
}

/**
 * Encodes F32 tensors (and optional string metadata) as safetensors bytes.
 * @throws SimdnetError when a tensor's data length does not match its shape or a name is "__metadata__".
 */
export function encodeSafetensors(tensors: StateDict, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort(byteOrder);
  const header: Record<string, unknown> = {};
  const metaKeys = Object.keys(metadata).sort(byteOrder);
  if (metaKeys.length > 0) {
    const meta: Record<string, string> = {};
    for (const k of metaKeys) {
      const v = metadata[k];
      if (typeof v !== "string") throw new SimdnetError(`safetensors metadata "${k}": expected a string, got ${typeof v}`);
      meta[k] = v;
    }
    header["__metadata__"] = meta;
  }
  let offset = 0;
  for (const name of names) {
    if (name === "__metadata__") throw new SimdnetError('safetensors tensor name: expected any name but "__metadata__", got "__metadata__"');
    const t = tensors.get(name)!;
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== size) {
      throw new SimdnetError(`safetensors tensor "${name}" data length: expected ${size} (shape [${t.shape.join(", ")}]), got ${t.data.length}`);
    }
    header[name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + size * 4] };
    offset += size * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const name of names) {
    const data = tensors.get(name)!.data;
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
      pos += data.byteLength;
    } else {
      for (let i = 0; i < data.length; i++, pos += 4) view.setFloat32(pos, data[i]!, true);
    }
  }
  return out;
}

function bad(file: string, what: string, expected: string, actual: string): never {
  throw new SimdnetError(`${file}: ${what}: expected ${expected}, got ${actual}`);
}

/**
 * Decodes safetensors bytes, validating everything before returning: header length, JSON,
 * dtype (F32 only, except integer `num_batches_tracked` counters, which are skipped), shapes, offsets (in bounds, matching the shape, contiguous, covering the
 * data exactly). Errors start with `file` (a path, URL or "bytes") and name the expected and
 * actual value.
 */
export function decodeSafetensors(bytes: Uint8Array, file = "safetensors bytes"): Safetensors {
  if (!(bytes instanceof Uint8Array)) bad(file, "input", "a Uint8Array", typeof bytes);
  if (bytes.length < 8) bad(file, "file size", "at least 8 bytes (the header length)", `${bytes.length} bytes (truncated)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) {
    bad(file, "header length", `at most ${bytes.length - 8} (the bytes after the length field)`, `${n64} (truncated or not a safetensors file)`);
  }
  const n = Number(n64);
  if (n > MAX_HEADER) bad(file, "header length", `at most ${MAX_HEADER}`, String(n));
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    bad(file, "header", "UTF-8 JSON", `unparsable text (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) bad(file, "header", "a JSON object", JSON.stringify(header));
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; shape: number[]; begin: number; end: number; skip: boolean }[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (info === null || typeof info !== "object" || Array.isArray(info)) bad(file, "__metadata__", "an object of strings", JSON.stringify(info));
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== "string") bad(file, `__metadata__ "${k}"`, "a string", JSON.stringify(v));
        metadata[k] = v;
      }
      continue;
    }
    const where = `tensor "${name}"`;
    if (info === null || typeof info !== "object") bad(file, where, "{ dtype, shape, data_offsets }", JSON.stringify(info));
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    const counter = name === "num_batches_tracked" || name.endsWith(".num_batches_tracked");
    const skip = counter && typeof dtype === "string" && INTEGER_DTYPES.includes(dtype);
    if (dtype !== "F32" && !skip) {
      const hint = typeof dtype === "string" && dtype in DTYPE_BYTES ? " (simdnet reads F32 weights only: convert with tensor.float() before saving)" : "";
      bad(file, `${where} dtype`, '"F32"', `${JSON.stringify(dtype)}${hint}`);
    }
    const itemBytes = DTYPE_BYTES[dtype as string]!;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      bad(file, `${where} shape`, "a list of non-negative integers", JSON.stringify(shape));
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      bad(file, `${where} data_offsets`, "[begin, end] (non-negative integers)", JSON.stringify(offsets));
    }
    const [begin, end] = offsets as [number, number];
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end - begin !== size * itemBytes) {
      bad(file, `${where} data_offsets`, `a span of ${size * itemBytes} bytes (shape [${(shape as number[]).join(", ")}], ${dtype as string})`, `[${begin}, ${end}]`);
    }
    if (end > dataLength) bad(file, `${where} data_offsets end`, `at most ${dataLength} (the data size)`, `${end} (truncated file)`);
    entries.push({ name, shape: shape as number[], begin, end, skip });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expect = 0;
  for (const e of entries) {
    if (e.begin !== expect) bad(file, `tensor "${e.name}" data_offsets begin`, `${expect} (tensors must be contiguous, without overlap)`, String(e.begin));
    expect = e.end;
  }
  if (expect !== dataLength) bad(file, "data size", `${expect} bytes (the end of the last tensor)`, `${dataLength} bytes`);
  const tensors: StateDict = new Map();
  const skipped: string[] = [];
  for (const e of entries) {
    if (e.skip) {
      skipped.push(e.name);
      continue;
    }
    const at = dataStart + e.begin;
    let data: Float32Array;
    if (LITTLE_ENDIAN) {
      // Copy into a fresh, aligned buffer: the file's offsets need not be 4-aligned, and a Node
      // Buffer's slice() is a view into a shared pool, not a copy.
      const copy = new Uint8Array(e.end - e.begin);
      copy.set(bytes.subarray(at, dataStart + e.end));
      data = new Float32Array(copy.buffer);
    } else {
      data = new Float32Array((e.end - e.begin) / 4);
      for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(at + 4 * i, true);
    }
    tensors.set(e.name, { shape: e.shape, data });
  }
  return { tensors, metadata, skipped };
}
