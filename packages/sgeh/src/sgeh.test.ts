import { applySplit, type LabelMatrix, synthetic } from "@cmh/datasets";
import { packCodes } from "@cmh/hamming-index";
import { meanAveragePrecision } from "@cmh/metrics";
import {
  ConfigError,
  createRng,
  initBackend,
  scaledTanh,
  sqrtSlope,
  tf,
  validatePresets,
} from "@cmh/tensor-core";
import { describeHasherConformance, describeOnBackends, tinySet } from "@cmh/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { bernoulliPm1, blockTargets, edgeBatch } from "./batches";
import { actorLoss, batchTarget, criticLoss, reconstructionLoss } from "./losses";
import { SGEH } from "./sgeh";

const TINY = {
  epochs: 3,
  hidden: 32,
  discHidden: 16,
  neighbours: 5,
  clusters: 3,
  bits: 16,
  edgesPerEpoch: 64,
};

describeHasherConformance(SGEH, { config: TINY });

beforeAll(async () => {
  await initBackend();
});

describe("batch and target (oracle 7)", () => {
  const edges = {
    from: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 0, 2]),
    to: Int32Array.from([1, 2, 3, 9, 8, 1, 9, 3, 4, 0]),
    weight: new Float64Array(10).fill(0.1),
  };
  it("A is symmetric, ±1, diagonal +1; n ≤ 2t; U (G2) symmetric in [−1, 1]", () => {
    const rng = createRng(1);
    for (let trial = 0; trial < 10; trial++) {
      const picks = rng.choice(10, 8);
      const b = edgeBatch(edges, picks);
      const n = b.vertices.length;
      expect(n).toBeLessThanOrEqual(16);
      expect(new Set(b.vertices).size).toBe(n);
      for (let i = 0; i < n; i++) {
        expect(b.adjacency[i * n + i]).toBe(1);
        for (let j = 0; j < n; j++) {
          expect([-1, 1]).toContain(b.adjacency[i * n + j]);
          expect(b.adjacency[i * n + j]).toBe(b.adjacency[j * n + i]);
        }
      }
      // Each sampled edge is +1.
      const pos = new Map(Array.from(b.vertices, (v, i) => [v, i]));
      for (const e of picks) {
        const i = pos.get(edges.from[e]) as number;
        const j = pos.get(edges.to[e]) as number;
        expect(b.adjacency[i * n + j]).toBe(1);
      }
      const xi = tf.randomNormal([n, 6], 0, 1, "float32", trial) as tf.Tensor2D;
      const xt = tf.randomNormal([n, 9], 0, 1, "float32", trial + 100) as tf.Tensor2D;
      const a = tf.tensor2d(b.adjacency, [n, n]);
      const u = batchTarget(xi, xt, a, {
        fusion: "G2",
        lambda3: 0.4,
        lambda4: 0.6,
        similarity: "cos",
      });
      const ud = u.arraySync();
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          expect(ud[i][j]).toBeCloseTo(ud[j][i], 5);
          expect(Math.abs(ud[i][j])).toBeLessThanOrEqual(1 + 1e-5);
        }
      tf.dispose([xi, xt, a, u]);
    }
  });
  it("G1, A and S fusions follow their formulas", () => {
    const xi = tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]);
    const xt = tf.tensor2d([1, 0, 1, 0, 0, 1], [3, 2]);
    const a = tf.tensor2d([1, 1, -1, 1, 1, -1, -1, -1, 1], [3, 3]);
    const o = { lambda3: 0.4, lambda4: 0.6, similarity: "cos" as const };
    const uA = batchTarget(xi, xt, a, { ...o, fusion: "A" }).arraySync();
    expect(uA[0][2]).toBe(-1);
    const uS = batchTarget(xi, xt, a, { ...o, fusion: "S" }).arraySync();
    // S̄(0,1) = 0.6·cos([1,0],[0,1]) + 0.4·cos([1,0],[1,0]) = 0.4
    expect(uS[0][1]).toBeCloseTo(0.4, 5);
    const u1 = batchTarget(xi, xt, a, { ...o, fusion: "G1" }).arraySync();
    expect(u1[0][1]).toBeCloseTo(0.6 * 0.4 + 0.4 * 1, 5);
    tf.dispose([xi, xt, a]);
  });
});

describe("code layer (oracle 8)", () => {
  it("β(e) = √(e+1) and tanh(β·y) tends to sign(y)", () => {
    const s = sqrtSlope();
    expect(s(0)).toBe(1);
    expect(s(3)).toBe(2);
    expect(s(8)).toBe(3);
    const y = tf.tensor1d([-0.5, 0.2, 0.01]);
    const b = scaledTanh(y, 1000).dataSync();
    expect(Array.from(b).map((v) => Math.round(v))).toEqual([-1, 1, 1]);
    y.dispose();
  });
});

describeOnBackends("losses (oracle 9, 10)", () => {
  it("L^B ≥ 0, equal terms when B^I = B^T, invariant to positive row scaling", () => {
    const b = tf.randomNormal([6, 8], 0, 1, "float32", 3) as tf.Tensor2D;
    const u = tf.randomUniform([6, 6], -1, 1, "float32", 4) as tf.Tensor2D;
    const w = { ii: 0.1, tt: 0.1, it: 1 };
    const r = reconstructionLoss(b, b, u, 1.5, w);
    expect(r.total.dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(r.ii.dataSync()[0]).toBeCloseTo(r.tt.dataSync()[0], 6);
    expect(r.ii.dataSync()[0]).toBeCloseTo(r.it.dataSync()[0], 6);
    const scale = tf.tensor2d([1, 2, 0.5, 3, 7, 0.1], [6, 1]);
    const b2 = tf.mul(b, scale) as tf.Tensor2D;
    const r2 = reconstructionLoss(b2, b, u, 1.5, w);
    expect(r2.total.dataSync()[0]).toBeCloseTo(r.total.dataSync()[0], 5);
    tf.dispose([b, u, scale, b2, r.total, r.ii, r.tt, r.it, r2.total, r2.ii, r2.tt, r2.it]);
  });
  it("block-diagonal pair weights make one loss the mean of K batches' losses", () => {
    const sizes = [3, 5, 2];
    const w = { ii: 0.1, tt: 0.1, it: 1 };
    const parts = sizes.map((n, k) => ({
      bi: tf.randomNormal([n, 8], 0, 1, "float32", 10 + k) as tf.Tensor2D,
      bt: tf.randomNormal([n, 8], 0, 1, "float32", 20 + k) as tf.Tensor2D,
      u: tf.randomUniform([n, n], -1, 1, "float32", 30 + k) as tf.Tensor2D,
    }));
    let mean = 0;
    for (const p of parts)
      mean += reconstructionLoss(p.bi, p.bt, p.u, 1.5, w).total.dataSync()[0] / sizes.length;
    const stacked = blockTargets(
      parts.map((p) => p.u.dataSync() as Float32Array),
      sizes,
    );
    expect(stacked.n).toBe(10);
    const bi = tf.concat(parts.map((p) => p.bi)) as tf.Tensor2D;
    const bt = tf.concat(parts.map((p) => p.bt)) as tf.Tensor2D;
    const u = tf.tensor2d(stacked.target, [10, 10]);
    const pw = tf.tensor2d(stacked.weights, [10, 10]);
    const r = reconstructionLoss(bi, bt, u, 1.5, w, pw);
    expect(r.total.dataSync()[0]).toBeCloseTo(mean, 5);
    // Off-block pairs carry no weight.
    expect(stacked.weights[0 * 10 + 3]).toBe(0);
    expect(stacked.weights[0 * 10 + 0]).toBeCloseTo(1 / (3 * 9), 7);
    tf.dispose([bi, bt, u, pw, ...parts.flatMap((p) => [p.bi, p.bt, p.u])]);
  });
  it("critic loss is 2·log 2 when d ≡ ½; actor terms have the TBH sign", () => {
    const zero = tf.zeros([5, 1]);
    expect(criticLoss(zero, [zero, zero]).dataSync()[0]).toBeCloseTo(2 * Math.log(2), 6);
    // Codes the critic thinks are real (large logit) cost the encoder less.
    const fooled = tf.fill([5, 1], 4);
    const caught = tf.fill([5, 1], -4);
    for (const form of ["nonsaturating", "saturating"] as const) {
      expect(actorLoss([fooled], form).dataSync()[0]).toBeLessThan(
        actorLoss([caught], form).dataSync()[0],
      );
    }
    tf.dispose([zero, fooled, caught]);
  });
  it("real samples are ±1 with bit means within ±0.05 of 0 over 10⁴ draws", () => {
    const bits = 32;
    const y = bernoulliPm1(10000, bits, createRng(9));
    const mean = new Float64Array(bits);
    let notPm1 = 0;
    for (let i = 0; i < y.length; i++) {
      if (Math.abs(y[i]) !== 1) notPm1++;
      mean[i % bits] += y[i] / 10000;
    }
    expect(notPm1).toBe(0);
    for (const m of mean) expect(Math.abs(m)).toBeLessThan(0.05);
  });
});

describeOnBackends("SGEH fit", () => {
  const data = synthetic({
    seed: 3,
    nTrain: 400,
    nQuery: 100,
    nDatabase: 400,
    imageDim: 64,
    textDim: 96,
    labelProbabilities: [0.3, 0.25, 0.2, 0.15, 0.1],
    topicWords: 10,
  });
  const { train, query, database } = applySplit(data.set, data.split);
  const mapOf = (h: SGEH) =>
    meanAveragePrecision({
      query: h.encode("image", query.image),
      database: h.encode("text", database.text),
      queryLabels: query.labels as LabelMatrix,
      databaseLabels: database.labels as LabelMatrix,
    });
  it("lowers L^B and beats random codes; reports the graph; no tensor leak", async () => {
    const h = new SGEH({
      epochs: 6,
      hidden: 128,
      discHidden: 32,
      bits: 16,
      neighbours: 10,
      edgesPerEpoch: 320,
    });
    const before = tf.memory().numTensors;
    const report = await h.fit(train);
    // Only the two nets' weights (4 tensors each) remain.
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(8);
    const first = report.history[0].recon;
    expect(report.history.at(-1)?.recon).toBeLessThan(first);
    const g = h.graphReport;
    expect(g?.edges).toBeGreaterThan(0);
    expect(g?.m).toBe(train.image.rows);
    const rng = createRng(4);
    const randomCodes = (n: number) =>
      packCodes(
        Float32Array.from({ length: n * 16 }, () => (rng.uniform() < 0.5 ? -1 : 1)),
        n,
        16,
        { from: "pm1" },
      );
    const mapRnd = meanAveragePrecision({
      query: randomCodes(query.image.rows),
      database: randomCodes(database.text.rows),
      queryLabels: query.labels as LabelMatrix,
      databaseLabels: database.labels as LabelMatrix,
    });
    expect(mapOf(h)).toBeGreaterThan(mapRnd + 0.02);
    h.dispose();
  }, 60_000);

  it("ignores labels (identical codes with and without)", async () => {
    const t = tinySet();
    const a = new SGEH(TINY);
    const b = new SGEH(TINY);
    await a.fit(t);
    await b.fit({ name: t.name, image: t.image, text: t.text });
    expect(Array.from(a.encode("text", t.text).words)).toEqual(
      Array.from(b.encode("text", t.text).words),
    );
    a.dispose();
    b.dispose();
  });

  it('optimizer "adam" and batchesPerStep > 1 train, lower L^B and differ from the SGD default', async () => {
    expect(SGEH.defaults.optimizer).toBe("sgd");
    expect(SGEH.defaults.batchesPerStep).toBe(1);
    const set = tinySet();
    const codes: number[][] = [];
    for (const extra of [
      {},
      { optimizer: "adam" as const, lrImage: 1e-3, lrText: 1e-3 },
      { optimizer: "adam" as const, lrImage: 1e-3, lrText: 1e-3, batchesPerStep: 4 },
    ]) {
      const before = tf.memory().numTensors;
      const h = new SGEH({ ...TINY, epochs: 4, ...extra });
      const r = await h.fit(set);
      expect(tf.memory().numTensors - before).toBeLessThanOrEqual(8);
      expect(r.history.at(-1)?.recon).toBeLessThan(r.history[0].recon as number);
      codes.push(Array.from(h.encode("image", set.image).words));
      h.dispose();
    }
    expect(codes[1]).not.toEqual(codes[0]);
    expect(codes[2]).not.toEqual(codes[1]);
    expect(() => new SGEH({ optimizer: "rmsprop" as never })).toThrow(/optimizer must be one of/);
    expect(() => new SGEH({ batchesPerStep: 0 })).toThrow(/batchesPerStep must be an integer/);
  }, 60_000);

  it("rejects bad configs with clear messages", () => {
    expect(() => new SGEH({ epochs: 1.5 })).toThrow(/epochs must be an integer/);
    expect(() => new SGEH({ fusion: "G3" as never })).toThrow(/fusion must be one of/);
    expect(() => new SGEH({ sampling: "random", fusion: "G2" })).toThrow(/needs the graph/);
    expect(() => new SGEH({ lambda3: 2 })).toThrow(/lambda3 must be a number in \[0, 1\], got 2/);
    expect(() => new SGEH({ bits: 4 })).toThrow(/bits/);
    // One error class, from the schema: key, value and expectation; unknown keys refused.
    expect(() => new SGEH({ edgesPerBatch: 0 })).toThrow(ConfigError);
    expect(() => new SGEH({ edgesPerBatch: 0 })).toThrow(
      "SGEH: config.edgesPerBatch must be an integer >= 1, got 0",
    );
    expect(() => new SGEH({ dropout: 1 })).toThrow(/dropout must be a number in \[0, 1\), got 1/);
    expect(() => new SGEH({ neighbors: 5 } as never)).toThrow(/unknown config key "neighbors"/);
    expect(() => validatePresets("SGEH", SGEH.schema, SGEH.presets)).not.toThrow();
  });

  it("refuses p too large for the training set", async () => {
    const t = tinySet({ n: 20 });
    const h = new SGEH({ ...TINY, neighbours: 30 });
    await expect(h.fit(t)).rejects.toThrow(
      /SGEH.fit needs at least 32 training pairs \(config.neighbours = 30: .*\), got 20/,
    );
    const c = new SGEH({ ...TINY, neighbours: 2, clusters: 20 });
    await expect(c.fit(t)).rejects.toThrow(
      /needs at least 21 training pairs \(config.clusters = 20/,
    );
  });

  it("presets are named for what they are", () => {
    expect(Object.keys(SGEH.presets).sort()).toEqual(
      ["djsrh", "paper", "paper-small", "quick", "sgeh-1", "sgeh-2", "sgeh-3", "sgeh-4"].sort(),
    );
    // paper-small keeps the paper's training recipe and only shrinks the budget.
    const small = { ...SGEH.defaults, ...SGEH.presets["paper-small"] };
    expect(small.optimizer).toBe("sgd");
    expect(small.batchesPerStep).toBe(1);
    expect(small.batchAdjacency).toBe("sampled");
    expect(small.epochs).toBeLessThan(SGEH.defaults.epochs);
  });

  it("presets are valid configs; the DJSRH preset trains without a graph", async () => {
    for (const p of Object.values(SGEH.presets)) expect(() => new SGEH(p)).not.toThrow();
    const h = new SGEH({ ...SGEH.presets.djsrh, ...TINY, epochs: 2 });
    const r = await h.fit(tinySet());
    expect(h.graphReport).toBeUndefined();
    expect(r.epochs).toBe(2);
    h.dispose();
  });

  it("the Table 2 ablation presets SGEH-1..4 build the graph and train an epoch", async () => {
    const set = tinySet();
    for (const name of ["sgeh-1", "sgeh-2", "sgeh-3", "sgeh-4"] as const) {
      const h = new SGEH({ ...SGEH.presets[name], ...TINY, epochs: 1 });
      const r = await h.fit(set);
      expect(r.epochs).toBe(1);
      expect(h.graphReport).toBeDefined();
      h.dispose();
    }
  });
});
