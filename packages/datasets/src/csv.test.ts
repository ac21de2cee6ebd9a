import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCsv, readCsvMatrix } from "./csv";
import { tempDir } from "./testing/writers";

const dir = tempDir();
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe("readCsv", () => {
  it("reads numbers with and without a header", () => {
    const a = readCsv(file("a.csv", "x,y\n1,2.5\n-3e2,4\n"));
    expect(a.header).toEqual(["x", "y"]);
    expect([a.rows, a.cols]).toEqual([2, 2]);
    expect(Array.from(a.data)).toEqual([1, 2.5, -300, 4]);
    const b = readCsv(file("b.csv", "1,2\r\n3,4\r\n"));
    expect(b.header).toBeNull();
    expect(Array.from(readCsvMatrix(file("c.txt", "1 2 3\n4 5 6\n")).data)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    expect(Number.isNaN(readCsv(file("n.csv", "1,NaN\n")).data[1])).toBe(true);
  });
  it("names the line, column and field of a bad value, and ragged rows", () => {
    expect(() => readCsv(file("d.csv", "1,2\n3,x\n"))).toThrow(
      /d\.csv: line 2, column 2: "x" is not a number/,
    );
    expect(() => readCsv(file("e.csv", "1,2\n3\n"))).toThrow(
      /e\.csv: line 2 has 1 fields, expected 2/,
    );
    expect(() => readCsv(file("f.csv", ""))).toThrow(/empty CSV file/);
    expect(() => readCsv(file("g.csv", "a,b\n1,2\n"), { header: false })).toThrow(
      /line 1, column 1: "a" is not a number/,
    );
    expect(() => readCsv(join(dir, "missing.csv"))).toThrow(/missing\.csv: file not found/);
  });
});
