import { afterAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import {
  matMulThreads,
  POOL_MIN_MACS,
  POOL_MIN_ROWS,
  pooledMatMulCalls,
  splitRows,
  startMatMulPool,
  stopMatMulPool,
} from "./matmul-pool";
import { tf } from "./tf";

function rand(shape: [number, number], seed: number): tf.Tensor2D {
  return tf.randomUniform(shape, -1, 1, "float32", seed) as tf.Tensor2D;
}

async function product(
  threads: number,
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  ta: boolean,
  tb: boolean,
): Promise<Float32Array> {
  await startMatMulPool(threads);
  expect(matMulThreads()).toBe(threads);
  const c = tf.matMul(a, b, ta, tb);
  const v = (await c.data()) as Float32Array;
  c.dispose();
  return v;
}

describe("matMul worker pool (wasm)", async () => {
  const info = await initBackend({ backend: "wasm", log: false, threads: 1 });
  afterAll(() => stopMatMulPool());

  it("splits rows into contiguous blocks", () => {
    expect(splitRows(1000, 2)).toEqual([
      [0, 504],
      [504, 1000],
    ]);
    expect(splitRows(5, 4)).toEqual([[0, 5]]);
    // Thin products are not split below POOL_MIN_ROWS rows a thread.
    expect(splitRows(2 * POOL_MIN_ROWS - 1, 4)).toEqual([[0, 2 * POOL_MIN_ROWS - 1]]);
    expect(splitRows(3 * POOL_MIN_ROWS, 4)).toHaveLength(3);
    const r = splitRows(1003, 3);
    expect(r[0][0]).toBe(0);
    expect(r[r.length - 1][1]).toBe(1003);
  });

  it.runIf(info.name === "wasm")(
    "gives bitwise the single-thread result for 2 and 3 threads, with transposes",
    async () => {
      // m·k·n above the threshold, odd sizes.
      const m = 3 * POOL_MIN_ROWS + 13;
      const k = 131;
      const n = 263;
      expect(m * k * n).toBeGreaterThan(POOL_MIN_MACS);
      const a = rand([m, k], 1);
      const b = rand([k, n], 2);
      const aT = tf.transpose(a) as tf.Tensor2D;
      const bT = tf.transpose(b) as tf.Tensor2D;
      const before = tf.memory().numTensors;
      const cases: [tf.Tensor2D, tf.Tensor2D, boolean, boolean][] = [
        [a, b, false, false],
        [aT, b, true, false],
        [a, bT, false, true],
        [aT, bT, true, true],
      ];
      const refT = tf.matMul(a, b);
      const ref = (await refT.data()) as Float32Array;
      refT.dispose();
      for (const [x, y, ta, tb] of cases) {
        const one = await product(1, x, y, ta, tb);
        for (const t of [2, 3]) {
          const calls = pooledMatMulCalls();
          const many = await product(t, x, y, ta, tb);
          expect(pooledMatMulCalls()).toBe(calls + 1);
          expect(Buffer.from(many.buffer).equals(Buffer.from(one.buffer))).toBe(true);
        }
        // Against the plain product, within float rounding (transposed forms may reorder).
        let maxErr = 0;
        for (let i = 0; i < one.length; i++) maxErr = Math.max(maxErr, Math.abs(one[i] - ref[i]));
        expect(maxErr).toBeLessThan(1e-3);
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([a, b, aT, bT]);
    },
  );

  it.runIf(info.name === "wasm")("leaves small products and gradients correct", async () => {
    await startMatMulPool(2);
    const a = rand([8, 16], 3);
    const b = rand([16, 4], 4);
    const calls = pooledMatMulCalls();
    const c = tf.matMul(a, b);
    expect(pooledMatMulCalls()).toBe(calls);
    const expected = tf.tidy(() => tf.sum(tf.mul(tf.expandDims(a, 2), tf.expandDims(b, 0)), 1));
    const d = (await c.data()) as Float32Array;
    const e = (await expected.data()) as Float32Array;
    for (let i = 0; i < d.length; i++) expect(d[i]).toBeCloseTo(e[i], 5);
    tf.dispose([a, b, c, expected]);
    // A large product's gradient goes through the pool (transposed products).
    const x = rand([1024, 256], 5);
    const w = rand([256, 320], 6);
    const g = tf.grad((ww: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, ww as tf.Tensor2D))));
    const g2 = (await g(w).data()) as Float32Array;
    await startMatMulPool(1);
    const g1 = (await g(w).data()) as Float32Array;
    expect(Buffer.from(g2.buffer).equals(Buffer.from(g1.buffer))).toBe(true);
    tf.dispose([x, w]);
  });

  it.runIf(info.name === "wasm")("shuts down and restarts", async () => {
    await startMatMulPool(2);
    expect(matMulThreads()).toBe(2);
    await stopMatMulPool();
    expect(matMulThreads()).toBe(1);
    await startMatMulPool(1);
    expect(matMulThreads()).toBe(1);
  });
});
