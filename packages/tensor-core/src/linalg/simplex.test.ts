import { describe, expect, it } from "vitest";
import { projectSimplex } from "./index";
import { gaussianSource } from "./random";

// GMC's Newton form (gmc/funs/SloutionToP19.m), as an independent oracle.
function newtonProjection(v: number[]): number[] {
  const k = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / k;
  const v0 = v.map((x) => x - mean + 1 / k);
  if (Math.min(...v0) >= 0) return v0;
  let lam = 0;
  for (let it = 0; it < 100; it++) {
    const pos = v0.map((x) => x - lam).filter((x) => x > 0);
    const f = pos.reduce((a, b) => a + b, 0) - 1;
    lam -= f / -pos.length;
    if (Math.abs(f) < 1e-12) break;
  }
  return v0.map((x) => Math.max(x - lam, 0));
}

function checkKkt(v: ArrayLike<number>, x: ArrayLike<number>, radius = 1): void {
  // x ≥ 0, Σx = radius, and x = max(v − θ, 0) for one θ: v_i − x_i = θ on the support, v_i ≤ θ off it.
  let sum = 0;
  let theta = Number.NaN;
  for (let i = 0; i < x.length; i++) {
    expect(x[i]).toBeGreaterThanOrEqual(0);
    sum += x[i];
    if (x[i] > 0) {
      if (Number.isNaN(theta)) theta = v[i] - x[i];
      expect(v[i] - x[i]).toBeCloseTo(theta, 12);
    }
  }
  expect(sum).toBeCloseTo(radius, 12);
  for (let i = 0; i < x.length; i++)
    if (x[i] === 0) expect(v[i]).toBeLessThanOrEqual(theta + 1e-12);
}

describe("projectSimplex", () => {
  it("known values", () => {
    expect(Array.from(projectSimplex([0.5, 0.5, -1]))).toEqual([0.5, 0.5, 0]);
    expect(Array.from(projectSimplex([2, 0]))).toEqual([1, 0]);
    expect(Array.from(projectSimplex([0, 0, 0, 0]))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it("a point on the simplex is unchanged; shift invariance", () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const x = projectSimplex(p);
    for (let i = 0; i < 4; i++) expect(x[i]).toBeCloseTo(p[i], 15);
    const y = projectSimplex(p.map((t) => t + 7.5));
    for (let i = 0; i < 4; i++) expect(y[i]).toBeCloseTo(p[i], 12);
  });

  it("satisfies the KKT conditions and matches GMC's Newton iteration on random vectors", () => {
    const g = gaussianSource(3);
    for (let trial = 0; trial < 200; trial++) {
      const k = 1 + (trial % 40);
      const v = Array.from({ length: k }, () => g() * (trial % 3 === 0 ? 10 : 1));
      const x = projectSimplex(v);
      checkKkt(v, x);
      const ref = newtonProjection(v);
      for (let i = 0; i < k; i++) expect(Math.abs(x[i] - ref[i])).toBeLessThan(1e-9);
    }
  });

  it("supports a radius and writing in place", () => {
    const v = Float64Array.of(3, 1, -2, 0.5);
    const x = projectSimplex(v, 2);
    checkKkt(Float64Array.of(3, 1, -2, 0.5), x, 2);
    const out = projectSimplex(v, 1, v);
    expect(out).toBe(v);
    expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  it("rejects empty, NaN and bad radius", () => {
    expect(() => projectSimplex([])).toThrow(/empty/);
    expect(() => projectSimplex([1, Number.NaN])).toThrow(/non-finite/);
    expect(() => projectSimplex([1], 0)).toThrow(/radius/);
  });
});
