import {
  centerRows,
  columnMeans,
  covariance,
  crossCovariance,
  matmul,
  svd,
  transpose,
} from "@cmh/tensor-core";
import { describe, expect, it } from "vitest";
import { ccaTransform, fitCca } from "./index";
import { correlatedViews } from "./test-data";

describe("fitCca", () => {
  const noiseX = [0.2, 0.5, 1, 2];
  const noiseY = [0.3, 0.5, 0.8, 1.5];

  it("recovers the known population canonical correlations", () => {
    const { x, y, correlations } = correlatedViews(20000, noiseX, noiseY, 3, 2);
    const m = fitCca(x, y, { components: 4 });
    for (let i = 0; i < 4; i++)
      expect(Math.abs(m.correlations[i] - correlations[i])).toBeLessThan(0.02);
    // Noise-only directions have (near) zero correlation.
    const all = fitCca(x, y);
    expect(all.correlations.length).toBe(6);
    expect(all.correlations[5]).toBeLessThan(0.05);
  });

  it("without regularisation equals the singular values of Uxᵀ·Uy (Björck–Golub) to 1e-8", () => {
    const { x, y } = correlatedViews(400, noiseX, noiseY, 2, 3, 5);
    const m = fitCca(x, y, { regularization: 0 });
    const ux = svd(centerRows(x, columnMeans(x))).U;
    const uy = svd(centerRows(y, columnMeans(y))).U;
    const s = svd(matmul(transpose(ux), uy)).S;
    for (let i = 0; i < m.correlations.length; i++)
      expect(Math.abs(m.correlations[i] - s[i])).toBeLessThan(1e-8);
  });

  it("projections are Cxx/Cyy-orthonormal, paired with correlation r and uncorrelated across pairs", () => {
    const { x, y } = correlatedViews(3000, noiseX, noiseY, 2, 1, 9);
    const m = fitCca(x, y, { regularization: 0 });
    const c = m.correlations.length;
    const u = ccaTransform(m.meanX, m.wx, x);
    const v = ccaTransform(m.meanY, m.wy, y);
    const cu = covariance(u).cov.data;
    const cv = covariance(v).cov.data;
    const cuv = crossCovariance(u, v).cov.data;
    for (let i = 0; i < c; i++)
      for (let j = 0; j < c; j++) {
        const id = i === j ? 1 : 0;
        expect(Math.abs(cu[i * c + j] - id)).toBeLessThan(1e-8);
        expect(Math.abs(cv[i * c + j] - id)).toBeLessThan(1e-8);
        expect(Math.abs(cuv[i * c + j] - (i === j ? m.correlations[i] : 0))).toBeLessThan(1e-8);
      }
    for (let i = 1; i < c; i++)
      expect(m.correlations[i]).toBeLessThanOrEqual(m.correlations[i - 1]);
  });

  it("is symmetric in its arguments (solves on the smaller side)", () => {
    const { x, y } = correlatedViews(500, noiseX, noiseY, 4, 1, 3);
    const a = fitCca(x, y, { components: 3 });
    const b = fitCca(y, x, { components: 3 });
    for (let i = 0; i < 3; i++) expect(a.correlations[i]).toBeCloseTo(b.correlations[i], 10);
    expect(a.wx.rows).toBe(x.cols);
    expect(a.wy.rows).toBe(y.cols);
  });

  it("rejects unpaired rows, bad components and bad regularisation", () => {
    const { x, y } = correlatedViews(50, [0.5], [0.5], 2, 1);
    expect(() => fitCca(x, { ...y, rows: 49, data: y.data.subarray(0, 49 * y.cols) })).toThrow(
      /paired/,
    );
    expect(() => fitCca(x, y, { components: 3 })).toThrow(/min\(dx, dy\) = 2/);
    expect(() => fitCca(x, y, { regularization: -1 })).toThrow(/regularization/);
  });

  it("minCorrelation drops void pairs (the usable rank) instead of failing", () => {
    const { x, y } = correlatedViews(300, [0.5, 0.5], [0.5, 0.5], 1, 0);
    // A constant third text column: no correlation at all along it.
    const y3 = new Float32Array(300 * 3);
    for (let i = 0; i < 300; i++) {
      y3[i * 3] = y.data[i * 2];
      y3[i * 3 + 1] = y.data[i * 2 + 1];
      y3[i * 3 + 2] = 7;
    }
    const yc = { rows: 300, cols: 3, data: y3 };
    expect(() => fitCca(x, yc)).toThrow(/no shared signal left/);
    const m = fitCca(x, yc, { minCorrelation: 1e-6 });
    expect(m.correlations.length).toBe(2);
    expect(m.wx.cols).toBe(2);
    expect(m.wy.cols).toBe(2);
    expect(m.correlations[1]).toBeGreaterThan(0.5);
    expect(() => fitCca(x, yc, { minCorrelation: -1 })).toThrow(/minCorrelation/);
  });
});
