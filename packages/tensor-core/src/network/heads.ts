import { tf } from "../backend/tf";
import type { Rng } from "./rng";

type GradFn = Parameters<typeof tf.customGrad>[0];

/** sign(x) with sign(0) = +1, values in {-1, +1}; no gradient (use `signSte` when training). */
export function signPm1(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.mul(tf.cast(tf.greaterEqual(x, 0), "float32"), 2), 1));
}

/**
 * sign(x) in {-1, +1} (0 -> +1) with a straight-through gradient: identity, or with
 * `clip: true` the hard-tanh estimator (gradient 1 where |x| <= 1, else 0).
 */
export function signSte(x: tf.Tensor, options: { clip?: boolean } = {}): tf.Tensor {
  const clip = options.clip ?? false;
  const f = tf.customGrad(((xs: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xs]);
    return {
      value: signPm1(xs),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        clip ? tf.mul(dy, tf.cast(tf.lessEqual(tf.abs(saved[0]), 1), "float32")) : dy,
    };
  }) as unknown as GradFn);
  return f(x);
}

/** Scaled tanh code relaxation tanh(βx). */
export function scaledTanh(x: tf.Tensor, beta: number): tf.Tensor {
  return tf.tidy(() => tf.tanh(beta === 1 ? x : tf.mul(x, beta)));
}

/** A slope schedule for `scaledTanh`: β as a function of the 0-based epoch. */
export type SlopeSchedule = (epoch: number) => number;

/** β = sqrt(epoch + 1) (DJSRH / SGEH), or `(epoch + 1)^power` with another power. */
export function sqrtSlope(power = 0.5): SlopeSchedule {
  return (epoch) => (epoch + 1) ** power;
}

/** β = start · growth^⌊epoch / every⌋, capped at `max` (HashNet-style continuation). */
export function stepSlope(options: {
  start?: number;
  growth: number;
  every?: number;
  max?: number;
}): SlopeSchedule {
  const start = options.start ?? 1;
  const every = options.every ?? 1;
  const max = options.max ?? Number.POSITIVE_INFINITY;
  return (epoch) => Math.min(max, start * options.growth ** Math.floor(epoch / every));
}

/**
 * Stochastic binary codes b ∈ {0, 1} from logits z (Bernoulli(σ(z))) by logistic-noise
 * reparameterisation, b = 1[z + log u − log(1 − u) > 0], with a straight-through gradient
 * (∂b/∂z = 1). With `training: false` the code is deterministic: 1[z > 0] (σ(z) > 0.5).
 */
export function bernoulliSte(
  logits: tf.Tensor,
  rng: Rng,
  options: { training?: boolean } = {},
): tf.Tensor {
  const training = options.training ?? true;
  const f = tf.customGrad(((z: tf.Tensor) => {
    const value = tf.tidy(() => {
      if (!training) return tf.cast(tf.greater(z, 0), "float32");
      const u = tf.randomUniform(z.shape, 1e-7, 1 - 1e-7, "float32", rng.seed());
      const noise = tf.sub(tf.log(u), tf.log1p(tf.neg(u)));
      return tf.cast(tf.greater(tf.add(z, noise), 0), "float32");
    });
    return { value, gradFunc: (dy: tf.Tensor) => dy };
  }) as unknown as GradFn);
  return f(logits);
}

/** Sigmoid code relaxation h = σ(x) and its binarisation b = 1[h ≥ 0.5] (UGACH). */
export function sigmoidThreshold(x: tf.Tensor): { relaxed: tf.Tensor; codes01: tf.Tensor } {
  return tf.tidy(() => {
    const relaxed = tf.sigmoid(x);
    return { relaxed, codes01: tf.cast(tf.greaterEqual(relaxed, 0.5), "float32") };
  });
}
