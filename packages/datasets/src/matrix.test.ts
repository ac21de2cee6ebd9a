import { describe, expect, it } from "vitest";
import { DatasetError } from "./errors";
import { columnToRowMajor } from "./mat-types";
import {
  applySplit,
  concatRows,
  fromSparse,
  labelMatrix,
  matrix,
  matrixProblem,
  selectRows,
  selectSparseRows,
  subset,
  toDense,
  toSparse,
  validateCrossModalSet,
  validateMatrix,
  validateSparse,
} from "./matrix";
import { datasetStats } from "./stats";
import type { CrossModalSet } from "./types";

function set3(): CrossModalSet {
  return {
    name: "tiny",
    image: matrix(3, 2, [1, 2, 3, 4, 5, 6]),
    text: matrix(3, 1, [7, 8, 9]),
    labels: labelMatrix(3, 2, [1, 0, 0, 1, 1, 1]),
  };
}

describe("matrix constructors", () => {
  it("matrix() checks the data length and keeps row-major order", () => {
    const m = matrix(2, 3, [1, 2, 3, 4, 5, 6]);
    expect(m.data[1 * 3 + 0]).toBe(4);
    expect(() => matrix(2, 3, [1, 2])).toThrow(/2 values, expected rows\*cols = 2\*3 = 6/);
    expect(() => matrix(-1, 3)).toThrow(DatasetError);
    expect(matrix(2, 2).data.length).toBe(4);
  });
  it("labelMatrix() rejects non-binary entries with their position", () => {
    expect(() => labelMatrix(2, 2, [0, 1, 2, 0])).toThrow(/found 2 at row 1, col 0/);
  });
});

describe("validation", () => {
  it("names the first NaN/Inf by row and column", () => {
    const m = matrix(2, 3, [0, 1, 2, 3, Number.NaN, 5]);
    expect(() => validateMatrix(m, "image")).toThrow(/image: non-finite value NaN at row 1, col 1/);
    const inf = matrix(1, 2, [Number.POSITIVE_INFINITY, 0]);
    expect(() => validateMatrix(inf)).toThrow(/Infinity at row 0, col 0/);
    expect(() => validateMatrix({ rows: 2, cols: 2, data: new Float32Array(3) })).toThrow(
      /3 values, expected rows\*cols/,
    );
  });
  it("rejects sets whose modalities differ in rows, empty sets, and bad labels", () => {
    const s = set3();
    expect(() => validateCrossModalSet(s)).not.toThrow();
    expect(() => validateCrossModalSet({ ...s, text: matrix(2, 1, [1, 2]) })).toThrow(
      /image has 3 rows but text has 2/,
    );
    expect(() =>
      validateCrossModalSet({ name: "e", image: matrix(0, 2), text: matrix(0, 2) }),
    ).toThrow(/is empty/);
    expect(() =>
      validateCrossModalSet({ ...s, labels: { rows: 2, cols: 2, data: new Uint8Array(4) } }),
    ).toThrow(/labels have 2 rows but the modalities have 3/);
    expect(() =>
      validateCrossModalSet({ ...s, labels: { rows: 3, cols: 2, data: new Uint8Array(5) } }),
    ).toThrow(/wrong label width/);
    expect(() =>
      validateCrossModalSet({
        ...s,
        labels: { rows: 3, cols: 1, data: new Uint8Array([0, 3, 1]) },
      }),
    ).toThrow(/found 3 at row 1/);
    const { labels: _l, ...noLabels } = s;
    expect(() => validateCrossModalSet(noLabels, { requireLabels: true })).toThrow(/has no labels/);
    expect(() =>
      validateCrossModalSet({ ...s, image: matrix(3, 2, [1, 2, 3, 4, 5, Number.NaN]) }),
    ).toThrow(/"tiny" image: non-finite value NaN at row 2, col 1/);
  });
});

describe("sparse conversions", () => {
  it("toSparse and toDense round-trip", () => {
    const m = matrix(3, 4, [0, 1, 0, 2, 0, 0, 0, 0, 3, 0, 0, 4]);
    const s = toSparse(m);
    expect(Array.from(s.indptr)).toEqual([0, 2, 2, 4]);
    expect(Array.from(s.indices)).toEqual([1, 3, 0, 3]);
    expect(Array.from(toDense(s).data)).toEqual(Array.from(m.data));
    expect(() => validateSparse(s)).not.toThrow();
  });
  it("fromSparse builds CSR from unordered triplets and sums duplicates", () => {
    const s = fromSparse(2, 3, [1, 0, 1, 1], [2, 1, 0, 2], [5, 1, 2, 3]);
    expect(Array.from(toDense(s).data)).toEqual([0, 1, 0, 2, 0, 8]);
    expect(() => fromSparse(2, 2, [2], [0], [1])).toThrow(/outside 2×2/);
  });
  it("selectSparseRows copies rows", () => {
    const s = toSparse(matrix(3, 2, [1, 0, 0, 2, 3, 4]));
    expect(Array.from(toDense(selectSparseRows(s, [2, 0])).data)).toEqual([3, 4, 1, 0]);
  });
  it("validateSparse catches out-of-range columns", () => {
    const bad = {
      rows: 1,
      cols: 2,
      indptr: new Uint32Array([0, 1]),
      indices: new Uint32Array([5]),
      values: new Float32Array([1]),
    };
    expect(() => validateSparse(bad)).toThrow(/column index 5 at row 0/);
  });
});

describe("row selection and splits", () => {
  it("selectRows keeps order and checks indices", () => {
    const m = matrix(3, 2, [1, 2, 3, 4, 5, 6]);
    expect(Array.from(selectRows(m, [2, 0]).data)).toEqual([5, 6, 1, 2]);
    expect(() => selectRows(m, [3])).toThrow(/index 3 at position 0 is out of range \[0, 3\)/);
  });
  it("subset and applySplit select image, text and labels together", () => {
    const s = set3();
    const sub = subset(s, [1]);
    expect(Array.from(sub.image.data)).toEqual([3, 4]);
    expect(Array.from(sub.text.data)).toEqual([8]);
    expect(Array.from(sub.labels!.data)).toEqual([0, 1]);
    const parts = applySplit(s, {
      protocol: "p",
      seed: 0,
      nItems: 3,
      train: new Uint32Array([0, 1]),
      query: new Uint32Array([2]),
      database: new Uint32Array([0, 1]),
    });
    expect(parts.query.name).toBe("tiny/query");
    expect(Array.from(parts.query.text.data)).toEqual([9]);
    expect(parts.database.image.rows).toBe(2);
    expect(() =>
      applySplit(s, {
        protocol: "p",
        seed: 0,
        nItems: 5,
        train: new Uint32Array(),
        query: new Uint32Array(),
        database: new Uint32Array(),
      }),
    ).toThrow(/made for 5 items but set "tiny" has 3/);
  });
  it("concatRows stacks matrices", () => {
    const c = concatRows([matrix(1, 2, [1, 2]), matrix(2, 2, [3, 4, 5, 6])]);
    expect(c.rows).toBe(3);
    expect(() => concatRows([matrix(1, 2), matrix(1, 3)])).toThrow(/column counts differ/);
  });
});

describe("columnToRowMajor", () => {
  it("reorders 2-D and N-D column-major data (MATLAB A(i,j,k) at i + j*I + k*I*J)", () => {
    const dims = [2, 3, 4];
    const col = new Float64Array(24);
    for (let k = 0; k < 4; k++)
      for (let j = 0; j < 3; j++)
        for (let i = 0; i < 2; i++) col[i + j * 2 + k * 6] = 100 * i + 10 * j + k;
    const row = columnToRowMajor(col, dims);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++)
        for (let k = 0; k < 4; k++) expect(row[i * 12 + j * 4 + k]).toBe(100 * i + 10 * j + k);
    // 2-D larger than one 32×32 tile
    const r = 70;
    const c = 45;
    const cm = new Float32Array(r * c);
    for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) cm[j * r + i] = i * 1000 + j;
    const rm = columnToRowMajor(cm, [r, c]);
    expect(rm[69 * c + 44]).toBe(69044);
    expect(rm[33 * c + 1]).toBe(33001);
  });
});

describe("datasetStats", () => {
  it("computes sparsity, cosines, k-NN label precision and the base rate on a known set", () => {
    // Items 0,1 share label 0 and identical features; items 2,3 share label 1; the groups are orthogonal.
    const set: CrossModalSet = {
      name: "toy",
      image: matrix(4, 2, [1, 0, 1, 0, 0, 1, 0, 1]),
      text: matrix(4, 2, [1, 0, 1, 0, 0, 1, 0, 1]),
      labels: labelMatrix(4, 2, [1, 0, 1, 0, 0, 1, 0, 1]),
    };
    const s = datasetStats(set, { k: 1, knnQueries: 8, pairs: 4000 });
    expect(s.image.sparsity).toBe(0.5);
    expect(s.image.knnLabelPrecision).toBe(1);
    expect(s.text.knnLabelPrecision).toBe(1);
    expect(s.labelsPerItem).toBe(1);
    // Random distinct pairs share a label with probability 1/3, and then have cosine 1 (else 0).
    expect(s.labelOverlapBaseRate).toBeCloseTo(1 / 3, 1);
    expect(s.image.cosineMean).toBeCloseTo(1 / 3, 1);
    expect(s.bytes).toBe(4 * 2 * 4 * 2 + 8);
  });
});

describe("matrixProblem", () => {
  it("accepts well-formed matrices, Float64Array only when asked", () => {
    expect(matrixProblem(matrix(2, 3))).toBeUndefined();
    expect(matrixProblem({ rows: 0, cols: 0, data: new Float32Array(0) })).toBeUndefined();
    const m64 = { rows: 1, cols: 2, data: new Float64Array(2) };
    expect(matrixProblem(m64)?.message).toMatch(/data must be a Float32Array$/);
    expect(matrixProblem(m64, { float64: true })).toBeUndefined();
  });
  it("names the first problem: not an object, shape, data length", () => {
    expect(matrixProblem(null)?.message).toMatch(/expected a Matrix .* got null/);
    expect(matrixProblem({ rows: 1.5, cols: 2, data: new Float32Array(3) })?.message).toMatch(
      /rows and cols must be non-negative integers, got rows=1.5, cols=2/,
    );
    expect(matrixProblem({ rows: 2, cols: 2, data: new Float32Array(3) })?.message).toMatch(
      /data has 3 values, expected rows\*cols = 2\*2 = 4/,
    );
  });
  it("locates the first non-finite value, unless finite: false", () => {
    const m = matrix(2, 3, [0, 1, 2, 3, Number.POSITIVE_INFINITY, Number.NaN]);
    expect(matrixProblem(m)).toEqual({
      message: "non-finite value Infinity at row 1, col 1 (of 2×3)",
      row: 1,
      col: 1,
      value: Number.POSITIVE_INFINITY,
    });
    expect(matrixProblem(m, { finite: false })).toBeUndefined();
  });
});
