/**
 * Tabular data from CSV text. Parsing (quotes, embedded commas and newlines, CRLF, delimiter
 * detection) is done by papaparse, which runs unchanged in browsers and Node.
 *
 * @module
 */

import Papa from "papaparse";
import { SimdnetError, checkOptions, fail } from "../errors.js";
import { optArray, optBoolean, optInteger, optString, stringElement } from "../validate.js";
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
   * How labels become class indices; only labels that occur get a class. "auto" (default): when
   * every label is an integer ≥ 0 the distinct labels are numbered in numeric order (labels
   * 0…k−1 all present map to themselves; `classNames` keeps the texts); otherwise the distinct
   * label strings are sorted and numbered from 0. "categorical": always number the sorted
   * distinct strings. An array fixes the order (label classes[i] → i; another label is an
   * error), which also keeps the mapping the same across files.
   */
  labelEncoding?: "auto" | "categorical" | readonly string[];
  /** Cell texts that mean "missing", besides the empty cell (default ["NA", "NaN", "null", "?"]). */
  missing?: readonly string[];
  /** Most distinct classes accepted (default 1000): a label column of ids is an error, not a memory bomb. */
  maxClasses?: number;
}

const CSV_OPTIONS = ["label", "features", "header", "delimiter", "labelEncoding", "missing", "maxClasses"] as const;

/** Default of {@link CsvOptions.maxClasses}. */
export const DEFAULT_MAX_CSV_CLASSES = 1000;

function columnRef(what: string, v: unknown): ColumnRef {
  if (typeof v === "string" || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0)) return v;
  return fail(what, "a column name (string) or a 0-based column index", v);
}

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
  if (typeof text !== "string") fail("parseCsv text", "a string", text);
  const header = optBoolean("parseCsv header", options.header, true);
  const delimiter = optString("parseCsv delimiter", options.delimiter, "");
  if (/["\r\n]/.test(delimiter)) fail("parseCsv delimiter", "a delimiter without quotes or line breaks", delimiter);
  const labelRef = options.label === undefined ? undefined : columnRef("parseCsv label", options.label);
  const featureRefs = options.features === undefined ? undefined : optArray("parseCsv features", options.features, [], columnRef);
  const missingCells = optArray("parseCsv missing", options.missing, ["NA", "NaN", "null", "?"], stringElement);
  const encoding = options.labelEncoding === undefined || options.labelEncoding === "auto" || options.labelEncoding === "categorical"
    ? options.labelEncoding ?? "auto"
    : Array.isArray(options.labelEncoding)
      ? optArray("parseCsv labelEncoding", options.labelEncoding, [], stringElement)
      : fail("parseCsv labelEncoding", '"auto", "categorical" or an array of label strings', options.labelEncoding);
  const maxClasses = optInteger("parseCsv maxClasses", options.maxClasses, DEFAULT_MAX_CSV_CLASSES, 1);
  const parsed = Papa.parse<string[]>(text, {
    delimiter,
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
  const labelCol = col(labelRef ?? width - 1, "label");
  const featureCols = featureRefs ? featureRefs.map((f) => col(f, "feature")) : [...names.keys()].filter((i) => i !== labelCol);
  if (featureCols.length === 0) throw new SimdnetError("CSV features: expected at least one feature column, got none");
  if (featureCols.includes(labelCol)) throw new SimdnetError(`CSV features: the label column ${JSON.stringify(names[labelCol])} cannot also be a feature`);
  const missing = new Set(["", ...missingCells]);
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
  const { y, classNames } = encodeLabels(rawLabels, encoding, maxClasses, (i) => lineOf(kept[i]!));
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
  maxClasses: number,
  lineOf: (i: number) => number,
): { y: Int32Array; classNames: string[] } {
  const y = new Int32Array(labels.length);
  let classNames: string[];
  if (encoding === "auto" || encoding === "categorical") {
    // Only labels that occur become classes, and at most maxClasses of them: a column of ids
    // (or one label of 100000000) must not turn into a hundred million classes.
    const distinct = new Set<string>();
    for (const s of labels) {
      distinct.add(s);
      if (distinct.size > maxClasses) {
        throw new SimdnetError(`CSV labels: expected at most ${maxClasses} distinct classes (the maxClasses option), got more (line ${lineOf(labels.indexOf(s))}: ${JSON.stringify(s)})`);
      }
    }
    const integers = encoding === "auto" && [...distinct].every((s) => /^\d{1,15}$/.test(s));
    classNames = integers ? [...distinct].sort((a, b) => Number(a) - Number(b)) : [...distinct].sort();
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
