import type { Matrix } from "@cmh/datasets";
import { createRng, initBackend, jsBlockProduct, tfBlockProduct } from "@cmh/tensor-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  correlationGraph,
  graphBlockProduct,
  isPositive,
  nearestWithSelf,
  pairPositives,
  positivesFromRows,
  sparseBlockProduct,
} from "./graph";

beforeAll(async () => {
  await initBackend({ log: false });
});

function randomMatrix(rows: number, cols: number, seed: number, scale = 1): Matrix {
  const rng = createRng(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, rng.normal() * scale);
  return { rows, cols, data };
}

function bruteDist(x: Matrix, i: number, j: number): number {
  let s = 0;
  for (let t = 0; t < x.cols; t++) {
    const d = x.data[i * x.cols + t] - x.data[j * x.cols + t];
    s += d * d;
  }
  return s;
}

describe("blockwise kNN with the Gram trick", () => {
  it("tfjs block products equal brute-force inner products (relative 1e-4)", () => {
    const a = randomMatrix(37, 23, 1, 40);
    const b = randomMatrix(29, 23, 2, 40);
    const p = tfBlockProduct(a, b);
    const q = jsBlockProduct(a, b);
    for (let i = 0; i < p.length; i++)
      expect(Math.abs(p[i] - q[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(q[i])));
  });

  it("the sparse (inverted-index) and auto block products equal the dense one", () => {
    const sparse = (rows: number, seed: number): Matrix => {
      const r = createRng(seed);
      const data = new Float32Array(rows * 200);
      for (let i = 0; i < data.length; i++) if (r.uniform() < 0.02) data[i] = 1;
      return { rows, cols: 200, data };
    };
    const a = sparse(40, 1);
    const b = sparse(33, 2);
    for (const p of [sparseBlockProduct(a, b), graphBlockProduct(a, b)]) {
      expect(Array.from(p)).toEqual(Array.from(jsBlockProduct(a, b)));
    }
    const d = randomMatrix(10, 7, 9);
    const dense = graphBlockProduct(d, d);
    const ref = jsBlockProduct(d, d);
    for (let i = 0; i < ref.length; i++)
      expect(Math.abs(dense[i] - ref[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(ref[i])));
  });

  it("finds the brute-force nearest neighbours (self first), across several blocks", () => {
    const x = randomMatrix(70, 12, 3, 50); // raw-fc7-like scale
    const k = 5;
    const nn = nearestWithSelf(x, k, { blockSize: 16, product: tfBlockProduct });
    for (let i = 0; i < x.rows; i++) {
      expect(nn[i * k]).toBe(i);
      const order = [...Array(x.rows).keys()]
        .filter((j) => j !== i)
        .map((j) => ({ j, d: bruteDist(x, i, j) }))
        .sort((u, v) => u.d - v.d || u.j - v.j);
      for (let t = 1; t < k; t++) {
        const got = nn[i * k + t];
        const want = order[t - 1];
        // Same item, or an item at the same distance (relative 1e-4).
        expect(Math.abs(bruteDist(x, i, got) - want.d)).toBeLessThanOrEqual(
          1e-4 * Math.max(1, want.d),
        );
      }
    }
  });

  it("breaks exact ties by the smaller index", () => {
    // Rows 1, 2 and 3 are identical and equidistant from row 0.
    const x: Matrix = {
      rows: 5,
      cols: 2,
      data: Float32Array.from([0, 0, 1, 0, 1, 0, 1, 0, 9, 9]),
    };
    const nn = nearestWithSelf(x, 3);
    expect(Array.from(nn.subarray(0, 3))).toEqual([0, 1, 2]);
    expect(Array.from(nn.subarray(9, 12))).toEqual([3, 1, 2]);
  });
});

describe("correlation graph (KNN_cross)", () => {
  it("has rows of 10 (5 image + 5 text), containing the row's own index, ≤ 10 distinct positives", () => {
    const image = randomMatrix(60, 16, 4, 30);
    const text = randomMatrix(60, 30, 5, 1);
    const g = correlationGraph(image, text, 5, { blockSize: 32 });
    expect(g.cross.length).toBe(60 * 10);
    for (let i = 0; i < 60; i++) {
      const row = Array.from(g.cross.subarray(i * 10, i * 10 + 10));
      expect(row[0]).toBe(i);
      expect(row[5]).toBe(i);
      const nPos = g.positives.offsets[i + 1] - g.positives.offsets[i];
      expect(nPos).toBeGreaterThanOrEqual(1);
      expect(nPos).toBeLessThanOrEqual(10);
      expect(nPos).toBe(new Set(row).size);
      for (const j of row) expect(isPositive(g.positives, i, j)).toBe(true);
    }
    // The image half comes from image distances only.
    expect(Array.from(g.cross.subarray(0, 5))).toEqual(
      Array.from(nearestWithSelf(image, 5)).slice(0, 5),
    );
  });

  it("pair positives hold only the item itself", () => {
    const p = pairPositives(4);
    for (let i = 0; i < 4; i++) {
      expect(isPositive(p, i, i)).toBe(true);
      expect(isPositive(p, i, (i + 1) % 4)).toBe(false);
    }
    const q = positivesFromRows(Int32Array.from([2, 0, 2, 1, 1, 1]), 2, 3);
    expect(Array.from(q.items)).toEqual([0, 2, 1]);
    expect(Array.from(q.offsets)).toEqual([0, 2, 3]);
  });

  it("rejects mismatched modalities", () => {
    expect(() => correlationGraph(randomMatrix(5, 3, 1), randomMatrix(6, 3, 2), 2)).toThrow(/rows/);
  });
});
