/**
 * UCH loss terms [reconstructed, spec §4], all computed from discriminator logits (never
 * log(sigmoid(·)), spec §9.3).
 */
import { stableSoftplus, tf } from "@cmh/tensor-core";
import type { GeneratorLoss } from "./config";

/**
 * Discriminator binary cross-entropy −mean log D(real) − mean log(1 − D(fake)) from logits
 * (the negated adversarial loss of eqs. 4, 5, 10, 11, which steps 16/18 maximise).
 */
export function discriminatorBce(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () =>
      tf.add(
        tf.mean(stableSoftplus(tf.neg(realLogits))),
        tf.mean(stableSoftplus(fakeLogits)),
      ) as tf.Scalar,
  );
}

/**
 * Generator adversarial loss from the fake samples' logits: non-saturating −mean log D(fake)
 * (default), or the literal minimax term mean log(1 − D(fake)).
 */
export function generatorAdversarial(fakeLogits: tf.Tensor, mode: GeneratorLoss): tf.Scalar {
  return tf.tidy(() =>
    mode === "non-saturating"
      ? (tf.mean(stableSoftplus(tf.neg(fakeLogits))) as tf.Scalar)
      : (tf.neg(tf.mean(stableSoftplus(fakeLogits))) as tf.Scalar),
  );
}

/**
 * (1/n) Σ_i ||a_i − b_i||²: squared-L2 distance per row, averaged over the rows ("sum"); with
 * "mean" each row's squared distance is divided by the width (per-element MSE).
 */
export function rowSquaredDistance(
  a: tf.Tensor,
  b: tf.Tensor,
  reduction: "sum" | "mean" = "sum",
): tf.Scalar {
  if (a.shape.join() !== b.shape.join())
    throw new RangeError(`UCH: shape mismatch ${a.shape} vs ${b.shape}`);
  return tf.tidy(() => {
    const d = tf.mean(tf.sum(tf.square(tf.sub(a, b)), 1)) as tf.Scalar;
    return reduction === "sum" ? d : (tf.div(d, a.shape[1] ?? 1) as tf.Scalar);
  });
}

/** Paired similarity (eqs. 7, 13): (1/n) Σ_i ||x^I_i − x^T_i||² (symmetric in I/T). */
export function pairedSimilarity(
  xi: tf.Tensor,
  xt: tf.Tensor,
  reduction: "sum" | "mean" = "sum",
): tf.Scalar {
  return rowSquaredDistance(xi, xt, reduction);
}

/** A generator as a function of a batch. */
export type Generator = (x: tf.Tensor) => tf.Tensor;

/**
 * Cycle reconstruction (eqs. 6, 12): (1/n) Σ_i ||a_i − G_{B→A}(G_{A→B}(a_i))||² +
 * ||b_i − G_{A→B}(G_{B→A}(b_i))||². `targetA` / `targetB` (default: a / b) are the targets, e.g.
 * stop-gradient copies. Zero when the two generators are exact inverses.
 */
export function cycleReconstruction(
  a: tf.Tensor,
  b: tf.Tensor,
  gAB: Generator,
  gBA: Generator,
  targetA: tf.Tensor = a,
  targetB: tf.Tensor = b,
): tf.Scalar {
  return tf.tidy(
    () =>
      tf.add(
        rowSquaredDistance(targetA, gBA(gAB(a))),
        rowSquaredDistance(targetB, gAB(gBA(b))),
      ) as tf.Scalar,
  );
}

/**
 * Variance floor (VICReg, Bardes et al. 2022; NOT in the UCH paper): Σ_j max(0, γ − √(Var_j + ε))
 * over the columns of a batch (divided by the width with "mean"). Zero once every column's std
 * reaches γ; a constant column costs γ. The counterweight that stops the paired squared-L2 terms
 * from collapsing their space to a point.
 */
export function varianceFloor(
  x: tf.Tensor,
  target = 1,
  reduction: "sum" | "mean" = "sum",
  eps = 1e-4,
): tf.Scalar {
  return tf.tidy(() => {
    const std = tf.sqrt(tf.add(tf.moments(x, 0).variance, eps));
    const s = tf.sum(tf.relu(tf.sub(target, std))) as tf.Scalar;
    return reduction === "sum" ? s : (tf.div(s, x.shape[1] ?? 1) as tf.Scalar);
  });
}

/**
 * Covariance penalty (VICReg; NOT in the UCH paper): Σ_{i≠j} C_ij² of the batch covariance of the
 * columns (divided by the width with "mean"). Zero when the columns are uncorrelated, so the
 * dimensions of a space cannot all carry the same direction.
 */
export function offDiagonalCovariance(x: tf.Tensor, reduction: "sum" | "mean" = "sum"): tf.Scalar {
  return tf.tidy(() => {
    const n = x.shape[0] ?? 1;
    if (n < 2) throw new RangeError("UCH: the covariance penalty needs a batch of at least 2 rows");
    const xc = tf.sub(x, tf.mean(x, 0));
    const cov = tf.div(tf.matMul(xc, xc, true, false), n - 1);
    const diag = tf.div(tf.sum(tf.square(xc), 0), n - 1);
    const s = tf.sub(tf.sum(tf.square(cov)), tf.sum(tf.square(diag))) as tf.Scalar;
    return reduction === "sum" ? s : (tf.div(s, x.shape[1] ?? 1) as tf.Scalar);
  });
}
