/**
 * Tabular data from CSV text. Parsing (quotes, embedded commas and newlines, CRLF, delimiter
 * detection) is done by papaparse, which runs unchanged in browsers and Node.
 *
 * @module
 */

import Papa from "papaparse";
import { SimdnetError, checkOptions } from "../errors.js";
import type { Dataset } from "./datasets.js";

/** A column, by header name (when the CSV has a header) or by 0-based position. */
export type ColumnRef = string | number;

/** Options of {@link parseCsv}. */
export interface CsvOptions {
  /** The label column (default: the last column). */
  label?: ColumnRef;
  /** Feature columns, in the order they go into x (default: every column except the label). */
  features?: readonly ColumnRef[];
  /** Whether the first row names the columns (default true). */
  header?: boolean;
  /** Field delimiter (default: detected among , ; tab |). */
  delimiter?: string;
  /**
   * How labels become class indices. "auto" (default): when every label is an integer ≥ 0 the
   * labels are used as they are; otherwise the distinct label strings are sorted and numbered
   * from 0. "categorical": always number the sorted distinct strings. An array fixes the order
   * (label classes[i] → i; another label is an error).
   */
  labelEncoding?: "auto" | "categorical" | readonly string[];
  /** Cell texts that mean "missing", besides the empty cell (default ["NA", "NaN", "null", "?"]). */
  missing?: readonly string[];
}

const CSV_OPTIONS = ["label", "features", "header", "delimiter", "labelEncoding", "missing"] as const;

/** A dataset read from CSV, with the names needed to interpret it. */
export interface CsvDataset extends Dataset {
  /** Names of the feature columns, in x's order (header names, or "column <i>" without a header). */
  featureNames: string[];
  /** Name of the label column. */
  labelName: string;
  /** classNames[i] is the label text encoded as i. */
  classNames: string[];
  /** Data rows dropped because their label was missing (1-based line numbers in the text). */
  droppedRows: number[];
}

/**
 * Reads a labelled table from CSV text: picks the feature and label columns, drops rows whose
 * label is missing, parses features as numbers and encodes labels as class indices.
 *
 * @returns x: Float32Array of n × features (row-major), y: Int32Array of n class indices.
 * @throws SimdnetError naming the line and column of a missing or non-numeric feature value,
 *   an unknown column, or a row with the wrong number of fields.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvDataset {
  checkOptions("parseCsv options", options, CSV_OPTIONS);
  const header = options.header ?? true;
  const parsed = Papa.parse<string[]>(text, {
    delimiter: options.delimiter ?? "",
    skipEmptyLines: "greedy",
    header: false,
    dynamicTyping: false,
  });
  const fatal = parsed.errors.find((e) => e.type === "Quotes");
  if (fatal) {
    throw new SimdnetError(`CSV line ${(fatal.row ?? 0) + 1}: ${fatal.message}`);
  }
  const rows = parsed.data;
  if (rows.length === 0 || (header && rows.length === 1)) throw new SimdnetError("CSV: expected at least one data row, got none");
  const width = rows[0]!.length;
  const names = header ? rows[0]!.map((s) => s.trim()) : Array.from({ length: width }, (_, i) => `column ${i}`);
  const col = (ref: ColumnRef, role: string): number => {
    if (typeof ref === "number") {
      if (Number.isInteger(ref) && ref >= 0 && ref < width) return ref;
      throw new SimdnetError(`CSV ${role} column: expected an index in [0, ${width}), got ${ref}`);
    }
    const i = names.indexOf(ref);
    if (i < 0) throw new SimdnetError(`CSV ${role} column: expected one of ${names.map((s) => JSON.stringify(s)).join(", ")}, got ${JSON.stringify(ref)}`);
    return i;
  };
  const labelCol = col(options.label ?? width - 1, "label");
  const featureCols = options.features ? options.features.map((f) => col(f, "feature")) : [...names.keys()].filter((i) => i !== labelCol);
  if (featureCols.length === 0) throw new SimdnetError("CSV features: expected at least one feature column, got none");
  if (featureCols.includes(labelCol)) throw new SimdnetError(`CSV features: the label column ${JSON.stringify(names[labelCol])} cannot also be a feature`);
  const missing = new Set(["", ...(options.missing ?? ["NA", "NaN", "null", "?"])]);
  const first = header ? 1 : 0;

  // Line numbers: papaparse drops blank lines, so count the text's lines to name rows faithfully.
  const lineOf = lineNumbers(rows, text, parsed.meta.delimiter);
  const kept: number[] = [];
  const dropped: number[] = [];
  for (let r = first; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.length !== width) {
      throw new SimdnetError(`CSV line ${lineOf(r)}: expected ${width} fields (as the first row), got ${row.length}`);
    }
    if (missing.has(row[labelCol]!.trim())) dropped.push(lineOf(r));
    else kept.push(r);
  }
  if (kept.length === 0) throw new SimdnetError(`CSV: expected rows with a label in column ${JSON.stringify(names[labelCol])}, all ${dropped.length} are missing it`);

  const n = kept.length;
  const k = featureCols.length;
  const x = new Float32Array(n * k);
  kept.forEach((r, i) => {
    const row = rows[r]!;
    featureCols.forEach((c, j) => {
      const cell = row[c]!.trim();
      const v = missing.has(cell) ? NaN : Number(cell);
      if (!Number.isFinite(v)) {
        const what = missing.has(cell) ? "is missing" : `is not a number: ${JSON.stringify(row[c])}`;
        throw new SimdnetError(`CSV line ${lineOf(r)}, column ${JSON.stringify(names[c])} (${c}): expected a finite number, the value ${what}`);
      }
      x[i * k + j] = v;
    });
  });

  const rawLabels = kept.map((r) => rows[r]![labelCol]!.trim());
  const { y, classNames } = encodeLabels(rawLabels, options.labelEncoding ?? "auto", (i) => lineOf(kept[i]!));
  return {
    x,
    y,
    n,
    features: k,
    classes: classNames.length,
    featureNames: featureCols.map((c) => names[c]!),
    labelName: names[labelCol]!,
    classNames,
    droppedRows: dropped,
  };
}

function encodeLabels(
  labels: string[],
  encoding: "auto" | "categorical" | readonly string[],
  lineOf: (i: number) => number,
): { y: Int32Array; classNames: string[] } {
  const y = new Int32Array(labels.length);
  if (encoding === "auto" && labels.every((s) => /^\d+$/.test(s) && Number(s) < 2 ** 31)) {
    let max = 0;
    labels.forEach((s, i) => {
      y[i] = Number(s);
      if (y[i]! > max) max = y[i]!;
    });
    return { y, classNames: Array.from({ length: max + 1 }, (_, i) => String(i)) };
  }
  let classNames: string[];
  if (encoding === "auto" || encoding === "categorical") {
    classNames = [...new Set(labels)].sort();
  } else {
    classNames = [...encoding];
  }
  const index = new Map(classNames.map((s, i) => [s, i]));
  labels.forEach((s, i) => {
    const c = index.get(s);
    if (c === undefined) {
      throw new SimdnetError(`CSV line ${lineOf(i)}: label ${JSON.stringify(s)}: expected one of ${classNames.map((v) => JSON.stringify(v)).join(", ")}`);
    }
    y[i] = c;
  });
  return { y, classNames };
}

/**
 * Maps parsed row index → 1-based line number in the text. papaparse reports no positions once
 * blank lines are skipped, so the lines are re-counted here, treating newlines inside quotes as
 * part of a field.
 */
function lineNumbers(rows: string[][], text: string, delimiter: string): (r: number) => number {
  const starts: number[] = [];
  let line = 1;
  let inQuotes = false;
  let atLineStart = true;
  let lineHasContent = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (atLineStart) {
      atLineStart = false;
      lineHasContent = false;
    }
    if (ch === '"') inQuotes = !inQuotes;
    if (!inQuotes && (ch === "\n" || ch === "\r")) {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      line++;
      atLineStart = true;
      continue;
    }
    // A line of only blanks and delimiters parses to blank fields, which "greedy" skips too.
    if (!lineHasContent && ch.trim() !== "" && !delimiter.includes(ch)) {
      lineHasContent = true;
      starts.push(line);
    }
  }
  return (r) => (starts.length === rows.length ? starts[r]! : r + 1);
}
