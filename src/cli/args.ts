/**
 * Command-line parsing of `simdnet`: pure (no I/O), so every message is testable. Options take
 * their value as the next argument or after `=` (`--epochs 3`, `--epochs=3`); anything unknown,
 * missing or malformed is a {@link UsageError} naming the option, what was expected and what came.
 *
 * @module
 */

import { SimdnetError } from "../errors.js";
import { OPTIMIZERS } from "../optim/registry.js";
import { PRESET_NAMES, type RecipeOptimizer } from "../presets.js";

/** A mistake in the command line (exit code 2, usage hint printed). */
export class UsageError extends SimdnetError {
  override name = "UsageError";
  constructor(message: string, readonly command: string | null = null) {
    super(message);
  }
}

/** Backends the `--backend` option accepts (the engine's names plus "auto"). */
export const BACKEND_CHOICES = ["auto", "wasm-relaxed-simd", "wasm-simd", "js"] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** `simdnet train <preset | model.json> [options]`. */
export interface TrainCommand {
  command: "train";
  /** A preset name (m1 … moons) or the path of a model.json. */
  target: string;
  /** Overrides of the recipe; undefined keeps the preset's value. */
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: RecipeOptimizer;
  /** Seed of initialisation, shuffling, dropout and generated data (default 0). */
  seed: number;
  backend: BackendChoice;
  /** Run folder; default runs/<name>-<UTC timestamp>/. */
  out?: string;
  /** Use only the first N training samples (quick runs). */
  limit?: number;
}

/** `simdnet eval <model dir>`. */
export interface EvalCommand {
  command: "eval";
  dir: string;
  backend: BackendChoice;
  /** Evaluate only the first N test samples. */
  limit?: number;
}

/** `simdnet info`. */
export interface InfoCommand {
  command: "info";
  backend: BackendChoice;
}

/** `simdnet help [command]`, `--help`, `-h`. */
export interface HelpCommand {
  command: "help";
  topic: "train" | "eval" | "info" | null;
}

/** `simdnet --version`. */
export interface VersionCommand {
  command: "version";
}

export type Command = TrainCommand | EvalCommand | InfoCommand | HelpCommand | VersionCommand;

const COMMANDS = ["train", "eval", "info", "help"] as const;

/** Options per command, with the kind of value each takes. */
const OPTIONS = {
  train: { epochs: "count", "batch-size": "count", lr: "rate", optimizer: "optimizer", seed: "seed", backend: "backend", out: "path", limit: "count" },
  eval: { backend: "backend", limit: "count" },
  info: { backend: "backend" },
} as const;

type Kind = "count" | "rate" | "optimizer" | "seed" | "backend" | "path";

const USAGE: Record<"main" | "train" | "eval" | "info", string> = {
  main: `Usage: simdnet <command> [options]

Commands:
  train <preset | model.json>  train a reference network (or an architecture file), write a run folder
  eval <model dir>             evaluate a saved model on its data set's test split
  info                         runtime features and the backend simdnet picks
  help [command]               this text, or a command's options

Presets: ${PRESET_NAMES.join(", ")}
Run "simdnet help train" for the training options.`,
  train: `Usage: simdnet train <preset | model.json> [options]

Trains a preset (${PRESET_NAMES.join(", ")}) with its recipe, or the architecture of a model.json
(a simdnet model description; its extra.recipe, when present, gives the data and hyper-parameters).
Writes a run folder: model.json, model.safetensors, history.json, loss.svg, accuracy.svg, log.jsonl.

Options (default: the preset's recipe):
  --epochs <n>         number of epochs
  --batch-size <n>     mini-batch size
  --lr <x>             learning rate
  --optimizer <name>   ${OPTIMIZERS.names().join(", ")}
  --seed <n>           seed of init, shuffling, dropout and generated data (default 0)
  --backend <name>     ${BACKEND_CHOICES.join(", ")} (default auto: the fastest available)
  --out <dir>          run folder (default runs/<preset>-<UTC time>)
  --limit <n>          train on the first n samples only (quick runs)`,
  eval: `Usage: simdnet eval <model dir> [options]

Loads model.json + model.safetensors from the folder and reports loss and accuracy on the test
split of the data set it was trained on.

Options:
  --backend <name>     ${BACKEND_CHOICES.join(", ")} (default auto)
  --limit <n>          evaluate the first n test samples only`,
  info: `Usage: simdnet info [--backend <name>]

Prints the runtime (Node, platform, cores), its WebAssembly features (SIMD, relaxed SIMD) and the
backend simdnet picks (or the one named by --backend / SIMDNET_BACKEND).`,
};

/** The help text of a command, or of simdnet as a whole. */
export function usage(topic: "train" | "eval" | "info" | null = null): string {
  return USAGE[topic ?? "main"];
}

function parseValue(command: string, name: string, kind: Kind, raw: string | undefined): number | string {
  const what = `${command} --${name}`;
  const got = raw === undefined ? "nothing" : JSON.stringify(raw);
  switch (kind) {
    case "count": {
      const n = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${what}: expected a positive integer, got ${got}`, command);
      return n;
    }
    case "seed": {
      const n = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n) || n > 0xffffffff) throw new UsageError(`${what}: expected an integer in [0, 4294967295], got ${got}`, command);
      return n;
    }
    case "rate": {
      const x = raw !== undefined && raw.trim() !== "" ? Number(raw) : NaN;
      if (!Number.isFinite(x) || x <= 0) throw new UsageError(`${what}: expected a positive number (e.g. 0.001 or 1e-3), got ${got}`, command);
      return x;
    }
    case "optimizer": {
      const v = raw?.toLowerCase();
      if (v === undefined || !OPTIMIZERS.has(v)) {
        throw new UsageError(`${what}: expected one of ${OPTIMIZERS.names().join(", ")}, got ${got}`, command);
      }
      return v;
    }
    case "backend": {
      if (raw === undefined || !(BACKEND_CHOICES as readonly string[]).includes(raw)) {
        throw new UsageError(`${what}: expected one of ${BACKEND_CHOICES.join(", ")}, got ${got}`, command);
      }
      return raw;
    }
    case "path": {
      if (raw === undefined || raw === "" || raw.startsWith("--")) throw new UsageError(`${what}: expected a folder path, got ${got}`, command);
      return raw;
    }
  }
}

/**
 * Parses the arguments after `simdnet` (process.argv.slice(2)).
 * @throws UsageError for an unknown command or option, a missing or malformed value, a missing
 *   or extra positional argument.
 */
export function parseArgs(argv: readonly string[]): Command {
  const args = [...argv];
  if (args.length === 0 || args[0] === "--help" || args[0] === "-h") return { command: "help", topic: null };
  if (args[0] === "--version" || args[0] === "-v") return { command: "version" };
  const command = args.shift()!;
  if (!(COMMANDS as readonly string[]).includes(command)) {
    const what = command.startsWith("-") ? `option ${JSON.stringify(command)} before the command` : `command ${JSON.stringify(command)}`;
    throw new UsageError(`unknown ${what}: expected one of ${COMMANDS.join(", ")} (run simdnet --help)`);
  }
  if (command === "help") {
    const topic = args[0];
    if (args.length > 1 || (topic !== undefined && !["train", "eval", "info"].includes(topic))) {
      throw new UsageError(`help: expected nothing or one of train, eval, info, got ${JSON.stringify(args.join(" "))}`);
    }
    return { command: "help", topic: (topic ?? null) as HelpCommand["topic"] };
  }
  const cmd = command as keyof typeof OPTIONS;
  const known: Record<string, Kind> = OPTIONS[cmd];
  const values: Record<string, number | string> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--help" || arg === "-h") return { command: "help", topic: cmd };
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(arg.startsWith("--") ? 2 : 1, eq < 0 ? undefined : eq);
    const kind = known[name];
    if (kind === undefined || !arg.startsWith("--")) {
      const list = Object.keys(known).map((k) => `--${k}`).join(", ");
      throw new UsageError(`${cmd}: unknown option ${JSON.stringify(arg.slice(0, eq < 0 ? undefined : eq))} (expected one of ${list})`, cmd);
    }
    if (name in values) throw new UsageError(`${cmd} --${name}: expected once, got it twice`, cmd);
    let raw: string | undefined;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1]!.startsWith("--")) raw = args[++i];
    values[name] = parseValue(cmd, name, kind, raw);
  }
  const backend = (values["backend"] ?? "auto") as BackendChoice;
  switch (cmd) {
    case "train": {
      if (positional.length !== 1) {
        const got = positional.length === 0 ? "nothing" : positional.map((p) => JSON.stringify(p)).join(" ");
        throw new UsageError(`train: expected one preset (${PRESET_NAMES.join(", ")}) or model.json path, got ${got}`, cmd);
      }
      const out: TrainCommand = { command: "train", target: positional[0]!, seed: (values["seed"] as number | undefined) ?? 0, backend };
      if (values["epochs"] !== undefined) out.epochs = values["epochs"] as number;
      if (values["batch-size"] !== undefined) out.batchSize = values["batch-size"] as number;
      if (values["lr"] !== undefined) out.lr = values["lr"] as number;
      if (values["optimizer"] !== undefined) out.optimizer = values["optimizer"] as RecipeOptimizer;
      if (values["out"] !== undefined) out.out = values["out"] as string;
      if (values["limit"] !== undefined) out.limit = values["limit"] as number;
      return out;
    }
    case "eval": {
      if (positional.length !== 1) {
        const got = positional.length === 0 ? "nothing" : positional.map((p) => JSON.stringify(p)).join(" ");
        throw new UsageError(`eval: expected one model folder (holding model.json and model.safetensors), got ${got}`, cmd);
      }
      const out: EvalCommand = { command: "eval", dir: positional[0]!, backend };
      if (values["limit"] !== undefined) out.limit = values["limit"] as number;
      return out;
    }
    case "info": {
      if (positional.length > 0) throw new UsageError(`info: expected no arguments, got ${positional.map((p) => JSON.stringify(p)).join(" ")}`, cmd);
      return { command: "info", backend };
    }
  }
}
