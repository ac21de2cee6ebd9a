import { createRng, initBackend, tf } from "@cmh/tensor-core";
import { beforeAll, describe, expect, it } from "vitest";
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
});
