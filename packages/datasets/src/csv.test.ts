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
    expect(Number.isNaN(readCsv(file("n.csv", "1,NaN\n"), { allowNonFinite: true }).data[1])).toBe(
      true,
    );
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
  it("refuses NaN / Inf cells by file, line and column unless allowed", () => {
    const p = file("nan.csv", "a,b\n1,2\n3,NaN\n");
    expect(() => readCsv(p)).toThrow(/nan\.csv: line 3, column 2: "NaN" is not a finite number/);
    expect(() => readCsvMatrix(file("inf.csv", "1,-inf\n"))).toThrow(
      /inf\.csv: line 1, column 2: "-inf" is not a finite number/,
    );
    expect(() => readCsv(file("big.csv", "1,1e999\n"))).toThrow(
      /line 1, column 2: "1e999" overflows/,
    );
    expect(() => readCsvMatrix(file("f32.csv", "x\n1\n1e300\n"))).toThrow(
      /f32\.csv: line 3, column 1: 1e\+300 is beyond the float32 range/,
    );
    expect(readCsvMatrix(file("ok.csv", "1,2\n3,4\n")).data).toEqual(
      new Float32Array([1, 2, 3, 4]),
    );
  });
  it("says so for a blank line inside the data, a binary file, or a folder", () => {
    expect(() => readCsv(file("blank.csv", "1,2\n\n3,4\n"))).toThrow(/blank\.csv: line 2 is blank/);
    expect(() => readCsv(file("blank1.csv", "\n1,2\n"))).toThrow(/blank1\.csv: line 1 is blank/);
    const bin = join(dir, "bin.csv");
    writeFileSync(bin, new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0x76, 0]));
    expect(() => readCsv(bin)).toThrow(/bin\.csv: is a binary file, not CSV text.*NumPy \.npy/);
    const latin = join(dir, "latin.csv");
    writeFileSync(latin, new Uint8Array([0x31, 0x2c, 0xe9, 0x0a]));
    expect(() => readCsv(latin)).toThrow(/latin\.csv: is not UTF-8 text/);
    expect(() => readCsv(dir)).toThrow(/is a folder, not a file/);
  });
});
