import { afterAll, describe, expect, it } from "vitest";
import { stableSoftplus } from "../network/ops";
import { createRng } from "../network/rng";
import { availableBackends, backendName, initBackend } from "./backend";
import { tf } from "./tf";

// The gradients every method trains with, checked on every backend this process can run: each
// against a central finite difference along a random direction, and each backend's gradients
// against the first backend's. The WASM backend runs tensor-core's kernel fixes, the cpu backend
// tfjs's own kernels and transposed products (what tfjs-node runs), so a gradient broken on one
// path only fails here.

/** Finite-difference step, and the allowed |analytic − numeric| ≤ REL·max(|a|, |n|) + ABS. */
const H = 1e-3;
const REL = 1e-2;
const ABS = 2e-3;
/** Gradients of two backends agree to this share of their largest magnitude. */
const CROSS = 1e-4;

type Case = {
  readonly shapes: readonly number[][];
  readonly f: (...p: tf.Tensor[]) => tf.Scalar;
};

const weigh = (t: tf.Tensor) =>
  tf.sum(tf.mul(t, tf.reshape(tf.linspace(-1, 1.3, t.size), t.shape))) as tf.Scalar;

const CASES: Record<string, Case> = {
  matMul: {
    shapes: [
      [6, 5],
      [5, 4],
    ],
    f: (a, b) => weigh(tf.tanh(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D))),
  },
  "matMul transposeA": {
    shapes: [
      [5, 6],
      [5, 4],
    ],
    f: (a, b) => weigh(tf.tanh(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, false))),
  },
  "matMul transposeB": {
    shapes: [
      [6, 5],
      [4, 5],
    ],
    f: (a, b) => weigh(tf.tanh(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true))),
  },
  "matMul transposeA and B": {
    shapes: [
      [5, 6],
      [4, 5],
    ],
    f: (a, b) => weigh(tf.tanh(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, true))),
  },
  "dense: matMul + bias, relu, sigmoid": {
    shapes: [[6, 5], [5, 4], [4]],
    f: (x, w, b) =>
      weigh(tf.sigmoid(tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b)))),
  },
  "tanh, softplus, stableSoftplus, leakyRelu, elu": {
    shapes: [[6, 4]],
    f: (x) =>
      tf.addN([
        weigh(tf.tanh(x)),
        weigh(tf.softplus(x)),
        weigh(stableSoftplus(tf.mul(x, 3))),
        weigh(tf.leakyRelu(x, 0.1)),
        weigh(tf.elu(x)),
      ]) as tf.Scalar,
  },
  "batch norm: moments over rows, rsqrt, sqrt": {
    shapes: [[8, 4], [4]],
    f: (x, g) => {
      const { mean, variance } = tf.moments(x, 0);
      const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
      return tf.add(weigh(tf.mul(xhat, g)), weigh(tf.rsqrt(tf.add(variance, 1)))) as tf.Scalar;
    },
  },
  "sum and mean over each axis, square, abs, exp, log": {
    shapes: [[6, 5]],
    f: (x) =>
      tf.addN([
        weigh(tf.square(tf.mean(x, 0))),
        weigh(tf.square(tf.sum(x, 1))),
        weigh(tf.mean(x, 1, true)),
        weigh(tf.log(tf.add(tf.exp(x), tf.abs(x)))),
      ]) as tf.Scalar,
  },
  "row L2 normalisation, cosine similarities, div": {
    shapes: [[6, 5]],
    f: (x) => {
      const n = tf.div(x, tf.norm(x, 2, 1, true));
      return weigh(tf.square(tf.matMul(n as tf.Tensor2D, n as tf.Tensor2D, false, true)));
    },
  },
  "logSoftmax, slice, concat, stack, max": {
    shapes: [[6, 5]],
    f: (x) => {
      const parts = tf.concat([tf.slice(x, [0, 0], [3, 5]), tf.slice(x, [4, 0], [2, 5])], 0);
      return tf.add(
        weigh(tf.logSoftmax(parts)),
        weigh(tf.stack([tf.sum(x, 0), tf.max(tf.abs(x), 0)])),
      ) as tf.Scalar;
    },
  },
};

function params(shapes: readonly number[][], seed: number): Float32Array[] {
  const rng = createRng(seed);
  return shapes.map((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    return Float32Array.from({ length: n }, () => rng.normal());
  });
}

type Result = { grads: Float32Array[]; analytic: number; numeric: number };

function check(c: Case, seed: number): Result {
  const values = params(c.shapes, seed);
  const dirs = params(c.shapes, seed + 1000);
  const ps = values.map((v, i) => tf.tensor(v, c.shapes[i] as number[]));
  const at = (sign: number) =>
    tf.tidy(
      () =>
        c
          .f(
            ...values.map((v, i) =>
              tf.tensor(
                v.map((x, j) => x + sign * H * dirs[i][j]),
                c.shapes[i] as number[],
              ),
            ),
          )
          .dataSync()[0],
    );
  try {
    const gs = tf.grads((...p: tf.Tensor[]) => c.f(...p))(ps);
    const grads = gs.map((g) => g.dataSync() as Float32Array);
    tf.dispose(gs);
    let analytic = 0;
    for (const [i, g] of grads.entries())
      for (const [j, v] of g.entries()) analytic += v * dirs[i][j];
    const numeric = (at(1) - at(-1)) / (2 * H);
    return { grads, analytic, numeric };
  } finally {
    tf.dispose(ps);
  }
}

async function resultsOn(backend: string): Promise<Map<string, Result>> {
  await initBackend({ backend: backend as "wasm", log: false });
  expect(backendName()).toBe(backend);
  const out = new Map<string, Result>();
  for (const [name, c] of Object.entries(CASES)) out.set(name, check(c, name.length));
  return out;
}

describe("gradients on every available backend", () => {
  const backends = availableBackends();
  const results = new Map<string, Map<string, Result>>();
  afterAll(async () => {
    await initBackend({ backend: backends[0], log: false });
  });

  for (const backend of backends) {
    it(`match finite differences [${backend}]`, async () => {
      const mine = await resultsOn(backend);
      results.set(backend, mine);
      for (const [name, r] of mine) {
        const bound = REL * Math.max(Math.abs(r.analytic), Math.abs(r.numeric)) + ABS;
        expect(
          Math.abs(r.analytic - r.numeric),
          `${name} [${backend}]: directional derivative ${r.analytic} vs finite difference ${r.numeric}`,
        ).toBeLessThanOrEqual(bound);
      }
    });
  }

  it(`agree across backends (${backends.join(", ")}) to ${CROSS} of the largest gradient`, async () => {
    expect(backends.length).toBeGreaterThan(1);
    for (const b of backends) if (!results.has(b)) results.set(b, await resultsOn(b));
    const ref = results.get(backends[0]) as Map<string, Result>;
    for (const b of backends.slice(1)) {
      const mine = results.get(b) as Map<string, Result>;
      for (const [name, r] of ref) {
        const o = mine.get(name) as Result;
        for (const [i, g] of r.grads.entries()) {
          let scale = 0;
          let diff = 0;
          for (const [j, v] of g.entries()) {
            scale = Math.max(scale, Math.abs(v));
            diff = Math.max(diff, Math.abs(v - o.grads[i][j]));
          }
          expect(diff, `${name}, input ${i}: ${b} vs ${backends[0]}`).toBeLessThanOrEqual(
            CROSS * Math.max(scale, 1e-3),
          );
        }
      }
    }
  });
});
