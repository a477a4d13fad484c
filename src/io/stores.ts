/**
 * Where a model is saved to and loaded from, in any runtime: a folder (Node), IndexedDB
 * (browsers), a URL to fetch, a Blob (a file the user picked, or a download). Every store moves
 * the same thing: one safetensors blob with the description in its metadata (`modelToBytes`);
 * a folder also holds that description as model.json, as `saveModel` of `simdnet/node` writes it.
 *
 * This file imports no `node:` module: the folder store reaches `node:fs` through
 * `process.getBuiltinModule` (Node ≥ 20.16) at call time, so browser bundles stay free of it.
 *
 * @module
 */

import { SimdnetError } from "../errors.js";
import { parseDescription, type ModelDescription } from "./model.js";

/** What a store holds for one model. */
export interface StoredModel {
  /** The safetensors blob: weights, and the description in `__metadata__` "simdnet". */
  bytes: Uint8Array;
  /** The description kept beside the blob (a folder's model.json), which wins over the metadata. */
  description?: ModelDescription;
}

/**
 * A place that holds one model. The built-in stores come from {@link modelStore}; implement this
 * for any other storage (a server API, a database).
 */
export interface ModelStore {
  /** The place as messages name it, e.g. `indexeddb://moons` or `my-model/`. */
  readonly name: string;
  /** Writes the model (replacing what was there). Absent for read-only places (a URL, a Blob). */
  save?(model: StoredModel & { description: ModelDescription }): Promise<void>;
  /** Reads the model; fails with a SimdnetError naming the place when nothing is there. */
  load(): Promise<StoredModel>;
}

/** Where `save` can write: a store, `"indexeddb://<name>"`, or (Node) a folder path. */
export type ModelTarget = string | ModelStore;
/** Where `load` can read: a save target, an http(s) URL (string or URL), or a Blob / File. */
export type ModelSource = ModelTarget | URL | Blob;

const IDB_PREFIX = "indexeddb://";
const IDB_DATABASE = "simdnet-models";
const IDB_STORE = "models";

/**
 * The store for `where`:
 * - `"indexeddb://<name>"` — the browser's IndexedDB (database "simdnet-models"), one record per name;
 * - `"http://…"`, `"https://…"`, a `URL`, or in a browser any other string (resolved against the
 *   page) — fetched, read-only;
 * - a `Blob` or `File` — read-only;
 * - in Node, any other string — a folder holding model.safetensors and model.json;
 * - a {@link ModelStore} — itself.
 */
export function modelStore(where: ModelSource): ModelStore {
  if (typeof where === "object" && where !== null && typeof (where as ModelStore).load === "function") return where as ModelStore;
  if (typeof Blob === "function" && where instanceof Blob) return blobStore(where);
  if (where instanceof URL) return urlStore(where.href);
  if (typeof where !== "string" || where === "") {
    throw new SimdnetError(`model store: expected "indexeddb://<name>", a URL, a Blob, a folder path (Node) or a ModelStore, got ${describe(where)}`);
  }
  if (where.startsWith(IDB_PREFIX)) return indexedDbStore(where.slice(IDB_PREFIX.length));
  if (/^(https?|blob|data):/i.test(where)) return urlStore(where);
  return nodeFs() !== null ? folderStore(where) : urlStore(where);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  return typeof v === "object" ? `a ${(v as object).constructor?.name ?? "object"}` : `${typeof v} ${String(v)}`;
}

// ---------------------------------------------------------------------------------------------
// IndexedDB

function openDatabase(name: string): Promise<IDBDatabase> {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (idb === undefined) {
    return Promise.reject(new SimdnetError(`${IDB_PREFIX}${name}: expected a runtime with IndexedDB (a browser or a worker), got none`));
  }
  return new Promise((resolve, reject) => {
    const req = idb.open(IDB_DATABASE, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(IDB_STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new SimdnetError(`${IDB_PREFIX}${name}: could not open IndexedDB (${req.error?.message ?? "unknown error"})`));
  });
}

function request<T>(db: IDBDatabase, mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(IDB_STORE, mode);
    const req = run(tx.objectStore(IDB_STORE));
    let result: T;
    req.onsuccess = () => { result = req.result; };
    // Resolve on commit, so a save has reached the disk when the promise settles.
    tx.oncomplete = () => { db.close(); resolve(result); };
    tx.onerror = tx.onabort = () => { db.close(); reject(new SimdnetError(`${what}: ${tx.error?.message ?? req.error?.message ?? "transaction failed"}`)); };
  });
}

/** The model saved under `name` in this origin's IndexedDB. */
export function indexedDbStore(name: string): ModelStore {
  if (name === "") throw new SimdnetError(`model store: expected "indexeddb://<name>" with a name, got "${IDB_PREFIX}"`);
  const where = `${IDB_PREFIX}${name}`;
  return {
    name: where,
    async save(model) {
      const db = await openDatabase(name);
      // A copy of exactly the blob's bytes (a view may sit in a larger buffer).
      const record = { bytes: model.bytes.slice().buffer, savedAt: new Date().toISOString() };
      await request(db, "readwrite", (s) => s.put(record, name), `${where}: save`);
    },
    async load() {
      const db = await openDatabase(name);
      const record = await request<unknown>(db, "readonly", (s) => s.get(name), `${where}: load`);
      const bytes = (record as { bytes?: unknown } | undefined)?.bytes;
      if (!(bytes instanceof ArrayBuffer)) {
        throw new SimdnetError(`${where}: expected a saved model, got ${record === undefined ? "nothing under that name" : "a record without model bytes"}`);
      }
      return { bytes: new Uint8Array(bytes) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// URL and Blob (read-only)

/** A model file (the safetensors blob) at `url`, fetched on load. */
export function urlStore(url: string): ModelStore {
  return {
    name: url,
    async load() {
      let res: Response;
      try {
        res = await fetch(url);
      } catch (e) {
        throw new SimdnetError(`${url}: expected a model file, got a failed fetch (${(e as Error).message})`);
      }
      if (!res.ok) throw new SimdnetError(`${url}: expected HTTP 200 with a model file, got ${res.status} ${res.statusText}`.trimEnd());
      return { bytes: new Uint8Array(await res.arrayBuffer()) };
    },
  };
}

/** A model file held in a Blob (a `File` from an `<input type="file">`, or `toBlob()` output). */
export function blobStore(blob: Blob): ModelStore {
  const name = typeof (blob as { name?: unknown }).name === "string" && (blob as File).name !== "" ? (blob as File).name : "model blob";
  return { name, load: async () => ({ bytes: new Uint8Array(await blob.arrayBuffer()) }) };
}

// ---------------------------------------------------------------------------------------------
// Folder (Node)

/** The parts of node:fs and node:path the folder store uses. */
interface NodeFs {
  fs: {
    mkdirSync(path: string, options: { recursive: true }): unknown;
    readFileSync(path: string): Uint8Array;
    writeFileSync(path: string, data: Uint8Array | string): void;
    renameSync(from: string, to: string): void;
    existsSync(path: string): boolean;
  };
  join(...parts: string[]): string;
  pid: number;
}

/** node:fs and node:path in Node ≥ 20.16 (process.getBuiltinModule), null elsewhere. */
function nodeFs(): NodeFs | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; pid?: number } }).process;
  if (typeof proc?.getBuiltinModule !== "function") return null;
  const fs = proc.getBuiltinModule("node:fs") as NodeFs["fs"] | undefined;
  const path = proc.getBuiltinModule("node:path") as { join(...p: string[]): string } | undefined;
  return fs === undefined || path === undefined ? null : { fs, join: (...p) => path.join(...p), pid: proc.pid ?? 0 };
}

/** File names inside a model folder (as `saveModel` of `simdnet/node` writes them). */
const JSON_FILE = "model.json";
const WEIGHTS_FILE = "model.safetensors";

/** A folder holding model.safetensors and model.json (Node ≥ 20.16; `saveModel`/`loadModel` of `simdnet/node` read and write the same). */
export function folderStore(dir: string): ModelStore {
  const where = dir.endsWith("/") ? dir : `${dir}/`;
  const node = (): NodeFs => {
    const n = nodeFs();
    if (n === null) throw new SimdnetError(`${where}: expected Node ≥ 20.16 for a model folder, got a runtime without process.getBuiltinModule`);
    return n;
  };
  const read = (n: NodeFs, file: string): Uint8Array => {
    try {
      return n.fs.readFileSync(file);
    } catch (e) {
      throw new SimdnetError(`${file}: expected a readable file, got ${(e as { code?: string }).code ?? (e as Error).message}`);
    }
  };
  return {
    name: where,
    async save(model) {
      const n = node();
      n.fs.mkdirSync(dir, { recursive: true });
      // Through a temporary file and a rename, so a crash never leaves half a model behind.
      const write = (file: string, data: Uint8Array | string) => {
        const path = n.join(dir, file);
        n.fs.writeFileSync(`${path}.tmp-${n.pid}`, data);
        n.fs.renameSync(`${path}.tmp-${n.pid}`, path);
      };
      write(WEIGHTS_FILE, model.bytes);
      write(JSON_FILE, JSON.stringify(model.description, null, 2) + "\n");
    },
    async load() {
      const n = node();
      const jsonPath = n.join(dir, JSON_FILE);
      const description = n.fs.existsSync(jsonPath)
        ? parseDescription(new TextDecoder().decode(read(n, jsonPath)), jsonPath)
        : undefined;
      return { bytes: read(n, n.join(dir, WEIGHTS_FILE)), ...(description === undefined ? {} : { description }) };
    },
  };
}
