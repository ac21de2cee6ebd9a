import { tf } from "../backend/tf";

type GradFn = Parameters<typeof tf.customGrad>[0];

/**
 * Stable softplus sp(t) = log(1 + e^t) = max(t, 0) + log1p(e^{−|t|}) with the exact gradient σ(t)
 * (also at t = 0); finite for any finite t. Use it for losses written from logits.
 */
export function stableSoftplus(t: tf.Tensor): tf.Tensor {
  const f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    return {
      value: tf.tidy(() => tf.add(tf.relu(x), tf.log1p(tf.exp(tf.neg(tf.abs(x)))))),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sigmoid(saved[0])),
    };
  }) as unknown as GradFn);
  return f(t);
}

/** Identity in the forward pass with a zero gradient (tf.stop_gradient / torch `detach`). */
export function stopGradient(t: tf.Tensor): tf.Tensor {
  const f = tf.customGrad(((x: tf.Tensor) => ({
    value: tf.clone(x),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  })) as unknown as GradFn);
  return f(t);
}
