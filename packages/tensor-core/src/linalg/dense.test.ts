import { describe, expect, it } from "vitest";
import {
  centerRows,
  checkMatrix,
  cholesky,
  choleskySolve,
  columnMeans,
  covariance,
  crossCovariance,
  crossGram,
  density,
  gram,
  identity,
  LinalgError,
  type Matrix64,
  matmul,
  matmulABt,
  matmulAtB,
  matrix64,
  solve,
  transpose,
} from "./index";
import { gaussianSource } from "./random";

function randMat(rows: number, cols: number, seed: number): Matrix64 {
  const g = gaussianSource(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = g();
  return { rows, cols, data };
}

function naiveMatmul(a: Matrix64, b: Matrix64): Float64Array {
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      for (let k = 0; k < a.cols; k++) s += a.data[i * a.cols + k] * b.data[k * b.cols + j];
      out[i * b.cols + j] = s;
    }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("dense products", () => {
  it("matmul matches a naive triple loop on odd sizes (blocked edges)", () => {
    for (const [m, k, n] of [
      [1, 1, 1],
      [3, 5, 2],
      [37, 300, 71],
      [65, 257, 9],
    ]) {
      const a = randMat(m, k, m + k);
      const b = randMat(k, n, n + 7);
      expect(maxAbsDiff(matmul(a, b).data, naiveMatmul(a, b))).toBeLessThan(1e-10);
    }
  });

  it("matmulABt and matmulAtB agree with matmul on transposes", () => {
    const a = randMat(19, 33, 1);
    const b = randMat(23, 33, 2);
    expect(maxAbsDiff(matmulABt(a, b).data, naiveMatmul(a, transpose(b)))).toBeLessThan(1e-10);
    const c = randMat(19, 7, 3);
    expect(maxAbsDiff(matmulAtB(a, c).data, naiveMatmul(transpose(a), c))).toBeLessThan(1e-10);
  });

  it("works on Float32 input", () => {
    const a = randMat(10, 20, 4);
    const a32 = { rows: 10, cols: 20, data: Float32Array.from(a.data) };
    const b = randMat(20, 12, 5);
    expect(
      maxAbsDiff(matmul(a32, b).data, naiveMatmul({ ...a, data: Float64Array.from(a32.data) }, b)),
    ).toBeLessThan(1e-10);
  });

  it("rejects mismatched shapes with a message naming them", () => {
    expect(() => matmul(randMat(2, 3, 1), randMat(4, 2, 1))).toThrow(/2x3.*4x2/);
  });

  it("gram equals XᵀX and is exactly symmetric", () => {
    const x = randMat(150, 70, 9);
    const g = gram(x);
    expect(maxAbsDiff(g.data, naiveMatmul(transpose(x), x))).toBeLessThan(1e-9);
    for (let i = 0; i < 70; i++)
      for (let j = 0; j < 70; j++) expect(g.data[i * 70 + j]).toBe(g.data[j * 70 + i]);
  });

  it("covariance centres and divides by n−1", () => {
    const x = randMat(40, 5, 11);
    for (let i = 0; i < 40; i++) x.data[i * 5 + 2] += 100; // a large mean must not matter
    const { cov, mean } = covariance(x);
    expect(mean[2]).toBeGreaterThan(99);
    for (let a = 0; a < 5; a++)
      for (let b = 0; b < 5; b++) {
        let s = 0;
        for (let i = 0; i < 40; i++)
          s += (x.data[i * 5 + a] - mean[a]) * (x.data[i * 5 + b] - mean[b]);
        expect(cov.data[a * 5 + b]).toBeCloseTo(s / 39, 10);
      }
  });
});

describe("Cholesky and solves", () => {
  it("cholesky reconstructs an SPD matrix and solves systems", () => {
    const x = randMat(60, 25, 3);
    const a = gram(x);
    for (let i = 0; i < 25; i++) a.data[i * 25 + i] += 1e-3;
    const L = cholesky(a);
    expect(maxAbsDiff(naiveMatmul(L, transpose(L)), a.data)).toBeLessThan(1e-9);
    for (let i = 0; i < 25; i++)
      for (let j = i + 1; j < 25; j++) expect(L.data[i * 25 + j]).toBe(0);
    const b = randMat(25, 3, 8);
    const sol = choleskySolve(L, b);
    expect(maxAbsDiff(naiveMatmul(a, sol), b.data)).toBeLessThan(1e-8);
  });

  it("cholesky rejects an indefinite matrix", () => {
    const a = { rows: 2, cols: 2, data: Float64Array.of(1, 2, 2, 1) };
    expect(() => cholesky(a)).toThrow(LinalgError);
    expect(() => cholesky(a)).toThrow(/not positive definite/);
  });

  it("solve (LU) solves a general system, vector and matrix right-hand sides", () => {
    const a = randMat(30, 30, 21);
    const b = randMat(30, 4, 22);
    const x = solve(a, b);
    expect(maxAbsDiff(naiveMatmul(a, x), b.data)).toBeLessThan(1e-9);
    const v = solve(a, Array.from(b.data.subarray(0, 30)));
    expect(v.cols).toBe(1);
    expect(maxAbsDiff(naiveMatmul(a, v), b.data.subarray(0, 30))).toBeLessThan(1e-9);
  });

  it("solve rejects a singular matrix", () => {
    const a = { rows: 2, cols: 2, data: Float64Array.of(1, 2, 2, 4) };
    expect(() => solve(a, [1, 1])).toThrow(/singular/);
  });
});

describe("sparse-aware Gram products", () => {
  function sparseMat(rows: number, cols: number, seed: number): Matrix64 {
    const m = randMat(rows, cols, seed);
    for (let i = 0; i < m.data.length; i++) if (i % 23 !== 0) m.data[i] = 0;
    return m;
  }
  it("gram and covariance on sparse input match the dense route", () => {
    const x = sparseMat(120, 40, 1);
    expect(density(x.data)).toBeLessThan(0.1);
    expect(maxAbsDiff(gram(x).data, naiveMatmul(transpose(x), x))).toBeLessThan(1e-10);
    const { cov, mean } = covariance(x);
    for (let a = 0; a < 40; a += 7)
      for (let b = 0; b < 40; b += 5) {
        let s = 0;
        for (let i = 0; i < 120; i++)
          s += (x.data[i * 40 + a] - mean[a]) * (x.data[i * 40 + b] - mean[b]);
        expect(cov.data[a * 40 + b]).toBeCloseTo(s / 119, 12);
      }
  });
  it("crossGram and crossCovariance for dense/sparse combinations", () => {
    const d = randMat(90, 13, 2);
    const s = sparseMat(90, 31, 3);
    for (const [x, y] of [
      [d, s],
      [s, d],
      [d, d],
      [s, s],
    ]) {
      expect(maxAbsDiff(crossGram(x, y).data, naiveMatmul(transpose(x), y))).toBeLessThan(1e-10);
      const { cov, meanX, meanY } = crossCovariance(x, y);
      const xc = { ...x, data: x.data.map((v, i) => v - meanX[i % x.cols]) };
      const yc = { ...y, data: y.data.map((v, i) => v - meanY[i % y.cols]) };
      const ref = naiveMatmul(transpose(xc), yc).map((v) => v / 89);
      expect(maxAbsDiff(cov.data, ref)).toBeLessThan(1e-12);
    }
    expect(() => crossCovariance(d, randMat(5, 2, 1))).toThrow(/90 rows but Y has 5/);
  });
});

describe("small constructors and helpers", () => {
  it("identity, matrix64, columnMeans, centerRows, checkMatrix", () => {
    expect(Array.from(identity(2).data)).toEqual([1, 0, 0, 1]);
    expect(Array.from(matrix64(1, 2, [3, 4]).data)).toEqual([3, 4]);
    expect(() => matrix64(2, 2, [1])).toThrow(/1 values for a 2x2/);
    const x = { rows: 2, cols: 2, data: Float32Array.of(1, 2, 3, 6) };
    expect(Array.from(columnMeans(x))).toEqual([2, 4]);
    expect(Array.from(centerRows(x, [2, 4]).data)).toEqual([-1, -2, 1, 2]);
    expect(() => checkMatrix({ rows: 2, cols: 2, data: new Float64Array(3) }, "M")).toThrow(
      /M: data has 3 values/,
    );
  });
});
