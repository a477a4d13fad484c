/** Every error simdnet throws on bad input: names the argument, what was expected and what came. */
export class SimdnetError extends Error {
  override name = "SimdnetError";
}

/** Formats a value for an error message: shapes as [a, b], strings quoted, numbers as they are. */
export function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (typeof value === "string") return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    // A plain object (e.g. options passed where a number belongs): show its content, not "[object Object]".
    try {
      return JSON.stringify(value);
    } catch {
      return "an object";
    }
  }
  return String(value);
}

/** Throws `${what}: expected ${expected}, got ${actual}`. */
export function fail(what: string, expected: string, actual: unknown): never {
  throw new SimdnetError(`${what}: expected ${expected}, got ${show(actual)}`);
}

/**
 * Rejects keys of an options object that are not in `allowed` (a misspelt option would
 * otherwise be silently ignored): `${what}: unknown option "x" (expected one of a, b)`.
 */
export function checkOptions(what: string, options: object | undefined, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object") fail(what, "an options object", options);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new SimdnetError(`${what}: unknown option "${key}" (expected one of ${allowed.join(", ")})`);
    }
  }
}
