import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readNpy, readNpyMatrix } from "./npy";
import { tempDir, writeNpy } from "./testing/writers";

const dir = tempDir();

describe("readNpy", () => {
  it.each([
    ["<f4", 1],
    [">f4", 2],
    ["<f8", 3],
    [">f8", 1],
    ["|u1", 1],
    ["<i4", 2],
    [">i4", 1],
    ["<i8", 1],
    ["|b1", 3],
  ] as const)("%s (format v%i) in C order", (descr, version) => {
    const p = join(dir, `c${descr.replace(/[<>|]/, "x")}${version}.npy`);
    const vals =
      descr.includes("b1") || descr.includes("u1")
        ? [0, 1, 1, 0, 1, 0]
        : [1, -2, 3, 4, 5, 6].map((v) => (descr.includes("u") ? Math.abs(v) : v));
    writeNpy(p, descr, [2, 3], vals, { version });
    const a = readNpy(p);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe(descr);
    expect(Array.from(a.data)).toEqual(vals);
  });
  it("converts Fortran order to row-major", () => {
    const p = join(dir, "f.npy");
    writeNpy(p, "<f8", [2, 3], [1, 4, 2, 5, 3, 6], { fortran: true });
    const a = readNpy(p);
    expect(a.fortranOrder).toBe(true);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const m = readNpyMatrix(p);
    expect(m.data[1 * 3 + 0]).toBe(4);
  });
  it("explains foreign, truncated and unsupported files", () => {
    const p = join(dir, "bad.npy");
    writeFileSync(p, "MATLAB 5.0 MAT-file, something");
    expect(() => readNpy(p)).toThrow(/bad\.npy: expected a NumPy \.npy file .* found MAT v5/);
    const q = join(dir, "trunc.npy");
    writeNpy(q, "<f8", [10, 10], new Array(50).fill(0));
    expect(() => readNpy(q)).toThrow(
      /truncated \.npy: shape \(10, 10\) of <f8 needs 800 data bytes, file has 400/,
    );
    const r = join(dir, "c16.npy");
    writeNpy(r, "<f4", [1], [0]);
    const text = readFileSync(r, "latin1").replace("<f4", "<c8");
    writeFileSync(r, Buffer.from(text, "latin1"));
    expect(() => readNpy(r)).toThrow(/dtype "<c8" is not supported/);
    expect(() => readNpy(join(dir, "missing.npy"))).toThrow(/file not found/);
  });
});

describe("readNpyMatrix non-finite values", () => {
  it("names the file, row and column of a NaN unless allowed", () => {
    const p = join(dir, "nan.npy");
    writeNpy(p, "<f8", [2, 3], [1, 2, 3, 4, Number.NaN, 6]);
    expect(() => readNpyMatrix(p)).toThrow(
      /nan\.npy \(\.npy\): non-finite value NaN at row 2, column 2/,
    );
    expect(Number.isNaN(readNpyMatrix(p, { allowNonFinite: true }).data[4])).toBe(true);
    const big = join(dir, "big.npy");
    writeNpy(big, "<f8", [1, 2], [1, 1e300]);
    expect(() => readNpyMatrix(big)).toThrow(/non-finite value Infinity at row 1, column 2/);
    expect(() => readNpy(dir)).toThrow(/is a folder, not a file/);
  });
});
