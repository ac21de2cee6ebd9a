import { describe, expect, it } from "vitest";
import {
  type CsrMatrix,
  csrFromCoo,
  csrFromKnn,
  csrMatVec,
  csrNnz,
  csrToDense,
  gershgorinBound,
  knnGraph,
  laplacian,
  smallestEigenpairs,
  symmetricEigen,
  symmetrizeCsr,
} from "./index";
import { gaussianSource } from "./random";

function blobGraph(n: number, blobs: number, seed: number, bridge: boolean): CsrMatrix {
  const g = gaussianSource(seed);
  const d = 5;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = i % blobs;
    for (let t = 0; t < d; t++)
      x[i * d + t] = g() + (t === c % d ? 20 * (1 + Math.floor(c / d)) : 0);
  }
  const knn = knnGraph({ rows: n, cols: d, data: x }, { k: 8, metric: "euclidean" });
  let w = symmetrizeCsr(csrFromKnn(knn), "max");
  if (bridge) {
    // Weak links between consecutive blobs keep the graph connected.
    const r: number[] = [];
    const c: number[] = [];
    const v: number[] = [];
    for (let b = 0; b + 1 < blobs; b++) {
      r.push(b, b + 1);
      c.push(b + 1, b);
      v.push(0.05, 0.05);
    }
    const extra = csrFromCoo(n, n, r, c, v);
    const rr: number[] = [];
    const cc: number[] = [];
    const vv: number[] = [];
    for (const m of [w, extra])
      for (let i = 0; i < n; i++)
        for (let p = m.indptr[i]; p < m.indptr[i + 1]; p++) {
          rr.push(i);
          cc.push(m.indices[p]);
          vv.push(m.values[p]);
        }
    w = csrFromCoo(n, n, rr, cc, vv);
  }
  return laplacian(w);
}

// cos of the largest principal angle between two sets of k orthonormal rows.
function minCosAngle(a: Float64Array, b: Float64Array, k: number, n: number): number {
  const m = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += a[i * n + t] * b[j * n + t];
      m[i * k + j] = s;
    }
  const mtm = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += m[t * k + i] * m[t * k + j];
      mtm[i * k + j] = s;
    }
  const { values } = symmetricEigen({ rows: k, cols: k, data: mtm });
  return Math.sqrt(Math.max(0, values[0]));
}

describe("smallestEigenpairs", () => {
  it("matches the dense eigensolver on a connected graph (values 1e-6, subspace angle)", () => {
    const n = 700;
    const L = blobGraph(n, 6, 1, true);
    const dense = symmetricEigen(csrToDense(L));
    const k = 6; // 6 small eigenvalues (one per blob), then a gap
    expect(dense.values[k] - dense.values[k - 1]).toBeGreaterThan(0.05);
    const r = smallestEigenpairs(L, k, { method: "krylov", tol: 1e-10 });
    expect(r.converged).toBe(true);
    for (let i = 0; i < k; i++) expect(Math.abs(r.values[i] - dense.values[i])).toBeLessThan(1e-6);
    expect(
      minCosAngle(r.vectors.data, dense.vectors.data.subarray(0, k * n), k, n),
    ).toBeGreaterThan(1 - 1e-8);
    // Orthonormal rows and small residuals.
    for (let i = 0; i < k; i++) {
      expect(r.residuals[i]).toBeLessThan(1e-6);
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let t = 0; t < n; t++) s += r.vectors.data[i * n + t] * r.vectors.data[j * n + t];
        expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-8);
      }
    }
  });

  it("resolves a multiple zero eigenvalue: c components give exactly c eigenvalues ≈ 0", () => {
    const n = 800;
    const c = 5;
    const L = blobGraph(n, c, 2, false);
    const r = smallestEigenpairs(L, c + 1, { method: "krylov" });
    expect(r.converged).toBe(true);
    for (let i = 0; i < c; i++) expect(Math.abs(r.values[i])).toBeLessThan(1e-10);
    expect(r.values[c]).toBeGreaterThan(1e-3);
    // Each zero-eigenvector is constant on components: L x = 0 exactly enough.
    const y = new Float64Array(n);
    for (let i = 0; i < c; i++) {
      csrMatVec(L, r.vectors.data.subarray(i * n, i * n + n), y);
      expect(Math.max(...Array.from(y, Math.abs))).toBeLessThan(1e-8);
    }
  });

  it("uses the dense path for small matrices and validates k", () => {
    const L = blobGraph(50, 2, 3, true);
    const r = smallestEigenpairs(L, 3);
    expect(r.restarts).toBe(0);
    const dense = symmetricEigen(csrToDense(L));
    for (let i = 0; i < 3; i++) expect(r.values[i]).toBeCloseTo(dense.values[i], 12);
    expect(() => smallestEigenpairs(L, 0)).toThrow(/k must be/);
    expect(() => smallestEigenpairs({ n: 50, apply: () => {} }, 2, { method: "krylov" })).toThrow(
      /shift/,
    );
  });

  it("accepts a matrix-free operator", () => {
    const n = 650;
    const L = blobGraph(n, 3, 4, true);
    const op = { n, apply: (x: Float64Array, y: Float64Array) => void csrMatVec(L, x, y) };
    const a = smallestEigenpairs(op, 3, { shift: 64, method: "krylov" });
    const b = smallestEigenpairs(L, 3, { method: "krylov" });
    for (let i = 0; i < 3; i++) expect(Math.abs(a.values[i] - b.values[i])).toBeLessThan(1e-8);
  });

  it("a warm start from a previous solution converges with far fewer products", () => {
    const n = 900;
    const L = blobGraph(n, 4, 6, true);
    const cold = smallestEigenpairs(L, 5, { method: "krylov" });
    const warm = smallestEigenpairs(L, 5, { method: "krylov", start: cold.vectors });
    expect(warm.converged).toBe(true);
    expect(warm.matvecs).toBeLessThan(cold.matvecs / 2);
    for (let i = 0; i < 5; i++)
      expect(Math.abs(warm.values[i] - cold.values[i])).toBeLessThan(1e-9);
    expect(() =>
      smallestEigenpairs(L, 5, {
        method: "krylov",
        start: { rows: 1, cols: 3, data: new Float64Array(3) },
      }),
    ).toThrow(/start has 3 columns/);
  });

  it("gershgorinBound bounds the spectrum; csrNnz counts entries", () => {
    const L = blobGraph(80, 2, 5, true);
    const top = symmetricEigen(csrToDense(L)).values[79];
    const g = gershgorinBound(L);
    expect(g).toBeGreaterThanOrEqual(top - 1e-12);
    expect(csrNnz(L)).toBe(L.indices.length);
  });
});
