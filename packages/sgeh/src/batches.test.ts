import { createRng, initBackend, tf } from "@cmh/tensor-core";
import { tinySet } from "@cmh/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { disposeStepBatch, epochBatches, stepBatch } from "./batches";
import { cosineMatrix } from "./losses";

beforeAll(async () => {
  await initBackend();
});

const edges = {
  from: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 0, 2]),
  to: Int32Array.from([1, 2, 3, 9, 8, 1, 9, 3, 4, 0]),
  weight: new Float64Array(10).fill(0.1),
};
const target = { fusion: "G2", lambda3: 0.4, lambda4: 0.6, similarity: "cos" } as const;

describe("epoch batches", () => {
  it("cut a permutation of every edge into batches of t, or draw edgesPerEpoch distinct edges", () => {
    const c = { batchSize: 4, edgesPerBatch: 3, edgesPerEpoch: 0 };
    const all = epochBatches({ rows: 10, edges }, c, createRng(1));
    expect(all.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    expect(all.flatMap((b) => Array.from(b)).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    const capped = epochBatches({ rows: 10, edges }, { ...c, edgesPerEpoch: 5 }, createRng(1));
    const picked = capped.flatMap((b) => Array.from(b));
    expect(picked).toHaveLength(5);
    expect(new Set(picked).size).toBe(5);
  });
  it("without a graph, are random row batches that drop the last partial one", () => {
    const c = { batchSize: 4, edgesPerBatch: 3, edgesPerEpoch: 0 };
    const rows = epochBatches({ rows: 10 }, c, createRng(2));
    expect(rows.map((b) => b.length)).toEqual([4, 4]);
    expect(new Set(rows.flatMap((b) => Array.from(b))).size).toBe(8);
  });
});

describe("step batch", () => {
  it("one pick: its vertices' rows and a target U of n×n, no pair weights", () => {
    const set = tinySet({ n: 10 });
    const b = stepBatch(set, { rows: 10, edges }, [Uint32Array.from([0, 1])], target);
    expect(Array.from(b.rows)).toEqual([0, 1, 2]);
    expect(b.image.shape).toEqual([3, set.image.cols]);
    expect(b.text.shape).toEqual([3, set.text.cols]);
    expect(b.target.shape).toEqual([3, 3]);
    expect(b.pairWeights).toBeUndefined();
    disposeStepBatch(b);
  });
  it("K picks: vertices concatenated, U block-diagonal, pair weights 1/(K·n_k²) on the blocks", () => {
    const set = tinySet({ n: 10 });
    const before = tf.memory().numTensors;
    const picks = [Uint32Array.from([0]), Uint32Array.from([3, 6])];
    const b = stepBatch(set, { rows: 10, edges }, picks, target);
    // Edge 0 = (0, 1); edges 3, 6 = (3, 9), (6, 9): vertices 3, 9, 6.
    expect(Array.from(b.rows)).toEqual([0, 1, 3, 9, 6]);
    const single = stepBatch(set, { rows: 10, edges }, [picks[1]], target);
    const u = b.target.arraySync();
    const w = b.pairWeights?.arraySync() as number[][];
    const u1 = single.target.arraySync();
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(u[2 + i][2 + j]).toBeCloseTo(u1[i][j], 6);
    expect(u[0][3]).toBe(0);
    expect(w[0][3]).toBe(0);
    expect(w[0][1]).toBeCloseTo(1 / (2 * 4), 7);
    expect(w[2][4]).toBeCloseTo(1 / (2 * 9), 7);
    disposeStepBatch(b);
    disposeStepBatch(single);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("cosine matrix", () => {
  it("is the row-normalised inner product, symmetric with a unit diagonal for one input", () => {
    const x = tf.tensor2d([3, 4, 1, 0, 0, 2], [3, 2]);
    const y = tf.tensor2d([0, 1, -1, 0], [2, 2]);
    const c = cosineMatrix(x).arraySync();
    expect(c[0][1]).toBeCloseTo(0.6, 6);
    expect(c[1][0]).toBeCloseTo(0.6, 6);
    for (let i = 0; i < 3; i++) expect(c[i][i]).toBeCloseTo(1, 6);
    const cxy = cosineMatrix(x, y).arraySync();
    expect(cxy[0]).toEqual([expect.closeTo(0.8, 6), expect.closeTo(-0.6, 6)]);
    tf.dispose([x, y]);
  });
});
