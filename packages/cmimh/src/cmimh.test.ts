import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CrossModalSet, Matrix } from "@cmh/datasets";
import { packCodes, unpackCodes } from "@cmh/hamming-index";
import { evaluateRetrieval } from "@cmh/metrics";
import { ConfigError, epochScale, initBackend, tf, validatePresets } from "@cmh/tensor-core";
import { describeHasherConformance, describeOnBackends, tinySet } from "@cmh/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { CMIMH } from "./cmimh";
import { CMIMH_PRESETS, CMIMH_SCHEMA } from "./config";

const TINY = {
  bits: 16,
  hidden: 32,
  criticHidden: 16,
  tcHidden: 16,
  criticDim: 8,
  batchSize: 32,
  epochs: 2,
} as const;

describeHasherConformance(CMIMH, { config: TINY });

function rows(m: Matrix, n: number): Matrix {
  return { rows: n, cols: m.cols, data: m.data.slice(0, n * m.cols) };
}

beforeAll(async () => {
  await initBackend({ log: false });
});

describe("CMIMH config", () => {
  it("has paper, quick and the paper's ablation presets, all valid", () => {
    for (const k of ["paper", "quick", "quick-no-cross-mi", "quick-no-kl", "quick-no-tc"])
      expect(CMIMH.presets[k]).toBeDefined();
    for (const [name, p] of Object.entries(CMIMH_PRESETS)) {
      const m = new CMIMH(p);
      expect(m.config.bits, name).toBe(32);
      m.dispose();
    }
    const paper = new CMIMH(CMIMH.presets.paper);
    expect(paper.config).toMatchObject({
      hidden: 1024,
      criticHidden: 512,
      criticDim: 128,
      batchSize: 128,
      epochs: 100,
      optimizer: "sgd",
      momentum: 0.9,
      weightDecay: 5e-4,
      lr: 1e-3,
      lrDecoder: 1e-2,
      lambdaMI: 1,
      lambdaKL: 0.1,
      lambdaTC: 0.1,
      lambdaBal: 0.1,
      criticInput: "probabilities",
      criticForm: "separable",
      steGradient: "identity",
    });
    expect(new CMIMH(CMIMH.presets["quick-no-kl"]).config.useKL).toBe(false);
    expect(new CMIMH(CMIMH.presets.quick).config).toMatchObject({
      criticForm: "diagonal",
      lambdaMI: 100,
      lambdaKL: 10,
      steGradient: "sigmoid",
      reconReduction: "nats",
    });
    expect(new CMIMH(CMIMH.presets["quick-paper-critic-ste"]).config).toMatchObject({
      criticForm: "separable",
      lambdaMI: 1,
      steGradient: "identity",
    });
  });

  it("rejects bad values with the key and the value", () => {
    expect(() => new CMIMH({ bits: 4 })).toThrow(/bits/);
    expect(() => new CMIMH({ bits: 2000 })).toThrow(/bits/);
    expect(() => new CMIMH({ batchSize: 1 })).toThrow(/batchSize.*1/);
    expect(() => new CMIMH({ lambdaKL: -1 })).toThrow(/lambdaKL.*-1/);
    expect(() => new CMIMH({ lr: 0 })).toThrow(/lr/);
    expect(() => new CMIMH({ momentum: 1 })).toThrow(/momentum/);
    expect(() => new CMIMH({ criticInput: "bits" as never })).toThrow(/criticInput/);
    expect(() => new CMIMH({ optimizer: "rmsprop" as never })).toThrow(/optimizer/);
    expect(() => new CMIMH({ criticForm: "bilinear" as never })).toThrow(/criticForm.*bilinear/);
    expect(() => new CMIMH({ steGradient: "tanh" as never })).toThrow(/steGradient.*tanh/);
    expect(() => new CMIMH({ useReconstruction: false, useCrossMI: false })).toThrow(
      /useReconstruction/,
    );
    expect(() => new CMIMH({ hidden: 2.5 })).toThrow(/hidden/);
  });

  it("validates through the schema: one ConfigError naming key, value and expectation", () => {
    expect(() => new CMIMH({ lr: -1 })).toThrow(ConfigError);
    expect(() => new CMIMH({ lr: -1 })).toThrow("CMIMH: config.lr must be a number > 0, got -1");
    expect(() => new CMIMH({ criticForm: "bilinear" as never })).toThrow(
      'CMIMH: config.criticForm must be one of "separable", "diagonal", "hamming", got "bilinear"',
    );
    expect(() => new CMIMH({ lamdaKL: 1 } as never)).toThrow(/unknown config key "lamdaKL"/);
    expect(() => new CMIMH({ useReconstruction: false, useCrossMI: false })).toThrow(ConfigError);
    expect(() => validatePresets("CMIMH", CMIMH_SCHEMA, CMIMH_PRESETS)).not.toThrow();
    expect(() => validatePresets("CMIMH", CMIMH_SCHEMA, { bad: { momentum: 1 } })).toThrow(
      /CMIMH preset "bad": config.momentum must be a number in \[0, 1\), got 1/,
    );
  });
});

describeOnBackends("CMIMH model", () => {
  const data = tinySet({ n: 96 });

  it("encodes deterministically as 1[z >= 0] = 1[p >= 0.5], with the right shapes (oracle 7, 8)", async () => {
    const m = new CMIMH({ ...TINY, epochs: 1 });
    await m.fit(data);
    for (const mod of ["image", "text"] as const) {
      const x = rows(data[mod], 20);
      const a = m.encode(mod, x);
      const b = m.encode(mod, x);
      expect(a.n).toBe(20);
      expect(a.bits).toBe(16);
      expect(Array.from(a.words)).toEqual(Array.from(b.words));
      const p = m.probabilities(mod, x);
      expect([p.rows, p.cols]).toEqual([20, 16]);
      const bits = unpackCodes(a, "01");
      for (let i = 0; i < p.data.length; i++) expect(bits[i]).toBe(p.data[i] >= 0.5 ? 1 : 0);
    }
    m.dispose();
  });

  it("builds networks of the spec's shapes (encoders n×b, decoders back to the input widths)", async () => {
    const m = new CMIMH({ ...TINY, epochs: 0 });
    await m.fit(data);
    const w = (m as unknown as { weights(): Record<string, tf.Tensor> }).weights();
    const st = (m as unknown as { trainingState(): Record<string, tf.Tensor> }).trainingState();
    const shape = (k: string) => ({ ...w, ...st })[k].shape;
    expect(shape("encImage.0.weight")).toEqual([data.image.cols, 32]);
    expect(shape("encImage.2.weight")).toEqual([32, 16]);
    expect(shape("encText.0.weight")).toEqual([data.text.cols, 32]);
    expect(shape("decImage.2.weight")).toEqual([32, data.image.cols]);
    expect(shape("decText.2.weight")).toEqual([32, data.text.cols]);
    expect(shape("criticImage.2.weight")).toEqual([16, 8]);
    expect(shape("tcText.2.weight")).toEqual([16, 1]);
    m.dispose();
  });

  it("ignores labels: codes are identical with and without them", async () => {
    const noLabels: CrossModalSet = { name: data.name, image: data.image, text: data.text };
    const a = new CMIMH({ ...TINY, epochs: 1 });
    const b = new CMIMH({ ...TINY, epochs: 1 });
    await a.fit(data);
    await b.fit(noLabels);
    expect(Array.from(a.encode("text", data.text).words)).toEqual(
      Array.from(b.encode("text", data.text).words),
    );
    a.dispose();
    b.dispose();
  });

  it("refuses wrong widths, NaN features and use before fit with clear messages", async () => {
    const m = new CMIMH({ ...TINY, epochs: 1 });
    await expect(
      m.fit({ name: "one", image: rows(data.image, 1), text: rows(data.text, 1) }),
    ).rejects.toThrow("CMIMH.fit needs at least 2 training pairs (in-batch negatives), got 1");
    expect(() => m.encode("image", data.image)).toThrow(/not fitted/);
    await m.fit(data);
    const wide: Matrix = {
      rows: 2,
      cols: data.image.cols + 3,
      data: new Float32Array(2 * (data.image.cols + 3)),
    };
    expect(() => m.encode("image", wide)).toThrow(/columns/);
    const nan = rows(data.text, 3);
    nan.data[5] = Number.NaN;
    expect(() => m.encode("text", nan)).toThrow(/NaN|non-finite/);
    expect(() => m.probabilities("text", nan)).toThrow(/non-finite/);
    expect(() => m.probabilities("image", wide)).toThrow(/columns/);
    m.dispose();
  });

  it("optional image PCA (fitted on the training rows) and input scaling survive save/load", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cmimh-test-"));
    try {
      const m = new CMIMH({ ...TINY, epochs: 1, imagePcaDims: 8, input: "center-scale" });
      const report = await m.fit(data);
      expect(report.input?.text.mode).toBe("center-scale");
      const w = (m as unknown as { weights(): Record<string, unknown> }).weights();
      expect((w["pca.components"] as Float32Array).length).toBe(8 * data.image.cols);
      await m.save(dir);
      const manifest = JSON.parse(await readFile(join(dir, "model.json"), "utf8"));
      const names = manifest.weights.map((e: { name: string }) => e.name);
      expect(names).toEqual(expect.arrayContaining(["input.text.scale", "input.image.shift"]));
      const l = await CMIMH.load(dir);
      for (const mod of ["image", "text"] as const)
        expect(Array.from(l.encode(mod, data[mod]).words)).toEqual(
          Array.from(m.encode(mod, data[mod]).words),
        );
      await expect(new CMIMH({ ...TINY, imagePcaDims: 999 }).fit(data)).rejects.toThrow(
        /imagePcaDims/,
      );
      m.dispose();
      l.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("does not leak tensors across epochs (TC classifier step included)", async () => {
    const m = new CMIMH({ ...TINY, epochs: 1 });
    await m.fit(data);
    const before = tf.memory().numTensors;
    await m.fit(data);
    const after1 = tf.memory().numTensors;
    const m3 = new CMIMH({ ...TINY, epochs: 3 });
    await m3.fit(data);
    const after3 = tf.memory().numTensors;
    m3.dispose();
    expect(after1).toBe(before);
    expect(tf.memory().numTensors).toBe(before);
    expect(after3).toBeGreaterThan(0);
    m.dispose();
  });
});

describeOnBackends("criticForm (bit-aligned critic)", () => {
  const data = tinySet({ n: 96 });
  for (const form of ["diagonal", "hamming"] as const) {
    it(`${form}: trains its weights (logged as criticWeight), no leak, resumes from a checkpoint`, async () => {
      const m = new CMIMH({ ...TINY, criticForm: form, epochs: 1, optimizer: "adam", lr: 1e-2 });
      await m.fit(data);
      const before = tf.memory().numTensors;
      const report = await m.fit(data);
      expect(tf.memory().numTensors).toBe(before);
      const last = report.history.at(-1) as Record<string, number>;
      expect(Number.isFinite(last.mi)).toBe(true);
      expect(last.criticWeight).toBeGreaterThan(0);
      expect(Math.abs(last.criticWeight - 1)).toBeGreaterThan(1e-3);
      m.dispose();
      const dir = await mkdtemp(join(tmpdir(), "cmimh-critic-"));
      try {
        const a = new CMIMH({ ...TINY, criticForm: form, epochs: 2 });
        await a.fit(data, { checkpointDir: dir });
        const b = new CMIMH({ ...TINY, criticForm: form, epochs: 2 });
        await b.fit(data, { checkpointDir: dir }); // resumes from the finished checkpoint
        expect(unpackCodes(b.encode("text", data.text))).toEqual(
          unpackCodes(a.encode("text", data.text)),
        );
        a.dispose();
        b.dispose();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
  it("steGradient sigmoid: same noise, different training (the decoders' gradient is scaled)", async () => {
    const a = new CMIMH({ ...TINY, optimizer: "adam", lr: 1e-2 });
    const b = new CMIMH({ ...TINY, optimizer: "adam", lr: 1e-2, steGradient: "sigmoid" });
    const ra = await a.fit(data);
    const rb = await b.fit(data);
    expect(rb.history[0].recImage).toBeCloseTo(ra.history[0].recImage, 1);
    expect(rb.history.at(-1)?.total).not.toBe(ra.history.at(-1)?.total);
    expect(Number.isFinite(rb.history.at(-1)?.total)).toBe(true);
    a.dispose();
    b.dispose();
  });
  it("separable (the paper) logs no critic weight", async () => {
    const m = new CMIMH({ ...TINY, epochs: 1 });
    const report = await m.fit(data);
    expect((report.history[0] as Record<string, number>).criticWeight).toBeUndefined();
    m.dispose();
  });
});

describe("evaluation convention (oracle 9, via @cmh/metrics)", () => {
  const codes = (n: number, seed: number) => {
    const v = new Float32Array(n * 16);
    for (let i = 0; i < v.length; i++) v[i] = ((i * 7919 + seed * 104729) % 13) - 6;
    return packCodes(v, n, 16, { from: "sign" });
  };
  it("mAP@K is 1.0 when every database item is relevant", () => {
    const r = evaluateRetrieval({
      query: codes(4, 1),
      database: codes(30, 2),
      queryLabels: new Int32Array([0, 0, 0, 0]),
      databaseLabels: new Int32Array(30),
      k: [10, "all"],
      prCurve: false,
    });
    expect(r["mAP@10"]).toBe(1);
    expect(r["mAP@all"]).toBe(1);
  });
  it("a query with no relevant item adds 0 and still counts in the mean", () => {
    const r = evaluateRetrieval({
      query: codes(2, 1),
      database: codes(30, 2),
      queryLabels: new Int32Array([0, 1]), // class 1 never occurs in the database
      databaseLabels: new Int32Array(30),
      k: [10],
      prCurve: false,
    });
    expect(r["mAP@10"]).toBe(0.5);
    expect(r.averagedQueries).toBe(2);
  });
});

describe("epochScaleItems", () => {
  it("multiplies the epochs by round(items / n), at least 1", async () => {
    expect(epochScale(0, 100)).toBe(1);
    expect(epochScale(5000, 1500)).toBe(3);
    expect(epochScale(5000, 20000)).toBe(1);
    const train = tinySet({ n: 64, seed: 2 });
    let epochs = 0;
    const m = new CMIMH({
      bits: 8,
      hidden: 16,
      criticHidden: 8,
      tcHidden: 8,
      criticDim: 8,
      batchSize: 32,
      epochs: 1,
      epochScaleItems: 128,
    });
    await m.fit(train, { onProgress: (e) => (epochs = e.epochs) });
    expect(epochs).toBe(2);
    m.dispose();
  });
});

describeOnBackends("CMIMH small fit", () => {
  it("the training loss falls, Î_JS rises above −2 ln 2 and codes beat random ones", async () => {
    const train = tinySet({ n: 192, seed: 3 });
    const m = new CMIMH({
      ...CMIMH.presets["quick-no-kl-tc"],
      reconReduction: "mean",
      epochScaleItems: 0,
      bits: 16,
      hidden: 64,
      criticHidden: 32,
      tcHidden: 32,
      criticDim: 16,
      batchSize: 64,
      epochs: 60,
    });
    const report = await m.fit(train);
    const h = report.history;
    expect(h.at(-1)?.total).toBeLessThan(h[0].total);
    expect(Math.max(...h.map((e) => e.mi))).toBeGreaterThan(-2 * Math.log(2) + 0.05);
    const labels = train.labels as NonNullable<typeof train.labels>;
    const score = (q: ReturnType<typeof m.encode>, d: ReturnType<typeof m.encode>) =>
      evaluateRetrieval({
        query: q,
        database: d,
        queryLabels: labels,
        databaseLabels: labels,
        k: ["all"],
        prCurve: false,
      })["mAP@all"];
    const i2t = score(m.encode("image", train.image), m.encode("text", train.text));
    const rnd = (seed: number) => {
      const v = new Float32Array(train.image.rows * 16);
      let s = seed;
      for (let i = 0; i < v.length; i++) {
        s = (s * 1103515245 + 12345) >>> 0;
        v[i] = (s >>> 16) & 1 ? 1 : -1;
      }
      return packCodes(v, train.image.rows, 16, { from: "pm1" });
    };
    const random = score(rnd(1), rnd(2));
    const i2i = score(m.encode("image", train.image), m.encode("image", train.image));
    const t2t = score(m.encode("text", train.text), m.encode("text", train.text));
    // Measured (seed 0): i2i 0.558, t2t 0.544, i2t 0.503, random 0.485.
    expect(i2i).toBeGreaterThan(random + 0.03);
    expect(t2t).toBeGreaterThan(random + 0.03);
    expect(i2t).toBeGreaterThan(random);
    m.dispose();
  });
});
