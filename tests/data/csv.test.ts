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

  it("defaults: last column is the label, all others are features; integer labels are kept", () => {
    const ds = parseCsv("x1,x2,y\n0.5,-1e3,2\n1,2,0\n");
    expect([...ds.x]).toEqual([0.5, -1000, 1, 2]);
    expect([...ds.y]).toEqual([2, 0]);
    expect(ds.classes).toBe(3);
    expect(ds.labelName).toBe("y");
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
      .toThrow('parseCsv options: unknown option "lable" (expected one of label, features, header, delimiter, labelEncoding, missing)');
    expect(() => parseCsv("a,b\n")).toThrow(/at least one data row/);
    expect(() => parseCsv("a,b\n1,\n")).toThrow(/all 1 are missing/);
  });
});
