import type { LabelMatrix } from "@cmh/datasets";
import { tf } from "@cmh/tensor-core";
import type { DSPAHConfig, LossNormalization } from "./config";

/**
 * Fine-grained similarity criterion (paper eq. 2) of one label pair: shared labels over the
 * geometric mean of the label counts, in [0, 1]; 0 when either item has no label.
 */
export function fgsc(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length)
    throw new RangeError(`fgsc: label vectors differ in length (${a.length} vs ${b.length})`);
  let shared = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] > 0 ? 1 : 0;
    const y = b[i] > 0 ? 1 : 0;
    shared += x & y;
    na += x;
    nb += y;
  }
  return na === 0 || nb === 0 ? 0 : shared / Math.sqrt(na * nb);
}

/** Multi-hot labels as a [rows, cols] float32 tensor (entries 0/1). */
export function labelTensor(labels: LabelMatrix): tf.Tensor2D {
  const f = new Float32Array(labels.data.length);
  for (let i = 0; i < f.length; i++) f[i] = labels.data[i] > 0 ? 1 : 0;
  return tf.tensor2d(f, [labels.rows, labels.cols]);
}

/**
 * Similarity of a batch of label rows `la` [n, L] against `lb` [N, L] as an [n, N] tensor:
 * "fgsc" = |l_i ∧ l_j| / sqrt(|l_i| |l_j|) (0 where an item has no label); "binary" = 1 when any
 * label is shared.
 */
export function similarityMatrix(
  la: tf.Tensor2D,
  lb: tf.Tensor2D,
  kind: DSPAHConfig["similarity"] = "fgsc",
): tf.Tensor2D {
  return tf.tidy(() => {
    const shared = tf.matMul(la, lb, false, true);
    if (kind === "binary") return tf.cast(tf.greater(shared, 0.5), "float32") as tf.Tensor2D;
    const ca = tf.reshape(tf.sum(la, 1), [-1, 1]);
    const cb = tf.reshape(tf.sum(lb, 1), [1, -1]);
    // Zero-label guard: the numerator is 0 there, a denominator of 1 keeps S = 0 (not NaN).
    const denom = tf.sqrt(tf.maximum(tf.mul(ca, cb), 1));
    return tf.div(shared, denom) as tf.Tensor2D;
  });
}

export type { LossNormalization };

/**
 * Pairwise MSE term of paper eqs. 3-5 between a batch `a` [n, c] (with gradient) and a constant
 * `b` [N, c] for targets `s` [n, N]. "mean": mean over pairs of (u - S)^2 with
 * u = (<a_i, b_j>/c + 1)/2 (the paper's term divided by c^2 n N); "sum": the paper's literal
 * Σ ((<a_i, b_j> + c)/2 - c S)^2; "pairs": that sum / (n N).
 */
export function pairLoss(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  s: tf.Tensor2D,
  normalization: LossNormalization = "mean",
): tf.Scalar {
  return tf.tidy(() => {
    const c = a.shape[1];
    const ip = tf.matMul(a, b, false, true);
    if (normalization !== "mean") {
      const r = tf.sub(tf.div(tf.add(ip, c), 2), tf.mul(s, c));
      const sq = tf.square(r);
      return (normalization === "sum" ? tf.sum(sq) : tf.mean(sq)) as tf.Scalar;
    }
    const u = tf.div(tf.add(tf.div(ip, c), 1), 2);
    return tf.mean(tf.square(tf.sub(u, s))) as tf.Scalar;
  });
}

/**
 * Quantisation term of paper eq. 6 for one modality: "mean" = mean over the batch of
 * (1/c)||B_i - f_i||^2 (= the per-element mean); "sum" = the paper's (1/c)||B - F||_F^2.
 */
export function quantLoss(
  codes: tf.Tensor2D,
  out: tf.Tensor2D,
  normalization: LossNormalization = "mean",
): tf.Scalar {
  return tf.tidy(() => {
    const sq = tf.square(tf.sub(codes, out));
    if (normalization === "sum") return tf.div(tf.sum(sq), out.shape[1]) as tf.Scalar;
    if (normalization === "pairs")
      return tf.div(tf.sum(sq), out.shape[1] * out.shape[0]) as tf.Scalar;
    return tf.mean(sq) as tf.Scalar;
  });
}

/** B = sign(F + G) with sign(0) = +1 (paper eq. 1), on host arrays of equal length. */
export function unifiedCodes(f: Float32Array, g: Float32Array, out?: Float32Array): Float32Array {
  if (f.length !== g.length)
    throw new RangeError(`unifiedCodes: F has ${f.length} values, G has ${g.length}`);
  const b = out ?? new Float32Array(f.length);
  for (let i = 0; i < f.length; i++) b[i] = f[i] + g[i] >= 0 ? 1 : -1;
  return b;
}

/** The loss terms of one modality's update (paper eq. 7 restricted to that network's terms). */
export interface ModalityLoss {
  /** Image-text pair term against the other modality's buffer (eq. 3). */
  readonly inter: tf.Scalar;
  /** Same-modality pair term against this modality's own buffer (eqs. 4, 5); 0 when off. */
  readonly intra: tf.Scalar;
  /** Quantisation term against the batch's rows of B (eq. 6), unweighted. */
  readonly quant: tf.Scalar;
  /** inter + intra + quantWeight * quant. */
  readonly total: tf.Scalar;
}

/**
 * The objective one network minimises in its step of Algorithm 1: the batch outputs `out` [n, c]
 * against the other modality's buffer `other` [N, c] and, when `own` is given, this modality's
 * buffer [N, c], for targets `s` [n, N], plus the quantisation term towards `codes` [n, c].
 * Call inside a tidy (the step's).
 */
export function modalityLoss(
  out: tf.Tensor2D,
  other: tf.Tensor2D,
  own: tf.Tensor2D | null,
  s: tf.Tensor2D,
  codes: tf.Tensor2D,
  weights: { readonly normalization: LossNormalization; readonly quantWeight: number },
): ModalityLoss {
  const norm = weights.normalization;
  const inter = pairLoss(out, other, s, norm);
  const intra = own ? pairLoss(out, own, s, norm) : tf.scalar(0);
  const quant = quantLoss(codes, out, norm);
  const total = tf.addN([inter, intra, tf.mul(quant, weights.quantWeight)]) as tf.Scalar;
  return { inter, intra, quant, total };
}
