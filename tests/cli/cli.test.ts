import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/commands.js";
import { main } from "../../src/cli/main.js";
import { createEngine } from "../../src/engine.js";
import { loadModel } from "../../src/io/node.js";

/** Captures what a command writes. */
function capture(): CliIO & { text: () => string } {
  let out = "";
  return { write: (t: string) => void (out += t), isTTY: false, text: () => out };
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = capture();
  const err = capture();
  const code = await main(argv, out, err);
  return { code, out: out.text(), err: err.text() };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "simdnet-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("simdnet train moons → run folder → eval", () => {
  let runDir: string;
  let trainOut: string;

  beforeAll(async () => {
    runDir = join(dir, "moons-run");
    const r = await run(["train", "moons", "--epochs", "3", "--seed", "5", "--out", runDir]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    trainOut = r.out;
  }, 60_000);

  it("prints the set-up, one line per epoch off a terminal, test accuracy, throughput and the folder", () => {
    expect(trainOut).toMatch(/^simdnet train moons: 354 parameters, backend (wasm-simd|wasm-relaxed-simd|js), \d+ threads?\n/);
    expect(trainOut).toContain("data: make-moons (n 1000, noise 0.2, 800 train / 200 test points)");
    expect(trainOut).toContain("recipe: adam lr 0.01, batch 32, 3 epochs, CrossEntropyLoss, seed 5");
    expect(trainOut.match(/^Epoch \d\/3 - 25\/25 - .* - loss [\d.]+ - accuracy [\d.]+ - test_loss [\d.]+ - test_accuracy [\d.]+/gm)).toHaveLength(3);
    expect(trainOut).toMatch(/test accuracy 0\.\d{4} \(loss [\d.]+\) on 200 samples/);
    expect(trainOut).toMatch(/throughput [\d,]+ samples\/s \(training, 2400 samples in/);
    expect(trainOut).toContain(`run folder: ${runDir}\n`);
    // Off a terminal there is no carriage-return redraw.
    expect(trainOut).not.toContain("\r");
  });

  it("writes model files, history, a JSON-lines log and non-empty SVG charts", () => {
    for (const f of ["model.json", "model.safetensors", "history.json", "log.jsonl", "loss.svg", "accuracy.svg"]) {
      expect(existsSync(join(runDir, f)), f).toBe(true);
    }
    for (const f of ["loss.svg", "accuracy.svg"]) {
      const svg = readFileSync(join(runDir, f), "utf8");
      expect(svg.startsWith("<svg"), f).toBe(true);
      expect(svg.length, f).toBeGreaterThan(1000);
      // Lines of the series were drawn (vega writes each line as a path).
      expect(svg).toContain("<path");
      expect(svg).toContain("test");
    }
    // 2-D inputs: the decision regions of both classes (orange, blue rectangles) and the 200 test points.
    const boundary = readFileSync(join(runDir, "boundary.svg"), "utf8");
    expect(boundary.startsWith("<svg")).toBe(true);
    expect(boundary).toContain("decision boundary");
    expect(boundary).toMatch(/fill="#f59322"[^>]*opacity="0\.35"|opacity="0\.35"[^>]*fill="#f59322"/);
    expect(boundary).toMatch(/fill="#0877bd"[^>]*opacity="0\.35"|opacity="0\.35"[^>]*fill="#0877bd"/);
    const legend = [...boundary.matchAll(/role-legend-label[\s\S]*?<\/g>/g)].map((m) => [...m[0].matchAll(/>(class \d)</g)].map((t) => t[1])).flat();
    expect(legend).toEqual(["class 0", "class 1"]);
    expect(boundary.match(/<path[^>]*opacity="0\.9"/g)).toHaveLength(200);
    const history = JSON.parse(readFileSync(join(runDir, "history.json"), "utf8"));
    expect(history.epochs).toHaveLength(3);
    expect(history.history.loss).toHaveLength(3);
    expect(history.trace.epoch.length).toBeGreaterThan(3);
    expect(history.trace.epoch.at(-1)).toBe(3);
    expect(history.test.accuracy).toBe(history.epochs[2].valAccuracy);
    const log = readFileSync(join(runDir, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(log.map((l) => l.event)).toEqual(["begin", "epoch", "epoch", "epoch", "end"]);
    expect(log.filter((l) => l.event === "epoch").map((l) => l.epoch)).toEqual([1, 2, 3]);
    const description = JSON.parse(readFileSync(join(runDir, "model.json"), "utf8"));
    expect(description.inputShape).toEqual([2]);
    expect(description.extra).toMatchObject({ preset: "moons", seed: 5, epoch: 3, recipe: { epochs: 3, data: { name: "moons" } } });
    expect(description.extra.test.accuracy).toBe(history.test.accuracy);
  });

  it("the saved model loads, and eval reproduces the test accuracy printed by train", async () => {
    const engine = await createEngine({ backend: "js" });
    const { module } = loadModel(runDir, { engine });
    expect(module.numParameters()).toBe(354);
    const r = await run(["eval", runDir]);
    expect(r.code).toBe(0);
    const printed = trainOut.match(/test accuracy (0\.\d{4})/)![1];
    expect(r.out).toContain(`test accuracy ${printed}`);
    expect(r.out).toContain("on 200 samples");
  });

  it("the same seed gives the same weights (same backend)", async () => {
    const again = join(dir, "moons-again");
    expect((await run(["train", "moons", "--epochs", "3", "--seed", "5", "--out", again])).code).toBe(0);
    const engine = await createEngine({ backend: "js" });
    const a = loadModel(runDir, { engine }).module.stateDict();
    const b = loadModel(again, { engine }).module.stateDict();
    for (const [k, t] of a) expect(Array.from(b.get(k)!.data), k).toEqual(Array.from(t.data));
  }, 60_000);
});

describe("train from a model.json", () => {
  it("trains the architecture with its extra.recipe, naming the run after the file", async () => {
    const file = join(dir, "tiny.json");
    writeFileSync(file, JSON.stringify({
      format: "simdnet-model", version: 1, inputShape: [2],
      module: { type: "Sequential", layers: [{ type: "Linear", inFeatures: 2, outFeatures: 4 }, { type: "ReLU" }, { type: "Linear", inFeatures: 4, outFeatures: 2 }] },
      extra: { recipe: { optimizer: "sgd", lr: 0.1, epochs: 1, data: { name: "moons", n: 100, noise: 0.1, testRatio: 0.5 }, weightStatsEvery: 2 } },
    }));
    const out = join(dir, "tiny-run");
    const r = await run(["train", file, "--batch-size", "10", "--out", out]);
    expect(r.err).toBe("");
    expect(r.out).toContain("simdnet train tiny: 22 parameters");
    expect(r.out).toContain("recipe: sgd lr 0.1, batch 10, 1 epoch");
    expect(r.out).toContain("on 50 samples");
    expect(existsSync(join(out, "model.safetensors"))).toBe(true);
    // 50 samples in batches of 10: steps 1-5, statistics at steps 2 and 4 for 2 weights, 2 biases, 3 outputs.
    const stats = readFileSync(join(out, "weight-stats.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(stats.map((r) => r.step)).toEqual([2, 2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 4]);
    expect(stats.filter((r) => r.step === 2).map((r) => `${r.name}:${r.kind}`)).toEqual([
      "0.weight:weight", "0.bias:bias", "0.output:activation", "1.output:activation", "2.weight:weight", "2.bias:bias", "2.output:activation",
    ]);
    expect(stats[0].histogram.counts.reduce((a: number, b: number) => a + b, 0)).toBe(8);
    const svg = readFileSync(join(out, "weights.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("0.weight");
    expect(JSON.parse(readFileSync(join(out, "history.json"), "utf8")).records.weightStats).toBeUndefined();
  }, 30_000);

  it("a cosine schedule decays the learning rate over the epochs; an unknown schedule is refused", async () => {
    const file = join(dir, "cosine.json");
    const description = {
      format: "simdnet-model", version: 1, inputShape: [2],
      module: { type: "Sequential", layers: [{ type: "Linear", inFeatures: 2, outFeatures: 2 }] },
      extra: { recipe: { optimizer: "sgd", lr: 0.1, epochs: 2, lrSchedule: "cosine", data: { name: "moons", n: 40, noise: 0.1, testRatio: 0.5 } } },
    };
    writeFileSync(file, JSON.stringify(description));
    const out = join(dir, "cosine-run");
    const r = await run(["train", file, "--out", out]);
    expect(r.out).toContain("recipe: sgd lr 0.1 (cosine decay), batch 32, 2 epochs");
    // CosineAnnealingLR with T_max = 2: lr 0.1 in epoch 1, 0.1·(1 + cos(π/2))/2 = 0.05 in epoch 2.
    const lrs = JSON.parse(readFileSync(join(out, "history.json"), "utf8")).history.lr;
    expect(lrs[0]).toBe(0.1);
    expect(lrs[1]).toBeCloseTo(0.05, 12);
    writeFileSync(file, JSON.stringify({ ...description, extra: { recipe: { ...description.extra.recipe, lrSchedule: "step" } } }));
    const bad = await run(["train", file]);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(`simdnet: error: ${file}: extra.recipe.lrSchedule: expected "constant" or "cosine", got "step"\n`);
  });

  it("a model.json without data whose input shape implies none is a clear error", async () => {
    const file = join(dir, "odd.json");
    writeFileSync(file, JSON.stringify({ format: "simdnet-model", version: 1, inputShape: [3], module: { type: "Sequential", layers: [{ type: "Linear", inFeatures: 3, outFeatures: 2 }] }, extra: {} }));
    const r = await run(["train", file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`simdnet: error: ${file}: extra.recipe.data: expected the data set`);
    expect(r.err).toContain("the inputShape [3] does not imply one");
  });

  it("an architecture that does not fit the data names the layer", async () => {
    const file = join(dir, "wrong.json");
    writeFileSync(file, JSON.stringify({ format: "simdnet-model", version: 1, inputShape: null, module: { type: "Sequential", layers: [{ type: "Linear", inFeatures: 3, outFeatures: 2 }] }, extra: { recipe: { data: { name: "moons" } } } }));
    const r = await run(["train", file, "--out", join(dir, "never")]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("simdnet: error: model layer 0 (Linear) input shape: expected [N, 3], got [1, 2]\n");
    expect(existsSync(join(dir, "never"))).toBe(false);
  });

  it("a missing model.json names the path", async () => {
    const r = await run(["train", join(dir, "absent.json")]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${join(dir, "absent.json")}: expected a readable model.json, got ENOENT`);
  });
});

describe("errors and exit codes", () => {
  it("usage errors exit with 2 and point at the help", async () => {
    const r = await run(["train", "c9"]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toBe('simdnet: train: expected a preset (m1, m2, m3, c1, c2, c4, moons) or a model.json path, got "c9"\nRun simdnet help train for its options.\n');
    const u = await run(["fly"]);
    expect(u.code).toBe(2);
    expect(u.err).toBe('simdnet: unknown command "fly": expected one of train, eval, info, help (run simdnet --help)\nRun simdnet --help for usage.\n');
    const o = await run(["train", "moons", "--lr"]);
    expect(o.code).toBe(2);
    expect(o.err).toContain("simdnet: train --lr: expected a positive number (e.g. 0.001 or 1e-3), got nothing");
  });

  it("eval of a folder without a model exits 1 naming the file", async () => {
    const r = await run(["eval", join(dir, "nothing-here")]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`simdnet: error: ${join(dir, "nothing-here", "model.json")}: expected a readable file, got ENOENT\n`);
  });

  it("--out into a folder holding other files is refused", async () => {
    const busy = join(dir, "busy");
    mkdirSync(busy);
    writeFileSync(join(busy, "notes.txt"), "mine");
    const r = await run(["train", "moons", "--epochs", "1", "--out", busy]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`train --out: expected a new or empty folder (or an earlier run folder), got ${JSON.stringify(busy)}`);
  });

  it("--help and help <command> print the usage", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Usage: simdnet <command> [options]");
    expect((await run(["help", "train"])).out).toContain("--batch-size <n>");
  });
});

describe("simdnet info", () => {
  it("reports the runtime, WebAssembly features and the chosen backend", async () => {
    const r = await run(["info"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^simdnet \d+\.\d+\.\d+\n/);
    expect(r.out).toContain(`Node ${process.versions.node}`);
    expect(r.out).toMatch(/WebAssembly: yes, SIMD: (yes|no), relaxed SIMD: (yes|no)/);
    expect(r.out).toMatch(/backend: (wasm-relaxed-simd|wasm-simd|js) \(auto: the fastest this runtime validates\)/);
    const js = await run(["info", "--backend", "js"]);
    expect(js.out).toContain("backend: js\n");
  });
});

describe("package wiring", () => {
  it("bin simdnet is the built src/cli.ts (with a shebang), and npm start trains C1 for one epoch", () => {
    const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "../..");
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.bin).toEqual({ simdnet: "./dist/cli.js" });
    expect(pkg.scripts.start).toBe("node dist/cli.js train c1 --epochs 1");
    // prepare builds dist/ on npm install, so npm start works right after a fresh clone's install.
    expect(pkg.scripts.prepare).toMatch(/npm run build/);
    expect(readFileSync(join(root, "src/cli.ts"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });
});
