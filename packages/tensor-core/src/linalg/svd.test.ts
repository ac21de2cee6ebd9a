import { describe, expect, it } from "vitest";
import { type Matrix64, orthogonalProcrustes, svd } from "./index";
import { gaussianSource } from "./random";

function randMat(rows: number, cols: number, seed: number): Matrix64 {
  const g = gaussianSource(seed);
  return { rows, cols, data: new Float64Array(rows * cols).map(() => g()) };
}

function checkSvd(a: Matrix64): void {
  const { U, S, V } = svd(a);
  const r = Math.min(a.rows, a.cols);
  expect(U.rows).toBe(a.rows);
  expect(U.cols).toBe(r);
  expect(V.rows).toBe(a.cols);
  expect(V.cols).toBe(r);
  for (let k = 1; k < r; k++) expect(S[k]).toBeLessThanOrEqual(S[k - 1]);
  // Reconstruction.
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += U.data[i * r + k] * S[k] * V.data[j * r + k];
      expect(Math.abs(s - a.data[i * a.cols + j])).toBeLessThan(1e-10);
    }
  // Orthonormal columns.
  for (const [M, rows] of [
    [U, a.rows],
    [V, a.cols],
  ] as const)
    for (let p = 0; p < r; p++)
      for (let q = p; q < r; q++) {
        let s = 0;
        for (let i = 0; i < rows; i++) s += M.data[i * r + p] * M.data[i * r + q];
        expect(Math.abs(s - (p === q ? 1 : 0))).toBeLessThan(1e-10);
      }
}

describe("svd", () => {
  it("reconstructs tall, wide and square matrices with orthonormal factors", () => {
    checkSvd(randMat(30, 8, 1));
    checkSvd(randMat(6, 17, 2));
    checkSvd(randMat(20, 20, 3));
    checkSvd(randMat(1, 1, 4));
  });

  it("known singular values and a rank-deficient matrix (completed basis)", () => {
    const d = { rows: 3, cols: 3, data: Float64Array.of(0, 0, 2, 0, -5, 0, 1, 0, 0) };
    expect(Array.from(svd(d).S)).toEqual([5, 2, 1]);
    const r = { rows: 4, cols: 3, data: Float64Array.of(1, 2, 3, 2, 4, 6, 1, 1, 1, 0, 0, 0) };
    const res = svd(r);
    expect(res.S[2]).toBe(0);
    checkSvd(r);
  });
});

describe("orthogonalProcrustes", () => {
  it("recovers a rotation and returns an orthogonal matrix", () => {
    const a = randMat(50, 5, 5);
    // Random orthogonal Q from svd of a random matrix.
    const q = svd(randMat(5, 5, 6)).U;
    const b = { rows: 50, cols: 5, data: new Float64Array(250) };
    for (let i = 0; i < 50; i++)
      for (let j = 0; j < 5; j++) {
        let s = 0;
        for (let k = 0; k < 5; k++) s += a.data[i * 5 + k] * q.data[k * 5 + j];
        b.data[i * 5 + j] = s;
      }
    const r = orthogonalProcrustes(a, b);
    for (let i = 0; i < 25; i++) expect(Math.abs(r.data[i] - q.data[i])).toBeLessThan(1e-10);
  });
});
