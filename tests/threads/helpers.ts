import type { Engine } from "../../src/engine.js";

/** Shares the engine's workers have been given so far (0 on one thread). */
export function posted(e: Engine): number {
  return (e as unknown as { pool: { posted: number } | null }).pool?.posted ?? 0;
}

/** Why the engine's pool is broken (a worker stopped), or null. */
export function brokenReason(e: Engine): string | null {
  return (e as unknown as { pool: { broken: string | null } | null }).pool?.broken ?? null;
}
