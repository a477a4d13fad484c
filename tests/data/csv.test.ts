import { describe, expect, it } from "vitest";
import { parseCsv } from "../../src/data/csv.js";
import { SimdnetError } from "../../src/errors.js";

describe("parseCsv", () => {
  it("reads features and a label column by name, in the order asked", () => {
    const text = "a,b,c,species\n1,2,3,setosa\n4,5,6,virginica\n7,8,9,setosa\n";
    const ds = parseCsv(text, { label: "species", features: ["c", "a"] });
    expect(ds.n).toBe(3);
    expect(ds.features).toBe(2);
    expect([...ds.x]).toEqual([3, 1, 6, 4, 9, 7]);
    expect(ds.featureNames).toEqual(["c", "a"]);
    expect(ds.classNames).toEqual(["setosa", "virginica"]);
    expect([...ds.y]).toEqual([0, 1, 0]);
    expect(ds.classes).toBe(2);
  });

  it("defaults: last column is the label, all others are features; integer labels that occur are numbered in numeric order", () => {
    const ds = parseCsv("x1,x2,y\n0.5,-1e3,2\n1,2,0\n");
    expect([...ds.x]).toEqual([0.5, -1000, 1, 2]);
    expect([...ds.y]).toEqual([1, 0]);
    expect(ds.classes).toBe(2);
    expect(ds.classNames).toEqual(["0", "2"]);
    expect(ds.labelName).toBe("y");
    const digits = parseCsv("f,y\n1,10\n2,9\n3,0\n4,1\n");
    expect(digits.classNames).toEqual(["0", "1", "9", "10"]);
    expect([...digits.y]).toEqual([3, 2, 0, 1]);
  });

  it("issue 11 item 4: a one-line CSV with label 100000000 gives one class, and the class count is capped", () => {
    const ds = parseCsv("a,label\n1,100000000\n");
    expect(ds.classes).toBe(1);
    expect(ds.classNames).toEqual(["100000000"]);
    expect([...ds.y]).toEqual([0]);
    const ids = "a,label\n" + Array.from({ length: 1001 }, (_, i) => `1,${i * 7}`).join("\n");
    expect(() => parseCsv(ids)).toThrow('CSV labels: expected at most 1000 distinct classes (the maxClasses option), got more (line 1002: "7000")');
    expect(parseCsv(ids, { maxClasses: 2000 }).classes).toBe(1001);
    expect(() => parseCsv("a,b\n1,y1\n2,y2\n", { features: [0], maxClasses: 1, labelEncoding: "categorical" })).toThrow(/^CSV labels: expected at most 1 distinct classes/);
  });

  it("issue 11 item 7: option types are checked by name", () => {
    const text = "a,b,label\n1,2,0\n3,4,1\n";
    expect(() => parseCsv(text, { features: "a" as never })).toThrow('parseCsv features: expected an array, got "a"');
    expect(() => parseCsv(text, { features: [{}] as never })).toThrow("parseCsv features[0]: expected a column name (string) or a 0-based column index, got {}");
    expect(() => parseCsv(text, { missing: "NA" as never })).toThrow('parseCsv missing: expected an array, got "NA"');
    expect(() => parseCsv(text, { missing: [1] as never })).toThrow("parseCsv missing[0]: expected a string, got 1");
    expect(() => parseCsv(text, { header: "no" as never })).toThrow('parseCsv header: expected true or false, got "no"');
    expect(() => parseCsv(text, { delimiter: 1 as never })).toThrow("parseCsv delimiter: expected a non-empty string, got 1");
    expect(() => parseCsv(text, { delimiter: '"' })).toThrow('parseCsv delimiter: expected a delimiter without quotes or line breaks, got "\\""');
    expect(() => parseCsv(text, { label: -1 })).toThrow("parseCsv label: expected a column name (string) or a 0-based column index, got -1");
    expect(() => parseCsv(text, { labelEncoding: "onehot" as never })).toThrow('parseCsv labelEncoding: expected "auto", "categorical" or an array of label strings, got "onehot"');
    expect(() => parseCsv(text, { maxClasses: 0 })).toThrow("parseCsv maxClasses: expected a positive integer, got 0");
    expect(() => parseCsv(42 as never)).toThrow("parseCsv text: expected a string, got 42");
  });

  it("drops rows whose label is missing and reports their line numbers", () => {
    const text = "f,label\n1,0\n2,\n3,1\n\n4,NA\n5,?\n6,1\n";
    const ds = parseCsv(text);
    expect([...ds.x]).toEqual([1, 3, 6]);
    expect([...ds.y]).toEqual([0, 1, 1]);
    expect(ds.droppedRows).toEqual([3, 6, 7]); // 1-based lines; line 5 is blank
  });

  it("names the line and column of a bad number, and of a missing feature", () => {
    const text = "age,height,label\n30,180,1\n\n41,tall,0\n";
    expect(() => parseCsv(text)).toThrow(SimdnetError);
    expect(() => parseCsv(text)).toThrow(/line 4, column "height" \(1\): expected a finite number, the value is not a number: "tall"/);
    expect(() => parseCsv("a,b\n,1\n")).toThrow(/line 2, column "a" \(0\).*is missing/);
  });

  it("handles quotes, embedded delimiters and newlines, CRLF and semicolons", () => {
    const text = 'note;v;cls\r\n"a; ""quoted""\r\nline";1.5;"yes"\r\nplain;2;no\r\n';
    const ds = parseCsv(text, { features: ["v"], label: "cls" });
    expect([...ds.x]).toEqual([1.5, 2]);
    expect(ds.classNames).toEqual(["no", "yes"]);
    expect([...ds.y]).toEqual([1, 0]);
  });

  it("works without a header, with columns by index, and fixed label order", () => {
    const ds = parseCsv("1,2,b\n3,4,a\n", { header: false, label: 2, features: [1], labelEncoding: ["b", "a"] });
    expect(ds.featureNames).toEqual(["column 1"]);
    expect([...ds.x]).toEqual([2, 4]);
    expect([...ds.y]).toEqual([0, 1]);
    expect(() => parseCsv("1,c\n", { header: false, labelEncoding: ["a", "b"] })).toThrow(/line 1: label "c": expected one of "a", "b"/);
  });

  it("rejects unknown columns, ragged rows and empty input", () => {
    expect(() => parseCsv("a,b\n1,2\n", { label: "z" })).toThrow(/label column: expected one of "a", "b", got "z"/);
    expect(() => parseCsv("a,b,c\n1,2,3\n", { features: ["x"] })).toThrow('CSV feature column: expected one of "a", "b", "c", got "x"');
    expect(() => parseCsv("a,b\n1,2\n3\n")).toThrow("CSV line 3: expected 2 fields (as the first row), got 1");
    expect(() => parseCsv("a,b\n1,2\n", { lable: "a" } as never))
      .toThrow('parseCsv options: unknown option "lable" (expected one of label, features, header, delimiter, labelEncoding, missing, maxClasses)');
    expect(() => parseCsv("a,b\n")).toThrow(/at least one data row/);
    expect(() => parseCsv("a,b\n1,\n")).toThrow(/all 1 are missing/);
  });
});
