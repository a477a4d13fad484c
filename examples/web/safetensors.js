// Minimal safetensors reader/writer for float32 state dicts (the format PyTorch's `safetensors`
// package reads): 8-byte little-endian header length, a JSON header naming each tensor's dtype,
// shape and byte range, then the raw little-endian data. Used by the MNIST page's download and
// upload until the library's own model-file module is available in the bundle.

/**
 * @param {Map<string, {shape: number[], data: Float32Array}>} dict
 * @param {Record<string, string>} [metadata]
 * @returns {Uint8Array}
 */
export function encodeSafetensors(dict, metadata = {}) {
  const header = {};
  let offset = 0;
  for (const [key, t] of dict) {
    header[key] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference implementation does.
  json += " ".repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of dict.values()) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(bytes, at); // WASM and every browser are little-endian, like the file format
    at += bytes.length;
  }
  return out;
}

/**
 * @param {Uint8Array} bytes
 * @returns {Map<string, {shape: number[], data: Float32Array}>}
 */
export function decodeSafetensors(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length < 8) throw new Error("safetensors: expected at least 8 bytes");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) throw new Error(`safetensors: header length ${n} exceeds the file (${bytes.length} bytes)`);
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    throw new Error("safetensors: the header is not valid JSON");
  }
  const base = 8 + n;
  const out = new Map();
  for (const [key, info] of Object.entries(header)) {
    if (key === "__metadata__") continue;
    if (info.dtype !== "F32") throw new Error(`safetensors "${key}": expected dtype F32, got ${String(info.dtype)}`);
    const [begin, end] = info.data_offsets;
    const count = info.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * 4 || base + end > bytes.length) throw new Error(`safetensors "${key}": byte range does not match shape [${info.shape.join(", ")}]`);
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(bytes.subarray(base + begin, base + end));
    out.set(key, { shape: info.shape, data });
  }
  return out;
}
