import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { matToMatrix, readMat, toLabelMatrix } from "./mat";
import { toDense } from "./matrix";
import { tempDir, writeMat5, writeNpy } from "./testing/writers";

// A 2×3 matrix [[1,2,3],[4,5,6]] as MATLAB stores it: column-major 1,4,2,5,3,6.
const COLMAJOR = [1, 4, 2, 5, 3, 6];

describe.each([false, true])("readMat on MAT v5 (compressed: %s)", (compress) => {
  const dir = tempDir();
  const path = join(dir, "a.mat");
  writeMat5(
    path,
    [
      { name: "A", cls: "double", dims: [2, 3], colMajor: COLMAJOR },
      { name: "Asmall", cls: "double", dims: [2, 3], colMajor: COLMAJOR, storeAs: "UINT8" },
      { name: "S", cls: "single", dims: [2, 1], colMajor: [0.5, -1.25] },
      { name: "U", cls: "uint8", dims: [1, 3], colMajor: [0, 7, 255] },
      { name: "I", cls: "int32", dims: [1, 2], colMajor: [-5, 70000] },
      { name: "B", cls: "logical", dims: [2, 2], colMajor: [1, 0, 0, 1] },
      {
        name: "Sp",
        cls: "double",
        dims: [3, 2],
        sparse: { ir: [0, 2, 1], jc: [0, 2, 3], pr: [1.5, 2.5, 3.5] },
      },
      {
        name: "name",
        cls: "char",
        dims: [1, 5],
        colMajor: Array.from("hello", (c) => c.charCodeAt(0)),
      },
      { name: "C", cls: "cell", dims: [1, 1] },
    ],
    { compress },
  );

  it("converts column-major storage to row-major (known element A(2,1) = 4)", async () => {
    const m = await readMat(path);
    expect(m.format).toBe("MAT v5");
    expect(m.header).toMatch(/^MATLAB 5\.0 MAT-file/);
    const A = m.variables.A;
    expect(A.class).toBe("double");
    expect(A.dims).toEqual([2, 3]);
    expect(A.data).toBeInstanceOf(Float64Array);
    expect(A.data![1 * 3 + 0]).toBe(4); // MATLAB A(2,1)
    expect(Array.from(A.data!)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(m.variables.Asmall.data!)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.variables.Asmall.class).toBe("double");
    expect(m.variables.Asmall.data).toBeInstanceOf(Uint8Array); // stored compactly, values exact
  });
  it("reads single, uint8, int32, logical, sparse and char", async () => {
    const m = await readMat(path);
    expect(Array.from(m.variables.S.data!)).toEqual([0.5, -1.25]);
    expect(m.variables.U.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(m.variables.U.data!)).toEqual([0, 7, 255]);
    expect(Array.from(m.variables.I.data!)).toEqual([-5, 70000]);
    expect(m.variables.B.class).toBe("logical");
    expect(Array.from(m.variables.B.data!)).toEqual([1, 0, 0, 1]);
    const sp = m.variables.Sp.sparse!;
    expect(Array.from(toDense(sp).data)).toEqual([1.5, 0, 0, 3.5, 2.5, 0]);
    expect(m.variables.name.text).toBe("hello");
    expect(m.variables.C).toMatchObject({ class: "cell", loaded: false });
    expect(Array.from(matToMatrix(m.variables.Sp).data)).toEqual([1.5, 0, 0, 3.5, 2.5, 0]);
  });
  it("decodes only the requested variables but lists all", async () => {
    const m = await readMat(path, { variables: ["S"] });
    expect(Object.keys(m.variables).sort()).toEqual([
      "A",
      "Asmall",
      "B",
      "C",
      "I",
      "S",
      "Sp",
      "U",
      "name",
    ]);
    expect(m.variables.A.loaded).toBe(false);
    expect(m.variables.A.dims).toEqual([2, 3]);
    expect(m.variables.S.loaded).toBe(true);
  });
});

describe("readMat edge cases and errors", () => {
  it("reads big-endian files", async () => {
    const p = join(tempDir(), "be.mat");
    writeMat5(p, [{ name: "A", cls: "double", dims: [2, 3], colMajor: COLMAJOR }], {
      bigEndian: true,
    });
    const m = await readMat(p);
    expect(Array.from(m.variables.A.data!)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it("names the file and the problem for truncated, foreign and missing files", async () => {
    const dir = tempDir();
    const p = join(dir, "t.mat");
    const vals = Array.from({ length: 600 }, (_, i) => Math.sin(i) * 1000);
    writeMat5(p, [{ name: "A", cls: "double", dims: [20, 30], colMajor: vals }], {
      compress: true,
    });
    const bytes = readFileSync(p);
    writeFileSync(p, bytes.subarray(0, bytes.length - 100));
    await expect(readMat(p)).rejects.toThrow(
      /t\.mat: corrupt MAT v5 file \(truncated: element miCOMPRESSED/,
    );
    const u = join(dir, "u.mat");
    writeMat5(u, [{ name: "A", cls: "double", dims: [20, 30], colMajor: vals }]);
    writeFileSync(u, readFileSync(u).subarray(0, 1000));
    await expect(readMat(u)).rejects.toThrow(
      /u\.mat: corrupt MAT v5 file \(truncated: element miMATRIX at offset 128 declares/,
    );
    writeFileSync(u, readFileSync(u).subarray(0, 100));
    await expect(readMat(u)).rejects.toThrow(/truncated MAT v5 file: 100 bytes/);
    const q = join(dir, "x.npy");
    writeNpy(q, "<f4", [2], [1, 2]);
    await expect(readMat(q)).rejects.toThrow(
      /x\.npy: expected a MATLAB \.mat file \(MAT v5, or v7\.3\/HDF5\), found NumPy \.npy/,
    );
    const h = join(dir, "h.mat");
    writeFileSync(h, "<!DOCTYPE html><html>Not found</html>");
    await expect(readMat(h)).rejects.toThrow(/found an HTML page/);
    const lfs = join(dir, "lfs.mat");
    writeFileSync(lfs, "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n");
    await expect(readMat(lfs)).rejects.toThrow(/Git LFS pointer/);
    await expect(readMat(join(dir, "none.mat"))).rejects.toThrow(/none\.mat: file not found/);
    await expect(readMat(dir)).rejects.toThrow(/is a folder, not a file/);
  });
  it("matToMatrix and toLabelMatrix explain shape problems", async () => {
    const p = join(tempDir(), "l.mat");
    writeMat5(p, [
      { name: "L", cls: "double", dims: [4, 1], colMajor: [1, 3, 2, 3] },
      { name: "X", cls: "char", dims: [1, 2], colMajor: [104, 105] },
    ]);
    const m = await readMat(p);
    const onehot = toLabelMatrix(matToMatrix(m.variables.L), "L");
    expect(onehot.cols).toBe(3);
    expect(Array.from(onehot.data)).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1]);
    expect(() => matToMatrix(m.variables.X, "l.mat")).toThrow(
      /variable X is a char 1×2 array; expected a numeric 2-D matrix/,
    );
    expect(() =>
      toLabelMatrix({ rows: 2, cols: 2, data: new Float32Array([0, 2, 1, 0]) }, "L"),
    ).toThrow(/must be multi-hot 0\/1 .*found 2 at row 0, col 1/);
  });
});

describe("matToMatrix non-finite values", () => {
  it("names the variable, row and column of a NaN unless allowed", async () => {
    const dir = tempDir();
    const p = join(dir, "nan.mat");
    writeMat5(p, [
      { name: "X", cls: "double", dims: [2, 3], colMajor: [1, 4, 2, Number.NaN, 3, 6] },
    ]);
    const mat = await readMat(p);
    expect(() => matToMatrix(mat.variables.X, p)).toThrow(
      /nan\.mat: variable X: non-finite value NaN at row 2, column 2/,
    );
    expect(Number.isNaN(matToMatrix(mat.variables.X, p, { allowNonFinite: true }).data[4])).toBe(
      true,
    );
  });
});
