import { describe, expect, it } from "vitest";
import {
  autoBlockProduct,
  initBackend,
  jsBlockProduct,
  knnGraph,
  tf,
  tfBlockProduct,
  tidyData,
} from "../index";

describe("tidyData", () => {
  it("returns the tensor's values, disposes every tensor, and equals a tidy returning dataSync()", async () => {
    await initBackend({ log: false });
    const before = tf.memory().numTensors;
    const v = tidyData(() => tf.add(tf.ones([2, 3]), tf.ones([2, 3])));
    expect(Array.from(v)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(tf.memory().numTensors).toBe(before);
    const n = 1 << 20;
    const big = tf.zeros([n]);
    const viaHelper = tidyData(() => tf.add(big, 1));
    const viaTidy = tf.tidy(() => tf.add(big, 1).dataSync());
    big.dispose();
    expect(viaHelper).toEqual(viaTidy);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("tfBlockProduct / autoBlockProduct", () => {
  it("equal the JS kernel's A·Bᵀ to float32 precision, and give the same kNN graph", async () => {
    await initBackend({ log: false });
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31 - 0.5;
    };
    const a = { rows: 37, cols: 19, data: Float32Array.from({ length: 37 * 19 }, rnd) };
    const b = { rows: 23, cols: 19, data: Float64Array.from({ length: 23 * 19 }, rnd) };
    const ref = jsBlockProduct(a, b);
    const before = tf.memory().numTensors;
    for (const product of [tfBlockProduct, autoBlockProduct]) {
      const got = product(a, b);
      expect(got.length).toBe(37 * 23);
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(ref[i], 5);
    }
    expect(tf.memory().numTensors).toBe(before);
    const x = { rows: 300, cols: 8, data: Float32Array.from({ length: 300 * 8 }, rnd) };
    const opts = { k: 5, metric: "sqeuclidean" as const, blockSize: 64 };
    const viaTf = knnGraph(x, { ...opts, product: tfBlockProduct });
    const viaJs = knnGraph(x, { ...opts, product: jsBlockProduct });
    expect(Array.from(viaTf.indices)).toEqual(Array.from(viaJs.indices));
  });
});
