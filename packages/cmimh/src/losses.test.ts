import { initBackend, tf } from "@cmh/tensor-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  balanceLoss,
  bernoulliKlFromLogits,
  diagonalJsMi,
  jsMiFromScores,
  reconstructionLoss,
  separableJsMi,
  symmetricKl,
  tcClassifierLoss,
  tcFromLogits,
} from "./losses";

const LN2 = Math.log(2);
const val = (t: tf.Tensor) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

beforeAll(async () => {
  await initBackend({ log: false });
});

describe("Bernoulli KL from logits (oracle 3)", () => {
  const logit = (p: number) => Math.log(p / (1 - p));
  const klProb = (p: number, q: number) =>
    p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q));

  it("KL(p||p) = 0 and the worked example p=0.5, q=0.25 gives 0.5 ln 2 + 0.5 ln(2/3)", () => {
    const a = tf.tensor1d([0.3, -2, 5]);
    expect(Math.max(...bernoulliKlFromLogits(a, a).dataSync().map(Math.abs))).toBeLessThan(1e-6);
    const kl = val(bernoulliKlFromLogits(tf.tensor1d([0]), tf.tensor1d([logit(0.25)])));
    expect(kl).toBeCloseTo(0.5 * LN2 + 0.5 * Math.log(2 / 3), 6);
    expect(kl).toBeCloseTo(0.1438, 4);
    a.dispose();
  });

  it("logit form equals the probability form to 1e-6 on p, q in [0.01, 0.99], and is >= 0", () => {
    const ps: number[] = [];
    const qs: number[] = [];
    for (const p of [0.01, 0.1, 0.3, 0.5, 0.77, 0.99])
      for (const q of [0.01, 0.2, 0.5, 0.9, 0.99]) {
        ps.push(p);
        qs.push(q);
      }
    const kl = bernoulliKlFromLogits(tf.tensor1d(ps.map(logit)), tf.tensor1d(qs.map(logit)));
    const v = kl.dataSync();
    ps.forEach((p, i) => {
      expect(Math.abs(v[i] - klProb(p, qs[i]))).toBeLessThan(1e-5 * Math.max(1, klProb(p, qs[i])));
      expect(v[i]).toBeGreaterThanOrEqual(-1e-6);
    });
    kl.dispose();
  });

  it("SKL = sum (sigma(a)-sigma(c))(a-c) = KL + reverse KL, symmetric, finite with extreme logits", () => {
    const a = tf.tensor2d([
      [100, -100, 0.5],
      [80, 3, -60],
    ]);
    const c = tf.tensor2d([
      [-100, 100, -0.5],
      [80, -3, 60],
    ]);
    const s1 = val(symmetricKl(a, c));
    const s2 = val(symmetricKl(c, a));
    expect(Number.isFinite(s1)).toBe(true);
    expect(s1).toBeCloseTo(s2, 4);
    const kl = tf.tidy(() =>
      tf.mean(tf.sum(tf.add(bernoulliKlFromLogits(a, c), bernoulliKlFromLogits(c, a)), 1)),
    );
    expect(val(kl)).toBeCloseTo(s1, 2);
    // row 1: 200 + 200 + (σ(.5)-σ(-.5))·1 ; row 2: 0 + (σ(3)-σ(-3))·6 + 120
    const ref = (400 + (0.6224593 - 0.3775407) + (0.9525741 - 0.0474259) * 6 + 120) / 2;
    expect(s1).toBeCloseTo(ref, 2);
    // gradients are finite too
    const g = tf.grad((x: tf.Tensor) => symmetricKl(x, c))(a);
    expect(g.dataSync().every(Number.isFinite)).toBe(true);
    tf.dispose([a, c, g]);
  });
});

describe("Jensen-Shannon MI estimator (oracle 4, 8)", () => {
  it("zero critic (M = 0) gives exactly -2 ln 2", () => {
    expect(val(jsMiFromScores(tf.zeros([16, 16])))).toBeCloseTo(-2 * LN2, 5);
    const { scores, mi } = separableJsMi(tf.zeros([16, 8]), tf.zeros([16, 8]));
    expect(scores.shape).toEqual([16, 16]);
    expect(val(mi)).toBeCloseTo(-2 * LN2, 5);
    scores.dispose();
  });

  it("M = s·I − s·(1−I) tends to 0 from below as s grows; never above 0", () => {
    let prev = Number.NEGATIVE_INFINITY;
    for (const s of [0.5, 2, 8, 30, 100]) {
      const m = tf.tidy(() => tf.sub(tf.mul(tf.eye(10), 2 * s), s));
      const v = val(jsMiFromScores(m));
      m.dispose();
      expect(v).toBeLessThanOrEqual(0);
      if (s <= 8) expect(v).toBeGreaterThan(prev);
      else expect(v).toBeGreaterThanOrEqual(prev);
      prev = v;
    }
    expect(prev).toBeGreaterThan(-1e-6);
  });

  it("is unbounded below for an anti-correlated critic and never exceeds 0 on random scores", () => {
    const m = tf.tidy(() => tf.sub(20, tf.mul(tf.eye(8), 40)));
    expect(val(jsMiFromScores(m))).toBeLessThan(-20);
    m.dispose();
    for (let seed = 0; seed < 5; seed++) {
      const r = tf.randomNormal([12, 12], 0, 5, "float32", seed);
      expect(val(jsMiFromScores(r))).toBeLessThanOrEqual(0);
      r.dispose();
    }
  });

  it("excludes the diagonal from the negatives", () => {
    // Only the diagonal is large: negatives all have M = 0 -> neg term = ln 2 exactly.
    const m = tf.tidy(() => tf.mul(tf.eye(6), 50));
    expect(val(jsMiFromScores(m))).toBeCloseTo(-LN2, 5);
    m.dispose();
  });

  it("rejects a non-square score matrix", () => {
    const m = tf.zeros([3, 4]);
    expect(() => jsMiFromScores(m)).toThrow(/square/);
    m.dispose();
  });
});

describe("bit-aligned critic (criticForm diagonal / hamming)", () => {
  it("depends on which bit meets which: the same codes with text bits permuted score lower", () => {
    // Matched pairs agree bit by bit; permuting the text bits keeps I(B_X;B_Y) (a separable critic
    // could relearn it) but breaks the same-index agreement the diagonal critic measures.
    const n = 32;
    const b = 8;
    const codes = new Float32Array(n * b);
    let s = 7;
    for (let i = 0; i < codes.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      codes[i] = (s >>> 16) & 1 ? 0.95 : 0.05;
    }
    const perm = [1, 2, 3, 4, 5, 6, 7, 0];
    const shuffled = new Float32Array(n * b);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < b; k++) shuffled[i * b + k] = codes[i * b + perm[k]];
    const px = tf.tensor2d(codes, [n, b]);
    const aligned = tf.tensor2d(codes, [n, b]);
    const permuted = tf.tensor2d(shuffled, [n, b]);
    const w = tf.fill([b], 1);
    const beta = tf.tensor1d([-4]);
    const a = diagonalJsMi(px, aligned, w, beta);
    const c = diagonalJsMi(px, permuted, w, beta);
    const miAligned = val(a.mi);
    const miPermuted = val(c.mi);
    expect(miAligned).toBeGreaterThan(-2 * LN2 + 0.3);
    expect(miAligned).toBeLessThanOrEqual(0);
    expect(miPermuted).toBeLessThan(miAligned - 0.3);
    // The same permutation on both sides changes nothing.
    const py2 = tf.tensor2d(shuffled, [n, b]);
    const d = diagonalJsMi(permuted, py2, w, beta);
    expect(val(d.mi)).toBeCloseTo(miAligned, 5);
    tf.dispose([px, aligned, permuted, py2, w, beta, a.scores, c.scores, d.scores]);
  });

  it("gives −2 ln 2 at p = ½ with β = 0 (the zero-critic value)", () => {
    const p = tf.fill([10, 4], 0.5);
    const w = tf.fill([4], 3);
    const beta = tf.zeros([1]);
    const { scores, mi } = diagonalJsMi(p, p, w, beta);
    expect(val(mi)).toBeCloseTo(-2 * LN2, 5);
    tf.dispose([p, w, beta, scores]);
  });
});

describe("total correlation estimate (oracle 5)", () => {
  it("a classifier with logit 0 gives TC estimate 0 and classifier BCE 2 ln 2", () => {
    const z = tf.zeros([20, 1]);
    expect(val(tcFromLogits(z))).toBe(0);
    expect(val(tcClassifierLoss(z, z))).toBeCloseTo(2 * LN2, 6);
    // A confident correct classifier has a small loss; TC estimate = mean logit.
    const real = tf.fill([20, 1], 8);
    const perm = tf.fill([20, 1], -8);
    expect(val(tcClassifierLoss(real, perm))).toBeLessThan(1e-3);
    expect(val(tcFromLogits(real))).toBeCloseTo(8, 6);
    tf.dispose([z, real, perm]);
  });
});

describe("balance and reconstruction (oracle 6)", () => {
  it("balance = 0 when every bit's batch mean is 0.5 and 0.5 when all p = 1", () => {
    const half = tf.tensor2d([
      [0.1, 0.5, 1],
      [0.9, 0.5, 0],
    ]);
    expect(val(balanceLoss(half))).toBeCloseTo(0, 7);
    expect(val(balanceLoss(tf.ones([4, 8])))).toBeCloseTo(0.5, 7);
    half.dispose();
  });

  it("reconstruction is the per-element mean squared error", () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const y = tf.tensor2d([
      [1, 0],
      [3, 6],
    ]);
    expect(val(reconstructionLoss(x, y))).toBeCloseTo(2, 6);
    tf.dispose([x, y]);
  });

  it("reconstructionLoss in nats is the unit-variance Gaussian NLL: ½ Σ_d per item, mean over items", () => {
    const x = tf.tensor2d([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const y = tf.tensor2d([
      [0, 2, 5],
      [0, 0, 1],
    ]);
    expect(val(reconstructionLoss(x, y, "mean"))).toBeCloseTo(6 / 6, 6);
    expect(val(reconstructionLoss(x, y, "nats"))).toBeCloseTo((0.5 * (1 + 4) + 0.5 * 1) / 2, 6);
    tf.dispose([x, y]);
  });
});
