import { initBackend, tf } from "@cmh/tensor-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  bitBalance,
  cycleReconstruction,
  discriminatorBce,
  generatorAdversarial,
  offDiagonalCovariance,
  pairedSimilarity,
  quantization,
  rowSquaredDistance,
  varianceFloor,
} from "./losses";

beforeAll(async () => {
  await initBackend({ log: false });
});

const val = (t: tf.Tensor) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

describe("UCH losses (spec §10)", () => {
  it("paired similarity is 0 for identical rows, > 0 otherwise, and symmetric in I/T", () => {
    const a = tf.tensor2d([
      [0.1, -0.5, 0.3],
      [0.7, 0.2, -0.9],
    ]);
    const b = tf.tensor2d([
      [0.2, -0.5, 0.1],
      [0.7, -0.2, -0.9],
    ]);
    expect(val(pairedSimilarity(a, a))).toBe(0);
    const ab = val(pairedSimilarity(a, b));
    expect(ab).toBeGreaterThan(0);
    expect(ab).toBeCloseTo((0.01 + 0.04 + 0.16) / 2, 6);
    expect(val(pairedSimilarity(b, a))).toBe(ab);
    expect(val(pairedSimilarity(a, b, "mean"))).toBeCloseTo(ab / 3, 6);
    tf.dispose([a, b]);
  });

  it("rejects mismatched shapes", () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([2, 4]);
    expect(() => rowSquaredDistance(a, b)).toThrow(/shape mismatch/);
    tf.dispose([a, b]);
  });

  it("cycle reconstruction is 0 when the generators are exact inverses, > 0 otherwise", () => {
    const a = tf.tensor2d([
      [1, 2],
      [3, -4],
    ]);
    const b = tf.tensor2d([
      [0.5, -1],
      [2, 0.25],
    ]);
    const double = (x: tf.Tensor) => tf.mul(x, 2);
    const half = (x: tf.Tensor) => tf.mul(x, 0.5);
    expect(val(cycleReconstruction(a, b, double, half))).toBe(0);
    expect(val(cycleReconstruction(a, b, double, double))).toBeGreaterThan(0);
    tf.dispose([a, b]);
  });

  it("discriminator BCE with D ≡ 0.5 is 2·log 2 (real + fake terms)", () => {
    const zeros = tf.zeros([5, 1]);
    expect(val(discriminatorBce(zeros, zeros))).toBeCloseTo(2 * Math.log(2), 6);
    // A confident, correct discriminator has a small loss; a wrong one a large loss.
    const pos = tf.fill([5, 1], 8);
    const neg = tf.fill([5, 1], -8);
    expect(val(discriminatorBce(pos, neg))).toBeLessThan(1e-3);
    expect(val(discriminatorBce(neg, pos))).toBeGreaterThan(15);
    tf.dispose([zeros, pos, neg]);
  });

  it("generator adversarial loss: non-saturating −mean log D(fake), saturating mean log(1 − D(fake))", () => {
    const z = tf.tensor2d([[0], [1.5], [-2]]);
    const d = [0, 1.5, -2].map((x) => 1 / (1 + Math.exp(-x)));
    const ns = -d.reduce((s, p) => s + Math.log(p), 0) / 3;
    const sat = d.reduce((s, p) => s + Math.log(1 - p), 0) / 3;
    expect(val(generatorAdversarial(z, "non-saturating"))).toBeCloseTo(ns, 5);
    expect(val(generatorAdversarial(z, "saturating"))).toBeCloseTo(sat, 5);
    z.dispose();
  });

  it("variance floor: γ per constant column, 0 once every std reaches γ, hand value in between", () => {
    const constant = tf.fill([4, 3], 0.7);
    expect(val(varianceFloor(constant, 1))).toBeCloseTo(3 * (1 - Math.sqrt(1e-4)), 5);
    expect(val(varianceFloor(constant, 1, "mean"))).toBeCloseTo(1 - Math.sqrt(1e-4), 5);
    // ±1 columns have population variance 1: std √(1 + ε) > 1, so no cost.
    const pm = tf.tensor2d([
      [1, -1],
      [-1, 1],
      [1, 1],
      [-1, -1],
    ]);
    expect(val(varianceFloor(pm, 1))).toBe(0);
    // Column values 0, 0, 1, 1: variance 0.25, std ≈ 0.5 → cost 0.5 at γ = 1, 0 at γ = 0.4.
    const half = tf.tensor2d([[0], [0], [1], [1]]);
    expect(val(varianceFloor(half, 1))).toBeCloseTo(1 - Math.sqrt(0.25 + 1e-4), 5);
    expect(val(varianceFloor(half, 0.4))).toBe(0);
    // The gradient raises the spread of a shrunken column.
    const g = tf.grad((t: tf.Tensor) => varianceFloor(t, 1))(half);
    const gv = Array.from(g.dataSync());
    expect(gv[0]).toBeGreaterThan(0);
    expect(gv[3]).toBeLessThan(0);
    tf.dispose([constant, pm, half, g]);
  });

  it("covariance penalty: 0 for uncorrelated columns, Σ_{i≠j} C_ij² by hand otherwise", () => {
    const uncorrelated = tf.tensor2d([
      [1, 1],
      [1, -1],
      [-1, 1],
      [-1, -1],
    ]);
    expect(val(offDiagonalCovariance(uncorrelated))).toBeCloseTo(0, 6);
    // Two identical columns 1, −1, 1, −1: sample covariance 4/3 off the diagonal, twice.
    const same = tf.tensor2d([
      [1, 1],
      [-1, -1],
      [1, 1],
      [-1, -1],
    ]);
    expect(val(offDiagonalCovariance(same))).toBeCloseTo(2 * (4 / 3) ** 2, 5);
    expect(val(offDiagonalCovariance(same, "mean"))).toBeCloseTo((4 / 3) ** 2, 5);
    const one = tf.zeros([1, 2]);
    expect(() => offDiagonalCovariance(one)).toThrow(/at least 2 rows/);
    tf.dispose([uncorrelated, same, one]);
  });

  it("bit balance Σ_k (mean_i h_ik)² and quantisation (1/n) Σ_i Σ_k (|h_ik| − 1)² by hand", () => {
    // Column means 0 and 0.5: balance 0.25. |h| − 1 per entry: 0, −0.5, 0, −0.5 → 0.25 + 0.25 over 2 rows.
    const h = tf.tensor2d([
      [1, 0.5],
      [-1, 0.5],
    ]);
    expect(val(bitBalance(h))).toBeCloseTo(0.25, 6);
    expect(val(quantization(h))).toBeCloseTo(0.25, 6);
    const codes = tf.tensor2d([
      [1, -1],
      [-1, 1],
    ]);
    expect(val(bitBalance(codes))).toBeCloseTo(0, 6);
    expect(val(quantization(codes))).toBeCloseTo(0, 6);
    tf.dispose([h, codes]);
  });
});
