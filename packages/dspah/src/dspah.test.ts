import { applySplit, synthetic } from "@cmh/datasets";
import { packCodes } from "@cmh/hamming-index";
import { meanAveragePrecision } from "@cmh/metrics";
import {
  ConfigError,
  createRng,
  epochScale,
  HasherError,
  parseConfig,
  tf,
  validatePresets,
} from "@cmh/tensor-core";
import {
  describeHasherConformance,
  describeOnBackends,
  switchBackend,
  tinySet,
} from "@cmh/testing";
import { describe, expect, it } from "vitest";
import { DSPAH_SCHEMA, type DSPAHConfig } from "./config";
import { DSPAH } from "./dspah";
import { encodeRows, trainStepBytes, WASM_STEP_BUDGET_BYTES } from "./step-memory";

const TINY = {
  bits: 16,
  epochs: 2,
  batchSize: 32,
  imageHidden: [16, 16, 16, 16],
  textChannels: [4, 4, 8, 8],
  textHeadHidden: 8,
};

describeHasherConformance(DSPAH, { config: TINY });

describeOnBackends("DSPAH", () => {
  it("declares itself supervised and refuses to fit without labels", async () => {
    const h = new DSPAH(TINY);
    expect(h.meta.supervised).toBe(true);
    expect(h.meta.inputs).toContain("labels");
    const { labels: _drop, ...unlabelled } = tinySet();
    await expect(h.fit(unlabelled)).rejects.toThrow(/supervised: fit needs train\.labels/);
    expect(h.fitted).toBe(false);
    h.dispose();
  });

  it("refuses fewer than 2 training pairs (batch norm) before building", async () => {
    const one = {
      name: "one-pair",
      image: { rows: 1, cols: 4, data: new Float32Array(4).fill(0.5) },
      text: { rows: 1, cols: 6, data: new Float32Array(6).fill(1) },
      labels: { rows: 1, cols: 2, data: Uint8Array.from([1, 0]) },
    };
    const h = new DSPAH(TINY);
    await expect(h.fit(one)).rejects.toThrow(
      /needs at least 2 training pairs \(batch norm\), got 1/,
    );
    expect(h.fitted).toBe(false);
    expect(() => h.networks()).toThrow(/DSPAH: model not built/);
    h.dispose();
  });

  it("has the paper's defaults and runnable presets", () => {
    const paper = new DSPAH(DSPAH.presets.paper);
    expect(paper.config.lr).toBeCloseTo(10 ** -1.5, 10);
    expect(paper.config.batchSize).toBe(128);
    expect(paper.config.epochs).toBe(100);
    expect(paper.config.textScales).toEqual([50, 30, 15, 10, 5]);
    // quick = 6 epochs on standardised input; the 4-epoch budget on raw input stays available.
    expect(new DSPAH(DSPAH.presets.quick).config).toMatchObject({
      epochs: 6,
      input: "standardize",
    });
    expect(new DSPAH(DSPAH.presets["quick-4-epochs-input-none"]).config).toMatchObject({
      epochs: 4,
      input: "none",
    });
    expect(Object.keys(DSPAH.presets)).toEqual([
      "paper",
      "quick",
      "quick-4-epochs-input-none",
      "ablation-no-attention",
      "ablation-last-level",
      "ablation-binary-similarity",
      "ablation-no-intra",
      "ablation-no-cbam",
    ]);
    for (const [name, preset] of Object.entries(DSPAH.presets)) {
      expect(() => new DSPAH(preset), name).not.toThrow();
    }
  });

  it("rejects bad configs with one ConfigError naming the key, value and expectation", () => {
    const bad: [Partial<DSPAHConfig>, RegExp][] = [
      [{ bits: 4 }, /config\.bits must be an integer in \[8, 1024\], got 4/],
      [{ bits: 2000 }, /config\.bits must be an integer in \[8, 1024\], got 2000/],
      [{ epochs: 1.5 }, /config\.epochs must be an integer >= 1, got 1\.5/],
      [{ imageHidden: [8, 8] }, /config\.imageHidden must be an array of exactly 4 .*got \[8,8\]/],
      [{ textScales: [5, 3] }, /config\.textScales must be an array of at least 4 .*got \[5,3\]/],
      [{ lrEnd: 1 }, /config\.lrEnd must be in \(0, lr\], got 1/],
      [{ fusion: "concat" as never }, /config\.fusion must be one of "attention", "mean", "last"/],
      [{ batchSize: 1 }, /config\.batchSize must be an integer >= 2, got 1/],
      [{ lR: 1 } as never, /unknown config key "lR"/],
    ];
    for (const [config, message] of bad) {
      expect(() => new DSPAH(config), JSON.stringify(config)).toThrow(ConfigError);
      expect(() => new DSPAH(config), JSON.stringify(config)).toThrow(message);
    }
  });

  it("derives defaults and presets from the schema, every preset valid", () => {
    expect(DSPAH.defaults).toEqual(parseConfig("DSPAH", DSPAH_SCHEMA, {}));
    expect(() => validatePresets("DSPAH", DSPAH_SCHEMA, DSPAH.presets)).not.toThrow();
    expect(() => validatePresets("DSPAH", DSPAH_SCHEMA, { broken: { lr: -1 } })).toThrow(
      /DSPAH preset "broken": config\.lr must be a number > 0, got -1/,
    );
  });

  it("learns on a small labelled set: the loss falls and codes beat random ones", async () => {
    const d = synthetic({
      seed: 3,
      nQuery: 60,
      nDatabase: 300,
      nTrain: 300,
      imageDim: 32,
      textDim: 40,
      latentDim: 8,
      hiddenDim: 32,
      labelProbabilities: [0.3, 0.25, 0.2, 0.15, 0.1, 0.1],
      topicWords: 6,
      wordsPerItem: 5,
    });
    const { train, query, database } = applySplit(d.set, d.split);
    const h = new DSPAH({
      ...TINY,
      epochs: 10,
      batchSize: 100,
      imageHidden: [64, 32, 32, 32],
      optimizer: "adam",
      lr: 0.03,
      lrEnd: 0.003,
    });
    const report = await h.fit(train);
    const first = report.history[0];
    const last = report.history[report.history.length - 1];
    expect(last.total).toBeLessThan(first.total);
    const qi = h.encode("image", query.image);
    const dt = h.encode("text", database.text);
    const labels = { queryLabels: query.labels!, databaseLabels: database.labels! };
    const learned = meanAveragePrecision({ query: qi, database: dt, ...labels });
    const rng = createRng(1);
    const rand = (n: number) =>
      packCodes(
        Float32Array.from({ length: n * 16 }, () => (rng.uniform() < 0.5 ? -1 : 1)),
        n,
        16,
        { from: "pm1" },
      );
    const random = meanAveragePrecision({
      query: rand(query.image.rows),
      database: rand(database.text.rows),
      ...labels,
    });
    expect(learned).toBeGreaterThan(random + 0.03);
    h.dispose();
  }, 240_000); // ~4 s on WASM, ~45 s on the pure-JS cpu backend (2 busy cores)

  it("epochScaleItems multiplies the epochs by round(items / n), at least 1", async () => {
    expect(epochScale(0, 100)).toBe(1);
    expect(epochScale(5000, 5000)).toBe(1);
    expect(epochScale(5000, 1500)).toBe(3);
    expect(epochScale(5000, 50000)).toBe(1);
    const set = tinySet({ n: 48, seed: 4 });
    let epochs = 0;
    const h = new DSPAH({ ...TINY, epochs: 1, epochScaleItems: 96 });
    await h.fit(set, { onProgress: (e) => (epochs = e.epochs) });
    expect(epochs).toBe(2);
    h.dispose();
  });

  it("rejects wrong widths and NaN at encode with clear errors", async () => {
    const h = new DSPAH(TINY);
    const set = tinySet({ n: 48 });
    await h.fit(set);
    const bad = { rows: 1, cols: set.image.cols + 1, data: new Float32Array(set.image.cols + 1) };
    expect(() => h.encode("image", bad)).toThrow(HasherError);
    expect(() => h.encode("image", bad)).toThrow(/columns, the model was fitted on/);
    const nan = new Float32Array(set.text.cols);
    nan[3] = Number.NaN;
    expect(() => h.encode("text", { rows: 1, cols: set.text.cols, data: nan })).toThrow(
      /non-finite/,
    );
    h.dispose();
  });

  it("keeps the tensor count flat across epochs", async () => {
    const counts: number[] = [];
    const h = new DSPAH({ ...TINY, epochs: 3 });
    await h.fit(tinySet({ n: 48 }), { onProgress: () => counts.push(tf.memory().numTensors) });
    expect(counts).toHaveLength(3);
    expect(counts[2]).toBe(counts[0]);
    h.dispose();
  });

  it("estimates a training step's memory from the widest text map", () => {
    const paper = new DSPAH(DSPAH.presets.paper).config;
    // 128 x 1,386 x 6 x 64 floats x 38 copies (batch 48 ran, 58 exhausted the 4 GiB WASM heap).
    expect(trainStepBytes(paper, 1386)).toBe(128 * 1386 * 6 * 64 * 38 * 4);
    expect(trainStepBytes({ ...paper, batchSize: 46 }, 1386)).toBeLessThan(WASM_STEP_BUDGET_BYTES);
    expect(trainStepBytes({ ...paper, batchSize: 58 }, 1386)).toBeGreaterThan(
      WASM_STEP_BUDGET_BYTES,
    );
    expect(trainStepBytes(paper, 1386)).toBeGreaterThan(WASM_STEP_BUDGET_BYTES);
    expect(trainStepBytes({ ...paper, batchSize: 32 }, 1386)).toBeLessThan(WASM_STEP_BUDGET_BYTES);
    expect(trainStepBytes(paper, 1386, 16)).toBe(trainStepBytes({ ...paper, batchSize: 16 }, 1386));
    const light = trainStepBytes({ ...paper, textR1: "light" }, 1386);
    expect(light).toBeLessThan(trainStepBytes(paper, 1386) / 100);
    // Encode batches keep the widest text map near 16M floats: 2,048 rows at most, 16 at least.
    expect(encodeRows({ ...paper, textR1: "light" }, 1386)).toBe(Math.floor(16e6 / (1386 * 6)));
    expect(encodeRows(paper, 1386)).toBe(Math.floor(16e6 / (1386 * 6 * 64)));
    expect(encodeRows(paper, 10)).toBe(2048);
    expect(encodeRows(paper, 100_000)).toBe(16);
  });
});

// The guard exists only on WASM (its heap is 4 GiB); other backends allocate as they go.
describe("DSPAH on WASM", () => {
  it("refuses, before training, a paper step that cannot fit the WASM heap", async () => {
    await switchBackend("wasm"); // the guard is WASM-only; the estimate is tested above
    const rows = 200;
    const set = {
      name: "wide-text",
      image: { rows, cols: 8, data: new Float32Array(rows * 8).fill(0.5) },
      text: { rows, cols: 1386, data: new Float32Array(rows * 1386).fill(0.1) },
      labels: { rows, cols: 2, data: new Uint8Array(rows * 2).fill(1) },
    };
    const h = new DSPAH({ ...DSPAH.presets.paper, epochs: 1 });
    const before = tf.memory().numTensors;
    await expect(h.fit(set)).rejects.toThrow(/needs about 9\.6 GiB.*batchSize <= 46/);
    expect(h.fitted).toBe(false);
    h.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
