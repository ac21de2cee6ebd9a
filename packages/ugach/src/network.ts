import type { Matrix } from "@cmh/datasets";
import type { Modality } from "@cmh/tensor-core";
import { Dense, type Rng, sliceRowsTensor, tf, tidyData } from "@cmh/tensor-core";

/** One modality pathway: x → tanh(W1 x + b1) (common representation) → sigmoid(W2 · + b2). */
export interface Pathway {
  readonly hidden: Dense;
  readonly code: Dense;
}

/**
 * The two-pathway hash network used for both the generator and the discriminator:
 * `h(x) = sigmoid(W2 · tanh(W1 x + b1) + b2)` per modality, weights truncated-normal(0, σ),
 * biases 0 [code: dis_model_nn.py, gen_model_nn.py].
 */
export class HashNet {
  readonly image: Pathway;
  readonly text: Pathway;

  constructor(
    dims: { image: number; text: number },
    hidden: number,
    bits: number,
    rng: Rng,
    initStd = 0.1,
  ) {
    const opts = { init: { truncatedNormal: initStd }, biasInit: "zeros" } as const;
    const make = (d: number): Pathway => ({
      hidden: new Dense(d, hidden, rng, { ...opts, activation: "tanh" }),
      code: new Dense(hidden, bits, rng, { ...opts, activation: "sigmoid" }),
    });
    this.image = make(dims.image);
    this.text = make(dims.text);
  }

  /** Relaxed codes h(x) ∈ (0, 1)^l of a batch [n, d] of one modality. */
  apply(modality: Modality, x: tf.Tensor): tf.Tensor2D {
    const p = modality === "image" ? this.image : this.text;
    return tf.tidy(() => p.code.apply(p.hidden.apply(x))) as tf.Tensor2D;
  }

  /** The eight trainable tensors (both pathways, weights and biases). */
  variables(): tf.Variable[] {
    return [this.image, this.text].flatMap((p) => [
      ...p.hidden.trainableVariables(),
      ...p.code.trainableVariables(),
    ]);
  }

  /** Weights by stable name, e.g. `image.hidden.weight`. */
  namedWeights(prefix = ""): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    for (const [m, p] of [
      ["image", this.image],
      ["text", this.text],
    ] as const) {
      for (const [l, layer] of [
        ["hidden", p.hidden],
        ["code", p.code],
      ] as const) {
        for (const [k, v] of Object.entries(layer.namedWeights()))
          out[`${prefix}${m}.${l}.${k}`] = v;
      }
    }
    return out;
  }

  /** Release all variables. */
  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

/** Relaxed codes h(x) of every row of `m` (no gradient), as an n × l Float32Array. */
export function relaxedCodes(
  net: HashNet,
  modality: Modality,
  m: Matrix,
  batch = 2048,
): Float32Array {
  const bits = net.image.code.outFeatures;
  const out = new Float32Array(m.rows * bits);
  for (let s = 0; s < m.rows; s += batch) {
    const e = Math.min(m.rows, s + batch);
    const v = tidyData(() => net.apply(modality, sliceRowsTensor(m, s, e)));
    out.set(v, s * bits);
  }
  return out;
}
