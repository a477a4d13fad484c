import { DONE, ERROR_CHARS, ERROR_I32, NOPS, OP_GATHER, OP_WORDS, OPS_F64, QUIT, SEQ, SLOT_BYTES, STATUS } from "./control.js";

/**
 * The source of a pool worker, as text so that the single bundle file can start it anywhere:
 * `new Worker(source, { eval: true })` in Node, a Blob URL in browsers (no second file to
 * serve or to resolve relative to the bundle).
 *
 * The worker receives { module, memory, slot, names, spin }, instantiates the module on the
 * shared memory, answers { ready: true } (or { error }), then blocks in its job loop for good:
 * wait until seq changes (spinning `spin` times before Atomics.wait), run the job's kernel
 * calls, store done = seq and notify. A kernel that throws is reported in the slot, not as an
 * uncaught error, so the caller can raise it.
 */
export const WORKER_SOURCE = `"use strict";
const SEQ = ${SEQ}, DONE = ${DONE}, STATUS = ${STATUS}, NOPS = ${NOPS}, QUIT = ${QUIT};
const OPS_F64 = ${OPS_F64}, OP_WORDS = ${OP_WORDS}, OP_GATHER = ${OP_GATHER};
const ERROR_I32 = ${ERROR_I32}, ERROR_CHARS = ${ERROR_CHARS}, SLOT_BYTES = ${SLOT_BYTES};
// Node runs an eval'd worker as a module when its parent is one (no require there): import() works in both.
const node = typeof self === "undefined" && typeof process === "object" && typeof process.versions?.node === "string";
let port = node ? null : self;
function reply(message) { port.postMessage(message); }
function start(init) {
  const memory = init.memory;
  let kernels;
  try {
    const instance = new WebAssembly.Instance(init.module, {
      env: {
        memory,
        abort(_m, _f, line, column) { throw new Error("simdnet kernel aborted at line " + line + ":" + column); },
      },
    });
    kernels = init.names.map((name) => instance.exports[name]);
  } catch (e) {
    reply({ error: String(e && e.message || e) });
    return;
  }
  const ctl = new Int32Array(memory.buffer, init.slot, SLOT_BYTES >> 2);
  const f64 = new Float64Array(memory.buffer, init.slot, SLOT_BYTES >> 3);
  const u16 = new Uint16Array(memory.buffer, init.slot, SLOT_BYTES >> 1);
  let bytes = new Uint8Array(memory.buffer);
  const spin = init.spin;
  // Read before saying ready: the caller may post the first job the moment it hears.
  let last = Atomics.load(ctl, SEQ);
  reply({ ready: true });
  for (;;) {
    let n = 0;
    while (Atomics.load(ctl, SEQ) === last) {
      if (++n > spin) { Atomics.wait(ctl, SEQ, last); n = 0; }
    }
    last = Atomics.load(ctl, SEQ);
    if (Atomics.load(ctl, QUIT) !== 0) return;
    let status = 0;
    try {
      const ops = ctl[NOPS];
      for (let i = 0; i < ops; i++) {
        const b = OPS_F64 + i * OP_WORDS;
        const index = f64[b];
        if (index === OP_GATHER) {
          if (bytes.byteLength !== memory.buffer.byteLength) bytes = new Uint8Array(memory.buffer);
          const rows = f64[b + 2], rowBytes = f64[b + 3], src = f64[b + 4], stride = f64[b + 5], dst = f64[b + 6];
          for (let r = 0; r < rows; r++) bytes.copyWithin(dst + r * rowBytes, src + r * stride, src + r * stride + rowBytes);
          continue;
        }
        const a = b + 2;
        kernels[index](f64[a], f64[a + 1], f64[a + 2], f64[a + 3], f64[a + 4], f64[a + 5], f64[a + 6], f64[a + 7],
          f64[a + 8], f64[a + 9], f64[a + 10], f64[a + 11], f64[a + 12], f64[a + 13], f64[a + 14], f64[a + 15],
          f64[a + 16], f64[a + 17], f64[a + 18], f64[a + 19], f64[a + 20], f64[a + 21]);
      }
    } catch (e) {
      status = 1;
      const text = String(e && e.message || e).slice(0, ERROR_CHARS);
      ctl[ERROR_I32] = text.length;
      for (let i = 0; i < text.length; i++) u16[(ERROR_I32 + 1) * 2 + i] = text.charCodeAt(i);
    }
    ctl[STATUS] = status;
    Atomics.store(ctl, DONE, last);
    Atomics.notify(ctl, DONE);
  }
}
// The specifier is computed so that no scanner of this browser-safe module mistakes the text for an import of its own.
if (node) import(["node", "worker_threads"].join(":")).then((wt) => { port = wt.parentPort; port.once("message", start); });
else self.onmessage = (event) => { self.onmessage = null; start(event.data); };
`;
