import { describe, expect, it } from "vitest";
import { initBackend, tf, tidyData } from "./index";

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
