import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend/backend";
import { tf } from "../backend/tf";
import { ConfigError } from "../hasher/errors";
import { Adam, createOptimizer, type OptimizerName, Sgd } from "./optim";
import { createRng } from "./rng";
import { namedTerms, TrainingLoop, trainStep } from "./train";

beforeAll(async () => {
  await initBackend({ log: false });
});

/** Two identical linear models (same seed) and a loss with two named terms. */
function twin(seed = 7) {
  const rng = createRng(seed);
  const wInit = rng.fillNormal(new Float32Array(6 * 3));
  const x = tf.tensor2d(rng.fillNormal(new Float32Array(10 * 6)), [10, 6]);
  const make = (tag: string) => tf.variable(tf.tensor2d(wInit, [6, 3]), true, `w-${tag}-${seed}`);
  const loss = (w: tf.Variable) => () => {
    const y = tf.matMul(x, w);
    const fit = tf.mean(tf.square(tf.sub(y, 1))) as tf.Scalar;
    const quant = tf.mean(tf.abs(y)) as tf.Scalar;
    return { total: tf.add(fit, tf.mul(quant, 0.5)) as tf.Scalar, terms: { fit, quant } };
  };
  return { x, a: make("a"), b: make("b"), loss };
}

describe("trainStep (the step API)", () => {
  it("equals a hand-written variableGrads + optimiser step, bit for bit, and releases its tensors", () => {
    const { x, a, b, loss } = twin();
    const optA = new Adam({ lr: 0.01, weightDecay: 1e-3 });
    const optB = new Adam({ lr: 0.01, weightDecay: 1e-3 });
    for (let i = 0; i < 3; i++) {
      const before = tf.memory().numTensors;
      const terms = trainStep(loss(a), { optimizer: optA, variables: [a] });
      if (i > 0) expect(tf.memory().numTensors).toBe(before);
      // The hand-written step: the same ops in the same order.
      const { value, grads } = tf.variableGrads(() => loss(b)().total, [b]);
      const total = value.dataSync()[0];
      optB.step([b], grads);
      value.dispose();
      tf.dispose(Object.values(grads));
      expect(terms.total).toBe(total);
      expect(Object.keys(terms).sort()).toEqual(["fit", "quant", "total"]);
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    }
    tf.dispose([x, a, b]);
    optA.dispose();
    optB.dispose();
  });

  it("clips the global gradient norm like clip_grad_norm_ when clipNorm is set", () => {
    const { x, a, b, loss } = twin(8);
    const optA = new Sgd({ lr: 0.1 });
    const optB = new Sgd({ lr: 0.1 });
    const maxNorm = 0.05;
    trainStep(loss(a), { optimizer: optA, variables: [a] }, { clipNorm: maxNorm });
    const { value, grads } = tf.variableGrads(() => loss(b)().total, [b]);
    const g = grads[b.name];
    const norm = Math.sqrt(Array.from(g.dataSync()).reduce((s, v) => s + v * v, 0));
    expect(norm).toBeGreaterThan(maxNorm); // the test exercises clipping
    const clipped = tf.mul(g, maxNorm / (norm + 1e-6));
    optB.step([b], { [b.name]: clipped });
    const da = a.dataSync();
    const db = b.dataSync();
    for (let i = 0; i < da.length; i++) expect(da[i]).toBeCloseTo(db[i], 6);
    tf.dispose([value, g, clipped, x, a, b]);
    expect(() => trainStep(loss(a), { optimizer: optA, variables: [a] }, { clipNorm: 0 })).toThrow(
      /clipNorm must be a finite number > 0, got 0/,
    );
  });

  it("records a named step's terms separately inside a phase", async () => {
    const { x, a, loss } = twin(9);
    const opt = new Sgd({ lr: 0.01 });
    const loop = new TrainingLoop({ method: "T" });
    const out = await loop.phase("adversarial", 1, async (epoch) => {
      await epoch.step(loss(a), { optimizer: opt, variables: [a] }, { name: "generator" });
      await epoch.step(loss(a), { optimizer: opt, variables: [a] });
    });
    expect(Object.keys(out[0]).sort()).toEqual([
      "fit",
      "generator",
      "generator.fit",
      "generator.quant",
      "quant",
      "total",
    ]);
    expect(namedTerms("critic", { total: 1, hinge: 2 })).toEqual({ critic: 1, "critic.hinge": 2 });
    tf.dispose([x, a]);
  });
});

describe("createOptimizer", () => {
  it("builds the named optimiser with the given options", () => {
    const sgd = createOptimizer("sgd", { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
    expect(sgd).toBeInstanceOf(Sgd);
    expect(sgd).toMatchObject({ lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
    const adam = createOptimizer("adam", { lr: 0.01, momentum: 0.9, weightDecay: 1e-3 });
    expect(adam).toBeInstanceOf(Adam);
    expect(adam).toMatchObject({ lr: 0.01, weightDecay: 1e-3, beta1: 0.9 });
    expect(() => createOptimizer("rmsprop" as OptimizerName, { lr: 1 })).toThrow(ConfigError);
    expect(() => createOptimizer("rmsprop" as OptimizerName, { lr: 1 })).toThrow(
      'optimizer must be one of "sgd", "adam", got "rmsprop"',
    );
  });
});
