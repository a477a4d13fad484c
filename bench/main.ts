// Entry of the benchmarks, bundled by bench/run.mjs together with every bench/cases/*.ts.
// Suites: "kernels" (bench/kernels.ts). Arguments: --only <suite>, --filter <text>, --time <ms>, --json.
import { runKernelBench, type CaseFamily } from "./kernels.js";

interface Args { only: string | null; filter?: string; time: number; json: boolean }

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { only: null, time: 500, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench: expected a value after ${a}`);
      return v;
    };
    if (a === "--only") args.only = value();
    else if (a === "--filter") args.filter = value();
    else if (a === "--time") args.time = Number(value());
    else if (a === "--json") args.json = true;
    else throw new Error(`bench: unknown argument ${a} (expected --only, --filter, --time, --json)`);
  }
  if (!(args.time > 0)) throw new Error(`bench --time: expected a positive number of milliseconds, got ${args.time}`);
  return args;
}

const SUITES = ["kernels"] as const;

/** Runs the selected suites over the case families bench/run.mjs collected. */
export async function main(families: readonly CaseFamily[], argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  if (args.only !== null && !(SUITES as readonly string[]).includes(args.only)) {
    throw new Error(`bench --only: expected one of ${SUITES.join(", ")}, got ${args.only}`);
  }
  if (!args.json) {
    const os = await import("node:os");
    console.log(`simdnet benchmarks — Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} logical cores`);
  }
  if (args.only === null || args.only === "kernels") {
    await runKernelBench(families, { filter: args.filter, time: args.time, json: args.json });
  }
}
