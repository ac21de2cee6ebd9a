import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { readMat } from "./mat";
import { toDense } from "./matrix";
import { tempDir, writeMat73 } from "./testing/writers";

describe("readMat on MAT v7.3 (HDF5 with a 512-byte userblock, written by h5wasm)", () => {
  it("reads dense, logical, uint8, sparse and char variables with MATLAB's dims", async () => {
    const p = join(tempDir(), "v73.mat");
    await writeMat73(p, [
      { name: "A", cls: "double", dims: [2, 3], colMajor: [1, 4, 2, 5, 3, 6] },
      { name: "F", cls: "single", dims: [3, 1], colMajor: [0.5, 1.5, 2.5] },
      { name: "L", cls: "logical", dims: [2, 2], colMajor: [1, 0, 1, 1] },
      {
        name: "Sp",
        cls: "double",
        dims: [3, 2],
        sparse: { ir: [0, 2, 1], jc: [0, 2, 3], pr: [1.5, 2.5, 3.5] },
      },
      { name: "s", cls: "char", dims: [1, 2], colMajor: [104, 105] },
    ]);
    const m = await readMat(p);
    expect(m.format).toBe("MAT v7.3");
    expect(m.header).toMatch(/^MATLAB 7\.3 MAT-file/);
    expect(m.variables.A.dims).toEqual([2, 3]);
    expect(m.variables.A.data![1 * 3 + 0]).toBe(4); // MATLAB A(2,1)
    expect(Array.from(m.variables.A.data!)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.variables.F.data).toBeInstanceOf(Float32Array);
    expect(m.variables.F.dims).toEqual([3, 1]);
    expect(m.variables.L.class).toBe("logical");
    expect(Array.from(m.variables.L.data!)).toEqual([1, 1, 0, 1]);
    expect(Array.from(toDense(m.variables.Sp.sparse!).data)).toEqual([1.5, 0, 0, 3.5, 2.5, 0]);
    expect(m.variables.s.text).toBe("hi");
    const only = await readMat(p, { variables: ["F"] });
    expect(only.variables.A.loaded).toBe(false);
    expect(only.variables.A.dims).toEqual([2, 3]);
  });
  it("reads plain HDF5 (no userblock, no MATLAB attributes) in C order", async () => {
    const p = join(tempDir(), "plain.h5");
    await writeMat73(
      p,
      [{ name: "X", cls: "double", dims: [2, 3], colMajor: [1, 2, 3, 4, 5, 6] }],
      {
        userblock: false,
        matlabAttrs: false,
      },
    );
    const m = await readMat(p);
    expect(m.format).toBe("HDF5");
    expect(m.variables.X.dims).toEqual([2, 3]);
    expect(m.variables.X.class).toBe("double");
    expect(Array.from(m.variables.X.data!)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it("reports truncated and corrupt HDF5 files by name, without HDF5's stderr dump", async () => {
    const dir = tempDir();
    const p = join(dir, "t.mat");
    await writeMat73(p, [
      { name: "A", cls: "double", dims: [40, 30], colMajor: new Array(1200).fill(2) },
    ]);
    const bytes = readFileSync(p);
    writeFileSync(join(dir, "short.mat"), bytes.subarray(0, bytes.length - 500));
    await expect(readMat(join(dir, "short.mat"))).rejects.toThrow(
      new RegExp(
        `short\\.mat: truncated MAT v7\\.3 file: its superblock says ${bytes.length} bytes, the file has ${bytes.length - 500}`,
      ),
    );
    const bad = Uint8Array.from(bytes);
    bad.fill(0xff, 600, 1400); // keep the userblock and superblock, destroy the object headers
    writeFileSync(join(dir, "bad.mat"), bad);
    const spy = vi.spyOn(console, "error");
    const write = process.stderr.write;
    let stderr = "";
    process.stderr.write = ((c: string) => {
      stderr += c;
      return true;
    }) as typeof process.stderr.write;
    try {
      await expect(readMat(join(dir, "bad.mat"))).rejects.toThrow(
        /bad\.mat: (HDF5 library could not open the file|could not read HDF5 content) \([^\n]+\)$/,
      );
    } finally {
      process.stderr.write = write;
    }
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    expect(stderr).not.toMatch(/HDF5-DIAG/);
  });
});
