/**
 * Node 20 validates relaxed SIMD only behind `--experimental-wasm-relaxed-simd`, and a V8 flag
 * cannot be turned on once the process runs. So the CLI starts itself again with the flag when the
 * runtime lacks relaxed SIMD but would accept it (`npm start`, `npx simdnet …` get the faster
 * build with no flag to remember). Newer Nodes validate it on their own and are never relaunched.
 *
 * @module
 */

/** The V8 flag that enables relaxed SIMD in Node 20. */
export const RELAXED_SIMD_FLAG = "--experimental-wasm-relaxed-simd";
/** Set in the relaunched child, so that a runtime which still lacks relaxed SIMD is not relaunched again. */
export const RELAUNCHED_ENV = "SIMDNET_CLI_RELAUNCHED";

/**
 * The Node arguments to relaunch with, or `null` to run in this process.
 *
 * @param relaxedSimd - whether this runtime already validates relaxed SIMD
 * @param nodeMajor - the Node major version (only Node 20 and 21 know the flag without shipping the feature)
 * @param execArgv - `process.execArgv`
 * @param argv - `process.argv.slice(1)` (the script and its arguments)
 * @param env - `process.env`
 */
export function relaunchArgs(
  relaxedSimd: boolean,
  nodeMajor: number,
  execArgv: readonly string[],
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string[] | null {
  if (relaxedSimd || nodeMajor < 20 || nodeMajor > 21) return null;
  if (execArgv.includes(RELAXED_SIMD_FLAG) || env[RELAUNCHED_ENV] === "1") return null;
  // A forced backend that is not the relaxed build gains nothing from a second process.
  const forced = env.SIMDNET_BACKEND;
  if (forced !== undefined && forced !== "" && forced !== "auto" && forced !== "wasm-relaxed-simd") return null;
  return [...execArgv, RELAXED_SIMD_FLAG, ...argv];
}
