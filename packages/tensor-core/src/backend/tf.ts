import * as tf from "@tensorflow/tfjs-core";
import { type BlockProduct, jsBlockProduct } from "../linalg/knn";

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

/** A {@link BlockProduct} for `knnGraph` computing A·Bᵀ with a TensorFlow.js `matMul` (float32). */
export const tfBlockProduct: BlockProduct = (a, b) =>
  tidyData(() => {
    const ta = tf.tensor2d(toF32(a.data), [a.rows, a.cols]);
    const tb = tf.tensor2d(toF32(b.data), [b.rows, b.cols]);
    return tf.matMul(ta, tb, false, true);
  });

/**
 * The `knnGraph` block product to use by default: {@link tfBlockProduct} on a compiled backend
 * (WASM, tfjs-node), the pure-JS kernel on tfjs's `cpu` backend. On the 2-core WASM machine a
 * 1024×1024 block costs tf 7 / 40 / 108 / 350 ms at 64 / 512 / 1,386 / 4,096 columns against
 * 38 / 258 / 818 / 2,390 ms for the JS kernel.
 */
export const autoBlockProduct: BlockProduct = (a, b) =>
  tf.getBackend() === "cpu" ? jsBlockProduct(a, b) : tfBlockProduct(a, b);

function toF32(d: ArrayLike<number>): Float32Array {
  return d instanceof Float32Array ? d : Float32Array.from(d);
}
