import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Every source file reachable from `entry` through static and dynamic relative imports, with the bare imports of each. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [resolve(root, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (graph.has(file)) continue;
    const text = readFileSync(file, "utf8");
    const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1]!);
    graph.set(file, specs.filter((s) => !s.startsWith(".")));
    for (const s of specs) if (s.startsWith(".")) pending.push(resolve(dirname(file), s.replace(/\.js$/, ".ts")));
  }
  return graph;
}

describe("the browser entry stays free of Node modules", () => {
  it("src/index.ts reaches io's bytes API and the presets, and nothing imports node:*", () => {
    const graph = importGraph("src/index.ts");
    const files = [...graph.keys()].map((f) => relative(root, f).split("\\").join("/"));
    for (const f of ["src/io/model.ts", "src/io/safetensors.ts", "src/presets.ts"]) expect(files).toContain(f);
    for (const f of ["src/io/node.ts", "src/cli/commands.ts", "src/data/mnist-node.ts"]) expect(files).not.toContain(f);
    const offenders = [...graph].filter(([, bare]) => bare.some((s) => s.startsWith("node:"))).map(([f]) => relative(root, f));
    expect(offenders).toEqual([]);
  });

  it("the CLI's chart code loads vega lazily (so `simdnet info` does not pay for it)", () => {
    const text = readFileSync(join(root, "src/cli/plots.ts"), "utf8");
    expect(text).not.toMatch(/^import .* from "vega(-lite)?";/m);
    expect(text).toContain('import("vega")');
  });
});
