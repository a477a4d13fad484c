// Side-by-side training benchmark: simdnet (bench/train.ts), PyTorch (bench/peers/pytorch.py) and
// TF.js CPU/WASM (bench/peers/tfjs.mjs) run the same workloads W2–W5 one after another on this
// machine, and one table shows ms/step and the ratios simdnet ÷ peer (below 1 = simdnet faster).
// Peers that are not installed are reported with the command that installs them.
//
//   node bench/peers/run.mjs [--quick] [--filter W3] [--no-tfjs-cpu]
//
// PyTorch runs with the settings of issue 6: one thread (torch.set_num_threads(1),
// OPENBLAS_NUM_THREADS=1) and glibc's malloc thresholds raised so big tensors are not returned
// to the OS at every step; then again with N threads (N = the cores Node reports; issue 10), beside
// simdnet's rows on N threads (bench/train.ts runs each build on 1 and N threads).
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const filter = argv.includes("--filter") ? argv[argv.indexOf("--filter") + 1] : undefined;
const skipTfjsCpu = argv.includes("--no-tfjs-cpu");
const common = [...(quick ? ["--quick"] : []), ...(filter ? ["--filter", filter] : [])];

/** Runs a command, returns its parsed last JSON line, or { error } with what went wrong. */
function runJson(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  if (r.error) return { error: `${cmd}: ${r.error.message}` };
  if (r.status !== 0) return { error: (r.stderr || r.stdout || `exit ${r.status}`).trim().split("\n").slice(0, 3).join(" ") };
  const start = r.stdout.indexOf("{");
  try {
    return JSON.parse(r.stdout.slice(start));
  } catch {
    return { error: `${cmd}: unreadable output` };
  }
}

// simdnet: bench/train.ts bundled as bench/run.mjs bundles the kernel suite, run with relaxed SIMD enabled.
const outfile = join(root, "build", "bench-train.mjs");
await build({
  stdin: {
    contents: `import { runTrainingBench } from "./bench/train.ts";\nawait runTrainingBench({ json: true, quick: ${quick}, filter: ${JSON.stringify(filter)} });`,
    resolveDir: root, sourcefile: "bench-train-entry.ts", loader: "ts",
  },
  bundle: true, platform: "node", format: "esm", target: "node20", outfile, logLevel: "warning",
});
console.log("simdnet …");
const simdnet = runJson(process.execPath, ["--experimental-wasm-relaxed-simd", outfile]);
if (simdnet.error) throw new Error(`simdnet training bench failed: ${simdnet.error}`);

// Debian's python3-torch installs for the system Python; a python3 earlier on PATH (pyenv, a
// venv) may not see it. PYTHON overrides the choice.
const canImportTorch = (py) => spawnSync(py, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
const python = process.env.PYTHON ?? ["python3", "/usr/bin/python3"].find(canImportTorch) ?? "python3";
console.log(`PyTorch (${python}) …`);
const torchRun = (threads) => runJson(python, [join(here, "pytorch.py"), "--json", "--threads", String(threads), ...common], {
  OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads),
  GLIBC_TUNABLES: "glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295",
});
const pytorch = torchRun(1);
const cores = Number(process.env.SIMDNET_THREADS ?? availableParallelism());
const pytorchN = cores > 1 ? torchRun(cores) : { error: "one core" };

console.log("TF.js …");
const tfjsInstalled = existsSync(join(here, "node_modules", "@tensorflow", "tfjs"));
const tfjs = !tfjsInstalled
  ? { error: "not installed: npm install --prefix bench/peers" }
  : runJson(process.execPath, [join(here, "tfjs.mjs"), "--json", ...common, ...(skipTfjsCpu ? ["--backend", "wasm"] : [])]);

const ms = (list, workload, key, value) => list?.find((r) => r.workload === workload && r[key] === value);
const workloads = [...new Set(simdnet.training.map((r) => r.workload))];
const one = (list) => list?.filter((r) => (r.threads ?? 1) === 1);
const many = (list) => list?.filter((r) => (r.threads ?? 1) > 1).map((r) => ({ ...r, msPerStep: r.wallMsPerStep ?? r.msPerStep }));
const columns = [
  ["simdnet relaxed", (w) => ms(one(simdnet.training), w, "backend", "wasm-relaxed-simd")],
  ["simdnet simd", (w) => ms(one(simdnet.training), w, "backend", "wasm-simd")],
  ["simdnet js", (w) => ms(simdnet.training, w, "backend", "js")],
  ["PyTorch", (w) => ms(pytorch.results, w, "peer", "pytorch")],
  ["TF.js wasm", (w) => ms(tfjs.results, w, "peer", "tfjs-wasm")],
  ["TF.js cpu", (w) => ms(tfjs.results, w, "peer", "tfjs-cpu")],
];
// N threads: simdnet's best build on N threads and PyTorch with torch.set_num_threads(N), both by the wall clock.
const threaded = [
  [`simdnet ×${cores}`, (w) => ms(many(simdnet.training), w, "backend", "wasm-relaxed-simd") ?? ms(many(simdnet.training), w, "backend", "wasm-simd")],
  [`PyTorch ×${cores}`, (w) => ms(pytorchN.results, w, "peer", "pytorch")],
];
const fmt = (r) => (r === undefined ? "—" : r.error ? "cannot train" : r.msPerStep < 1 ? r.msPerStep.toFixed(3) : r.msPerStep.toFixed(2));
const best = (w) => columns[0][1](w) ?? columns[1][1](w);
const ratio = (w, peer) => {
  const a = best(w), b = peer(w);
  const r = a && b && !b.error ? a.msPerStep / b.msPerStep : null;
  return r === null ? "—" : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2);
};
const header = ["ms/step", ...columns.map((c) => c[0]), "÷ PyTorch", "÷ TF.js wasm", "÷ TF.js cpu"];
const body = workloads.map((w) => [w, ...columns.map((c) => fmt(c[1](w))), ratio(w, columns[3][1]), ratio(w, columns[4][1]), ratio(w, columns[5][1])]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
console.log(`\nTraining step, one process per framework, one after another on this machine${quick ? " (--quick timing)" : ""}.`);
console.log("÷ peer = simdnet's best build ms/step over the peer's (below 1: simdnet is faster; issue 6 targets ÷ PyTorch ≤ 0.9, W5 ≤ 0.1).");
console.log(line(header));
for (const b of body) console.log(line(b));
if (cores > 1) {
  const tHeader = ["ms/step", ...threaded.map((c) => c[0]), `÷ PyTorch ×${cores}`];
  const tBody = workloads.map((w) => {
    const a = threaded[0][1](w), b = threaded[1][1](w);
    return [w, fmt(a), fmt(b), a && b && !b.error ? (a.msPerStep / b.msPerStep).toFixed(2) : "—"];
  });
  const tw = tHeader.map((h, i) => Math.max(h.length, ...tBody.map((b) => b[i].length)));
  console.log(`\nOn ${cores} threads (wall clock; issue 10 targets W3, W4 ÷ PyTorch ×2 ≤ 0.9):`);
  console.log(tHeader.map((c, i) => (i === 0 ? c.padEnd(tw[i]) : c.padStart(tw[i]))).join("  "));
  for (const b of tBody) console.log(b.map((c, i) => (i === 0 ? c.padEnd(tw[i]) : c.padStart(tw[i]))).join("  "));
  if (pytorchN.error) console.log(`PyTorch ×${cores}: ${pytorchN.error}`);
}
if (pytorch.error) console.log(`PyTorch: ${pytorch.error}`);
else console.log(`PyTorch ${pytorch.version}, ${pytorch.threads} thread(s)`);
if (tfjs.error) console.log(`TF.js: ${tfjs.error}`);
else {
  console.log(`TF.js ${tfjs.version}`);
  for (const r of tfjs.results) if (r.error) console.log(`  ${r.peer} ${r.workload}: ${r.error}`);
}
