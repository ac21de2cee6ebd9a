import { type Rng, tf } from "@cmh/tensor-core";

/**
 * Flat gather indices that permute every column of an [n, b] row-major matrix independently
 * across rows (P̄[i, k] = P[π_k(i), k]): samples of the product of marginals Π_k q(b_k).
 */
export function columnPermutationIndices(n: number, b: number, rng: Rng): Int32Array {
  const idx = new Int32Array(n * b);
  for (let k = 0; k < b; k++) {
    const perm = rng.permutation(n);
    for (let i = 0; i < n; i++) idx[i * b + k] = perm[i] * b + k;
  }
  return idx;
}

/** Permute every column of P [n, b] independently across the batch (a new tensor, no gradient path needed). */
export function permuteColumns(p: tf.Tensor, rng: Rng): tf.Tensor {
  const [n, b] = p.shape;
  const idx = columnPermutationIndices(n, b, rng);
  return tf.tidy(() => {
    const flat = tf.reshape(p, [n * b]);
    const i = tf.tensor1d(idx, "int32");
    return tf.reshape(tf.gather(flat, i), [n, b]);
  });
}
