/**
 * Name → factory tables (TF.js `registerClass`, Keras `get_custom_objects`). One registry per
 * family — layers (src/nn/config.ts), losses (src/nn/loss-registry.ts), optimizers and schedules
 * (src/optim/registry.ts) — is the single place where a name given in a file, on the command
 * line, in a preset or by a demo becomes an object, so the copies cannot disagree.
 *
 * ## Why a Map and explicit tables rather than self-registering classes
 * A `Map` only answers for names that were registered: `"constructor"` or `"__proto__"` typed
 * into a model.json cannot reach `Object.prototype` (the own-property rule of `Object.hasOwn`,
 * without a prototype to guard). The tables are filled in the registry files themselves rather
 * than by a `register` call at the bottom of each layer file: with `sideEffects: false` a bundler
 * may drop a module whose exports nobody imports, and a class registered only as a side effect
 * of its file would then vanish from the table of the app that loads a model naming it.
 *
 * @module
 */

import { fail, SimdnetError } from "./errors.js";

/** A table of named entries of one family, e.g. optimizer factories. */
export class Registry<T> {
  private readonly entries = new Map<string, T>();

  /**
   * @param family what a name of this table is, for messages ("layer type", "optimizer").
   * @param initial entries to register, in listing order.
   */
  constructor(readonly family: string, initial: Readonly<Record<string, T>> = {}) {
    for (const name of Object.keys(initial)) this.register(name, initial[name]!);
  }

  /**
   * Adds `entry` under `name`.
   * @throws SimdnetError when the name is not a non-empty string or is already registered
   *   (silently replacing a built-in would change what saved files mean).
   */
  register(name: string, entry: T): void {
    if (typeof name !== "string" || name === "") fail(`register ${this.family} name`, "a non-empty string", name);
    if (this.entries.has(name)) throw new SimdnetError(`register ${this.family} "${name}": expected a new name, got one already registered`);
    this.entries.set(name, entry);
  }

  /** Whether `name` is registered (own entries only). */
  has(name: unknown): boolean {
    return typeof name === "string" && this.entries.has(name);
  }

  /**
   * The entry called `name`.
   * @param what prefix of the error message ("fit optimizer", "module config layers[2] type").
   * @param extra what else the caller accepts, put before the names ("an Optimizer or ").
   * @throws SimdnetError naming the unknown name and every known one.
   */
  get(name: unknown, what: string = this.family, extra = ""): T {
    const entry = typeof name === "string" ? this.entries.get(name) : undefined;
    if (entry === undefined) fail(what, `${extra}one of ${this.names().join(", ")}`, name);
    return entry;
  }

  /** Registered names in registration order. */
  names(): string[] {
    return [...this.entries.keys()];
  }
}
