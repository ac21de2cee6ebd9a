import { bernoulliSte, Mlp, type Rng, tf } from "@cmh/tensor-core";
import type { CMIMHConfig } from "./config";

type GradFn = Parameters<typeof tf.customGrad>[0];

/** The bit-aligned critic's parameters: raw weights ω (w = softplus(ω) ≥ 0) and a bias β. */
export interface DiagonalCritic {
  readonly rawWeight: tf.Variable;
  readonly bias: tf.Variable;
}

/**
 * CMIMH's networks (paper §IV-A): encoders E_x, E_y; Gaussian decoders R_x, R_y; the JS critic
 * (separable towers g, h, or the bit-aligned critic); the TC classifiers D_x, D_y.
 */
export interface CmimhNetworks {
  readonly encImage: Mlp;
  readonly encText: Mlp;
  readonly decImage: Mlp;
  readonly decText: Mlp;
  /** Separable critic towers g, h (criticForm "separable"). */
  readonly criticImage?: Mlp;
  readonly criticText?: Mlp;
  /** Bit-aligned critic (criticForm "diagonal" | "hamming"). */
  readonly criticDiag?: DiagonalCritic;
  readonly tcImage: Mlp;
  readonly tcText: Mlp;
}

/** ω with softplus(ω) = 1: the bit-aligned critic starts with unit weights. */
const SOFTPLUS_INV_1 = Math.log(Math.E - 1);

/**
 * Build every network for input widths `image` (after the optional PCA) and `text`, drawing the
 * initial weights from `rng` in a fixed order (encoders, decoders, critic, TC classifiers).
 */
export function buildNetworks(
  c: CMIMHConfig,
  widths: { readonly image: number; readonly text: number },
  rng: Rng,
): CmimhNetworks {
  const relu = { activation: "relu" as const };
  const leaky = { activation: "leakyRelu" as const, leakySlope: c.leakySlope };
  const h = c.hidden;
  const encImage = new Mlp([widths.image, h, h, c.bits], rng, relu);
  const encText = new Mlp([widths.text, h, h, c.bits], rng, relu);
  const decImage = new Mlp([c.bits, h, h, widths.image], rng, relu);
  const decText = new Mlp([c.bits, h, h, widths.text], rng, relu);
  const separable = c.criticForm === "separable";
  const tower = () => new Mlp([c.bits, c.criticHidden, c.criticHidden, c.criticDim], rng, leaky);
  const criticImage = separable ? tower() : undefined;
  const criticText = separable ? tower() : undefined;
  const criticDiag = separable
    ? undefined
    : {
        rawWeight: tf.tidy(() =>
          tf.variable(tf.fill([c.criticForm === "diagonal" ? c.bits : 1], SOFTPLUS_INV_1)),
        ),
        bias: tf.tidy(() => tf.variable(tf.zeros([1]))),
      };
  return {
    encImage,
    encText,
    decImage,
    decText,
    criticImage,
    criticText,
    criticDiag,
    tcImage: new Mlp([c.bits, c.tcHidden, c.tcHidden, 1], rng, leaky),
    tcText: new Mlp([c.bits, c.tcHidden, c.tcHidden, 1], rng, leaky),
  };
}

/** Trainable variables of the JS critic, whatever its form. */
export function criticVariables(n: CmimhNetworks): tf.Variable[] {
  if (n.criticDiag) return [n.criticDiag.rawWeight, n.criticDiag.bias];
  return [
    ...(n.criticImage?.trainableVariables() ?? []),
    ...(n.criticText?.trainableVariables() ?? []),
  ];
}

/**
 * Identity in the forward pass whose gradient is scaled by 4σ(z)(1 − σ(z)) (1 at z = 0, → 0 as |z|
 * grows). Placed before the straight-through code layer it gives the sigmoid-scaled STE
 * (`steGradient: "sigmoid"`): the gradient reaching a saturated logit fades, as it does for every
 * term that sees σ(z).
 */
export function sigmoidScaledGrad(z: tf.Tensor): tf.Tensor {
  const f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    return {
      value: tf.clone(x),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const p = tf.sigmoid(saved[0]);
          return tf.mul(dy, tf.mul(tf.mul(p, tf.sub(1, p)), 4));
        }),
    };
  }) as unknown as GradFn);
  return f(z);
}

/**
 * The stochastic binary code layer (paper §III-B2): b = 1[z + ε > 0] with logistic noise ε drawn
 * from `rng`, straight-through backward (identity, or sigmoid-scaled with `steGradient: "sigmoid"`).
 */
export function sampleCodes(
  z: tf.Tensor,
  steGradient: CMIMHConfig["steGradient"],
  rng: Rng,
): tf.Tensor {
  return bernoulliSte(steGradient === "sigmoid" ? sigmoidScaledGrad(z) : z, rng);
}

/**
 * Bit-aligned (diagonal bilinear) critic scores M_ij = Σ_k w_k u_ik v_jk + β for u = 2p_x − 1,
 * v = 2p_y − 1 [n, b] (probabilities, or {0,1} samples mapped to ±1), per-bit weights w [b] and a
 * scalar bias β. Unlike the separable critic, M depends on which image bit meets which text bit.
 */
export function diagonalCriticScores(
  px: tf.Tensor,
  py: tf.Tensor,
  w: tf.Tensor,
  beta: tf.Tensor,
): tf.Tensor {
  const b = px.shape[1];
  if (px.shape.length !== 2 || py.shape.length !== 2 || py.shape[1] !== b || w.size !== b)
    throw new RangeError(
      `diagonalCriticScores: need px, py [n, b] and w [b], got [${px.shape}], [${py.shape}], [${w.shape}]`,
    );
  return tf.tidy(() => {
    const u = tf.sub(tf.mul(px, 2), 1);
    const v = tf.sub(tf.mul(py, 2), 1);
    const uw = tf.mul(u, tf.reshape(w, [1, b]));
    return tf.add(tf.matMul(uw, v, false, true), tf.reshape(beta, []));
  });
}
