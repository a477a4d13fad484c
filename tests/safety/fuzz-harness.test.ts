import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../../scripts/fuzz.mjs", import.meta.url));

describe("npm run fuzz harness", () => {
  it("pins a hang and an out-of-memory abort to their case, goes on after them and exits 1", () => {
    const run = spawnSync(process.execPath, [script, "--target", "_hang,_oom", "--cases", "4", "--workers", "1", "--time-limit", "3000", "--heap-mb", "48"], {
      env: { ...process.env, SIMDNET_FUZZ_SELFTEST: "1" }, encoding: "utf8", timeout: 120_000,
    });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/_hang case 2: no result within 3000 ms \(hang\)/);
    expect(run.stdout).toMatch(/_oom case 2: (worker died \(ERR_WORKER_OUT_OF_MEMORY|no result within 3000 ms \(hang\))/);
    // The cases after the bad one still ran: 3 accepted per target.
    expect(run.stdout).toMatch(/_hang\s+4\s+3\s+0\s+0\s+1\s+0/);
    expect(run.stdout).toMatch(/re-run: npm run fuzz -- --target _hang --seed 1 --from 2 --cases 1 --verbose/);
  });

  it("refuses unknown targets and options with a usage message (exit 2)", () => {
    const run = spawnSync(process.execPath, [script, "--target", "nope"], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/fuzz: --target: expected some of safetensors, model, idx, csv, options, got "nope"/);
  });
});
