import { HasherError, tf } from "@cmh/tensor-core";

/** Relaxed squared distances d(q_b, x_b) = ‖h(q_b) − h(x_b)‖² of aligned rows: [B, l] × [B, l] → [B]. */
export function pairDistances(hq: tf.Tensor2D, hx: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.square(tf.sub(hq, hx)), 1) as tf.Tensor1D);
}

/**
 * Relaxed squared distances of each query to its candidates: hq [B, l] with candidates hc
 * [B, c, l] (one set per query) or [c, l] (one set shared by all queries) → [B, c].
 */
export function candidateDistances(hq: tf.Tensor2D, hc: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, l] = hq.shape;
    const q3 = tf.reshape(hq, [b, 1, l]);
    const c3 = hc.rank === 2 ? tf.expandDims(hc, 0) : hc;
    return tf.sum(tf.square(tf.sub(q3, c3)), 2) as tf.Tensor2D;
  });
}

/** Mean triplet hinge from relaxed distances: mean_b max(0, m + dPos_b − dNeg_b). */
export function hingeFromDistances(
  dPos: tf.Tensor1D,
  dNeg: tf.Tensor1D,
  margin: number,
): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.relu(tf.add(tf.sub(dPos, dNeg), margin))) as tf.Scalar);
}

/**
 * Triplet hinge of the discriminator (the relevance score f of eq. 6, the code's "svm" loss):
 * mean_b max(0, m + d(q, x^M) − d(q, x^G)).
 */
export function tripletHinge(
  hq: tf.Tensor2D,
  hPos: tf.Tensor2D,
  hNeg: tf.Tensor2D,
  margin: number,
): tf.Scalar {
  return tf.tidy(() =>
    hingeFromDistances(pairDistances(hq, hPos), pairDistances(hq, hNeg), margin),
  );
}

/** λ · Σ_P sum(P²) / 2 over the given tensors (TF `l2_loss` halves) [code: dis_model_nn.py]. */
export function weightDecayTerm(variables: readonly tf.Tensor[], lambda: number): tf.Scalar {
  return tf.tidy(() => {
    if (variables.length === 0 || lambda === 0) return tf.scalar(0);
    const sums = variables.map((v) => tf.sum(tf.square(v)));
    return tf.mul(tf.addN(sums), lambda / 2) as tf.Scalar;
  });
}

/** The generator's distribution over C(q) in log space: log_softmax(−d(q, x)) over each row (eq. 4). */
export function generatorLogProbs(distances: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.logSoftmax(tf.neg(distances), 1) as tf.Tensor2D);
}

/** How the generator's log-probability of a sample is formed. */
export type LogProbMode = "candidates" | "samples";

/**
 * REINFORCE surrogate loss of a batch of B queries with k samples each:
 * `−(1/(B·k)) Σ_b Σ_s log p(x_{b,s} | q_b) · r_{b,s}`. `distances` [B, c] are the generator's
 * relaxed distances to the candidates, `samples` (B·k, row-major) index candidates, `rewards`
 * (B·k) are constants (no gradient into D). "candidates": log p = log-softmax over all of C(q)
 * [paper]; "samples": softmax over the query's k sampled items only [code].
 * The gradient equals the mean over queries of the per-query estimator (1/k) Σ_s ∇log p · r.
 */
export function reinforceLoss(
  distances: tf.Tensor2D,
  samples: Int32Array,
  rewards: Float32Array,
  mode: LogProbMode,
): tf.Scalar {
  const [b, c] = distances.shape;
  if (samples.length !== rewards.length || samples.length % b !== 0) {
    throw new HasherError(
      `reinforceLoss: ${samples.length} samples and ${rewards.length} rewards for ${b} queries`,
    );
  }
  const k = samples.length / b;
  for (const s of samples) {
    if (!(s >= 0 && s < c))
      throw new HasherError(`reinforceLoss: sample index ${s} outside [0, ${c})`);
  }
  return tf.tidy(() => {
    if (mode === "candidates") {
      // Σ_s r_s log p(x_s) = Σ_c W[b, c] log p[b, c] with W[b, c] = Σ_s r_{b,s} 1[x_{b,s} = c].
      const w = new Float32Array(b * c);
      for (let i = 0; i < b; i++)
        for (let s = 0; s < k; s++) w[i * c + samples[i * k + s]] += rewards[i * k + s];
      const logp = generatorLogProbs(distances);
      return tf.div(tf.neg(tf.sum(tf.mul(logp, tf.tensor2d(w, [b, c])))), b * k) as tf.Scalar;
    }
    // Gather the k sampled logits per query with a one-hot [B·k, c] mask, softmax over the k.
    const oneHot = new Float32Array(b * k * c);
    for (let r = 0; r < b * k; r++) oneHot[r * c + samples[r]] = 1;
    const logits = tf.neg(distances);
    const rep = tf.reshape(tf.tile(tf.expandDims(logits, 1), [1, k, 1]), [b * k, c]);
    const picked = tf.reshape(tf.sum(tf.mul(rep, tf.tensor2d(oneHot, [b * k, c])), 1), [b, k]);
    const logpk = tf.logSoftmax(picked, 1);
    return tf.div(tf.neg(tf.sum(tf.mul(logpk, tf.tensor2d(rewards, [b, k])))), b * k) as tf.Scalar;
  });
}

/** Reward form: softplus(f) [paper eq. 10] or sigmoid(f) [code]. */
export type RewardForm = "softplus" | "sigmoid";

/** Reward of one sample from the discriminator's hinge value f ≥ 0 (numerically stable). */
export function rewardOf(f: number, form: RewardForm): number {
  if (form === "sigmoid") return f >= 0 ? 1 / (1 + Math.exp(-f)) : Math.exp(f) / (1 + Math.exp(f));
  return f > 0 ? f + Math.log1p(Math.exp(-f)) : Math.log1p(Math.exp(f));
}

/** The relevance score f = max(0, m + d(q, x^M) − d(q, x^G)) from plain distances. */
export function hingeScore(dPos: number, dNeg: number, margin: number): number {
  return Math.max(0, margin + dPos - dNeg);
}

/** ‖a_i − b_j‖² between row i of `a` and row j of `b` (both row-major with `l` columns). */
export function rowSqDist(
  a: Float32Array,
  i: number,
  b: Float32Array,
  j: number,
  l: number,
): number {
  let s = 0;
  const ai = i * l;
  const bj = j * l;
  for (let t = 0; t < l; t++) {
    const d = a[ai + t] - b[bj + t];
    s += d * d;
  }
  return s;
}
