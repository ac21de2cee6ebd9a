import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDcmh, loadDcmhParts, loadTrainTestLayout } from "./layouts";
import { tempDir, writeMat5, writeMat73 } from "./testing/writers";
import { verifyFile } from "./verify";

// Three items, 2-d image features, 4-word text, 3 labels; MATLAB column-major storage.
const X = [0.1, 0.2, 0.3, 1, 2, 3]; // 3×2: rows (0.1,1), (0.2,2), (0.3,3)
const Y = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]; // 3×4
const L = [1, 0, 1, 0, 1, 1, 0, 0, 1]; // 3×3: rows (1,0,0), (0,1,0), (1,1,1)

describe("loadDcmh", () => {
  it("reads <name>-iall-vgg.mat / -yall.mat / -lall.mat in MAT v5 (compressed)", async () => {
    const dir = tempDir();
    writeMat5(
      join(dir, "mirflickr25k-iall-vgg.mat"),
      [{ name: "XAll", cls: "single", dims: [3, 2], colMajor: X }],
      { compress: true },
    );
    writeMat5(
      join(dir, "mirflickr25k-yall.mat"),
      [{ name: "YAll", cls: "uint8", dims: [3, 4], colMajor: Y }],
      { compress: true },
    );
    writeMat5(
      join(dir, "mirflickr25k-lall.mat"),
      [{ name: "LAll", cls: "uint8", dims: [3, 3], colMajor: L }],
      { compress: true },
    );
    const set = await loadDcmh(dir, "mirflickr25k");
    expect(set.image.rows).toBe(3);
    expect(Array.from(set.image.data)).toEqual([0.1, 1, 0.2, 2, 0.3, 3].map(Math.fround));
    expect(Array.from(set.text.data.subarray(0, 4))).toEqual([1, 0, 0, 1]);
    expect(Array.from(set.labels!.data)).toEqual([1, 0, 0, 0, 1, 0, 1, 1, 1]);
  });
  it("reads MAT v7.3 files (NUS-WIDE prefix nus-wide-tc10, IAll features, Cleared-Set subfolders)", async () => {
    const dir = tempDir();
    for (const s of ["IAll", "YAll", "LAll"]) mkdirSync(join(dir, s));
    await writeMat73(join(dir, "IAll", "nus-wide-tc10-iall.mat"), [
      { name: "IAll", cls: "single", dims: [3, 2], colMajor: X },
    ]);
    await writeMat73(join(dir, "YAll", "nus-wide-tc10-yall.mat"), [
      { name: "YAll", cls: "double", dims: [3, 4], colMajor: Y },
    ]);
    await writeMat73(join(dir, "LAll", "nus-wide-tc10-lall.mat"), [
      { name: "LAll", cls: "double", dims: [3, 3], colMajor: L },
    ]);
    const set = await loadDcmh(dir, "nus-wide");
    expect(set.name).toBe("nus-wide");
    expect(set.image.data[2]).toBeCloseTo(0.2);
    expect(Array.from(set.labels!.data)).toEqual([1, 0, 0, 0, 1, 0, 1, 1, 1]);
  });
  it("rejects raw-image IAll with an explanation, and names missing files", async () => {
    const dir = tempDir();
    await writeMat73(join(dir, "mirflickr25k-iall.mat"), [
      { name: "IAll", cls: "uint8", dims: [3, 2, 2, 3], colMajor: new Array(36).fill(0) },
    ]);
    writeMat5(join(dir, "mirflickr25k-yall.mat"), [
      { name: "YAll", cls: "uint8", dims: [3, 4], colMajor: Y },
    ]);
    await expect(loadDcmh(dir, "mirflickr25k")).rejects.toThrow(/missing mirflickr25k-lall\.mat/);
    writeMat5(join(dir, "mirflickr25k-lall.mat"), [
      { name: "labels_wrong", cls: "uint8", dims: [3, 3], colMajor: L },
    ]);
    await expect(loadDcmh(dir, "mirflickr25k")).rejects.toThrow(
      /mirflickr25k-lall\.mat \(MAT v5\): no labels variable; expected one of LAll, L_All, labels, found labels_wrong \(uint8 3×3\)/,
    );
    writeMat5(join(dir, "mirflickr25k-lall.mat"), [
      { name: "LAll", cls: "uint8", dims: [3, 3], colMajor: L },
    ]);
    await expect(loadDcmh(dir, "mirflickr25k")).rejects.toThrow(
      /IAll holds raw images \(3×2×2×3\), not feature vectors/,
    );
    const parts = await loadDcmhParts(tempDir(), "x").catch((e: Error) => e);
    expect(String(parts)).toMatch(/missing x-yall\.mat; and x-lall\.mat/);
    await expect(loadDcmh(join(dir, "nope"), "mirflickr25k")).rejects.toThrow(/does not exist/);
  });
  it("loadDcmhParts returns text and labels when there is no image file", async () => {
    const dir = tempDir();
    writeMat5(join(dir, "iapr-tc12-yall.mat"), [
      { name: "YAll", cls: "double", dims: [3, 4], colMajor: Y },
    ]);
    writeMat5(join(dir, "iapr-tc12-lall.mat"), [
      { name: "LAll", cls: "double", dims: [3, 3], colMajor: L },
    ]);
    const p = await loadDcmhParts(dir, "iapr-tc12");
    expect(p.image).toBeUndefined();
    expect(p.text.cols).toBe(4);
    await expect(loadDcmh(dir, "iapr-tc12")).rejects.toThrow(
      /no image features .* Use loadDcmhParts/,
    );
  });
});

describe("loadTrainTestLayout", () => {
  const tr = { I: [1, 2, 3, 4, 5, 6], T: [1, 0, 0, 1], L: [1, 2] }; // I_tr 2×3 (col-major), T_tr 2×2, L_tr 2×1
  const te = { I: [7, 8, 9], T: [1, 1], L: [2] };
  it("reads one .mat with class-index labels as one-hot and a fixed split", async () => {
    const p = join(tempDir(), "tt.mat");
    writeMat5(p, [
      { name: "I_tr", cls: "double", dims: [2, 3], colMajor: tr.I },
      { name: "T_tr", cls: "double", dims: [2, 2], colMajor: tr.T },
      { name: "L_tr", cls: "uint8", dims: [2, 1], colMajor: tr.L },
      { name: "I_te", cls: "double", dims: [1, 3], colMajor: te.I },
      { name: "T_te", cls: "double", dims: [1, 2], colMajor: te.T },
      { name: "L_te", cls: "uint8", dims: [1, 1], colMajor: te.L },
    ]);
    const { set, split, nTrain, nTest } = await loadTrainTestLayout(p);
    expect([nTrain, nTest]).toEqual([2, 1]);
    expect(Array.from(set.image.data)).toEqual([1, 3, 5, 2, 4, 6, 7, 8, 9]);
    expect(Array.from(set.labels!.data)).toEqual([1, 0, 0, 1, 0, 1]);
    expect(Array.from(split.query)).toEqual([2]);
    expect(Array.from(split.database)).toEqual([0, 1]);
    expect(split.protocol).toBe("train-test-2-1");
    await expect(loadTrainTestLayout(p, { protocol: "mirflickr25k-5k" })).rejects.toThrow(
      /not a fixed train\/test protocol/,
    );
  });
  it("reads a folder of CSVs and reports missing or mismatched parts", async () => {
    const dir = tempDir();
    const w = (n: string, t: string) => writeFileSync(join(dir, `${n}.csv`), t);
    w("I_tr", "1,3,5\n2,4,6\n");
    w("T_tr", "1,0\n0,1\n");
    w("L_tr", "1,0\n0,1\n");
    w("I_te", "7,8,9\n");
    w("T_te", "1,1\n");
    await expect(loadTrainTestLayout(dir)).rejects.toThrow(/lacks L_te\.csv/);
    w("L_te", "1,1\n");
    const { set } = await loadTrainTestLayout(dir, { name: "toy" });
    expect(set.name).toBe("toy");
    expect(Array.from(set.labels!.data)).toEqual([1, 0, 0, 1, 1, 1]);
    w("T_te", "1,1\n2,2\n");
    await expect(loadTrainTestLayout(dir)).rejects.toThrow(/I_te has 1 rows but T_te has 2/);
  });
});

describe("verifyFile", () => {
  it("checks an expected SHA-256 and reports unknown files", () => {
    const p = join(tempDir(), "f.bin");
    writeFileSync(p, "abc");
    const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    expect(verifyFile(p, abc)).toEqual({ known: true, sha256: abc });
    expect(verifyFile(p).known).toBe(false);
    expect(() => verifyFile(p, "00")).toThrow(/does not match the expected 00/);
  });
});
