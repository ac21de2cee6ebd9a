import { describe, expect, it } from "vitest";
import {
  csrFromCoo,
  csrFromKnn,
  csrMatVec,
  csrRowSums,
  csrToDense,
  csrTranspose,
  knnGraph,
  laplacian,
  symmetrizeCsr,
} from "./index";

describe("CSR utilities", () => {
  it("csrFromCoo sorts columns, sums duplicates and drops zeros", () => {
    const a = csrFromCoo(3, 4, [2, 0, 0, 2, 1, 0], [1, 3, 0, 1, 2, 2], [1, 2, 3, 4, 0, 5]);
    expect(Array.from(a.indptr)).toEqual([0, 3, 3, 4]);
    expect(Array.from(a.indices)).toEqual([0, 2, 3, 1]);
    expect(Array.from(a.values)).toEqual([3, 5, 2, 5]);
    expect(() => csrFromCoo(2, 2, [2], [0], [1])).toThrow(/outside the 2x2/);
    expect(() => csrFromCoo(2, 2, [0], [0], [Number.NaN])).toThrow(/non-finite/);
  });

  it("transpose, matvec and dense agree", () => {
    const a = csrFromCoo(3, 2, [0, 1, 2, 2], [1, 0, 0, 1], [2, 3, 4, 5]);
    const t = csrTranspose(a);
    const d = csrToDense(a).data;
    const dt = csrToDense(t).data;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 2; j++) expect(dt[j * 3 + i]).toBe(d[i * 2 + j]);
    expect(Array.from(csrMatVec(a, [1, -1]))).toEqual([-2, 3, -1]);
    expect(() => csrMatVec(a, [1, 2, 3])).toThrow(/length 3/);
  });

  it("symmetrize modes", () => {
    const a = csrFromCoo(3, 3, [0, 1, 0], [1, 0, 2], [2, 4, 6]);
    const dense = (m: ReturnType<typeof symmetrizeCsr>) => Array.from(csrToDense(m).data);
    expect(dense(symmetrizeCsr(a, "mean"))).toEqual([0, 3, 3, 3, 0, 0, 3, 0, 0]);
    expect(dense(symmetrizeCsr(a, "max"))).toEqual([0, 4, 6, 4, 0, 0, 6, 0, 0]);
    expect(dense(symmetrizeCsr(a, "min"))).toEqual([0, 2, 0, 2, 0, 0, 0, 0, 0]);
    expect(dense(symmetrizeCsr(a, "sum"))).toEqual([0, 6, 6, 6, 0, 0, 6, 0, 0]);
  });

  it("kNN → symmetric adjacency → Laplacian: L·1 = 0, symmetric, PSD diagonal", () => {
    const n = 60;
    const x = {
      rows: n,
      cols: 3,
      data: new Float32Array(n * 3).map((_, i) => Math.sin(i * 1.7) + (i % 5)),
    };
    const g = knnGraph(x, { k: 4 });
    const w = symmetrizeCsr(
      csrFromKnn(g, (s) => Math.max(s, 0) + 0.1),
      "mean",
    );
    const L = laplacian(w);
    const ones = new Float64Array(n).fill(1);
    for (const v of csrMatVec(L, ones)) expect(Math.abs(v)).toBeLessThan(1e-12);
    const D = csrToDense(L).data;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) expect(D[i * n + j]).toBeCloseTo(D[j * n + i], 14);
    const deg = csrRowSums(w);
    for (let i = 0; i < n; i++) expect(D[i * n + i]).toBeCloseTo(deg[i], 14);
    // Normalised: L·D^{1/2}·1 = 0 and unit diagonal.
    const Ln = laplacian(w, { normalized: true });
    const sq = Float64Array.from(deg, Math.sqrt);
    for (const v of csrMatVec(Ln, sq)) expect(Math.abs(v)).toBeLessThan(1e-12);
    const Dn = csrToDense(Ln).data;
    for (let i = 0; i < n; i++) expect(Dn[i * n + i]).toBeCloseTo(1, 14);
  });

  it("laplacian handles self-loops and rejects negative weights", () => {
    const w = csrFromCoo(2, 2, [0, 0, 1], [0, 1, 0], [5, 1, 1]);
    expect(Array.from(csrToDense(laplacian(w)).data)).toEqual([1, -1, -1, 1]);
    expect(() => laplacian(csrFromCoo(2, 2, [0, 1], [1, 0], [-1, -1]))).toThrow(/negative weight/);
  });
});
