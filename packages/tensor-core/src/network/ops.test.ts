import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend/backend";
import { tf } from "../backend/tf";
import { stableSoftplus, stopGradient } from "./ops";

beforeAll(async () => {
  await initBackend({ log: false });
});

describe("stableSoftplus", () => {
  it("matches log(1+e^t), stays finite at |t| = 1e4 and has gradient σ(t) (also at 0)", () => {
    const ts = [-1e4, -30, -1, 0, 1, 30, 1e4];
    const t = tf.tensor1d(ts);
    const y = stableSoftplus(t);
    const v = y.dataSync();
    ts.forEach((x, i) => {
      const ref = x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
      expect(v[i]).toBeCloseTo(ref, 4);
    });
    expect(v[0]).toBe(0);
    expect(v[6]).toBe(1e4);
    const g = tf.grad((x: tf.Tensor) => tf.sum(stableSoftplus(x)))(t);
    const gv = g.dataSync();
    ts.forEach((x, i) => {
      expect(gv[i]).toBeCloseTo(1 / (1 + Math.exp(-x)), 6);
    });
    expect(gv[3]).toBe(0.5);
    tf.dispose([t, y, g]);
  });
});

describe("stopGradient", () => {
  it("passes values and blocks gradients", () => {
    const x = tf.tensor1d([1, -2, 3]);
    const y = stopGradient(x);
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.add(tf.square(stopGradient(t)), t)))(x);
    expect(Array.from(g.dataSync())).toEqual([1, 1, 1]);
    tf.dispose([x, y, g]);
  });
});
