import type { CrossModalSet } from "@cmh/datasets";
import { packCodes } from "@cmh/hamming-index";
import { evaluateCrossModal, evaluateRetrieval } from "@cmh/metrics";
import {
  ConfigError,
  createRng,
  epochScale,
  initBackend,
  tf,
  validatePresets,
} from "@cmh/tensor-core";
import { describeHasherConformance, describeOnBackends, tinySet } from "@cmh/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { lrFactor, marginOf, type UGACHConfig } from "./config";
import { relaxedCodes } from "./network";
import { UGACH } from "./ugach";

const TINY: Partial<UGACHConfig> = {
  bits: 16,
  hidden: 16,
  pretrainEpochs: 1,
  epochs: 1,
  batchSize: 32,
  gBatchSize: 32,
  candidateSharing: "batch",
};

describeHasherConformance(UGACH, { config: TINY });

beforeAll(async () => {
  await initBackend({ log: false });
});

function mapOf(model: UGACH, data: CrossModalSet) {
  const img = model.encode("image", data.image);
  const txt = model.encode("text", data.text);
  const r = evaluateCrossModal({
    image: { query: img, database: img },
    text: { query: txt, database: txt },
    queryLabels: data.labels!,
    databaseLabels: data.labels!,
    directions: ["i2t", "t2i"],
    k: "all",
  });
  return { i2t: r.i2t!["mAP@all"], t2i: r.t2i!["mAP@all"] };
}

describe("config and presets", () => {
  it("defaults are the spec's paper preset; reference, quick and the two ablations exist", () => {
    const d = UGACH.presets;
    for (const p of ["paper", "reference", "quick", "Baseline", "Baseline-GAN"])
      expect(d).toHaveProperty(p);
    const paper = new UGACH(d.paper);
    expect(paper.config.hidden).toBe(4096);
    expect(paper.config.generatorLogProb).toBe("candidates");
    expect(paper.config.reward).toBe("softplus");
    expect(paper.config.graph).toBe("knn");
    const ref = new UGACH(d.reference);
    expect(ref.config.hidden).toBe(8192);
    expect(ref.config.batchSize).toBe(1);
    expect(ref.config.reward).toBe("sigmoid");
    expect(ref.config.generatorLogProb).toBe("samples");
    expect(new UGACH(d.Baseline).config).toMatchObject({ graph: "pair", epochs: 0 });
    expect(new UGACH(d["Baseline-GAN"]).config).toMatchObject({ graph: "pair" });
    for (const x of [paper, ref]) x.dispose();
  });

  it("margin is β = l/8 [code] or the fixed m [paper]", () => {
    expect(marginOf({ bits: 16, marginRule: "bits/8", margin: 1 })).toBe(2);
    expect(marginOf({ bits: 64, marginRule: "bits/8", margin: 1 })).toBe(8);
    expect(marginOf({ bits: 64, marginRule: "fixed", margin: 1 })).toBe(1);
  });

  it("paper schedule: ×0.1 every two epochs, every 2·scale epochs when epochs are scaled", () => {
    expect([0, 1, 2, 3, 4].map((e) => lrFactor("constant", e))).toEqual([1, 1, 1, 1, 1]);
    expect([0, 1, 2, 3, 4].map((e) => lrFactor("paper", e))).toEqual([1, 1, 0.1, 0.1, 0.1 ** 2]);
    // 3 epochs scaled ×5 (a 1,000-item set under epochScaleItems 5,000): decay after epoch 10.
    const f = Array.from({ length: 15 }, (_, e) => lrFactor("paper", e, 5));
    expect(f.slice(0, 10).every((x) => x === 1)).toBe(true);
    expect(f.slice(10).every((x) => x === 0.1)).toBe(true);
  });

  it("rejects bad values with the key, the value and what was expected", () => {
    expect(() => new UGACH({ reward: "exp" as never })).toThrow(
      /reward.*"softplus", "sigmoid".*"exp"/,
    );
    expect(() => new UGACH({ hidden: 0 })).toThrow(
      /UGACH: config\.hidden must be an integer >= 1, got 0/,
    );
    expect(() => new UGACH({ candidateRatio: 0.5 })).toThrow(/candidateRatio/);
    expect(() => new UGACH({ epochs: 0, pretrainEpochs: 0 })).toThrow(/nothing would be trained/);
    expect(() => new UGACH({ bits: 4 })).toThrow(/bits/);
    expect(() => new UGACH({ hiddn: 8 } as never)).toThrow(/unknown config key "hiddn"/);
    expect(() => new UGACH({ margin: 0 })).toThrow(ConfigError);
  });

  it("every preset passes the schema; the schema's defaults are the paper preset", () => {
    expect(() => validatePresets("UGACH", UGACH.schema, UGACH.presets)).not.toThrow();
    expect(() => validatePresets("UGACH", UGACH.schema, { bad: { lrD: -1 } })).toThrow(
      /UGACH preset "bad": config\.lrD must be a number >= 0, got -1/,
    );
    expect(new UGACH().config).toEqual(UGACH.defaults);
  });

  it("fit refuses fewer than 2 training items, also through trainItems", async () => {
    const data = tinySet({ n: 8, seed: 1 });
    const one = {
      ...data,
      image: { ...data.image, rows: 1, data: data.image.data.subarray(0, data.image.cols) },
      text: { ...data.text, rows: 1, data: data.text.data.subarray(0, data.text.cols) },
      labels: undefined,
    };
    await expect(new UGACH(TINY).fit(one)).rejects.toThrow(/at least 2 training pairs/);
    await expect(new UGACH({ ...TINY, trainItems: 1 }).fit(data)).rejects.toThrow(
      /at least 2 training pairs \(trainItems/,
    );
  });
});

describeOnBackends("fit", () => {
  const data = tinySet({ n: 160, seed: 3 });

  it("D's hinge falls, codes = 1[h ≥ 0.5], and codes beat random ones", async () => {
    const m = new UGACH({
      bits: 16,
      hidden: 64,
      pretrainEpochs: 4,
      epochs: 3,
      batchSize: 16,
      gBatchSize: 16,
      pretrainBatchSize: 16,
      lrScaling: "none",
      pretrainLr: 0.5,
      lrD: 0.5,
      lrG: 0.5,
      weightDecay: 0,
      candidateSharing: "batch",
    });
    const rep = await m.fit(data);
    const hinge = rep.history.map((h) => (h.hinge_i2t + h.hinge_t2i) / 2);
    expect(hinge[hinge.length - 1]).toBeLessThan(hinge[0]);
    expect(rep.history.at(-1)?.reward).toBeGreaterThanOrEqual(Math.LN2);
    expect(m.graphStats?.meanPositives).toBeGreaterThan(1);
    // encode = 1[h ≥ 0.5] of D's image pathway.
    const h = relaxedCodes(m.discriminator!, "image", data.image);
    const want = packCodes(
      Float32Array.from(h, (v) => (v >= 0.5 ? 1 : -1)),
      data.image.rows,
      16,
      { from: "pm1" },
    );
    expect(m.encode("image", data.image)).toEqual(want);
    const ours = mapOf(m, data);
    const rng = createRng(9);
    const rand = (rows: number) =>
      packCodes(
        Float32Array.from({ length: rows * 16 }, () => (rng.uniform() < 0.5 ? -1 : 1)),
        rows,
        16,
        { from: "pm1" },
      );
    const ri = rand(data.image.rows);
    const rt = rand(data.text.rows);
    const base = evaluateCrossModal({
      image: { query: ri, database: ri },
      text: { query: rt, database: rt },
      queryLabels: data.labels!,
      databaseLabels: data.labels!,
      directions: ["i2t", "t2i"],
      k: "all",
    });
    expect(ours.i2t).toBeGreaterThan(base.i2t!["mAP@all"] + 0.03);
    expect(ours.t2i).toBeGreaterThan(base.t2i!["mAP@all"] + 0.03);
    m.dispose();
  });

  it("epochScaleItems multiplies both phases' epochs by round(items / n), at least 1", async () => {
    expect(epochScale(0, 100)).toBe(1);
    expect(epochScale(5000, 5000)).toBe(1);
    expect(epochScale(5000, 20000)).toBe(1);
    expect(epochScale(5000, 1500)).toBe(3);
    const small = tinySet({ n: 64, seed: 5 });
    const phases = new Map<string, number>();
    const m = new UGACH({ ...TINY, epochScaleItems: 128 });
    await m.fit(small, { onProgress: (e) => phases.set(e.phase, e.epochs) });
    expect(phases.get("pretrain")).toBe(2);
    expect(phases.get("train")).toBe(2);
    m.dispose();
  });

  it("ignores labels (identical codes with and without them)", async () => {
    const a = new UGACH(TINY);
    const b = new UGACH(TINY);
    await a.fit(data);
    await b.fit({ name: data.name, image: data.image, text: data.text });
    expect(a.encode("text", data.text)).toEqual(b.encode("text", data.text));
    expect(a.encode("image", data.image)).toEqual(b.encode("image", data.image));
    a.dispose();
    b.dispose();
  });

  it("runs every variant switch (reference forms, ablations) without leaking tensors", async () => {
    const before = tf.memory().numTensors;
    for (const extra of [
      { generatorLogProb: "samples", reward: "sigmoid", candidateSharing: "query", gEpochs: 2 },
      { graph: "pair" },
      { graph: "pair", epochs: 0 },
      { marginRule: "fixed", lrSchedule: "paper", rewardBaseline: true, trainItems: 100 },
    ] as Partial<UGACHConfig>[]) {
      const m = new UGACH({ ...TINY, ...extra });
      const rep = await m.fit(data);
      for (const h of rep.history) expect(Number.isFinite(h.total)).toBe(true);
      expect(m.encode("image", data.image).n).toBe(data.image.rows);
      if (extra.trainItems) expect(m.graphStats?.items).toBe(100);
      if (extra.graph === "pair") expect(m.graphStats?.meanPositives).toBe(1);
      m.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("evaluation oracle (MAP@all as in the reference map.py)", () => {
  it("AP of relevance [1, 0, 1] is (1/1 + 2/3)/2; a perfect ranking gives 1; no relevant item gives 0", () => {
    // One query, three database items at Hamming distances 0, 1, 2 (ties broken by index).
    const q = packCodes(Float32Array.from([1, 1, 1, 1, 1, 1, 1, 1]), 1, 8, { from: "pm1" });
    const db = packCodes(
      Float32Array.from([
        1, 1, 1, 1, 1, 1, 1, 1, -1, 1, 1, 1, 1, 1, 1, 1, -1, -1, 1, 1, 1, 1, 1, 1,
      ]),
      3,
      8,
      { from: "pm1" },
    );
    const lab = (rows: number[][]) => ({
      rows: rows.length,
      cols: 2,
      data: Float32Array.from(rows.flat()),
    });
    const ap = (dbLabels: number[][], qLabel = [1, 0]) =>
      evaluateRetrieval({
        query: q,
        database: db,
        queryLabels: lab([qLabel]),
        databaseLabels: lab(dbLabels),
        k: "all",
      })["mAP@all"];
    expect(
      ap([
        [1, 0],
        [0, 1],
        [1, 0],
      ]),
    ).toBeCloseTo((1 + 2 / 3) / 2, 10);
    expect(
      ap([
        [1, 0],
        [1, 0],
        [0, 1],
      ]),
    ).toBeCloseTo(1, 10);
    expect(
      ap([
        [0, 1],
        [0, 1],
        [0, 1],
      ]),
    ).toBe(0);
  });
});
