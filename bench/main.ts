// Entry of the benchmarks, bundled by bench/run.mjs together with every bench/cases/*.ts and, when
// it exists, bench/train.ts.
// Suites: "kernels" (bench/kernels.ts), "train" (bench/train.ts) and "epoch" (bench/epoch.ts, real
// MNIST epochs); no --only runs all of them.
// Arguments: --only <suite>, --filter <text>, --time <ms> (per case and backend), --stat median|min,
// --clock wall|cpu (cpu: CPU time of this process, for a machine other work is loading), --quick, --json.
import { runKernelBench, type CaseFamily, type Clock, type Stat } from "./kernels.js";

/** The training suite's entry (bench/train.ts), or null when that file is not in the tree. */
export type TrainingBench = (args: { filter?: string; json: boolean; quick: boolean }) => Promise<unknown>;
/** The real-MNIST epoch suite's entry (bench/epoch.ts). */
export type EpochBench = (args: { filter?: string; json: boolean }) => Promise<unknown>;

interface Args { only: string | null; filter?: string; time: number; stat: Stat; clock: Clock; quick: boolean; json: boolean }

const SUITES = ["kernels", "train", "epoch"] as const;

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { only: null, time: 300, stat: "median", clock: "wall", quick: false, json: false };
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
    else if (a === "--stat") {
      const v = value();
      if (v !== "median" && v !== "min") throw new Error(`bench --stat: expected median or min, got ${v}`);
      args.stat = v;
    } else if (a === "--clock") {
      const v = value();
      if (v !== "wall" && v !== "cpu") throw new Error(`bench --clock: expected wall or cpu, got ${v}`);
      args.clock = v;
    } else if (a === "--quick") args.quick = true;
    else if (a === "--json") args.json = true;
    else throw new Error(`bench: unknown argument ${a} (expected --only, --filter, --time, --stat, --clock, --quick, --json)`);
  }
  if (!(args.time > 0)) throw new Error(`bench --time: expected a positive number of milliseconds, got ${args.time}`);
  if (args.only !== null && !(SUITES as readonly string[]).includes(args.only)) {
    throw new Error(`bench --only: expected one of ${SUITES.join(", ")}, got ${args.only}`);
  }
  return args;
}

/** Runs fn with console.log silenced (so a suite's own JSON does not split the single --json document). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = (): void => {};
  try {
    return await fn();
  } finally {
    console.log = log;
  }
}

/** Runs the selected suites over the case families bench/run.mjs collected. */
export async function main(
  families: readonly CaseFamily[], argv: readonly string[], train: TrainingBench | null, epoch: EpochBench | null,
): Promise<void> {
  const args = parseArgs(argv);
  const want = (suite: (typeof SUITES)[number]): boolean => args.only === null || args.only === suite;
  if (args.only === "train" && train === null) throw new Error("bench --only train: bench/train.ts is not in this tree yet");
  const os = await import("node:os");
  const v = process.versions;
  const machine = {
    node: v.node, v8: v.v8, cpu: os.cpus()[0]?.model ?? "unknown", logicalCores: os.cpus().length,
    loadAverage: os.loadavg()[0]!, date: new Date().toISOString(),
  };
  if (!args.json) {
    console.log(`simdnet benchmarks — Node ${machine.node} (V8 ${machine.v8}), ${machine.cpu}, ` +
      `${machine.logicalCores} logical cores, load average ${machine.loadAverage.toFixed(1)}`);
  }
  const report: Record<string, unknown> = { machine };
  if (want("kernels")) {
    // --quick shortens the timing of each case (the whole table then takes well under a minute).
    report.kernels = await runKernelBench(families, {
      filter: args.filter, time: args.quick ? Math.min(args.time, 100) : args.time, stat: args.stat, clock: args.clock, json: args.json,
    });
  }
  if (want("train") && train !== null) {
    const opts = { filter: args.filter, json: args.json, quick: args.quick };
    report.training = args.json ? await quietly(() => train(opts)) : await train(opts);
  }
  if (want("epoch") && epoch !== null) {
    const opts = { filter: args.filter, json: args.json };
    report.epochs = args.json ? await quietly(() => epoch(opts)) : await epoch(opts);
  }
  if (args.json) console.log(JSON.stringify(report, null, 2));
}
