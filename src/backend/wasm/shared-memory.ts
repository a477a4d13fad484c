/**
 * Makes a module's imported memory shared by rewriting one byte of its import section.
 *
 * The builds import their memory (`--importMemory`), declared with limits flag 0x01 (minimum and
 * maximum). A module that declares a non-shared import cannot be given a shared memory, and a
 * shared memory is what lets worker threads run the same kernels on the same tensors. Rather
 * than shipping two more builds compiled with `--sharedMemory` (another ~40 KB gzip of base64 in
 * the bundle for bytes that differ in one place), the loader flips that flag to 0x03 (shared,
 * with maximum) when it starts threads. The kernels use no atomics, so nothing else changes.
 */

function readLeb(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    if (i >= bytes.length) throw new Error("wasm module: truncated LEB128 number");
    const b = bytes[i++]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { value, next: i };
    shift += 7;
  }
}

function skipName(bytes: Uint8Array, at: number): { name: string; next: number } {
  const len = readLeb(bytes, at);
  const name = new TextDecoder().decode(bytes.subarray(len.next, len.next + len.value));
  return { name, next: len.next + len.value };
}

/**
 * A copy of `bytes` whose memory import `env.memory` is declared shared. Throws when the module
 * has no such import or declares no maximum (a shared memory needs one).
 */
export function withSharedMemoryImport(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(bytes.length));
  out.set(bytes);
  let at = 8; // magic + version
  while (at < out.length) {
    const id = out[at]!;
    const size = readLeb(out, at + 1);
    const start = size.next;
    const end = start + size.value;
    if (id === 2) {
      const count = readLeb(out, start);
      let p = count.next;
      for (let i = 0; i < count.value; i++) {
        const mod = skipName(out, p);
        const field = skipName(out, mod.next);
        p = field.next;
        const kind = out[p++]!;
        if (kind === 0x00) p = readLeb(out, p).next; // function: type index
        else if (kind === 0x01) { // table: reftype + limits
          p++;
          const flag = out[p++]!;
          p = readLeb(out, p).next;
          if (flag & 1) p = readLeb(out, p).next;
        } else if (kind === 0x03) p += 2; // global: valtype + mutability
        else if (kind === 0x02) {
          const flag = out[p]!;
          if (mod.name === "env" && field.name === "memory") {
            if ((flag & 1) === 0) throw new Error("wasm module: the memory import declares no maximum, which a shared memory needs");
            out[p] = flag | 0x02;
            return out;
          }
          p++;
          p = readLeb(out, p).next;
          if (flag & 1) p = readLeb(out, p).next;
        } else throw new Error(`wasm module: unknown import kind ${kind}`);
      }
    }
    at = end;
  }
  throw new Error("wasm module: no env.memory import to share");
}
