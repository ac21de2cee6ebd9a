import * as tf from "@tensorflow/tfjs-core";

/**
 * The TensorFlow.js core namespace. Methods use this and never import `@tensorflow/*` themselves,
 * so that exactly one tfjs-core instance (the one the backends registered with) is in play.
 */
export { tf };

/** A tfjs tensor of any rank. */
export type Tensor = tf.Tensor;
/** A rank-1 tfjs tensor. */
export type Tensor1D = tf.Tensor1D;
/** A rank-2 tfjs tensor. */
export type Tensor2D = tf.Tensor2D;
/** A trainable tfjs variable. */
export type Variable = tf.Variable;

/**
 * Run `fn` in a `tf.tidy` scope and read the tensor it returns as a Float32Array, disposing it.
 * Use this instead of `tf.tidy(() => t.dataSync())`: a tidy that returns a typed array walks every
 * element of it looking for tensors, which costs ~0.6 s per million values.
 */
export function tidyData(fn: () => tf.Tensor): Float32Array {
  const t = tf.tidy(fn);
  try {
    return t.dataSync() as Float32Array;
  } finally {
    t.dispose();
  }
}
