import { stableSoftplus, tf } from "@cmh/tensor-core";
import { diagonalCriticScores } from "./network";

/**
 * Per-bit KL(Bern(σ(a)) ‖ Bern(σ(c))) from logits: sp(c) − sp(a) + σ(a)(a − c). No log(0) for
 * extreme logits. Same shape as the inputs.
 */
export function bernoulliKlFromLogits(a: tf.Tensor, c: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.add(tf.sub(stableSoftplus(c), stableSoftplus(a)), tf.mul(tf.sigmoid(a), tf.sub(a, c))),
  );
}

/**
 * Symmetrised Bernoulli KL L_SKL = mean_i Σ_k (σ(a_ik) − σ(c_ik))(a_ik − c_ik)
 * = mean_i [KL(p_i‖q_i) + KL(q_i‖p_i)] from the two modalities' logits [n, b]. Scalar, ≥ 0.
 */
export function symmetricKl(a: tf.Tensor, c: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () =>
      tf.mean(tf.sum(tf.mul(tf.sub(tf.sigmoid(a), tf.sigmoid(c)), tf.sub(a, c)), 1)) as tf.Scalar,
  );
}

/**
 * Jensen-Shannon MI estimate from a critic score matrix M [n, n] (M_ij = T(p_x,i, p_y,j)):
 * mean_i[−sp(−M_ii)] − mean_{i≠j}[sp(M_ij)]. Matched pairs (diagonal) are positives, all
 * n(n−1) mismatched pairs negatives. Always ≤ 0; −2 ln 2 for M ≡ 0.
 */
export function jsMiFromScores(m: tf.Tensor): tf.Scalar {
  const [n, n2] = m.shape;
  if (m.shape.length !== 2 || n !== n2 || n < 2)
    throw new RangeError(
      `jsMiFromScores: need a square score matrix with n >= 2, got [${m.shape}]`,
    );
  return tf.tidy(() => {
    const eye = tf.eye(n);
    const diag = tf.sum(tf.mul(m, eye), 1);
    const pos = tf.mean(tf.neg(stableSoftplus(tf.neg(diag))));
    const negAll = tf.sum(tf.mul(stableSoftplus(m), tf.sub(1, eye)));
    const neg = tf.div(negAll, n * (n - 1));
    return tf.sub(pos, neg) as tf.Scalar;
  });
}

/**
 * Separable critic scores M = G Hᵀ for tower outputs G = g(p_x), H = h(p_y) [n, k] each, and the
 * JS estimate; returns both (M for shape checks and logging).
 */
export function separableJsMi(g: tf.Tensor, h: tf.Tensor): { scores: tf.Tensor; mi: tf.Scalar } {
  return tf.tidy(() => {
    const scores = tf.matMul(g, h, false, true);
    return { scores, mi: jsMiFromScores(scores) };
  });
}

/**
 * JS MI estimate with the bit-aligned critic (`diagonalCriticScores`); returns the score matrix
 * and the estimate, like `separableJsMi`.
 */
export function diagonalJsMi(
  px: tf.Tensor,
  py: tf.Tensor,
  w: tf.Tensor,
  beta: tf.Tensor,
): { scores: tf.Tensor; mi: tf.Scalar } {
  return tf.tidy(() => {
    const scores = diagonalCriticScores(px, py, w, beta);
    return { scores, mi: jsMiFromScores(scores) };
  });
}

/**
 * Density-ratio TC estimate mean_i log(D(p_i) / (1 − D(p_i))) = mean of the classifier's logits
 * on real codes (D frozen; gradient reaches the encoders through the logits' inputs).
 */
export function tcFromLogits(logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(logits) as tf.Scalar);
}

/**
 * TC classifier loss (BCE): −mean log D(p) − mean log(1 − D(p̄)) = mean sp(−ℓ(p)) + mean sp(ℓ(p̄)),
 * label 1 for real codes, 0 for column-permuted ones. 2 ln 2 when both logits are 0.
 */
export function tcClassifierLoss(realLogits: tf.Tensor, permutedLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () =>
      tf.add(
        tf.mean(stableSoftplus(tf.neg(realLogits))),
        tf.mean(stableSoftplus(permutedLogits)),
      ) as tf.Scalar,
  );
}

/** Balance term mean_k |mean_i p_ik − ½| of one modality's probabilities [n, b]. */
export function balanceLoss(p: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(tf.mean(p, 0), 0.5))) as tf.Scalar);
}

/**
 * Gaussian-decoder reconstruction loss (fixed variance): per-element MSE mean((x − x̂)²), or with
 * `"nats"` the unit-variance negative log-likelihood mean_i ½ Σ_d (x_id − x̂_id)² (up to a constant).
 */
export function reconstructionLoss(
  x: tf.Tensor,
  xHat: tf.Tensor,
  reduction: "mean" | "nats" = "mean",
): tf.Scalar {
  return tf.tidy(() => {
    const sq = tf.squaredDifference(x, xHat);
    return (reduction === "mean" ? tf.mean(sq) : tf.mul(tf.mean(tf.sum(sq, 1)), 0.5)) as tf.Scalar;
  });
}
