import { createRng, initBackend } from "@cmh/tensor-core";
import { tinySet } from "@cmh/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { correlationGraph, isPositive, positivesFromRows } from "./graph";
import {
  drawCandidates,
  generatorTriplets,
  pairTriplets,
  sampleSoftmax,
  shuffledPositives,
} from "./sampling";

beforeAll(async () => {
  await initBackend({ log: false });
});

describe("draws", () => {
  it("samples from the softmax and never draws −Infinity entries", () => {
    const rng = createRng(3);
    const logits = [0, Math.log(3), Number.NEGATIVE_INFINITY, 0];
    const counts = [0, 0, 0, 0];
    for (const s of sampleSoftmax(logits, 20000, rng)) counts[s]++;
    expect(counts[2]).toBe(0);
    expect(counts[1] / 20000).toBeCloseTo(0.6, 1);
    expect(counts[0] / 20000).toBeCloseTo(0.2, 1);
    expect(() => sampleSoftmax([Number.NEGATIVE_INFINITY], 1, rng)).toThrow(/no candidate/);
  });

  it("candidate sets: `sets` blocks of distinct items in [0, n), the rng's choice draws in order", () => {
    const c = drawCandidates(50, 8, 3, createRng(4));
    expect(c.length).toBe(24);
    const rng = createRng(4);
    for (let r = 0; r < 3; r++) {
      const block = c.subarray(r * 8, (r + 1) * 8);
      expect(new Set(block).size).toBe(8);
      for (const x of block) expect(x >= 0 && x < 50).toBe(true);
      expect([...block]).toEqual([...rng.choice(50, 8)]);
    }
  });

  it("shuffled positives: a fresh permutation of the query's positives", () => {
    const p = positivesFromRows(Int32Array.from([0, 3, 5, 7, 1, 1, 2, 4]), 2, 4);
    const s = shuffledPositives(p, 0, createRng(5));
    expect([...s].sort((a, b) => a - b)).toEqual([0, 3, 5, 7]);
    expect([...shuffledPositives(p, 1, createRng(5))].sort((a, b) => a - b)).toEqual([1, 2, 4]);
    s[0] = 99;
    expect([...p.items.subarray(0, 4)]).toEqual([0, 3, 5, 7]);
  });
});

describe("training data for D", () => {
  it("pre-training triplets: own pair positive, a random non-pair negative", () => {
    const t = pairTriplets(50, 2, createRng(1));
    expect(t.query.length).toBe(100);
    for (let r = 0; r < 100; r++) {
      expect(t.pos[r]).toBe(t.query[r]);
      expect(t.neg[r]).not.toBe(t.query[r]);
    }
  });

  it("generator triplets: negatives are never graph positives; positives always are", () => {
    const data = tinySet({ n: 80 });
    const g = correlationGraph(data.image, data.text, 5);
    const rng = createRng(2);
    const hq = new Float32Array(80 * 8).map(() => rng.uniform());
    const hx = new Float32Array(80 * 8).map(() => rng.uniform());
    const t = generatorTriplets(hq, hx, g.positives, 8, 16, 2, rng);
    expect(t.query.length).toBe(160);
    for (let r = 0; r < t.query.length; r++) {
      expect(isPositive(g.positives, t.query[r], t.pos[r])).toBe(true);
      expect(isPositive(g.positives, t.query[r], t.neg[r])).toBe(false);
    }
  });

  it("the generator prefers candidates close to the query in its relaxed space", () => {
    // Item q+1 (mod n) has the query's relaxed code; every other item is far: it should dominate.
    const n = 40;
    const rng = createRng(3);
    const hq = new Float32Array(n * n);
    const hx = new Float32Array(n * n);
    for (let q = 0; q < n; q++) {
      hq[q * n + q] = 3;
      hx[((q + 1) % n) * n + q] = 3;
    }
    const positives = {
      n,
      offsets: Int32Array.from({ length: n + 1 }, (_, i) => i),
      items: Int32Array.from({ length: n }, (_, i) => i),
    };
    const t = generatorTriplets(hq, hx, positives, n, n, 1, rng);
    let hits = 0;
    for (let r = 0; r < t.query.length; r++) if (t.neg[r] === (t.query[r] + 1) % n) hits++;
    expect(hits / t.query.length).toBeGreaterThan(0.9);
  });
});
