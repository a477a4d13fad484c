import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dir = fileURLToPath(new URL("../../src/data/", import.meta.url));

describe("browser safety of the data layer", () => {
  it("only mnist-node.ts imports node: modules, and index.ts does not re-export it", () => {
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
    expect(files).toContain("mnist-node.ts");
    for (const f of files) {
      const text = readFileSync(dir + f, "utf8");
      const nodeImports = /from\s+["']node:/.test(text);
      expect({ file: f, nodeImports }).toEqual({ file: f, nodeImports: f === "mnist-node.ts" });
    }
    expect(readFileSync(dir + "index.ts", "utf8")).not.toMatch(/from\s+["']\.\/mnist-node/);
  });

  it("does not depend on the engine or the kernels (arrows point down)", () => {
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const imports = [...readFileSync(dir + f, "utf8").matchAll(/from\s+["'](\.[^"']+)["']/g)].map((m) => m[1]!);
      // errors.ts and validate.ts (option checks) import nothing but each other.
      for (const spec of imports) expect(spec === "../errors.js" || spec === "../validate.js" || spec.startsWith("./")).toBe(true);
    }
  });
});
