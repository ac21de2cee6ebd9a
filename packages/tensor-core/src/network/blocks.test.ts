import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend/backend";
import { tf } from "../backend/tf";
import { batchIndices, gatherRows, rowsTensor, tensorToMatrix } from "./batches";
import {
  bernoulliSte,
  scaledTanh,
  sigmoidThreshold,
  signPm1,
  signSte,
  sqrtSlope,
  stepSlope,
} from "./heads";
import { initValues } from "./init";
import { activate, BatchNorm1d, Dense, Dropout, Mlp } from "./layers";
import { Adam, exponentialLr, linearLr, Sgd, stepLr } from "./optim";
import { createRng } from "./rng";

beforeAll(async () => {
  await initBackend({ log: false });
});

const arr = (t: tf.Tensor) => Array.from(t.dataSync());

describe("createRng", () => {
  it("is deterministic per seed and differs across seeds", () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const xa = [a.uniform(), a.normal(), a.int(10)];
    expect([b.uniform(), b.normal(), b.int(10)]).toEqual(xa);
    expect(c.uniform()).not.toBe(xa[0]);
  });
  it("draws uniform and normal with the right moments", () => {
    const r = createRng(1);
    const u = r.fillUniform(new Float32Array(20000));
    const z = r.fillNormal(new Float32Array(20000));
    const mean = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / x.length;
    expect(mean(u)).toBeCloseTo(0.5, 1);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(mean(z)).toBeCloseTo(0, 1);
    expect(mean(z.map((v) => v * v))).toBeCloseTo(1, 1);
  });
  it("shuffles, permutes and chooses without repeats", () => {
    const r = createRng(3);
    const p = r.permutation(100);
    expect([...p].sort((x, y) => x - y)).toEqual([...Array(100).keys()]);
    const c = r.choice(1000, 50);
    expect(new Set(c).size).toBe(50);
    expect(() => r.choice(3, 4)).toThrow(/0 <= k <= n/);
    expect(() => r.int(0)).toThrow(/positive integer/);
    expect(() => createRng(Number.NaN)).toThrow(/finite/);
  });
});

describe("initialisation", () => {
  it("torch default is U(±1/√fan_in); glorot U(±√(6/(in+out))); truncated normal within 2σ", () => {
    const r = createRng(2);
    const t = initValues("torch", 5000, 100, 10, r);
    expect(Math.max(...t.map(Math.abs))).toBeLessThanOrEqual(0.1);
    expect(Math.max(...t.map(Math.abs))).toBeGreaterThan(0.09);
    const g = initValues("glorot", 5000, 100, 50, r);
    expect(Math.max(...g.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 150));
    const tn = initValues({ truncatedNormal: 0.1 }, 5000, 1, 1, r);
    expect(Math.max(...tn.map(Math.abs))).toBeLessThanOrEqual(0.2 + 1e-6);
    const n = initValues({ normal: 0.3 }, 20000, 1, 1, r);
    expect(Math.sqrt(n.reduce((s, v) => s + v * v, 0) / n.length)).toBeCloseTo(0.3, 1);
  });
  it("Dense is reproducible from the seed, with torch bias init by default and zeros for glorot", () => {
    const a = new Dense(20, 4, createRng(5));
    const b = new Dense(20, 4, createRng(5));
    expect(arr(a.weight)).toEqual(arr(b.weight));
    expect(arr(a.bias as tf.Variable).some((v) => v !== 0)).toBe(true);
    const c = new Dense(20, 4, createRng(5), { init: "glorot" });
    expect(arr(c.bias as tf.Variable).every((v) => v === 0)).toBe(true);
    const x = tf.ones([3, 20]);
    const y = a.apply(x);
    expect(y.shape).toEqual([3, 4]);
    const w = a.weight.arraySync() as number[][];
    const bias = arr(a.bias as tf.Variable);
    const expected0 = w.reduce((s, row) => s + row[0], 0) + bias[0];
    expect((y.arraySync() as number[][])[0][0]).toBeCloseTo(expected0, 5);
    tf.dispose([x, y]);
    for (const d of [a, b, c]) d.dispose();
    expect(() => new Dense(0, 3, createRng(1))).toThrow(/positive integer/);
  });
});

describe("layers", () => {
  it("leaky ReLU uses the slope", () => {
    const y = activate(tf.tensor1d([-2, 3]), "leakyRelu", 0.2);
    expect(arr(y)).toEqual([-0.4000000059604645, 3].map(Math.fround));
  });
  it("Mlp stacks layers and names its weights", () => {
    const m = new Mlp([6, 8, 3], createRng(1), {
      batchNorm: true,
      dropout: 0.5,
      outputActivation: "tanh",
    });
    const names = Object.keys(m.namedWeights());
    expect(names).toContain("0.weight");
    expect(names).toContain("bn0.runningMean");
    expect(m.trainableVariables()).toHaveLength(6);
    const x = tf.randomNormal([5, 6], 0, 1, "float32", 1);
    const y1 = m.apply(x, false);
    const y2 = m.apply(x, false);
    expect(arr(y1)).toEqual(arr(y2));
    expect(arr(y1).every((v) => Math.abs(v) <= 1)).toBe(true);
    tf.dispose([x, y1, y2]);
    m.dispose();
  });
  it("BatchNorm1d normalises batches in training and updates running stats (PyTorch momentum)", () => {
    const bn = new BatchNorm1d(2);
    const x = tf.tensor2d([
      [1, 10],
      [3, 14],
    ]);
    const y = bn.apply(x, true);
    const v = y.arraySync() as number[][];
    expect(v[0][0]).toBeCloseTo(-1, 3);
    expect(v[1][1]).toBeCloseTo(1, 3);
    expect(arr(bn.runningMean)).toEqual([0.2, 1.2].map(Math.fround));
    // unbiased variance of [1,3] is 2: 0.9 * 1 + 0.1 * 2
    expect(arr(bn.runningVar)[0]).toBeCloseTo(1.1, 5);
    const e = bn.apply(x, false);
    expect((e.arraySync() as number[][])[0][0]).toBeCloseTo((1 - 0.2) / Math.sqrt(1.1 + 1e-5), 4);
    expect(() => bn.apply(tf.ones([1, 2]), true)).toThrow(/at least 2 rows/);
    tf.dispose([x, y, e]);
    bn.dispose();
  });
  it("Dropout is identity in eval, scales kept units in training, and is seeded", () => {
    const x = tf.ones([100, 50]);
    expect(new Dropout(0.5, createRng(1)).apply(x, false)).toBe(x);
    const a = new Dropout(0.5, createRng(1)).apply(x, true);
    const b = new Dropout(0.5, createRng(1)).apply(x, true);
    const va = arr(a);
    expect(va).toEqual(arr(b));
    expect(new Set(va)).toEqual(new Set([0, 2]));
    const kept = va.filter((v) => v > 0).length / va.length;
    expect(kept).toBeGreaterThan(0.45);
    expect(kept).toBeLessThan(0.55);
    tf.dispose([x, a, b]);
  });
});

describe("code heads", () => {
  it("signPm1 maps 0 to +1", () => {
    expect(arr(signPm1(tf.tensor1d([-0.5, 0, 2])))).toEqual([-1, 1, 1]);
  });
  it("signSte passes the gradient straight through (or clipped to |x| <= 1)", () => {
    const x = tf.tensor1d([-2, -0.5, 0.3, 3]);
    const w = tf.tensor1d([1, 2, 3, 4]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(signSte(v), w)))(x);
    expect(arr(g)).toEqual([1, 2, 3, 4]);
    const gc = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(signSte(v, { clip: true }), w)))(x);
    expect(arr(gc)).toEqual([0, 2, 3, 0]);
  });
  it("scaledTanh and slope schedules", () => {
    expect(arr(scaledTanh(tf.tensor1d([0.5]), 2))[0]).toBeCloseTo(Math.tanh(1), 6);
    const s = sqrtSlope();
    expect([s(0), s(3)]).toEqual([1, 2]);
    const st = stepSlope({ growth: 2, every: 10, max: 5 });
    expect([st(0), st(10), st(25), st(100)]).toEqual([1, 2, 4, 5]);
  });
  it("bernoulliSte samples with probability σ(z), straight-through, deterministic at eval", () => {
    const z = tf.fill([4000], Math.log(3)); // σ = 0.75
    const b = bernoulliSte(z, createRng(1));
    const mean = arr(b).reduce((s, v) => s + v, 0) / 4000;
    expect(mean).toBeGreaterThan(0.72);
    expect(mean).toBeLessThan(0.78);
    expect(arr(bernoulliSte(tf.tensor1d([-1, 2]), createRng(1), { training: false }))).toEqual([
      0, 1,
    ]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(bernoulliSte(v, createRng(2)), 3)))(
      tf.tensor1d([0.1, -4]),
    );
    expect(arr(g)).toEqual([3, 3]);
  });
  it("sigmoidThreshold binarises at 0.5", () => {
    const { relaxed, codes01 } = sigmoidThreshold(tf.tensor1d([-1, 0, 1]));
    expect(arr(codes01)).toEqual([0, 1, 1]);
    expect(arr(relaxed)[2]).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
  });
});

describe("optimisers (PyTorch semantics)", () => {
  it("SGD with momentum and weight decay matches torch.optim.SGD's update", () => {
    const p = tf.variable(tf.tensor1d([1, -2]));
    const opt = new Sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
    // torch: g = grad + wd p; buf = g (first step) then 0.9 buf + g; p -= lr buf
    let pv = [1, -2];
    let buf: number[] | null = null;
    for (let s = 0; s < 3; s++) {
      const grad = [0.5, 0.25];
      opt.step([p], { [p.name]: tf.tensor1d(grad) });
      const g = grad.map((v, i) => v + 0.01 * pv[i]);
      buf = buf ? buf.map((b, i) => 0.9 * b + g[i]) : g;
      const bb = buf;
      pv = pv.map((v, i) => v - 0.1 * bb[i]);
    }
    for (const [i, v] of arr(p).entries()) expect(v).toBeCloseTo(pv[i], 5);
    expect(opt.slots().map((x) => x.slot)).toEqual(["momentum"]);
    expect(opt.iterations).toBe(3);
    opt.dispose();
  });
  it("Adam matches torch.optim.Adam's update", () => {
    const p = tf.variable(tf.tensor1d([0.3]));
    const opt = new Adam({ lr: 0.01, weightDecay: 0.1 });
    let x = 0.3;
    let m = 0;
    let v = 0;
    for (let t = 1; t <= 4; t++) {
      const grad = 2 * x; // d/dx x²
      opt.step([p], { [p.name]: tf.tensor1d([2 * arr(p)[0]]) });
      const g = grad + 0.1 * x;
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      x -= (0.01 * (m / (1 - 0.9 ** t))) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8);
    }
    expect(arr(p)[0]).toBeCloseTo(x, 5);
    opt.dispose();
  });
  it("learning-rate schedules", () => {
    const s = stepLr(0.01, 2, 0.1);
    expect([s(0), s(1), s(2), s(4)].map((v) => +v.toPrecision(6))).toEqual([
      0.01, 0.01, 0.001, 0.0001,
    ]);
    const l = linearLr(1, 0, 5);
    expect([l(0), l(2), l(4), l(9)]).toEqual([1, 0.5, 0, 0]);
    expect(exponentialLr(1, 0.5)(3)).toBe(0.125);
    expect(() => new Sgd({ lr: -1 })).toThrow(/learning rate/);
  });
});

describe("mini-batches", () => {
  const m = { rows: 5, cols: 2, data: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) };
  it("covers every row once per epoch, shuffled by the seeded rng", () => {
    const b = batchIndices(5, { batchSize: 2, rng: createRng(1) });
    expect(b.map((x) => x.length)).toEqual([2, 2, 1]);
    expect(
      b
        .flatMap((x) => [...x])
        .sort()
        .join(),
    ).toBe("0,1,2,3,4");
    expect(batchIndices(5, { batchSize: 2, dropLast: true })).toHaveLength(2);
    expect(() => batchIndices(5, { batchSize: 0 })).toThrow(/batchSize/);
  });
  it("gathers only the batch rows into a tensor", () => {
    expect([...gatherRows(m, [3, 0])]).toEqual([6, 7, 0, 1]);
    const t = rowsTensor(m, [4]);
    expect(t.shape).toEqual([1, 2]);
    expect(tensorToMatrix(t).data).toEqual(Float32Array.from([8, 9]));
    expect(() => gatherRows(m, [5])).toThrow(/out of range/);
    t.dispose();
  });
});
