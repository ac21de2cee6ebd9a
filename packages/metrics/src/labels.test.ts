import { describe, expect, it } from "vitest";
import { packLabelPair } from "./index";

describe("packLabelPair", () => {
  it("packs multi-hot rows into 32-bit words, label c at bit c & 31 of word c >>> 5", () => {
    const cols = 40;
    const q = new Uint8Array(2 * cols);
    q[0] = 1; // row 0, label 0
    q[31] = 1; // row 0, label 31
    q[cols + 32] = 1; // row 1, label 32
    q[cols + 39] = 1; // row 1, label 39
    const { query, database } = packLabelPair(
      { rows: 2, cols, data: q },
      { rows: 1, cols, data: new Uint8Array(cols) },
    );
    expect(query.wordsPerRow).toBe(2);
    expect(query.numLabels).toBe(40);
    expect(Array.from(query.masks)).toEqual([(1 | (1 << 31)) >>> 0, 0, 0, 1 | (1 << 7)]);
    expect(Array.from(database.masks)).toEqual([0, 0]);
  });

  it("maps class ids (any integers) to one bit each over the union of both sets", () => {
    const { query, database } = packLabelPair([7, -2], Float64Array.from([100, 7, 7]));
    // Sorted ids -2, 7, 100 -> bits 0, 1, 2.
    expect(query.numLabels).toBe(3);
    expect(Array.from(query.masks)).toEqual([2, 1]);
    expect(Array.from(database.masks)).toEqual([4, 2, 2]);
  });

  it("uses several words per row for more than 32 classes", () => {
    const ids = Array.from({ length: 70 }, (_, i) => i);
    const { query } = packLabelPair(ids, ids);
    expect(query.wordsPerRow).toBe(3);
    expect(query.masks[69 * 3 + 2]).toBe(1 << 5);
  });

  it("rejects mismatched shapes, wrong lengths and non-binary values with the position", () => {
    expect(() => packLabelPair({ rows: 2, cols: 3, data: [0, 1, 0] }, [1])).toThrow(/same shape/);
    expect(() =>
      packLabelPair({ rows: 2, cols: 3, data: [0, 1, 0] }, { rows: 1, cols: 3, data: [0, 0, 1] }),
    ).toThrow(/queryLabels.data has 3 values, expected rows \* cols = 2 \* 3 = 6/);
    expect(() =>
      packLabelPair({ rows: 1, cols: 2, data: [0, 0.5] }, { rows: 1, cols: 2, data: [0, 1] }),
    ).toThrow(/queryLabels must be multi-hot \(0 or 1\), got 0.5 at row 0, column 1/);
    expect(() =>
      packLabelPair({ rows: 1, cols: 0, data: [] }, { rows: 1, cols: 0, data: [] }),
    ).toThrow(/cols must be a positive integer/);
    expect(() => packLabelPair([1, Number.NaN], [1])).toThrow(/got NaN at index 1/);
    expect(() => packLabelPair(null as unknown as number[], [1])).toThrow(/class ids, got null/);
  });
});
