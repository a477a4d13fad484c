/**
 * `simdnet <command>`: parses the arguments, runs the command, turns errors into messages and an
 * exit code (0 done, 1 failed, 2 bad command line). Never calls process.exit, so tests can run it.
 *
 * @module
 */

import { SimdnetError } from "../errors.js";
import { parseArgs, usage, UsageError } from "./args.js";
import { evalCommand, infoCommand, packageVersion, trainCommand, type CliIO } from "./commands.js";

/** Runs the command line `argv` (the arguments after `simdnet`); returns the exit code. */
export async function main(argv: readonly string[], io: CliIO, err: CliIO = io): Promise<number> {
  try {
    const cmd = parseArgs(argv);
    switch (cmd.command) {
      case "help":
        io.write(usage(cmd.topic) + "\n");
        return 0;
      case "version":
        io.write(packageVersion() + "\n");
        return 0;
      case "info":
        await infoCommand(cmd, io);
        return 0;
      case "train":
        await trainCommand(cmd, io);
        return 0;
      case "eval":
        await evalCommand(cmd, io);
        return 0;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`simdnet: ${e.message}\n${e.command === null ? "Run simdnet --help for usage." : `Run simdnet help ${e.command} for its options.`}\n`);
      return 2;
    }
    if (e instanceof SimdnetError) {
      err.write(`simdnet: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
