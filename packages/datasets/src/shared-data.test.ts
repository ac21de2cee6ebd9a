import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedDataPath } from "@cmh/test-data";
import { describe, expect, it } from "vitest";
import { readCsv } from "./csv";
import { loadDcmh, loadDcmhParts, loadTrainTestLayout } from "./layouts";
import { readMat } from "./mat";
import { verifyFile } from "./verify";

/** Index of the first differing element, or -1 (cheaper than toEqual on 10^5+ elements). */
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const uci = sharedDataPath("uci-mfeat");
const mir = sharedDataPath("mirflickr25k-tags-labels");

describe.skipIf(!uci)("shared data: uci-mfeat (I_tr/T_tr/L_tr layout)", () => {
  const dir = uci as string;
  it("the .mat and the CSV folder agree, with the README's shapes and class counts", async () => {
    expect(verifyFile(join(dir, "uci_all.mat")).known).toBe(true);
    const fromMat = await loadTrainTestLayout(join(dir, "uci_all.mat"), { verify: true });
    const fromCsv = await loadTrainTestLayout(join(dir, "csv"));
    const { set, split } = fromMat;
    expect([set.image.rows, set.image.cols, set.text.cols, set.labels!.cols]).toEqual([
      2000, 76, 64, 10,
    ]);
    expect(split.protocol).toBe("uci-mfeat");
    expect([split.query.length, split.database.length, split.train.length]).toEqual([
      500, 1500, 1500,
    ]);
    const counts = (from: number, to: number) => {
      const c = new Array(10).fill(0);
      for (let i = from; i < to; i++)
        for (let j = 0; j < 10; j++) c[j] += set.labels!.data[i * 10 + j];
      return c;
    };
    expect(counts(0, 1500)).toEqual([151, 147, 152, 141, 148, 157, 153, 150, 151, 150]);
    expect(counts(1500, 2000)).toEqual([49, 53, 48, 59, 52, 43, 47, 50, 49, 50]);
    // MAT (column-major double) and CSV (text) must agree element by element.
    expect(firstDiff(fromCsv.set.image.data, set.image.data)).toBe(-1);
    expect(firstDiff(fromCsv.set.text.data, set.text.data)).toBe(-1);
    expect(firstDiff(fromCsv.set.labels!.data, set.labels!.data)).toBe(-1);
    // A known element straight from the CSV text (first value of I_tr.csv).
    const first = Number(readFileSync(join(dir, "csv", "I_tr.csv"), "utf8").split(/[,\n]/)[0]);
    expect(set.image.data[0]).toBe(Math.fround(first));
  });
  it("reads the pixel view P_tr (class double, stored compactly) in row-major order", async () => {
    const m = await readMat(join(dir, "uci_all.mat"), { variables: ["P_tr"] });
    expect(m.format).toBe("MAT v5");
    expect(m.variables.P_tr.dims).toEqual([1500, 240]);
    expect(m.variables.P_tr.class).toBe("double");
    expect(m.variables.I_tr.loaded).toBe(false);
    const csv = readCsv(join(dir, "csv", "P_tr.csv"));
    expect(firstDiff(m.variables.P_tr.data!, csv.data)).toBe(-1);
  });
});

describe.skipIf(!mir)("shared data: mirflickr25k-tags-labels (DCMH layout, no image file)", () => {
  const dir = mir as string;
  it("loads YAll and LAll with the README's counts, agreeing with the CSV and index list", async () => {
    const p = await loadDcmhParts(dir, "mirflickr25k", { verify: true });
    expect([p.text.rows, p.text.cols, p.labels.rows, p.labels.cols]).toEqual([
      20015, 1386, 20015, 24,
    ]);
    const counts = new Array(24).fill(0);
    for (let i = 0; i < p.labels.data.length; i++) counts[i % 24] += p.labels.data[i];
    expect(counts).toEqual([
      2647, 179, 644, 986, 3230, 581, 4614, 1554, 813, 6320, 704, 4743, 2243, 7848, 7413, 2740, 811,
      1133, 6818, 8463, 1840, 2450, 3981, 2885,
    ]);
    let tags = 0;
    for (let i = 0; i < p.text.data.length; i++) tags += p.text.data[i];
    expect(tags).toBe(92808);
    const csv = readCsv(join(dir, "LAll.csv"));
    expect(firstDiff(csv.data, p.labels.data)).toBe(-1);
    const lines = readFileSync(join(dir, "YAll_indices.txt"), "utf8").split("\n");
    for (const i of [0, 1, 777, 20014]) {
      const idx = lines[i].trim().split(/\s+/).map(Number);
      const row: number[] = [];
      for (let c = 0; c < 1386; c++) if (p.text.data[i * 1386 + c]) row.push(c);
      expect(row).toEqual(idx);
    }
    await expect(loadDcmh(dir, "mirflickr25k")).rejects.toThrow(/no image features/);
  });
});
