import { createRng, initBackend, tf } from "@cmh/tensor-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  candidateDistances,
  generatorLogProbs,
  hingeFromDistances,
  hingeScore,
  reinforceLoss,
  rewardOf,
  tripletHinge,
  weightDecayTerm,
} from "./losses";
import { HashNet } from "./network";

beforeAll(async () => {
  await initBackend({ log: false });
});

const val = (t: tf.Tensor): number => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

describe("two-pathway hash network", () => {
  it("maps [n, d] to relaxed codes [n, l] in (0, 1) for both modalities", () => {
    const rng = createRng(1);
    const net = new HashNet({ image: 6, text: 9 }, 16, 8, rng);
    for (const [m, d] of [
      ["image", 6],
      ["text", 9],
    ] as const) {
      const x = tf.randomNormal([5, d], 0, 3, "float32", 2);
      const h = net.apply(m, x);
      expect(h.shape).toEqual([5, 8]);
      const v = h.dataSync();
      for (const a of v) {
        expect(a).toBeGreaterThan(0);
        expect(a).toBeLessThan(1);
      }
      tf.dispose([x, h]);
    }
    expect(net.variables()).toHaveLength(8);
    expect(Object.keys(net.namedWeights("D."))).toContain("D.text.code.bias");
    // Biases start at 0, weights truncated-normal(0, 0.1): all within ±0.2.
    const w = net.image.hidden.weight.dataSync();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.2 + 1e-6);
    expect(net.image.code.bias?.dataSync().every((b) => b === 0)).toBe(true);
    net.dispose();
  });
});

describe("triplet hinge (relevance score f, eq. 6)", () => {
  it("is 0 when d(q,xG) − d(q,xM) ≥ β and β + d(q,xM) − d(q,xG) otherwise", () => {
    const beta = 2;
    expect(val(hingeFromDistances(tf.tensor1d([1]), tf.tensor1d([3]), beta))).toBe(0);
    expect(val(hingeFromDistances(tf.tensor1d([1]), tf.tensor1d([4.5]), beta))).toBe(0);
    expect(val(hingeFromDistances(tf.tensor1d([1]), tf.tensor1d([2.5]), beta))).toBeCloseTo(0.5, 6);
    expect(val(hingeFromDistances(tf.tensor1d([3]), tf.tensor1d([1]), beta))).toBeCloseTo(4, 6);
    expect(hingeScore(1, 2.5, beta)).toBeCloseTo(0.5, 12);
    expect(hingeScore(1, 3.5, beta)).toBe(0);
  });

  it("has gradient +1/batch w.r.t. d(q,xM) when active and 0 when inactive", () => {
    const dNeg = tf.tensor1d([0.5, 10, 1, 10]);
    const g = tf.grad((dPos: tf.Tensor) => hingeFromDistances(dPos as tf.Tensor1D, dNeg, 1))(
      tf.tensor1d([1, 1, 0.2, 2]),
    );
    expect(Array.from(g.dataSync())).toEqual([0.25, 0, 0.25, 0]);
    tf.dispose([dNeg, g]);
  });

  it("computes distances from codes: tripletHinge = hinge of squared Euclidean distances", () => {
    const hq = tf.tensor2d([[0.1, 0.9]]);
    const hp = tf.tensor2d([[0.2, 0.7]]); // d = 0.01 + 0.04 = 0.05
    const hn = tf.tensor2d([[0.9, 0.1]]); // d = 0.64 + 0.64 = 1.28
    expect(val(tripletHinge(hq, hp, hn, 2))).toBeCloseTo(2 + 0.05 - 1.28, 5);
    tf.dispose([hq, hp, hn]);
  });
});

describe("weight decay", () => {
  it("equals λ · Σ sum(P²) / 2 (TF l2_loss halves)", () => {
    const a = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const b = tf.tensor1d([0.5, -1]);
    expect(val(weightDecayTerm([a, b], 0.01))).toBeCloseTo((0.01 * (30 + 1.25)) / 2, 6);
    expect(val(weightDecayTerm([a, b], 0))).toBe(0);
    tf.dispose([a, b]);
  });
});

describe("generator softmax over C(q) (eq. 4)", () => {
  it("sums to 1, is uniform for equal distances, and peaks at the identical code", () => {
    const hq = tf.tensor2d([
      [0.2, 0.8, 0.5],
      [0.5, 0.5, 0.5],
    ]);
    const hc = tf.tensor2d([
      [0.9, 0.1, 0.5],
      [0.2, 0.8, 0.5],
      [0.6, 0.6, 0.1],
      [0.0, 0.0, 0.0],
    ]);
    const p = tf.exp(generatorLogProbs(candidateDistances(hq, hc)));
    const v = p.arraySync() as number[][];
    for (const row of v) expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 6);
    expect(v[0].indexOf(Math.max(...v[0]))).toBe(1);
    const eq = tf.exp(generatorLogProbs(tf.fill([1, 5], 0.7) as tf.Tensor2D)).dataSync();
    for (const x of eq) expect(x).toBeCloseTo(0.2, 6);
    tf.dispose([hq, hc, p]);
  });

  it("per-query candidates [B, c, l] give the same distances as a shared set broadcast", () => {
    const hq = tf.randomUniform([3, 4], 0, 1, "float32", 5) as tf.Tensor2D;
    const hc = tf.randomUniform([6, 4], 0, 1, "float32", 6) as tf.Tensor2D;
    const shared = candidateDistances(hq, hc).arraySync();
    const per = candidateDistances(hq, tf.tile(tf.expandDims(hc, 0), [3, 1, 1])).arraySync();
    expect(per).toEqual(shared);
    tf.dispose([hq, hc]);
  });
});

describe("reward", () => {
  it("code form σ(f) ∈ [0.5, 1), 0.5 when the hinge is inactive; paper form softplus(f) ≥ log 2", () => {
    expect(rewardOf(0, "sigmoid")).toBe(0.5);
    expect(rewardOf(0, "softplus")).toBeCloseTo(Math.LN2, 12);
    for (const f of [0, 0.1, 1, 5, 40]) {
      const s = rewardOf(f, "sigmoid");
      expect(s).toBeGreaterThanOrEqual(0.5);
      expect(s).toBeLessThanOrEqual(1);
      expect(rewardOf(f, "softplus")).toBeGreaterThanOrEqual(Math.LN2);
      expect(rewardOf(f, "softplus")).toBeCloseTo(Math.log1p(Math.exp(f)), 8);
    }
    expect(rewardOf(3, "sigmoid")).toBeLessThan(1);
  });
});

/** One SGD step on a free "distance" variable standing in for G's output, then log p after. */
function stepOnDistances(
  d0: number[][],
  samples: number[],
  rewards: number[],
  mode: "candidates" | "samples",
  lr = 0.01,
) {
  const d = tf.variable(tf.tensor2d(d0));
  const s = Int32Array.from(samples);
  const r = Float32Array.from(rewards);
  const { grads } = tf.variableGrads(() => reinforceLoss(d, s, r, mode), [d]);
  const g = grads[d.name].arraySync() as number[][];
  d.assign(tf.sub(d, tf.mul(grads[d.name], lr)));
  const after = d.arraySync() as number[][];
  tf.dispose([d, ...Object.values(grads)]);
  return { g, after };
}

const logSoftmax = (logits: number[]): number[] => {
  const m = Math.max(...logits);
  const lse = m + Math.log(logits.reduce((a, x) => a + Math.exp(x - m), 0));
  return logits.map((x) => x - lse);
};

describe("REINFORCE (eq. 9-10)", () => {
  it("paper form: one sample with r > 0, one small step: log p(x_s | q) increases", () => {
    const d0 = [[0.4, 0.2, 0.9, 0.6]];
    const { after } = stepOnDistances(d0, [2], [0.8], "candidates");
    const before = logSoftmax(d0[0].map((x) => -x))[2];
    const now = logSoftmax(after[0].map((x) => -x))[2];
    expect(now).toBeGreaterThan(before);
  });

  it("code form: with k = 1 the gradient is exactly 0 (p̃ ≡ 1)", () => {
    const { g } = stepOnDistances([[0.4, 0.2, 0.9]], [1], [0.9], "samples");
    for (const x of g[0]) expect(Math.abs(x)).toBe(0);
  });

  it("code form: k = 2, equal probabilities, r1 > r2: log p̃(x1) rises and log p̃(x2) falls", () => {
    const d0 = [[0.5, 0.3, 0.5, 0.1]];
    const { after } = stepOnDistances(d0, [0, 2], [0.9, 0.6], "samples");
    const lp = logSoftmax([-after[0][0], -after[0][2]]);
    expect(lp[0]).toBeGreaterThan(Math.log(0.5));
    expect(lp[1]).toBeLessThan(Math.log(0.5));
  });

  it("rejects out-of-range sample indices and mismatched lengths", () => {
    const d = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() =>
      reinforceLoss(d, Int32Array.from([0, 3]), new Float32Array(2), "candidates"),
    ).toThrow(/outside/);
    expect(() => reinforceLoss(d, Int32Array.from([0]), new Float32Array(2), "candidates")).toThrow(
      /samples/,
    );
    d.dispose();
  });
});

describe("batched REINFORCE = mean of per-query REINFORCE", () => {
  const B = 4;
  const c = 5;
  const k = 2;
  for (const mode of ["candidates", "samples"] as const) {
    for (const sharing of ["batch", "query"] as const) {
      it(`${mode} log-prob, ${sharing} candidates: gradients of G's weights agree`, () => {
        const rng = createRng(11);
        const net = new HashNet({ image: 7, text: 6 }, 12, 8, rng);
        const vars = net.variables();
        const q = tf.randomNormal([B, 7], 0, 1, "float32", 1) as tf.Tensor2D;
        const rows = sharing === "batch" ? c : B * c;
        const cand = tf.randomNormal([rows, 6], 0, 1, "float32", 2) as tf.Tensor2D;
        const samples = Int32Array.from({ length: B * k }, () => rng.int(c));
        const rewards = Float32Array.from({ length: B * k }, () => 0.5 + rng.uniform());
        const loss = (qi: tf.Tensor2D, ci: tf.Tensor2D, s: Int32Array, r: Float32Array) => {
          const b = qi.shape[0];
          const hq = net.apply("image", qi);
          let hc: tf.Tensor = net.apply("text", ci);
          if (sharing === "query") hc = tf.reshape(hc, [b, c, 8]);
          return reinforceLoss(candidateDistances(hq, hc), s, r, mode);
        };
        const batched = tf.variableGrads(() => loss(q, cand, samples, rewards), vars);
        const sum: tf.Tensor[] = vars.map((v) => tf.zerosLike(v));
        for (let b = 0; b < B; b++) {
          const qi = tf.slice(q, [b, 0], [1, -1]) as tf.Tensor2D;
          const ci = (
            sharing === "batch" ? cand : tf.slice(cand, [b * c, 0], [c, -1])
          ) as tf.Tensor2D;
          const one = tf.variableGrads(
            () => loss(qi, ci, samples.slice(b * k, b * k + k), rewards.slice(b * k, b * k + k)),
            vars,
          );
          vars.forEach((v, i) => {
            const next = tf.add(sum[i], one.grads[v.name]);
            sum[i].dispose();
            sum[i] = next;
          });
          tf.dispose([one.value, ...Object.values(one.grads), qi]);
          if (sharing === "query") ci.dispose();
        }
        vars.forEach((v, i) => {
          const looped = tf.div(sum[i], B);
          const diff = tf.max(tf.abs(tf.sub(looped, batched.grads[v.name]))).dataSync()[0];
          const scale = tf.max(tf.abs(looped)).dataSync()[0];
          expect(diff).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
        });
        // The estimate is not trivially zero.
        expect(tf.max(tf.abs(batched.grads[vars[0].name])).dataSync()[0]).toBeGreaterThan(0);
        tf.dispose([q, cand, batched.value, ...Object.values(batched.grads), ...sum]);
        net.dispose();
      });
    }
  }
});
