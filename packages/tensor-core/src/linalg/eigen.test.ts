import { describe, expect, it } from "vitest";
import { generalizedSymmetricEigen, gram, type Matrix64, symmetricEigen } from "./index";
import { gaussianSource } from "./random";

function randSym(n: number, seed: number): Matrix64 {
  const g = gaussianSource(seed);
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const v = g();
      data[i * n + j] = v;
      data[j * n + i] = v;
    }
  return { rows: n, cols: n, data };
}

function checkEigen(a: Matrix64, tol: number): void {
  const n = a.rows;
  const { values, vectors } = symmetricEigen(a);
  for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
  const V = vectors.data;
  let worstRes = 0;
  let worstOrth = 0;
  for (let t = 0; t < n; t++) {
    const v = V.subarray(t * n, t * n + n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a.data[i * n + j] * v[j];
      worstRes = Math.max(worstRes, Math.abs(s - values[t] * v[i]));
    }
    for (let u = t; u < Math.min(n, t + 8); u++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += v[j] * V[u * n + j];
      worstOrth = Math.max(worstOrth, Math.abs(s - (u === t ? 1 : 0)));
    }
  }
  expect(worstRes).toBeLessThan(tol);
  expect(worstOrth).toBeLessThan(tol);
}

describe("symmetricEigen", () => {
  it("diagonal and 2×2 cases", () => {
    const d = symmetricEigen({
      rows: 3,
      cols: 3,
      data: Float64Array.of(3, 0, 0, 0, -1, 0, 0, 0, 2),
    });
    expect(Array.from(d.values)).toEqual([-1, 2, 3]);
    const r = symmetricEigen({ rows: 2, cols: 2, data: Float64Array.of(2, 1, 1, 2) });
    expect(r.values[0]).toBeCloseTo(1, 14);
    expect(r.values[1]).toBeCloseTo(3, 14);
    expect(Math.abs(r.vectors.data[0])).toBeCloseTo(Math.SQRT1_2, 14);
  });

  it("A v = λ v and orthonormality to 1e-8 on random symmetric matrices up to 300", () => {
    for (const [n, seed] of [
      [1, 1],
      [5, 2],
      [40, 3],
      [129, 4],
      [300, 5],
    ]) {
      checkEigen(randSym(n, seed), 1e-8);
    }
  });

  it("handles repeated eigenvalues and a rank-deficient PSD matrix", () => {
    const g = gaussianSource(7);
    const x = { rows: 5, cols: 30, data: new Float64Array(150).map(() => g()) };
    const a = gram(x); // rank 5
    checkEigen(a, 1e-8);
    const { values } = symmetricEigen(a);
    for (let i = 0; i < 25; i++) expect(Math.abs(values[i])).toBeLessThan(1e-10);
    const id = {
      rows: 4,
      cols: 4,
      data: Float64Array.of(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1),
    };
    checkEigen(id, 1e-12);
  });

  it("rejects non-square and NaN input", () => {
    expect(() => symmetricEigen({ rows: 2, cols: 3, data: new Float64Array(6) })).toThrow(/square/);
    expect(() => symmetricEigen({ rows: 1, cols: 1, data: Float64Array.of(Number.NaN) })).toThrow(
      /non-finite/,
    );
  });
});

describe("generalizedSymmetricEigen", () => {
  it("A v = λ B v with B-orthonormal vectors", () => {
    const n = 40;
    const a = randSym(n, 11);
    const g = gaussianSource(12);
    const b = gram({ rows: 80, cols: n, data: new Float64Array(80 * n).map(() => g()) });
    const { values, vectors } = generalizedSymmetricEigen(a, b);
    const V = vectors.data;
    for (let t = 0; t < n; t++) {
      const v = V.subarray(t * n, t * n + n);
      const av = new Float64Array(n);
      const bv = new Float64Array(n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          av[i] += a.data[i * n + j] * v[j];
          bv[i] += b.data[i * n + j] * v[j];
        }
      for (let i = 0; i < n; i++) expect(Math.abs(av[i] - values[t] * bv[i])).toBeLessThan(1e-8);
      for (let u = 0; u < n; u++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += V[u * n + i] * bv[i];
        expect(Math.abs(s - (u === t ? 1 : 0))).toBeLessThan(1e-8);
      }
    }
  });

  it("rejects a B that is not positive definite", () => {
    const a = { rows: 2, cols: 2, data: Float64Array.of(1, 0, 0, 1) };
    const b = { rows: 2, cols: 2, data: Float64Array.of(1, 0, 0, -1) };
    expect(() => generalizedSymmetricEigen(a, b)).toThrow(/positive definite/);
  });
});
