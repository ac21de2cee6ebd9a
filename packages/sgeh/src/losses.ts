// SGEH's loss terms: the per-batch hybrid semantic matrix U (paper Eqs. 8–10, spec §5), the cosine
// reconstruction loss L^B (Eq. 13) and the code-balance adversarial terms (Eq. 15, spec §6).

import { HasherError, tf } from "@cmh/tensor-core";
import type { Fusion } from "./config";

/** Row-wise cosine similarity matrix of a batch (zero-norm rows: +1e-8 on the norm). */
export function cosineMatrix(x: tf.Tensor2D, y: tf.Tensor2D = x): tf.Tensor2D {
  return tf.tidy(() => {
    const nx = tf.div(x, tf.add(tf.norm(x, 2, 1, true), 1e-8));
    const ny = y === x ? nx : tf.div(y, tf.add(tf.norm(y, 2, 1, true), 1e-8));
    return tf.matMul(nx, ny, false, true) as tf.Tensor2D;
  });
}

/** Options of the batch target. */
export interface TargetOptions {
  readonly fusion: Fusion;
  /** λ3: weight of A (SGEH) or of the second-order term (DJSRH η). */
  readonly lambda3: number;
  /** λ4: image weight in S̄. */
  readonly lambda4: number;
  /** "cos" (paper Eq. 8) or "2cos-1" (DJSRH / SGEH code). */
  readonly similarity: "cos" | "2cos-1";
}

/**
 * The batch target U from raw features and the ±1 adjacency (spec §5 steps 4–6): S̄ = λ4 S^I +
 * (1−λ4) S^T; G2: λ3 A + (1−λ3) S̄S̄ᵀ/n; G1: (1−λ3) S̄ + λ3 A; "A": A; "S": S̄;
 * "djsrh": (1−λ3) S̄ + λ3 S̄S̄ᵀ/n.
 */
export function batchTarget(
  xi: tf.Tensor2D,
  xt: tf.Tensor2D,
  adjacency: tf.Tensor2D | null,
  o: TargetOptions,
): tf.Tensor2D {
  return tf.tidy(() => {
    const n = xi.shape[0];
    const sim = (x: tf.Tensor2D) => {
      const c = cosineMatrix(x);
      return o.similarity === "2cos-1" ? tf.sub(tf.mul(c, 2), 1) : c;
    };
    const sBar = tf.add(tf.mul(sim(xi), o.lambda4), tf.mul(sim(xt), 1 - o.lambda4)) as tf.Tensor2D;
    const second = () => tf.div(tf.matMul(sBar, sBar, false, true), n);
    const needA = o.fusion === "A" || o.fusion === "G1" || o.fusion === "G2";
    if (needA && !adjacency)
      throw new HasherError(`SGEH: fusion "${o.fusion}" needs the batch adjacency`);
    const a = adjacency as tf.Tensor2D;
    switch (o.fusion) {
      case "A":
        return a.clone();
      case "S":
        return sBar;
      case "G1":
        return tf.add(tf.mul(sBar, 1 - o.lambda3), tf.mul(a, o.lambda3)) as tf.Tensor2D;
      case "G2":
        return tf.add(tf.mul(a, o.lambda3), tf.mul(second(), 1 - o.lambda3)) as tf.Tensor2D;
      case "djsrh":
        return tf.add(tf.mul(sBar, 1 - o.lambda3), tf.mul(second(), o.lambda3)) as tf.Tensor2D;
      default:
        throw new HasherError(`SGEH: unknown fusion ${String(o.fusion)}`);
    }
  });
}

/** Weights of the three reconstruction terms. */
export interface ReconWeights {
  readonly ii: number;
  readonly tt: number;
  readonly it: number;
}

/**
 * L^B = w_II‖αU − cos(B^I,B^I)‖² + w_TT‖αU − cos(B^T,B^T)‖² + w_IT‖αU − cos(B^I,B^T)‖², each a
 * mean over the n² entries (spec §6). Returns the total and the three unweighted terms.
 * With `pairWeights` P (n×n), each term is Σ P ⊙ (αU − cos)² instead of the mean: a block-diagonal
 * P with 1/(K·n_k²) on block k makes one call the mean of K independent batches' losses.
 */
export function reconstructionLoss(
  bi: tf.Tensor2D,
  bt: tf.Tensor2D,
  u: tf.Tensor2D,
  alpha: number,
  w: ReconWeights,
  pairWeights?: tf.Tensor2D,
): { total: tf.Scalar; ii: tf.Scalar; tt: tf.Scalar; it: tf.Scalar } {
  const target = tf.mul(u, alpha);
  const term = (q: tf.Tensor) => {
    const sq = tf.square(tf.sub(target, q));
    return (pairWeights ? tf.sum(tf.mul(sq, pairWeights)) : tf.mean(sq)) as tf.Scalar;
  };
  const ii = term(cosineMatrix(bi));
  const tt = term(cosineMatrix(bt));
  const it = term(cosineMatrix(bi, bt));
  const total = tf.addN([tf.mul(ii, w.ii), tf.mul(tt, w.tt), tf.mul(it, w.it)]) as tf.Scalar;
  return { total, ii, tt, it };
}

/**
 * Critic loss from discriminator logits (spec §6): −mean log d(y) − mean_H mean log(1 − d(B^H)),
 * with d = sigmoid(logit); equals 2·log 2 when d ≡ ½.
 */
export function criticLoss(realLogits: tf.Tensor, fakeLogits: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    const real = tf.mean(tf.softplus(tf.neg(realLogits)));
    const fakes = fakeLogits.map((f) => tf.mean(tf.softplus(f)));
    return tf.add(real, tf.div(tf.addN(fakes), fakes.length)) as tf.Scalar;
  });
}

/**
 * Encoder adversarial term (TBH actor sign, spec P6), without η4: "nonsaturating" = −mean_H mean
 * log d(B^H); "saturating" = mean_H mean log(1 − d(B^H)).
 */
export function actorLoss(
  fakeLogits: readonly tf.Tensor[],
  form: "nonsaturating" | "saturating",
): tf.Scalar {
  return tf.tidy(() => {
    const per = fakeLogits.map((f) =>
      form === "nonsaturating" ? tf.mean(tf.softplus(tf.neg(f))) : tf.neg(tf.mean(tf.softplus(f))),
    );
    return tf.div(tf.addN(per), per.length) as tf.Scalar;
  });
}
