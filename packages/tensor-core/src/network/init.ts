import { requireBackend } from "../backend/backend";
import { tf } from "../backend/tf";
import type { Rng } from "./rng";

/**
 * Weight initialisation schemes of the papers' frameworks:
 * - "torch": PyTorch `nn.Linear` default, kaiming_uniform(a=√5) = U(±1/√fan_in) (bias: same range).
 * - "glorot": TF/Keras `glorot_uniform`, U(±√(6/(fan_in+fan_out))) (bias: zeros).
 * - { normal: σ }: N(0, σ²); { truncatedNormal: σ }: N(0, σ²) redrawn outside ±2σ (TF semantics).
 * - { uniform: a }: U(±a); "zeros".
 */
export type InitScheme =
  | "torch"
  | "glorot"
  | "zeros"
  | { readonly normal: number; readonly mean?: number }
  | { readonly truncatedNormal: number; readonly mean?: number }
  | { readonly uniform: number }
  | { readonly constant: number };

/** Fill a new Float32Array of `size` values with `scheme`, drawing from `rng`. */
export function initValues(
  scheme: InitScheme,
  size: number,
  fanIn: number,
  fanOut: number,
  rng: Rng,
): Float32Array {
  const out = new Float32Array(size);
  if (scheme === "zeros") return out;
  if (scheme === "torch") {
    const a = 1 / Math.sqrt(fanIn);
    return rng.fillUniform(out, -a, a);
  }
  if (scheme === "glorot") {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    return rng.fillUniform(out, -a, a);
  }
  if ("normal" in scheme) return rng.fillNormal(out, scheme.mean ?? 0, scheme.normal);
  if ("truncatedNormal" in scheme) {
    const s = scheme.truncatedNormal;
    const m = scheme.mean ?? 0;
    for (let i = 0; i < size; i++) {
      let z: number;
      do z = rng.normal();
      while (z < -2 || z > 2);
      out[i] = m + s * z;
    }
    return out;
  }
  if ("uniform" in scheme) return rng.fillUniform(out, -scheme.uniform, scheme.uniform);
  if ("constant" in scheme) return out.fill(scheme.constant);
  throw new TypeError(`unknown init scheme ${JSON.stringify(scheme)}`);
}

/** A trainable variable of `shape` initialised with `scheme` (fan_in = shape[0], fan_out = shape[1]). */
export function initVariable(
  scheme: InitScheme,
  shape: readonly number[],
  rng: Rng,
  options: { fanIn?: number; fanOut?: number; name?: string; trainable?: boolean } = {},
): tf.Variable {
  requireBackend();
  const size = shape.reduce((a, b) => a * b, 1);
  const fanIn = options.fanIn ?? shape[0] ?? 1;
  const fanOut = options.fanOut ?? shape[1] ?? 1;
  const values = initValues(scheme, size, fanIn, fanOut, rng);
  return tf.tidy(() => tf.variable(tf.tensor(values, [...shape]), options.trainable ?? true));
}
