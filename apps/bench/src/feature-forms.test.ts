import { dirname } from "node:path";
import type { CrossModalSet, Split } from "@cmh/datasets";
import { sharedDataPath } from "@cmh/testing";
import { describe, expect, it } from "vitest";
import { loadDataset } from "./dataset";
import {
  buildFeatureFormSet,
  FEATURE_FORM_SETS,
  featureFormStats,
  featureFormStatsTable,
  modalityStats,
} from "./feature-forms";

const uci = sharedDataPath("uci-mfeat");
const mir = sharedDataPath("mirflickr25k-tags-labels");
const root = uci && mir ? dirname(uci) : undefined;

function rowStats(m: CrossModalSet["image"], i: number): { sum: number; norm: number } {
  let sum = 0;
  let sq = 0;
  for (let j = 0; j < m.cols; j++) {
    const v = m.data[i * m.cols + j];
    sum += v;
    sq += v * v;
  }
  return { sum, norm: Math.sqrt(sq) };
}

describe("feature-form statistics", () => {
  it("computes density, range, row sums and the label-overlap base rate", () => {
    const set: CrossModalSet = {
      name: "t",
      image: { rows: 4, cols: 2, data: Float32Array.from([1, 0, 0, 2, 3, 0, 0, 0]) },
      text: { rows: 4, cols: 1, data: Float32Array.from([1, 1, 1, 1]) },
      labels: { rows: 4, cols: 2, data: Uint8Array.from([1, 0, 1, 1, 0, 1, 0, 1]) },
    };
    const s = modalityStats(set.image);
    expect(s).toMatchObject({ dim: 2, density: 3 / 8, min: 0, max: 3, meanAbs: 2 });
    expect(s.meanRowSum).toBe(6 / 4);
    const split: Split = {
      protocol: "t",
      seed: 0,
      nItems: 4,
      train: Uint32Array.from([1, 2, 3]),
      query: Uint32Array.from([0, 2]),
      database: Uint32Array.from([1, 2, 3]),
    };
    const st = featureFormStats(set, split);
    // Query 0 (label 0) shares a label with item 1 only: 1/3; query 2 (label 1) with all three.
    expect(st.randomMap).toBeCloseTo((1 / 3 + 1) / 2, 12);
    expect(st.labelsPerItem).toBe(5 / 4);
    expect(featureFormStatsTable([st])).toMatch(/\| t \| 2 \| 37\.5 % \| \[0, 3\] \| 2 \|/);
  });
});

describe.skipIf(!root)("feature-form suite on the shared data", () => {
  const r = root as string;
  const built = new Map<string, ReturnType<typeof buildFeatureFormSet>>();
  const get = (name: string) => {
    let b = built.get(name);
    if (!b) {
      b = buildFeatureFormSet(name, r);
      built.set(name, b);
    }
    return b;
  };
  it("has at least six sets, all deterministic, labelled, sized by their protocol", () => {
    const names = Object.keys(FEATURE_FORM_SETS);
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) {
      const a = get(name);
      if (name === "val-bow" || name === "val-topic") {
        const b = buildFeatureFormSet(name, r);
        expect(
          Buffer.from(a.set.image.data.buffer).equals(Buffer.from(b.set.image.data.buffer)),
        ).toBe(true);
        expect(
          Buffer.from(a.set.text.data.buffer).equals(Buffer.from(b.set.text.data.buffer)),
        ).toBe(true);
      }
      const n = a.set.image.rows;
      expect(a.set.text.rows).toBe(n);
      expect(a.set.labels?.rows).toBe(n);
      const p = FEATURE_FORM_SETS[name].protocol;
      expect(n).toBeGreaterThan((p.query as number) + (p.train as number));
      // Every row has a label; uci-mfeat's test rows are never read.
      const L = a.set.labels as NonNullable<CrossModalSet["labels"]>;
      let unlabelled = 0;
      for (let i = 0; i < n; i++)
        if (!L.data.subarray(i * L.cols, (i + 1) * L.cols).includes(1)) unlabelled++;
      expect(unlabelled).toBe(0);
      for (const f of a.files) expect(f).not.toMatch(/_te\.csv$/);
      for (const m of [a.set.image, a.set.text]) expect(m.data.every(Number.isFinite)).toBe(true);
    }
  });

  it("each set has the form it names", () => {
    const raw = get("val-raw").set;
    expect(modalityStats(raw.image).min).toBeGreaterThan(0);
    expect(modalityStats(raw.image).max).toBeGreaterThan(1000);
    expect(modalityStats(raw.text).meanAbs).toBeGreaterThan(1000);

    const hist = get("val-hist").set;
    for (const m of [hist.image, hist.text]) {
      expect(modalityStats(m).min).toBeGreaterThanOrEqual(0);
      for (const i of [0, 700, 1499]) expect(rowStats(m, i).sum).toBeCloseTo(1, 5);
      expect(modalityStats(m).meanAbs).toBeLessThan(0.05);
    }

    const topic = get("val-topic").set;
    expect(topic.text.cols).toBeGreaterThanOrEqual(6);
    expect(topic.text.cols).toBeLessThanOrEqual(10);
    expect(modalityStats(topic.text).min).toBeGreaterThanOrEqual(0);
    for (const i of [0, 700, 1499]) expect(rowStats(topic.text, i).sum).toBeCloseTo(1, 5);

    const l2 = get("val-l2").set;
    for (const m of [l2.image, l2.text])
      for (const i of [0, 700, 1499]) expect(rowStats(m, i).norm).toBeCloseTo(1, 4);
    expect(modalityStats(l2.image).min).toBeLessThan(0);

    const cnn = get("val-cnn").set;
    const cs = modalityStats(cnn.image);
    expect(cnn.image.cols).toBeGreaterThanOrEqual(1024);
    expect(cs.min).toBe(0);
    expect(cs.density).toBeLessThan(0.5);
    expect(cs.density).toBeGreaterThan(0.05);

    const bow = get("val-bow").set;
    expect(bow.labels?.cols).toBe(24);
    expect(bow.image.rows).toBeGreaterThan(2000);
    expect(bow.image.cols + bow.text.cols).toBe(1386);
    for (const m of [bow.image, bow.text]) {
      expect(m.data.every((v) => v === 0 || v === 1)).toBe(true);
      expect(modalityStats(m).density).toBeLessThan(0.02);
      for (let i = 0; i < m.rows; i += 97) expect(rowStats(m, i).sum).toBeGreaterThan(0);
    }
    let multi = 0;
    const L = bow.labels as NonNullable<CrossModalSet["labels"]>;
    for (let i = 0; i < L.rows; i++) {
      let k = 0;
      for (let j = 0; j < L.cols; j++) k += L.data[i * L.cols + j];
      if (k > 1) multi++;
    }
    expect(multi / L.rows).toBeGreaterThan(0.5);
  });

  it("is a bench dataset: split by its protocol, source files hashed in the identity", async () => {
    const d = await loadDataset({ name: "val-topic", data: r }, 1);
    expect(d.identity.protocol).toBe("val-topic");
    expect(d.identity.nQuery).toBe(300);
    expect(d.identity.nTrain).toBe(1000);
    expect(d.identity.textDim).toBe(10);
    expect(d.identity.files.map((f) => f.name)).toEqual([
      "I_tr.csv",
      "L_tr.csv",
      "P_tr.csv",
      "T_tr.csv",
    ]);
    for (const f of d.identity.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    await expect(loadDataset({ name: "val-hist", data: uci as string }, 0)).rejects.toThrow(
      /--data must name the folder holding uci-mfeat/,
    );
  });
});
