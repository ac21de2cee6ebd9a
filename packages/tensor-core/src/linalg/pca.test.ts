import { describe, expect, it } from "vitest";
import { covariance, fitPca, pcaTransform, symmetricEigen } from "./index";
import { gaussianSource } from "./random";

function data(
  n: number,
  d: number,
  seed: number,
): { rows: number; cols: number; data: Float32Array } {
  const g = gaussianSource(seed);
  const out = new Float32Array(n * d);
  // Anisotropic: column j has scale (j+1), plus a mean offset.
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = g() * (j + 1) + 3;
  return { rows: n, cols: d, data: out };
}

describe("PCA", () => {
  it("components are the top covariance eigenvectors, variances its eigenvalues", () => {
    const x = data(200, 12, 1);
    const m = fitPca(x, 4);
    const { values, vectors } = symmetricEigen(covariance(x).cov);
    for (let i = 0; i < 4; i++) {
      expect(m.variances[i]).toBeCloseTo(values[11 - i], 8);
      let dotp = 0;
      for (let j = 0; j < 12; j++)
        dotp += m.components.data[i * 12 + j] * vectors.data[(11 - i) * 12 + j];
      expect(Math.abs(dotp)).toBeCloseTo(1, 8);
    }
  });

  it("the Gram route (d > n) gives the same subspace and variances as the covariance route", () => {
    const x = data(30, 80, 2);
    const m = fitPca(x, 5);
    const { values, vectors } = symmetricEigen(covariance(x).cov);
    for (let i = 0; i < 5; i++) {
      expect(m.variances[i]).toBeCloseTo(values[79 - i], 6);
      let dotp = 0;
      for (let j = 0; j < 80; j++)
        dotp += m.components.data[i * 80 + j] * vectors.data[(79 - i) * 80 + j];
      expect(Math.abs(dotp)).toBeCloseTo(1, 6);
    }
  });

  it("transform centres and projects; projected variances match", () => {
    const x = data(300, 6, 3);
    const m = fitPca(x, 3);
    const z = pcaTransform(m, x);
    expect(z.rows).toBe(300);
    expect(z.cols).toBe(3);
    const { cov, mean } = covariance(z);
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(mean[i])).toBeLessThan(1e-9);
      expect(cov.data[i * 3 + i]).toBeCloseTo(m.variances[i], 6);
    }
    expect(Math.abs(cov.data[1])).toBeLessThan(1e-6);
  });

  it("rejects a bad k and a width mismatch", () => {
    const x = data(10, 4, 4);
    expect(() => fitPca(x, 5)).toThrow(/k must be/);
    const m = fitPca(x, 2);
    expect(() => pcaTransform(m, data(3, 5, 1))).toThrow(/5 columns.*4/);
  });
});

describe("randomized PCA", () => {
  it("matches exact PCA on a matrix with a decaying spectrum (values and subspace)", () => {
    const x = data(400, 60, 9); // column j has scale j+1: distinct variances
    const k = 5;
    const exact = fitPca(x, k);
    const approx = fitPca(x, k, { method: "randomized", powerIterations: 6, seed: 3 });
    for (let i = 0; i < k; i++) {
      expect(Math.abs(approx.variances[i] - exact.variances[i]) / exact.variances[i]).toBeLessThan(
        1e-3,
      );
      let dotp = 0;
      for (let j = 0; j < 60; j++)
        dotp += approx.components.data[i * 60 + j] * exact.components.data[i * 60 + j];
      expect(Math.abs(dotp)).toBeGreaterThan(0.99);
    }
    expect(Array.from(approx.mean)).toEqual(Array.from(exact.mean));
    expect(() => fitPca(x, 2, { method: "svd" as never })).toThrow(/method must be/);
  });
});
