import { describe, expect, it } from "vitest";
import { type BlockProduct, jsBlockProduct, knnGraph, pairwiseCosine } from "./index";
import { gaussianSource } from "./random";

function data(
  n: number,
  d: number,
  seed: number,
): { rows: number; cols: number; data: Float32Array } {
  const g = gaussianSource(seed);
  return { rows: n, cols: d, data: new Float32Array(n * d).map(() => g()) };
}

type M = { rows: number; cols: number; data: Float32Array };

function bruteKnn(x: M, k: number, metric: string, includeSelf: boolean) {
  const n = x.rows;
  const d = x.cols;
  const out: { idx: number[]; val: number[] }[] = [];
  for (let i = 0; i < n; i++) {
    const cand: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      if (j === i && !includeSelf) continue;
      let dotp = 0;
      let ni = 0;
      let nj = 0;
      let d2 = 0;
      for (let t = 0; t < d; t++) {
        const a = x.data[i * d + t];
        const b = x.data[j * d + t];
        dotp += a * b;
        ni += a * a;
        nj += b * b;
        d2 += (a - b) * (a - b);
      }
      const score = metric === "cosine" ? dotp / Math.sqrt(ni * nj) : -d2;
      cand.push([score, j]);
    }
    cand.sort((u, v) => (u[0] !== v[0] ? v[0] - u[0] : u[1] - v[1]));
    const top = cand.slice(0, k);
    out.push({
      idx: top.map((c) => c[1]),
      val: top.map((c) =>
        metric === "cosine" ? c[0] : metric === "euclidean" ? Math.sqrt(-c[0]) : -c[0],
      ),
    });
  }
  return out;
}

describe("pairwiseCosine", () => {
  it("matches direct cosine and handles zero rows", () => {
    const a = data(7, 5, 1);
    a.data.fill(0, 10, 15); // row 2 zero
    const b = data(4, 5, 2);
    const c = pairwiseCosine(a, b);
    for (let i = 0; i < 7; i++)
      for (let j = 0; j < 4; j++) {
        let dotp = 0;
        let na = 0;
        let nb = 0;
        for (let t = 0; t < 5; t++) {
          dotp += a.data[i * 5 + t] * b.data[j * 5 + t];
          na += a.data[i * 5 + t] ** 2;
          nb += b.data[j * 5 + t] ** 2;
        }
        const ref = na === 0 ? 0 : dotp / Math.sqrt(na * nb);
        expect(c.data[i * 4 + j]).toBeCloseTo(ref, 10);
      }
    const self = pairwiseCosine(b);
    for (let i = 0; i < 4; i++) expect(self.data[i * 4 + i]).toBeCloseTo(1, 12);
  });
});

describe("knnGraph", () => {
  it("matches brute force for every metric, with and without self, across block boundaries", () => {
    const x = data(203, 9, 5);
    for (const metric of ["cosine", "euclidean", "sqeuclidean"] as const) {
      for (const includeSelf of [false, true]) {
        const k = 7;
        const g = knnGraph(x, { k, metric, includeSelf, blockSize: 50 });
        const ref = bruteKnn(x, k, metric, includeSelf);
        expect(g.indices.length).toBe(203 * k);
        for (let i = 0; i < 203; i++) {
          expect(Array.from(g.indices.subarray(i * k, i * k + k))).toEqual(ref[i].idx);
          for (let t = 0; t < k; t++) expect(g.values[i * k + t]).toBeCloseTo(ref[i].val[t], 4);
        }
        if (includeSelf) for (let i = 0; i < 203; i++) expect(g.indices[i * k]).toBe(i);
      }
    }
  });

  it("breaks ties by smaller index (duplicate rows)", () => {
    const x = { rows: 6, cols: 2, data: Float32Array.of(1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0) };
    const g = knnGraph(x, { k: 3, blockSize: 2 });
    expect(Array.from(g.indices.subarray(0, 3))).toEqual([1, 2, 5]);
    expect(Array.from(g.indices.subarray(5 * 3, 6 * 3))).toEqual([0, 1, 2]);
    expect(Array.from(g.indices.subarray(3 * 3, 3 * 3 + 1))).toEqual([4]);
  });

  it("uses a pluggable block product and reports progress", () => {
    const x = data(100, 4, 8);
    let calls = 0;
    const product: BlockProduct = (a, b) => {
      calls++;
      return Float32Array.from(jsBlockProduct(a, b));
    };
    const seen: number[] = [];
    const g = knnGraph(x, { k: 5, product, blockSize: 30, onProgress: (d, t) => seen.push(d / t) });
    expect(calls).toBe(10); // 4 blocks → 4·5/2 block pairs
    expect(seen[seen.length - 1]).toBe(1);
    const ref = knnGraph(x, { k: 5 });
    expect(Array.from(g.indices)).toEqual(Array.from(ref.indices));
  });

  it("rejects bad k, bad metric, NaN input, a wrong-size product; stops on abort", () => {
    const x = data(10, 3, 1);
    expect(() => knnGraph(x, { k: 10 })).toThrow(/k must be/);
    expect(() => knnGraph(x, { k: 10, includeSelf: true })).not.toThrow();
    // biome-ignore lint/suspicious/noExplicitAny: testing a runtime check
    expect(() => knnGraph(x, { k: 2, metric: "manhattan" as any })).toThrow(/metric/);
    const bad = data(10, 3, 1);
    bad.data[4] = Number.NaN;
    expect(() => knnGraph(bad, { k: 2 })).toThrow(/row 1, col 1/);
    expect(() => knnGraph(x, { k: 2, product: () => new Float32Array(3) })).toThrow(
      /block product returned 3/,
    );
    const ac = new AbortController();
    ac.abort(new Error("stop now"));
    expect(() => knnGraph(x, { k: 2, signal: ac.signal })).toThrow(/stop now/);
  });
});
