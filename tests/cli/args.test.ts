import { describe, expect, it } from "vitest";
import { parseArgs, usage, UsageError } from "../../src/cli/args.js";

function usageError(argv: string[]): UsageError {
  try {
    parseArgs(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error(`parseArgs(${JSON.stringify(argv)}) did not throw`);
}

describe("simdnet argument parsing", () => {
  it("train with every option, as separate values and with =", () => {
    expect(parseArgs(["train", "c1", "--epochs", "3", "--batch-size=64", "--lr", "1e-3", "--optimizer", "SGD", "--seed", "7", "--backend", "js", "--out", "runs/x", "--limit", "100"]))
      .toEqual({ command: "train", target: "c1", epochs: 3, batchSize: 64, lr: 0.001, optimizer: "sgd", seed: 7, backend: "js", out: "runs/x", limit: 100 });
  });

  it("train defaults: seed 0, backend auto, recipe values left to the preset", () => {
    expect(parseArgs(["train", "moons"])).toEqual({ command: "train", target: "moons", seed: 0, backend: "auto" });
    expect(parseArgs(["train", "--epochs", "2", "nets/model.json"])).toEqual({ command: "train", target: "nets/model.json", epochs: 2, seed: 0, backend: "auto" });
  });

  it("eval, info, help and version", () => {
    expect(parseArgs(["eval", "runs/a", "--limit=10"])).toEqual({ command: "eval", dir: "runs/a", backend: "auto", limit: 10 });
    expect(parseArgs(["info", "--backend", "wasm-simd"])).toEqual({ command: "info", backend: "wasm-simd" });
    expect(parseArgs([])).toEqual({ command: "help", topic: null });
    expect(parseArgs(["--help"])).toEqual({ command: "help", topic: null });
    expect(parseArgs(["-h"])).toEqual({ command: "help", topic: null });
    expect(parseArgs(["help", "train"])).toEqual({ command: "help", topic: "train" });
    expect(parseArgs(["train", "--help"])).toEqual({ command: "help", topic: "train" });
    expect(parseArgs(["eval", "x", "-h"])).toEqual({ command: "help", topic: "eval" });
    expect(parseArgs(["--version"])).toEqual({ command: "version" });
  });

  it("unknown commands and options name what came and what is accepted", () => {
    expect(usageError(["trian", "c1"]).message).toBe('unknown command "trian": expected one of train, eval, info, help (run simdnet --help)');
    expect(usageError(["--epochs", "3"]).message).toBe('unknown option "--epochs" before the command: expected one of train, eval, info, help (run simdnet --help)');
    expect(usageError(["train", "c1", "--epoch", "3"]).message).toBe(
      'train: unknown option "--epoch" (expected one of --epochs, --batch-size, --lr, --optimizer, --seed, --backend, --out, --limit)',
    );
    expect(usageError(["train", "c1", "--batch_size=3"]).message).toMatch(/^train: unknown option "--batch_size" \(expected one of/);
    expect(usageError(["train", "c1", "-e", "3"]).message).toMatch(/^train: unknown option "-e" \(expected one of/);
    expect(usageError(["eval", "runs/a", "--epochs", "3"]).message).toBe('eval: unknown option "--epochs" (expected one of --backend, --limit)');
    expect(usageError(["info", "--out", "x"]).message).toBe('info: unknown option "--out" (expected one of --backend)');
    expect(usageError(["help", "fly"]).message).toBe('help: expected nothing or one of train, eval, info, got "fly"');
  });

  it("bad or missing values", () => {
    expect(usageError(["train", "c1", "--epochs"]).message).toBe("train --epochs: expected a positive integer, got nothing");
    expect(usageError(["train", "c1", "--epochs", "--lr", "1"]).message).toBe("train --epochs: expected a positive integer, got nothing");
    expect(usageError(["train", "c1", "--epochs", "0"]).message).toBe('train --epochs: expected a positive integer, got "0"');
    expect(usageError(["train", "c1", "--epochs", "2.5"]).message).toBe('train --epochs: expected a positive integer, got "2.5"');
    expect(usageError(["train", "c1", "--batch-size", "ten"]).message).toBe('train --batch-size: expected a positive integer, got "ten"');
    expect(usageError(["train", "c1", "--lr", "-1"]).message).toBe('train --lr: expected a positive number (e.g. 0.001 or 1e-3), got "-1"');
    expect(usageError(["train", "c1", "--lr=abc"]).message).toBe('train --lr: expected a positive number (e.g. 0.001 or 1e-3), got "abc"');
    expect(usageError(["train", "c1", "--optimizer", "adagrad"]).message).toBe('train --optimizer: expected one of sgd, adam, adamw, rmsprop, got "adagrad"');
    expect(usageError(["train", "c1", "--seed", "-3"]).message).toBe('train --seed: expected an integer in [0, 4294967295], got "-3"');
    expect(usageError(["train", "c1", "--backend", "gpu"]).message).toBe('train --backend: expected one of auto, wasm-relaxed-simd, wasm-simd, js, got "gpu"');
    expect(usageError(["train", "c1", "--out="]).message).toBe('train --out: expected a folder path, got ""');
    expect(usageError(["train", "c1", "--seed", "1", "--seed", "2"]).message).toBe("train --seed: expected once, got it twice");
  });

  it("missing or extra positional arguments", () => {
    expect(usageError(["train"]).message).toBe("train: expected one preset (m1, m2, m3, c1, c2, c4, moons) or model.json path, got nothing");
    expect(usageError(["train", "c1", "c2"]).message).toBe('train: expected one preset (m1, m2, m3, c1, c2, c4, moons) or model.json path, got "c1" "c2"');
    expect(usageError(["eval"]).message).toBe("eval: expected one model folder (holding model.json and model.safetensors), got nothing");
    expect(usageError(["info", "extra"]).message).toBe('info: expected no arguments, got "extra"');
    expect(usageError(["train"]).command).toBe("train");
  });

  it("help texts list the commands, presets and every option", () => {
    expect(usage()).toContain("train <preset | model.json>");
    expect(usage()).toContain("m1, m2, m3, c1, c2, c4, moons");
    for (const opt of ["--epochs", "--batch-size", "--lr", "--optimizer", "--seed", "--backend", "--out", "--limit"]) expect(usage("train")).toContain(opt);
    expect(usage("eval")).toContain("--backend");
    expect(usage("info")).toContain("relaxed SIMD");
  });
});
