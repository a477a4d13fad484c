import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RELAUNCHED_ENV, RELAXED_SIMD_FLAG, relaunchArgs } from "../../src/cli/relaunch.js";

describe("CLI relaunch with relaxed SIMD", () => {
  const argv = ["dist/cli.js", "train", "c1"];
  it("relaunches Node 20 without relaxed SIMD with the flag, keeping node options and arguments", () => {
    expect(relaunchArgs(false, 20, ["--cpu-prof"], argv, {})).toEqual(["--cpu-prof", RELAXED_SIMD_FLAG, ...argv]);
    expect(relaunchArgs(false, 20, [], argv, { SIMDNET_BACKEND: "auto" })).toEqual([RELAXED_SIMD_FLAG, ...argv]);
    expect(relaunchArgs(false, 20, [], argv, { SIMDNET_BACKEND: "wasm-relaxed-simd" })).toEqual([RELAXED_SIMD_FLAG, ...argv]);
  });
  it("runs in place when relaxed SIMD is there, the flag was given, it was relaunched once, or another backend is forced", () => {
    expect(relaunchArgs(true, 20, [], argv, {})).toBeNull();
    expect(relaunchArgs(false, 22, [], argv, {})).toBeNull();
    expect(relaunchArgs(false, 20, [RELAXED_SIMD_FLAG], argv, {})).toBeNull();
    expect(relaunchArgs(false, 20, [], argv, { [RELAUNCHED_ENV]: "1" })).toBeNull();
    expect(relaunchArgs(false, 20, [], argv, { SIMDNET_BACKEND: "wasm-simd" })).toBeNull();
    expect(relaunchArgs(false, 20, [], argv, { SIMDNET_BACKEND: "js" })).toBeNull();
  });
  // dist/ is built by `npm install`; the built command is what `npm start` runs.
  it.runIf(existsSync("dist/cli.js"))("the built command picks the relaxed-SIMD backend and passes on the exit code", () => {
    const env = { ...process.env };
    delete env.SIMDNET_BACKEND;
    delete env[RELAUNCHED_ENV];
    const info = spawnSync(process.execPath, ["dist/cli.js", "info"], { encoding: "utf8", env });
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/relaxed SIMD: yes/);
    expect(info.stdout).toMatch(/backend: wasm-relaxed-simd/);
    const bad = spawnSync(process.execPath, ["dist/cli.js", "train", "nonesuch"], { encoding: "utf8", env });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/nonesuch/);
  });
});

describe("enableNodeRelaxedSimd (simdnet/node)", () => {
  // A fresh Node without the flag: the test process itself runs with it (vitest.config.ts).
  it.runIf(existsSync("dist/node.js"))("turns relaxed SIMD on at run time so that init() picks the relaxed build", () => {
    const script = [
      'import { createEngine, detectWasmFeatures, enableNodeRelaxedSimd } from "./dist/node.js";',
      "const before = detectWasmFeatures().relaxedSimd;",
      "const on = enableNodeRelaxedSimd();",
      "const engine = await createEngine();",
      "const a = engine.tensor([1, 2, 3, 4], [2, 2]);",
      "console.log(JSON.stringify({ before, on, backend: engine.backend, product: [...engine.matmul(a, a).toArray()] }));",
    ].join("\n");
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as { before: boolean; on: boolean; backend: string; product: number[] };
    expect(out.on).toBe(true);
    expect(out.backend).toBe("wasm-relaxed-simd");
    expect(out.product).toEqual([7, 10, 15, 22]);
    // Node 20 lacks it without the flag; later Nodes have it already (and the call changes nothing).
    if (Number(process.versions.node.split(".")[0]) < 22) expect(out.before).toBe(false);
  });
});
