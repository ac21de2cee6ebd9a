import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applySplit, loadTrainTestLayout } from "@cmh/datasets";
import { codeHealth, packCodes } from "@cmh/hamming-index";
import { meanAveragePrecision } from "@cmh/metrics";
import { createRng, type Matrix64, matmul } from "@cmh/tensor-core";
import { describeHasherConformance, sharedDataPath } from "@cmh/testing";
import { describe, expect, it } from "vitest";
import { ccaTransform, fitCca } from "./cca";
import { CCAITQ, ccaItqProject, fitCcaItq } from "./index";
import { itqStep, randomRotation } from "./itq";
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

  it("below min(cols) the codes are exactly the plain CCA + ITQ ones (regression)", () => {
    // The computation before completion existed, rebuilt from the primitives.
    const bits = 8;
    const cca = fitCca(x, y, { regularization: 1e-4, components: bits });
    const scale = (w: Matrix64): Matrix64 => ({
      rows: w.rows,
      cols: bits,
      data: w.data.map((v, i) => v * cca.correlations[i % bits]),
    });
    const vi = ccaTransform(cca.meanX, scale(cca.wx), x);
    const vt = ccaTransform(cca.meanY, scale(cca.wy), y);
    const stacked = new Float64Array(vi.data.length + vt.data.length);
    stacked.set(vi.data);
    stacked.set(vt.data, vi.data.length);
    const rng = createRng(5);
    let r = randomRotation(bits, () => rng.normal());
    for (let t = 0; t < 50; t++)
      r = itqStep({ rows: 2 * x.rows, cols: bits, data: stacked }, r).rotation;
    const m = fitCcaItq(x, y, bits, { seed: 5 });
    expect(m.effectiveRank).toBe(bits);
    expect(Array.from(m.rotation.data)).toEqual(Array.from(r.data));
    expect(Array.from(ccaItqProject(m, "text", y).data)).toEqual(Array.from(matmul(vt, r).data));
  });

  it("above min(cols) completes the projection with uncorrelated directions and warns", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      const m = fitCcaItq(x, y, 20, { seed: 1 });
      expect(m.effectiveRank).toBe(12);
      expect(m.projImage.cols).toBe(20);
      expect(Array.from(m.correlations.slice(12))).toEqual(new Array(8).fill(0));
      // Image (12 cols) has no spare direction; columns 12..13 are the text's two unpaired
      // directions (image 0 there); 12 + 14 − 12 = 14 directions exist, columns 14..19 stay 0.
      const colNorm = (w: Matrix64, j: number) => {
        let s = 0;
        for (let i = 0; i < w.rows; i++) s += w.data[i * w.cols + j] ** 2;
        return s;
      };
      expect(colNorm(m.projImage, 12)).toBe(0);
      expect(colNorm(m.projText, 13)).toBeGreaterThan(0);
      expect(colNorm(m.projImage, 14) + colNorm(m.projText, 14)).toBe(0);
      // The unpaired text directions are uncorrelated with every image direction.
      const pi = ccaTransform(m.meanImage, m.projImage, x);
      const pt = ccaTransform(m.meanText, m.projText, y);
      const corr = (a: Matrix64, ja: number, b: Matrix64, jb: number) => {
        let sab = 0;
        let saa = 0;
        let sbb = 0;
        for (let i = 0; i < a.rows; i++) {
          const u = a.data[i * a.cols + ja];
          const v = b.data[i * b.cols + jb];
          sab += u * v;
          saa += u * u;
          sbb += v * v;
        }
        return sab / Math.sqrt(saa * sbb);
      };
      for (let j = 0; j < 12; j++) expect(Math.abs(corr(pt, 13, pi, j))).toBeLessThan(1e-3);
      expect(corr(pi, 0, pt, 0)).toBeGreaterThan(0.5);
      // 26 = 12 + 14 directions exist in all; bits beyond are zero columns, still rotated by ITQ.
      const big = fitCcaItq(x, y, 32, { seed: 1 });
      expect(colNorm(big.projImage, 31) + colNorm(big.projText, 31)).toBe(0);
      expect(big.effectiveRank).toBe(12);
      const codes = ccaItqProject(big, "image", x);
      expect(codes.cols).toBe(32);
      await new Promise((r) => setImmediate(r)); // Node emits warnings on the next tick
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.some((w) => /bits = 20 exceeds the usable CCA rank 12/.test(w))).toBe(true);
  });

  it("rejects bad options", () => {
    // biome-ignore lint/suspicious/noExplicitAny: runtime check
    expect(() => fitCcaItq(x, y, 4, { rotation: "pca" as any })).toThrow(/rotation must be/);
    expect(() => fitCcaItq(x, y, 4, { itqIterations: -1 })).toThrow(/itqIterations/);
  });
});

describe("CCAITQ class", () => {
  it("fits bits above the feature widths (effective rank in the fit report); rejects bad config", async () => {
    const { x, y } = correlatedViews(100, [0.5, 0.5], [0.5, 0.5], 6, 6);
    const h = new CCAITQ({ bits: 16, itqIterations: 3 });
    const rep = await h.fit({ name: "t", image: x, text: y });
    expect(rep.history[0].effectiveRank).toBe(8);
    expect(h.fittedModel?.effectiveRank).toBe(8);
    h.dispose();
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

/** Labelled pairs: 8 classes, 80-d dense image, 10-d topic-like text (non-negative, rows sum to 1). */
function topicSet(n: number, seed: number) {
  const rng = createRng(seed);
  const classes = 8;
  const centres = Array.from({ length: classes }, () =>
    Float64Array.from({ length: 80 }, () => rng.normal()),
  );
  const topics = Array.from({ length: classes }, () =>
    Float64Array.from({ length: 10 }, () => 2 * rng.normal()),
  );
  const image = new Float32Array(n * 80);
  const text = new Float32Array(n * 10);
  const labels = new Uint8Array(n * classes);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i * classes + c] = 1;
    for (let j = 0; j < 80; j++) image[i * 80 + j] = centres[c][j] + 1.5 * rng.normal();
    let sum = 0;
    for (let j = 0; j < 10; j++) {
      const e = Math.exp(topics[c][j] + rng.normal());
      text[i * 10 + j] = e;
      sum += e;
    }
    for (let j = 0; j < 10; j++) text[i * 10 + j] /= sum;
  }
  return {
    name: "topic",
    image: { rows: n, cols: 80, data: image },
    text: { rows: n, cols: 10, data: text },
    labels: { rows: n, cols: classes, data: labels },
  };
}

describe("CCA-ITQ with 10-column text at 16/32/64 bits", () => {
  const all = topicSet(1400, 1);
  const train = {
    ...all,
    image: slice(all.image, 0, 800),
    text: slice(all.text, 0, 800),
    labels: slice(all.labels, 0, 800),
  };
  const test = {
    image: slice(all.image, 800, 1400),
    text: slice(all.text, 800, 1400),
    labels: slice(all.labels, 800, 1400),
  };
  const q = { image: slice(test.image, 0, 100), text: slice(test.text, 0, 100) };
  const qLabels = slice(test.labels, 0, 100);
  const db = { image: slice(test.image, 100, 600), text: slice(test.text, 100, 600) };
  const dbLabels = slice(test.labels, 100, 600);
  for (const bits of [16, 32, 64]) {
    it(`${bits} bits: fits, codes healthy, mAP above random codes`, async () => {
      const h = new CCAITQ({ bits, seed: 0 });
      const onWarning = () => {};
      process.on("warning", onWarning);
      try {
        const rep = await h.fit(train);
        expect(rep.history[0].effectiveRank).toBe(9); // rows sum to 1: one text direction is void
        await new Promise((r) => setImmediate(r));
      } finally {
        process.off("warning", onWarning);
      }
      const dbImage = h.encode("image", db.image);
      const dbText = h.encode("text", db.text);
      expect(codeHealth(dbImage).collapsed).toBe(false);
      expect(codeHealth(dbText).collapsed).toBe(false);
      const lab = { queryLabels: qLabels, databaseLabels: dbLabels };
      const i2t = meanAveragePrecision({
        query: h.encode("image", q.image),
        database: dbText,
        ...lab,
      });
      const t2i = meanAveragePrecision({
        query: h.encode("text", q.text),
        database: dbImage,
        ...lab,
      });
      // Random codes: expected mAP = share of relevant items (1/8); seeded random codes as a check.
      const rng = createRng(9);
      const random = (n: number) =>
        packCodes(
          Float32Array.from({ length: n * bits }, () => rng.normal()),
          n,
          bits,
        );
      const rand = meanAveragePrecision({ query: random(100), database: random(500), ...lab });
      expect(rand).toBeLessThan(0.2);
      expect(i2t).toBeGreaterThan(rand + 0.2);
      expect(t2i).toBeGreaterThan(rand + 0.2);
      h.dispose();
    });
  }
});

function slice<T extends Float32Array | Uint8Array>(
  m: { rows: number; cols: number; data: T },
  from: number,
  to: number,
): { rows: number; cols: number; data: T } {
  return { rows: to - from, cols: m.cols, data: m.data.slice(from * m.cols, to * m.cols) as T };
}
