import type { Matrix } from "@cmh/datasets";
import {
  autoBlockProduct,
  createRng,
  csrFromCoo,
  csrMatVec,
  csrToDense,
  initBackend,
  jsBlockProduct,
  projectSimplex,
  symmetricEigen,
  tf,
} from "@cmh/tensor-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  countComponents,
  edgeLookup,
  edgesOf,
  lambdaRule,
  solveGraph,
  sRow,
  viewNeighbours,
  viewWeight,
  zLaplacian,
  zscoreRows,
} from "./graph";

/** GMC's Newton solver for the simplex projection (gmc/funs/SloutionToP19.m / EProjSimplex_new). */
function newtonSimplex(v: number[]): number[] {
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const v0 = v.map((x) => x - mean + 1 / n);
  if (Math.min(...v0) >= 0) return v0;
  let lambdaM = 0;
  for (let it = 0; it < 100; it++) {
    const v1 = v0.map((x) => x - lambdaM);
    const npos = v1.filter((x) => x > 0).length;
    const g = -npos;
    const f = v1.reduce((a, x) => a + Math.max(x, 0), 0) - 1;
    lambdaM -= f / g;
    if (Math.abs(f) < 1e-10) break;
  }
  return v0.map((x) => Math.max(x - lambdaM, 0));
}

function blobs(n: number, d: number, seed: number, sep: number): { x: Matrix; label: number[] } {
  const rng = createRng(seed);
  const data = new Float32Array(2 * n * d);
  const label: number[] = [];
  const centre = [
    Array.from({ length: d }, () => rng.normal()),
    Array.from({ length: d }, () => rng.normal()),
  ];
  for (let i = 0; i < 2 * n; i++) {
    const b = i % 2;
    label.push(b);
    for (let j = 0; j < d; j++) data[i * d + j] = sep * centre[b][j] + rng.normal() * 0.3;
  }
  return { x: { rows: 2 * n, cols: d, data }, label };
}

describe("CLR graphs (oracle 1, 2)", () => {
  const dist = [0.5, 1, 1.5, 2.5, 4];
  it("Eq. 4 row: p non-zeros, positive, sums to 1, non-increasing, (p+1)-th gets 0", () => {
    const s = sRow(dist, null, 0, new Float64Array(5));
    expect(s[4]).toBe(0);
    let sum = 0;
    for (let t = 0; t < 4; t++) {
      expect(s[t]).toBeGreaterThan(0);
      if (t > 0) expect(s[t]).toBeLessThanOrEqual(s[t - 1]);
      sum += s[t];
    }
    expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
  });
  it("Eq. 18 with w = 0 equals Eq. 4; unclipped values over p neighbours sum to 1", () => {
    const z = [0.3, 0, 0.5, 0.1, 0.1];
    const a = sRow(dist, null, 0, new Float64Array(5));
    const b = sRow(dist, z, 0, new Float64Array(5));
    expect(Array.from(b)).toEqual(Array.from(a));
    const u = sRow(dist, z, 3.7, new Float64Array(5), false);
    expect(Math.abs(u[0] + u[1] + u[2] + u[3] - 1)).toBeLessThan(1e-12);
    expect(u[4]).toBe(0);
  });
  it("neighbour lists exclude self and are sorted by exact distance", () => {
    const { x } = blobs(20, 6, 3, 2);
    const nb = viewNeighbours(zscoreRows(x), 4, { product: jsBlockProduct });
    for (let i = 0; i < x.rows; i++) {
      for (let t = 0; t < nb.k; t++) {
        expect(nb.indices[i * nb.k + t]).not.toBe(i);
        if (t > 0) expect(nb.dist[i * nb.k + t]).toBeGreaterThanOrEqual(nb.dist[i * nb.k + t - 1]);
      }
    }
  });
  it("z-scores each row", () => {
    const z = zscoreRows({ rows: 1, cols: 4, data: new Float32Array([1, 2, 3, 4]) });
    const mean = z.data.reduce((a, b) => a + b, 0) / 4;
    expect(Math.abs(mean)).toBeLessThan(1e-12);
  });
});

describe("simplex projection (oracle 3)", () => {
  it("matches the fixed examples", () => {
    expect(Array.from(projectSimplex([0.5, 0.5, -1]))).toEqual([0.5, 0.5, 0]);
    expect(Array.from(projectSimplex([2, 0]))).toEqual([1, 0]);
  });
  it("is non-negative, sums to 1, shift-invariant, fixes simplex points, agrees with Newton", () => {
    const rng = createRng(5);
    for (let trial = 0; trial < 50; trial++) {
      const v = Array.from({ length: 7 }, () => rng.normal() * 2);
      const a = projectSimplex(v);
      expect(Math.abs(Array.from(a).reduce((s, x) => s + x, 0) - 1)).toBeLessThan(1e-12);
      for (const x of a) expect(x).toBeGreaterThanOrEqual(0);
      const b = projectSimplex(v.map((x) => x + 3.25));
      for (let i = 0; i < 7; i++) expect(b[i]).toBeCloseTo(a[i], 12);
      const c = projectSimplex(Array.from(a));
      for (let i = 0; i < 7; i++) expect(c[i]).toBeCloseTo(a[i], 12);
      const nw = newtonSimplex(v);
      for (let i = 0; i < 7; i++) expect(Math.abs(nw[i] - a[i])).toBeLessThan(1e-9);
    }
  });
});

describe("w-step and Laplacian (oracle 4, 5)", () => {
  it("w = 1/(2‖Z − S‖_F), equal views get equal weights", () => {
    expect(viewWeight(2)).toBe(0.25);
    expect(viewWeight(0.5)).toBe(viewWeight(0.5));
    expect(Number.isFinite(viewWeight(0))).toBe(true);
  });
  it("L·1 = 0, symmetric, spectrum in [0, 2 max deg]; c blocks give c zero eigenvalues", () => {
    // Row-stochastic Z with 3 blocks of sizes 3, 4, 2 (directed, not symmetric).
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    const blocks = [
      [0, 1, 2],
      [3, 4, 5, 6],
      [7, 8],
    ];
    const rng = createRng(2);
    for (const b of blocks) {
      for (const i of b) {
        const others = b.filter((j) => j !== i);
        const w = others.map(() => rng.uniform() + 0.1);
        const s = w.reduce((a, x) => a + x, 0);
        others.forEach((j, t) => {
          rows.push(i);
          cols.push(j);
          vals.push(w[t] / s);
        });
      }
    }
    const z = csrFromCoo(9, 9, rows, cols, vals);
    const L = zLaplacian(z);
    const y = csrMatVec(L, new Float64Array(9).fill(1));
    for (const v of y) expect(Math.abs(v)).toBeLessThan(1e-12);
    const dense = csrToDense(L);
    for (let i = 0; i < 9; i++)
      for (let j = 0; j < 9; j++)
        expect(dense.data[i * 9 + j]).toBeCloseTo(dense.data[j * 9 + i], 14);
    const ev = symmetricEigen(dense).values;
    let maxDeg = 0;
    for (let i = 0; i < 9; i++) maxDeg = Math.max(maxDeg, dense.data[i * 9 + i]);
    for (const e of ev) {
      expect(e).toBeGreaterThan(-1e-12);
      expect(e).toBeLessThanOrEqual(2 * maxDeg + 1e-12);
    }
    expect(Array.from(ev).filter((e) => Math.abs(e) < 1e-10).length).toBe(3);
    expect(countComponents(zLaplacian(z))).toBeGreaterThan(0);
  });
});

describe("GMC solver (oracle 6)", () => {
  it("ends with Z having 2 components that match two separated blobs in both views", () => {
    const a = blobs(40, 8, 11, 3);
    const b = blobs(40, 5, 12, 3);
    // Pair the views: row i of both has the same blob (labels alternate in both).
    const g = solveGraph([a.x, b.x], { p: 6, c: 2, iterations: 20, product: jsBlockProduct });
    expect(g.components).toBe(2);
    expect(g.converged).toBe(true);
    const e = edgesOf(g.z);
    expect(e.from.length).toBeGreaterThan(0);
    for (let t = 0; t < e.from.length; t++) expect(a.label[e.from[t]]).toBe(a.label[e.to[t]]);
    // Rows of Z sum to 1 and are non-negative.
    for (let i = 0; i < g.m; i++) {
      let s = 0;
      for (let q = g.z.indptr[i]; q < g.z.indptr[i + 1]; q++) {
        expect(g.z.values[q]).toBeGreaterThanOrEqual(0);
        s += g.z.values[q];
      }
      expect(s).toBeCloseTo(1, 10);
    }
    // Z is sparse: at most 2(p+1) entries per row.
    for (let i = 0; i < g.m; i++) expect(g.z.indptr[i + 1] - g.z.indptr[i]).toBeLessThanOrEqual(14);
  });
  it("rejects p too large for the set", () => {
    const a = blobs(3, 4, 1, 1);
    expect(() => solveGraph([a.x, a.x], { p: 10, c: 2, iterations: 1 })).toThrow(/p must be/);
  });
});

describe("kNN block product by width", () => {
  beforeAll(async () => {
    await initBackend();
  });
  it("auto uses tf matMul on a compiled backend, with the JS kernel's products and neighbours", () => {
    for (const cols of [64, 2048]) {
      const x = blobs(12, cols, 5, 1).x;
      const a = { rows: 8, cols, data: x.data.subarray(0, 8 * cols) };
      const got = autoBlockProduct(a, x);
      const ref = jsBlockProduct(a, x);
      expect(got instanceof Float32Array).toBe(tf.getBackend() !== "cpu");
      let maxRel = 0;
      for (let i = 0; i < ref.length; i++)
        maxRel = Math.max(maxRel, Math.abs(got[i] - ref[i]) / (Math.abs(ref[i]) + 1));
      expect(maxRel).toBeLessThan(1e-4);
      const z = zscoreRows(x);
      const nAuto = viewNeighbours(z, 4, { product: autoBlockProduct, blockSize: 7 });
      const nJs = viewNeighbours(z, 4, { product: jsBlockProduct, blockSize: 7 });
      expect(Array.from(nAuto.indices)).toEqual(Array.from(nJs.indices));
    }
  });
});

describe("GMC λ rule and edge lookup", () => {
  it("grows λ below c zero eigenvalues, shrinks it above, stops at exactly c", () => {
    expect(lambdaRule([0, 0.3, 0.5, 0.9], 2, 1e-10)).toBe("grow");
    expect(lambdaRule([0, 0, 0, 0.9], 2, 1e-10)).toBe("shrink");
    expect(lambdaRule([0, 1e-12, 0.5, 0.9], 2, 1e-10)).toBe("stop");
  });
  it("edgeLookup finds exactly the stored entries of a CSR graph", () => {
    const z = csrFromCoo(
      3,
      3,
      Int32Array.from([0, 1, 2]),
      Int32Array.from([1, 2, 0]),
      Float64Array.from([0.5, 1, 1]),
    );
    const has = edgeLookup(z);
    expect([has(0, 1), has(1, 2), has(2, 0)]).toEqual([true, true, true]);
    expect([has(1, 0), has(0, 2), has(0, 0)]).toEqual([false, false, false]);
  });
});
