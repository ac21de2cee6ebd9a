import { bernoulliSte, createRng, initBackend, tf } from "@cmh/tensor-core";
import { beforeAll, describe, expect, it } from "vitest";
import { CMIMH_DEFAULTS } from "./config";
import {
  buildNetworks,
  type CmimhNetworks,
  criticVariables,
  diagonalCriticScores,
  sampleCodes,
  sigmoidScaledGrad,
} from "./network";

beforeAll(async () => {
  await initBackend({ log: false });
});

describe("stochastic binary code layer (oracle 1-2)", () => {
  it("logistic reparameterisation: mean of H(z + eps) over 1e5 draws is sigmoid(z) +- 0.01", () => {
    const rng = createRng(3);
    const zs = [-2, -0.5, 0, 0.7, 3];
    const z = tf.tidy(() => tf.tile(tf.tensor2d([zs]), [100_000, 1]));
    const b = bernoulliSte(z, rng);
    const means = tf.tidy(() => tf.mean(b, 0).dataSync());
    tf.dispose([z, b]);
    zs.forEach((zk, k) => {
      expect(Math.abs(means[k] - 1 / (1 + Math.exp(-zk)))).toBeLessThan(0.01);
    });
    expect(Math.abs(means[2] - 0.5)).toBeLessThan(0.01);
  });

  it("straight-through: values in {0,1}, gradient of sum(step(z + eps)) is exactly 1", () => {
    const rng = createRng(5);
    const z = tf.randomNormal([64, 16], 0, 3, "float32", 1);
    const b = bernoulliSte(z, rng);
    const vals = b.dataSync();
    expect(vals.every((v) => v === 0 || v === 1)).toBe(true);
    expect(new Set(vals).size).toBe(2);
    const g = tf.grad((x: tf.Tensor) => tf.sum(bernoulliSte(x, rng)))(z);
    expect(g.dataSync().every((v) => v === 1)).toBe(true);
    tf.dispose([z, b, g]);
  });

  it("eval mode is deterministic: 1[z > 0] with no noise", () => {
    const z = tf.tensor2d([[-1, -1e-3, 1e-3, 2]]);
    const a = bernoulliSte(z, createRng(1), { training: false });
    const b = bernoulliSte(z, createRng(2), { training: false });
    expect(Array.from(a.dataSync())).toEqual([0, 0, 1, 1]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([z, a, b]);
  });
});

describe("sigmoid-scaled straight-through gradient (steGradient: sigmoid)", () => {
  it("is the identity forward; its gradient is 4σ(z)(1 − σ(z)): 1 at 0, fading when saturated", () => {
    const zs = [-20, -2, 0, 0.5, 20];
    const z = tf.tensor1d(zs);
    const y = sigmoidScaledGrad(z);
    expect(Array.from(y.dataSync())).toEqual(zs);
    const g = tf
      .grad((x: tf.Tensor) => tf.sum(tf.mul(sigmoidScaledGrad(x), 3)))(z)
      .dataSync();
    zs.forEach((x, i) => {
      const p = 1 / (1 + Math.exp(-x));
      expect(g[i]).toBeCloseTo(3 * 4 * p * (1 - p), 5);
    });
    expect(g[2]).toBeCloseTo(3, 6);
    expect(g[0]).toBeLessThan(1e-6);
    // Through the code layer: same samples as the plain STE for the same seed, scaled gradient.
    const rng1 = createRng(9);
    const rng2 = createRng(9);
    const a = bernoulliSte(z, rng1);
    const b = bernoulliSte(sigmoidScaledGrad(z), rng2);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([z, y, a, b]);
  });
});

describe("sampleCodes (the code layer as the fit uses it)", () => {
  it("identity: bernoulliSte itself; sigmoid: the same samples with the gradient scaled", () => {
    const z = tf.tensor2d([[-3, -0.2, 0, 0.4, 5]]);
    const a = bernoulliSte(z, createRng(2));
    const b = sampleCodes(z, "identity", createRng(2));
    const c = sampleCodes(z, "sigmoid", createRng(2));
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(Array.from(c.dataSync())).toEqual(Array.from(a.dataSync()));
    const gi = tf.grad((x: tf.Tensor) => tf.sum(sampleCodes(x, "identity", createRng(2))))(z);
    const gs = tf.grad((x: tf.Tensor) => tf.sum(sampleCodes(x, "sigmoid", createRng(2))))(z);
    expect(Array.from(gi.dataSync())).toEqual([1, 1, 1, 1, 1]);
    expect(gs.dataSync()[2]).toBeCloseTo(1, 6);
    expect(gs.dataSync()[4]).toBeLessThan(0.03);
    tf.dispose([z, a, b, c, gi, gs]);
  });
});

const disposeAll = (n: CmimhNetworks) => {
  for (const v of Object.values(n))
    if (v) "dispose" in v ? v.dispose() : tf.dispose(Object.values(v));
};

describe("buildNetworks", () => {
  const widths = { image: 12, text: 20 };
  const small = {
    ...CMIMH_DEFAULTS,
    bits: 8,
    hidden: 16,
    criticHidden: 6,
    criticDim: 4,
    tcHidden: 5,
  };
  it("separable: encoders d -> b, decoders b -> d, critic towers b -> k, classifiers b -> 1", () => {
    const n = buildNetworks(small, widths, createRng(0));
    const z = n.encImage.apply(tf.zeros([3, 12]), false);
    const r = n.decText.apply(tf.zeros([3, 8]), false);
    const g = n.criticImage?.apply(tf.zeros([3, 8]), false);
    const d = n.tcText.apply(tf.zeros([3, 8]), false);
    expect([z.shape, r.shape, g?.shape, d.shape]).toEqual([
      [3, 8],
      [3, 20],
      [3, 4],
      [3, 1],
    ]);
    expect(n.criticDiag).toBeUndefined();
    // Two towers of three dense layers (weight + bias each).
    expect(criticVariables(n)).toHaveLength(12);
    tf.dispose([z, r, g as tf.Tensor, d]);
    disposeAll(n);
  });
  it("diagonal / hamming: per-bit or one shared weight, starting at softplus(ω) = 1, bias 0", () => {
    for (const [form, size] of [
      ["diagonal", 8],
      ["hamming", 1],
    ] as const) {
      const n = buildNetworks({ ...small, criticForm: form }, widths, createRng(0));
      expect(n.criticImage).toBeUndefined();
      const [w, beta] = criticVariables(n);
      expect(w.size).toBe(size);
      const sp = Array.from(tf.tidy(() => tf.softplus(w)).dataSync());
      for (const v of sp) expect(v).toBeCloseTo(1, 6);
      expect(Array.from(beta.dataSync())).toEqual([0]);
      disposeAll(n);
    }
  });
  it("draws the same initial weights for the same seed", () => {
    const a = buildNetworks(small, widths, createRng(7));
    const b = buildNetworks(small, widths, createRng(7));
    const wa = a.encText.trainableVariables()[0].dataSync();
    const wb = b.encText.trainableVariables()[0].dataSync();
    expect(Array.from(wb)).toEqual(Array.from(wa));
    disposeAll(a);
    disposeAll(b);
  });
});

describe("bit-aligned critic scores (criticForm diagonal / hamming)", () => {
  it("scores M_ij = Σ_k w_k (2p_ik − 1)(2q_jk − 1) + β", () => {
    const p = [
      [0.9, 0.2, 0.5],
      [0.1, 0.7, 0.6],
    ];
    const q = [
      [0.8, 0.3, 0.1],
      [0.4, 0.9, 0.5],
    ];
    const w = [1, 0.5, 2];
    const beta = -0.3;
    const px = tf.tensor2d(p);
    const py = tf.tensor2d(q);
    const wt = tf.tensor1d(w);
    const bt = tf.tensor1d([beta]);
    const m = diagonalCriticScores(px, py, wt, bt);
    expect(m.shape).toEqual([2, 2]);
    const got = m.dataSync();
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) {
        let ref = beta;
        for (let k = 0; k < 3; k++) ref += w[k] * (2 * p[i][k] - 1) * (2 * q[j][k] - 1);
        expect(got[i * 2 + j]).toBeCloseTo(ref, 5);
      }
    const short = tf.tensor1d([1, 2]);
    expect(() => diagonalCriticScores(px, py, short, bt)).toThrow(/w \[b\]/);
    tf.dispose([px, py, wt, bt, m, short]);
  });
});
