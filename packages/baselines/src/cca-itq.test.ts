import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applySplit, loadTrainTestLayout } from "@cmh/datasets";
import { meanAveragePrecision } from "@cmh/metrics";
import { describeHasherConformance, sharedDataPath } from "@cmh/testing";
import { describe, expect, it } from "vitest";
import { CCAITQ, ccaItqProject, fitCcaItq } from "./index";
import { correlatedViews } from "./test-data";

describeHasherConformance(CCAITQ, { config: { bits: 16, itqIterations: 10 } });

describe("fitCcaItq", () => {
  const { x, y } = correlatedViews(
    2000,
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1],
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1],
    4,
    6,
    2,
  );

  it("paired items get (nearly) the same code; ITQ lowers the loss monotonically", () => {
    const m = fitCcaItq(x, y, 8, { seed: 1 });
    expect(m.losses.length).toBe(50);
    for (let t = 1; t < 50; t++) expect(m.losses[t]).toBeLessThanOrEqual(m.losses[t - 1] + 1e-12);
    const pi = ccaItqProject(m, "image", x);
    const pt = ccaItqProject(m, "text", y);
    // Bit agreement of true pairs vs shifted (unpaired) partners.
    let agree = 0;
    let other = 0;
    const total = pi.data.length;
    for (let i = 0; i < total; i++) {
      if (pi.data[i] >= 0 === pt.data[i] >= 0) agree++;
      if (pi.data[i] >= 0 === pt.data[(i + 8 * 17) % total] >= 0) other++;
    }
    expect(agree / total).toBeGreaterThan(0.8);
    expect(Math.abs(other / total - 0.5)).toBeLessThan(0.05);
  });

  it('rotation "none" keeps the identity; scalePower 0 leaves directions unscaled', () => {
    const m = fitCcaItq(x, y, 4, { rotation: "none", scalePower: 0 });
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) expect(m.rotation.data[i * 4 + j]).toBe(i === j ? 1 : 0);
    const s = fitCcaItq(x, y, 4, { rotation: "none", scalePower: 1 });
    // Scaled by r: column k shrinks by the correlation r_k.
    for (let k = 0; k < 4; k++)
      expect(s.projImage.data[k] / m.projImage.data[k]).toBeCloseTo(m.correlations[k], 10);
  });

  it("is deterministic per seed and differs across seeds", () => {
    const a = fitCcaItq(x, y, 8, { seed: 3 });
    const b = fitCcaItq(x, y, 8, { seed: 3 });
    const c = fitCcaItq(x, y, 8, { seed: 4 });
    expect(Array.from(a.rotation.data)).toEqual(Array.from(b.rotation.data));
    expect(Array.from(a.rotation.data)).not.toEqual(Array.from(c.rotation.data));
  });

  it("rejects more bits than CCA directions, and bad options", () => {
    expect(() => fitCcaItq(x, y, 13)).toThrow(
      /bits = 13 exceeds min\(image cols, text cols\) = min\(12, 14\) = 12/,
    );
    // biome-ignore lint/suspicious/noExplicitAny: runtime check
    expect(() => fitCcaItq(x, y, 4, { rotation: "pca" as any })).toThrow(/rotation must be/);
    expect(() => fitCcaItq(x, y, 4, { itqIterations: -1 })).toThrow(/itqIterations/);
  });
});

describe("CCAITQ class", () => {
  it("rejects bits above the feature widths at fit time, and bad config at construction", async () => {
    const { x, y } = correlatedViews(100, [0.5, 0.5], [0.5, 0.5], 6, 6);
    const h = new CCAITQ({ bits: 16 });
    await expect(h.fit({ name: "t", image: x, text: y })).rejects.toThrow(/exceeds min/);
    expect(() => new CCAITQ({ scalePower: -1 })).toThrow(/scalePower/);
    expect(() => new CCAITQ({ rotation: "pca" as never })).toThrow(/rotation/);
  });

  it("class codes equal the plain function's signs; a loaded model encodes identically", async () => {
    const { x, y } = correlatedViews(
      600,
      [0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6],
      [0.2, 0.3, 0.5, 0.8, 1, 1, 1, 1],
      2,
      3,
      7,
    );
    const h = new CCAITQ({ bits: 8, seed: 2, itqIterations: 20 });
    const rep = await h.fit({ name: "t", image: x, text: y });
    expect(rep.epochs).toBe(21); // cca + 20 ITQ iterations
    const f = fitCcaItq(x, y, 8, { seed: 2, itqIterations: 20 });
    const p = ccaItqProject(f, "image", x);
    const codes = h.encode("image", x);
    const bits = new Uint8Array(8);
    let mismatches = 0;
    for (let i = 0; i < x.rows; i++) {
      for (let b = 0; b < 8; b++) bits[b] = (codes.words[i] >>> b) & 1;
      for (let b = 0; b < 8; b++) if ((p.data[i * 8 + b] >= 0 ? 1 : 0) !== bits[b]) mismatches++;
    }
    // Float32 weights in the class vs float64 in the function: only values at ~0 can flip.
    expect(mismatches).toBeLessThanOrEqual(2);
    const dir = await mkdtemp(join(tmpdir(), "cmh-ccaitq-"));
    try {
      await h.save(dir);
      const l = await CCAITQ.load(dir);
      expect(l.encode("text", y).words).toEqual(h.encode("text", y).words);
      expect(l.fittedModel?.rotation.rows).toBe(8);
      l.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
      h.dispose();
    }
  });
});

const uci = sharedDataPath("uci-mfeat");
describe.skipIf(!uci)("uci-mfeat (REFERENCE.md: CCA-ITQ 16 bits 0.552 I→T, 0.541 T→I)", () => {
  it("CCA-ITQ at 16 bits lands within 0.03 of the reference; CCA + sign near its 0.315", async () => {
    const { set, split } = await loadTrainTestLayout(join(uci as string, "csv"));
    const { train, query, database } = applySplit(set, split);
    const lab = { queryLabels: query.labels!, databaseLabels: database.labels! };
    const map = async (config: ConstructorParameters<typeof CCAITQ>[0]) => {
      const h = new CCAITQ(config);
      await h.fit(train);
      const i2t = meanAveragePrecision({
        query: h.encode("image", query.image),
        database: h.encode("text", database.text),
        ...lab,
      });
      const t2i = meanAveragePrecision({
        query: h.encode("text", query.text),
        database: h.encode("image", database.image),
        ...lab,
      });
      h.dispose();
      return [i2t, t2i];
    };
    const [i2t, t2i] = await map({ bits: 16, seed: 0 });
    expect(Math.abs(i2t - 0.552)).toBeLessThan(0.03);
    expect(Math.abs(t2i - 0.541)).toBeLessThan(0.03);
    const [p1, p2] = await map({ bits: 16, rotation: "none" });
    expect(Math.abs(p1 - 0.315)).toBeLessThan(0.03);
    expect(Math.abs(p2 - 0.316)).toBeLessThan(0.03);
  });
});

describe("CCA-ITQ at 64 bits on a small generated set (regression)", () => {
  it("fits without the SVD failing to converge (was: one-sided Jacobi stuck on rounding noise)", async () => {
    const { synthetic, applySplit: split } = await import("@cmh/datasets");
    const data = synthetic({ nQuery: 200, nDatabase: 1800, nTrain: 1000 });
    const { train } = split(data.set, data.split);
    const m = fitCcaItq(train.image, train.text, 64, { seed: 0 });
    expect(m.losses.length).toBe(50);
    expect(Number.isFinite(m.losses[49])).toBe(true);
  });
});
