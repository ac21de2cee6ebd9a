import { createRng, initBackend, tf } from "@cmh/tensor-core";
import { beforeAll, describe, expect, it } from "vitest";
import { SGEH_DEFAULTS, SGEH_PRESETS } from "./config";
import { buildNetworks, relaxedCodes } from "./network";

beforeAll(async () => {
  await initBackend();
});

describe("networks", () => {
  const c = { hidden: 16, bits: 8, dropout: 0.5, textLastInitStd: 0.3, discHidden: 4 };
  it("ImgNet, TxtNet and d have the spec's shapes; the same seed builds the same weights", () => {
    const a = buildNetworks({ image: 6, text: 10 }, c, createRng(3));
    const b = buildNetworks({ image: 6, text: 10 }, c, createRng(3));
    const x = tf.randomNormal([5, 6], 0, 1, "float32", 1) as tf.Tensor2D;
    const y = tf.randomNormal([5, 10], 0, 1, "float32", 2) as tf.Tensor2D;
    expect(a.image.apply(x, false).shape).toEqual([5, 8]);
    expect(a.text.apply(y, false).shape).toEqual([5, 8]);
    expect(a.disc.apply(a.image.apply(x, false), false).shape).toEqual([5, 1]);
    expect(Array.from(a.text.apply(y, false).dataSync())).toEqual(
      Array.from(b.text.apply(y, false).dataSync()),
    );
    for (const n of [a, b]) for (const m of [n.image, n.text, n.disc]) m.dispose();
    tf.dispose([x, y]);
  });
  it("relaxed codes tanh(β·Y) lie in (−1, 1) and approach ±1 as β grows", () => {
    const { image, text, disc } = buildNetworks({ image: 6, text: 10 }, c, createRng(4));
    const x = tf.randomNormal([5, 6], 0, 1, "float32", 5) as tf.Tensor2D;
    const soft = relaxedCodes(image, x, 1).dataSync();
    for (const v of soft) expect(Math.abs(v)).toBeLessThan(1);
    const hard = relaxedCodes(image, x, 1e4).dataSync();
    const near = Array.from(hard).filter((v) => Math.abs(v) > 0.99).length;
    expect(near).toBeGreaterThan(hard.length * 0.9);
    for (const m of [image, text, disc]) m.dispose();
    x.dispose();
  });
  it("quick's TxtNet starts unsaturated on unit-RMS inputs, at the reference's output scale", () => {
    // Initial std of TxtNet's outputs y for inputs x (rows × d), with the given width and last std.
    const outputStd = (x: tf.Tensor2D, hidden: number, textLastInitStd: number) => {
      const cfg = { ...c, hidden, bits: 32, textLastInitStd };
      const nets = buildNetworks({ image: 4, text: x.shape[1] }, cfg, createRng(7));
      const variance = tf.tidy(() => tf.moments(nets.text.apply(x, false)).variance.dataSync()[0]);
      for (const m of [nets.image, nets.text, nets.disc]) m.dispose();
      return Math.sqrt(variance);
    };
    // The reference: unit-norm 512-d embeddings (entries of RMS 1/√512), 4096 hidden, N(0, 0.3²).
    const unitNorm = tf.tidy(() =>
      tf.div(tf.randomNormal([256, 512], 0, 1, "float32", 8), Math.sqrt(512)),
    );
    // After the input stage: entries of RMS 1.
    const unitRms = tf.randomNormal([256, 512], 0, 1, "float32", 9) as tf.Tensor2D;
    const reference = outputStd(
      unitNorm as tf.Tensor2D,
      SGEH_DEFAULTS.hidden,
      SGEH_DEFAULTS.textLastInitStd,
    );
    const quick = outputStd(
      unitRms,
      SGEH_PRESETS.quick.hidden ?? 0,
      SGEH_PRESETS.quick.textLastInitStd ?? 0,
    );
    const quickWithPaperInit = outputStd(
      unitRms,
      SGEH_PRESETS.quick.hidden ?? 0,
      SGEH_DEFAULTS.textLastInitStd,
    );
    expect(reference).toBeGreaterThan(0.3);
    expect(reference).toBeLessThan(0.8);
    expect(quick / reference).toBeGreaterThan(0.7);
    expect(quick / reference).toBeLessThan(1.4);
    // The reference's 0.3 on unit-RMS inputs: tanh(y) saturated from the first step.
    expect(quickWithPaperInit).toBeGreaterThan(2.5);
    tf.dispose([unitNorm, unitRms]);
  });
});
