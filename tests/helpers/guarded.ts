import { expect } from "vitest";
import type { Scratch } from "./engines.js";

/**
 * Floats of sentinel placed after every output buffer: two 128-bit vectors' worth, so a SIMD
 * tail that stores a whole vector (or an unrolled pair) past the end lands inside the band.
 */
export const GUARD = 8;

/**
 * The float guard value: not NaN (NaN !== NaN would make every comparison fail) and not a
 * value any kernel under test computes by chance, so a change in the band means a stray write.
 */
export const SENTINEL = -12345.5;

/**
 * The guard value for int32 outputs (argmax indices). SENTINEL has a fraction, which an
 * Int32Array truncates, so integer bands need a whole number; a negative one is never an index.
 */
export const I32_SENTINEL = -777;

/**
 * Copies data in, followed by GUARD floats of SENTINEL; returns the byte pointer. A kernel that
 * writes past its output shows up in the band, which readGuarded checks.
 */
export function putGuarded(s: Scratch, data: Float32Array): number {
  const p = s.alloc((data.length + GUARD) * 4);
  const f = s.engine.views.f32();
  f.set(data, p >> 2);
  f.fill(SENTINEL, (p >> 2) + data.length, (p >> 2) + data.length + GUARD);
  return p;
}

/**
 * A NaN-filled output of n floats with a guard band after it: a kernel that skips an element, or
 * accumulates where it should overwrite, leaves NaN; one that writes too far changes the band.
 */
export function output(s: Scratch, n: number): number {
  return putGuarded(s, new Float32Array(n).fill(Number.NaN));
}

/**
 * Reads n floats at p (a copy) after checking the guard band behind them is untouched, so every
 * read of a result also checks the kernel stayed inside its output.
 */
export function readGuarded(s: Scratch, p: number, n: number, context: string): Float32Array {
  const guard = s.f32(p + n * 4, GUARD);
  for (let i = 0; i < GUARD; i++) {
    if (guard[i] !== SENTINEL) throw new Error(`${context}: wrote past the end (guard float ${i} is ${guard[i]})`);
  }
  return s.f32(p, n);
}

/**
 * Bit-for-bit equality (Object.is per element, so −0 differs from +0 and NaN matches NaN), naming
 * the first differing index. A plain loop because toEqual is slow on large arrays and its diff
 * does not say where a SIMD tail went wrong.
 */
export function expectSame(actual: Float32Array, expected: Float32Array, context: string): void {
  expect(actual.length, context).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${context}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}
