import { createRng, initBackend, tf } from "@cmh/tensor-core";
import { beforeAll, describe, expect, it } from "vitest";
import { columnPermutationIndices, permuteColumns } from "./permutation";

beforeAll(async () => {
  await initBackend({ log: false });
});

describe("product-of-marginals samples for the TC classifier (oracle 5)", () => {
  it("per-column permutation keeps every column's multiset but changes the rows", () => {
    const rng = createRng(11);
    const n = 50;
    const b = 6;
    const data = new Float32Array(n * b).map((_, i) => i);
    const p = tf.tensor2d(data, [n, b]);
    const q = permuteColumns(p, rng);
    const pv = p.arraySync() as number[][];
    const qv = q.arraySync() as number[][];
    for (let k = 0; k < b; k++) {
      const a = pv.map((r) => r[k]).sort((x, y) => x - y);
      const c = qv.map((r) => r[k]).sort((x, y) => x - y);
      expect(c).toEqual(a);
    }
    // columns are permuted independently: row structure is broken
    const sameRows = qv.filter((r) =>
      r.every((v, k) => Math.floor(v / b) === Math.floor(r[0] / b) && v % b === k),
    );
    expect(sameRows.length).toBeLessThan(n / 2);
    const idx = columnPermutationIndices(4, 3, createRng(1));
    expect(idx.length).toBe(12);
    tf.dispose([p, q]);
  });

  it("columnPermutationIndices: every column is a permutation of the rows, same seed same draw", () => {
    const n = 5;
    const b = 3;
    const idx = columnPermutationIndices(n, b, createRng(4));
    for (let k = 0; k < b; k++) {
      const rowsOfColumn = Array.from({ length: n }, (_, i) => idx[i * b + k]);
      expect(rowsOfColumn.every((v) => v % b === k)).toBe(true);
      expect(new Set(rowsOfColumn.map((v) => Math.floor(v / b))).size).toBe(n);
    }
    expect(Array.from(columnPermutationIndices(n, b, createRng(4)))).toEqual(Array.from(idx));
  });
});
