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
