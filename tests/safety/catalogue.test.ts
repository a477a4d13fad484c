import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The error catalogue in DEVELOPERS.md is checked against the tests, so it cannot drift: every row
 * names at least one test (`tests/….test.ts` › test name) that exists, and the row's example
 * message is asserted in those tests: it matches one of their expected messages (a regex, or a
 * string it contains, in toThrow / toMatch / toBe / toContain / `message:`), with `…` in the row
 * standing for text that varies.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const developers = readFileSync(root + "DEVELOPERS.md", "utf8");

interface Row {
  line: number;
  input: string;
  message: string;
  tests: { file: string; name: string }[];
}

function catalogue(): Row[] {
  const lines = developers.split("\n");
  const start = lines.findIndex((l) => l.startsWith("| bad input | example message | test |"));
  expect(start, "the catalogue table header in DEVELOPERS.md").toBeGreaterThan(0);
  const rows: Row[] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith("|"); i++) {
    const cells = lines[i]!.split(" | ").map((c) => c.replace(/^\| ?| ?\|$/g, ""));
    expect(cells.length, `DEVELOPERS.md line ${i + 1}: three cells`).toBe(3);
    const message = cells[1]!.replace(/^`|`$/g, "");
    const tests = cells[2]!.split("; ").map((t) => {
      const m = /^`([^`]+)` › (.+)$/.exec(t.trim());
      expect(m, `DEVELOPERS.md line ${i + 1}: test reference "${t}" should read \`tests/….test.ts\` › test name`).not.toBeNull();
      return { file: m![1]!, name: m![2]! };
    });
    rows.push({ line: i + 1, input: cells[0]!, message, tests });
  }
  return rows;
}

/** The literal after position `at` (a regex, or a string / template whose `${…}` become wildcards). */
function literalAt(text: string, at: number): RegExp | null {
  while (text[at] === " " || text[at] === "\n") at++;
  const open = text[at];
  if (open !== "/" && open !== '"' && open !== "'" && open !== "`") return null;
  let i = at + 1;
  let inClass = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (open === "/" && c === "[") inClass = true;
    else if (open === "/" && c === "]") inClass = false;
    else if (c === open && !inClass) break;
    if (c === "\n" && open !== "`") return null;
  }
  const body = text.slice(at + 1, i);
  try {
    if (open === "/") {
      const flags = /^[a-z]*/.exec(text.slice(i + 1))![0];
      return new RegExp(body, flags.replace(/[gy]/g, ""));
    }
    // A string assertion passes when the message contains it; `${…}` parts are wildcards.
    const unescaped = body.replace(/\\(.)/g, (_, ch: string) => (ch === "n" ? "\n" : ch));
    const parts = open === "`" ? unescaped.split(/\$\{[^}]*\}/) : [unescaped];
    return new RegExp(parts.map((p) => p.replace(/[.*+?^$()[\]{}|\\]/g, "\\$&")).join(".*"));
  } catch {
    return null;
  }
}

/** Every expected message a test file asserts. */
function expectedMessages(text: string): RegExp[] {
  const out: RegExp[] = [];
  for (const m of text.matchAll(/(toThrow|toMatch|toBe|toContain|toThrowError|message:)\(?/g)) {
    const r = literalAt(text, m.index! + m[0].length);
    if (r !== null) out.push(r);
  }
  // Helpers that take the expected message as their last argument: rejects(args, "message").
  for (const m of text.matchAll(/rejects\([^;]*?,\s*(?=["'`])/g)) {
    const r = literalAt(text, m.index! + m[0].length);
    if (r !== null) out.push(r);
  }
  return out;
}

/** Whether `file` declares a test called `name`, literally or through a template such as `${c.name} (bytes and file)`. */
function declares(text: string, name: string): boolean {
  if ([`it("${name}"`, `it('${name}'`, `it(\`${name}\``, `describe("${name}"`].some((s) => text.includes(s))) return true;
  for (const m of text.matchAll(/it\(`([^`]*\$\{[^`]*)`/g)) {
    const parts = m[1]!.split(/\$\{[^}]*\}/);
    const re = new RegExp(`^${parts.map((p) => p.replace(/[.*+?^$()[\]{}|\\]/g, "\\$&")).join("(.+)")}$`);
    const hit = re.exec(name);
    // The varying part must itself appear in the file (the table of cases that feeds the template).
    if (hit !== null && hit.slice(1).every((v) => text.includes(`"${v}"`))) return true;
  }
  return false;
}

describe("DEVELOPERS.md error catalogue", () => {
  const rows = catalogue();

  it("has rows", () => {
    expect(rows.length).toBeGreaterThan(40);
  });

  for (const row of rows) {
    it(`line ${row.line}: ${row.message.slice(0, 80)}`, () => {
      const expected: RegExp[] = [];
      for (const { file, name } of row.tests) {
        expect(existsSync(root + file), `${file} (DEVELOPERS.md line ${row.line})`).toBe(true);
        const text = readFileSync(root + file, "utf8");
        expect(declares(text, name), `${file} has no test named "${name}" (DEVELOPERS.md line ${row.line})`).toBe(true);
        expected.push(...expectedMessages(text));
      }
      // "…" stands for varying text, "runs/a" for the folder a test used.
      const sample = row.message.replace(/…[^…]*…|…/g, "x");
      const asserted = expected.some((r) => r.test(sample) && r.source.length >= 16);
      expect(asserted, `DEVELOPERS.md line ${row.line}: no test in ${row.tests.map((t) => t.file).join(", ")} asserts "${row.message}"`).toBe(true);
    });
  }
});
