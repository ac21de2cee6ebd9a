import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend/backend";
import { tf } from "../backend/tf";
import type { FitProgress } from "../hasher/hasher";
import { batchIndices, rowsTensor } from "./batches";
import { Mlp } from "./layers";
import { Sgd } from "./optim";
import { createRng } from "./rng";
import { AbortError, epochScale, NonFiniteLossError, TrainingLoop, trainStep } from "./train";

beforeAll(async () => {
  await initBackend({ log: false });
});

function setup(seed = 1) {
  const rng = createRng(seed);
  const n = 64;
  const x = { rows: n, cols: 8, data: rng.fillNormal(new Float32Array(n * 8)) };
  const net = new Mlp([8, 16, 4], rng, { outputActivation: "tanh", batchNorm: true, dropout: 0.1 });
  const opt = new Sgd({ lr: 0.05, momentum: 0.9 });
  const loss = (xb: tf.Tensor) => () => {
    const y = net.apply(xb, true);
    const recon = tf.mean(
      tf.square(tf.sub(tf.matMul(y, y, false, true), tf.div(tf.matMul(xb, xb, false, true), 8))),
    );
    const quant = tf.mean(tf.square(tf.sub(tf.abs(y), 1)));
    return {
      total: tf.add(recon, tf.mul(quant, 0.1)) as tf.Scalar,
      terms: { recon: recon as tf.Scalar, quant: quant as tf.Scalar },
    };
  };
  return { rng, x, net, opt, loss };
}

describe("TrainingLoop", () => {
  it("trains, reports progress with ETA and named terms, and does not grow numTensors across epochs", async () => {
    const { rng, x, net, opt, loss } = setup();
    const events: FitProgress[] = [];
    const loop = new TrainingLoop({ method: "T", onProgress: (e) => events.push(e) });
    const counts: number[] = [];
    await loop.phase("train", 6, async (ctx) => {
      for (const idx of batchIndices(x.rows, { batchSize: 16, rng })) {
        const xb = rowsTensor(x, idx);
        await ctx.step(loss(xb), { optimizer: opt, variables: net.trainableVariables() });
        xb.dispose();
      }
      counts.push(tf.memory().numTensors);
    });
    expect(events).toHaveLength(6);
    expect(events[5]).toMatchObject({ method: "T", phase: "train", epoch: 6, epochs: 6 });
    expect(events[0].etaSeconds).toBeGreaterThanOrEqual(0);
    expect(events[5].etaSeconds).toBe(0);
    expect(Object.keys(events[0].losses ?? {}).sort()).toEqual(["quant", "recon", "total"]);
    expect(loop.history[5].total).toBeLessThan(loop.history[0].total);
    // momentum buffers are created in epoch 1; after that the count is flat
    expect(new Set(counts.slice(1)).size).toBe(1);
    net.dispose();
    opt.dispose();
  });

  it("stops promptly with an AbortError when the signal aborts", async () => {
    const { x, net, opt, loss } = setup();
    const ac = new AbortController();
    const loop = new TrainingLoop({ method: "T", signal: ac.signal, yieldMs: 5 });
    const xb = rowsTensor(x, [0, 1, 2, 3]);
    let steps = 0;
    setTimeout(() => ac.abort(), 30);
    const t0 = performance.now();
    const p = loop.phase("train", 100000, async (ctx) => {
      for (let i = 0; i < 10; i++) {
        await ctx.step(loss(xb), { optimizer: opt, variables: net.trainableVariables() });
        steps++;
      }
    });
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(steps).toBeGreaterThan(0);
    xb.dispose();
    net.dispose();
    opt.dispose();
  });

  it("rejects an already-aborted signal before any step", async () => {
    const loop = new TrainingLoop({ method: "T", signal: AbortSignal.abort() });
    let ran = false;
    await expect(
      loop.phase("p", 3, () => {
        ran = true;
      }),
    ).rejects.toThrow(/aborted/);
    expect(ran).toBe(false);
  });

  it("names the epoch and the term when a loss becomes NaN or Inf", async () => {
    const v = tf.variable(tf.scalar(1));
    const opt = new Sgd({ lr: 0.1 });
    const loop = new TrainingLoop({ method: "M" });
    const p = loop.phase("train", 5, async (ctx) => {
      await ctx.step(
        () => ({
          total: tf.mul(v, ctx.epoch === 2 ? Number.NaN : 1) as tf.Scalar,
          terms: { kl: tf.div(v, ctx.epoch === 2 ? 0 : 1) as tf.Scalar },
        }),
        { optimizer: opt, variables: [v] },
      );
    });
    await expect(p).rejects.toBeInstanceOf(NonFiniteLossError);
    await expect(p).rejects.toThrow(/M: loss term "total" is NaN in phase "train", epoch 3\/5/);
    // the NaN step was not applied
    expect(v.dataSync()[0]).toBeCloseTo(0.8, 6);
    v.dispose();
  });

  it("trainStep updates several parameter groups with their own optimisers", () => {
    const a = tf.variable(tf.scalar(1));
    const b = tf.variable(tf.scalar(1));
    const before = tf.memory().numTensors;
    const terms = trainStep(
      () => tf.add(tf.square(a), tf.square(b)) as tf.Scalar,
      [
        { optimizer: new Sgd({ lr: 0.1 }), variables: [a] },
        { optimizer: new Sgd({ lr: 0.2 }), variables: [b] },
      ],
    );
    expect(terms.total).toBe(2);
    expect(a.dataSync()[0]).toBeCloseTo(0.8, 6);
    expect(b.dataSync()[0]).toBeCloseTo(0.6, 6);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });
});

describe("epochScale", () => {
  it("is max(1, round(items / n)), and 1 when items is 0", () => {
    expect(epochScale(0, 100)).toBe(1);
    expect(epochScale(5000, 5000)).toBe(1);
    expect(epochScale(5000, 1500)).toBe(3);
    expect(epochScale(5000, 1000)).toBe(5);
    expect(epochScale(5000, 50000)).toBe(1);
  });
});
