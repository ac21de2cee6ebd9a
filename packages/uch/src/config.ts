/**
 * UCH configuration. The seed paper lost every layer size, learning rate and loss equation; every
 * value below is tagged with its provenance from the method spec (`uch.md`, sections in brackets):
 * [paper] survives in the paper text, [note] from the reader's note / review caption,
 * [reconstructed] / [suggested] chosen by the spec where the paper is silent or lost.
 */

import type { InputSpec } from "@cmh/tensor-core";

/** Activation of the text embedding E_T. */
export type TextActivation = "tanh" | "relu";
/** Output activation of the fake-image decoder of G^f_{T→I}; "auto" = relu when all training image features are ≥ 0. */
export type ImageOutputActivation = "auto" | "relu" | "linear";
/** Generator side of the adversarial terms. */
export type GeneratorLoss = "non-saturating" | "saturating";
/** Image encoder E_I in the feature variant (UCH-feat). */
export type ImageEncoder = "identity" | "dense";

/** How a squared-L2 term is reduced per row: "sum" ||a−b||² (spec §4) or "mean" ||a−b||²/width (per-element MSE). */
export type LossReduction = "sum" | "mean";
/** Weight initialisation of every layer. */
export type UCHInit = "glorot" | "torch";

/** Configuration of UCH (defaults: `UCH.defaults`, the `paper` preset). */
export interface UCHConfig {
  /** Code length K (8..1024); the inner generators' middle (hash) layer width [paper]. */
  readonly bits: number;
  /** Seed of every random choice in fit. */
  readonly seed: number;
  /** Training epochs [suggested 100, §5]. */
  readonly epochs: number;
  /** Outer-cycle-only warm-up epochs (steps 16–17) before the joint loop [suggested optional, §5; default 0]. */
  readonly warmupEpochs: number;
  /** Mini-batch size [paper: 128]. */
  readonly batchSize: number;
  /**
   * The shared input stage (`@cmh/tensor-core`), fitted on the training rows [paper: none stated,
   * raw fc7 and BoW; `quick`: "center-scale", column means and one scale per modality].
   */
  readonly input: InputSpec;
  /** Layer initialisation [unspecified; glorot = the TensorFlow dense-layer default the paper's framework uses; torch = U(±1/√fan_in)]. */
  readonly init: UCHInit;
  /** Width of the text embedding E_T [paper: 300]. */
  readonly textEmbedDim: number;
  /** Activation of E_T [suggested tanh, §3]. */
  readonly textActivation: TextActivation;
  /** E_I for precomputed features: identity [suggested, §8] or a trainable FC d→d. */
  readonly imageEncoder: ImageEncoder;
  /** Hidden width a of the outer generators [suggested 1024, §3]. */
  readonly outerHidden: number;
  /** Common-representation width d_z (outer generators' middle layer) [suggested 512, §3]. */
  readonly commonDim: number;
  /** Hidden width a' of the inner generators [suggested 256, §3]. */
  readonly innerHidden: number;
  /** Hidden width b of the outer discriminators [suggested 512, §3]. */
  readonly outerDiscHidden: number;
  /** Hidden width b' of the inner discriminators [suggested 256, §3]. */
  readonly innerDiscHidden: number;
  /** LeakyReLU slope of the discriminators [suggested 0.2, §3]. */
  readonly discLeakySlope: number;
  /** Output activation of the fake image features [suggested relu for post-ReLU fc7, §3]. */
  readonly imageOutputActivation: ImageOutputActivation;
  /** Adam learning rate of every randomly initialised module [suggested 10^-3.5, §5]. */
  readonly lr: number;
  /** Adam learning rate of a trainable image encoder E_I ("image network") [suggested 10^-4.5, §5]; unused with imageEncoder "identity". */
  readonly lrImageEncoder: number;
  /** Weight decay on all weights [suggested 5e-4, §5]. */
  readonly weightDecay: number;
  /** Step decay: multiply the learning rates by lrGamma every lrStepEvery epochs (0 = never) [suggested ×0.1 / 30 epochs, §5]. */
  readonly lrStepEvery: number;
  /** Step-decay factor [suggested 0.1, §5]. */
  readonly lrGamma: number;
  /** Generator adversarial loss [suggested non-saturating, §4; saturating is the literal minimax form]. */
  readonly generatorLoss: GeneratorLoss;
  /** Per-row reduction of the reconstruction and similarity terms [spec §4: sum]. */
  readonly lossReduction: LossReduction;
  /** Weight of the adversarial terms in L_f and L_z [note: unit weights]. */
  readonly weightAdv: number;
  /** Weight of the cycle-reconstruction terms [note: unit weights]. */
  readonly weightRec: number;
  /** Weight of the paired-similarity terms [note: unit weights]. */
  readonly weightSim: number;
  /** Weight of the optional bit-balance term Σ_k (mean_i H_ik)² on H^I and H^T (collapse guard, NOT in the paper; 0 = faithful). */
  readonly weightBalance: number;
  /** Weight of the optional quantisation term (1/n) Σ_i Σ_k (|H_ik| − 1)² (collapse guard, NOT in the paper; 0 = faithful). */
  readonly weightQuant: number;
  /**
   * Weight of the optional variance floor Σ_j max(0, γ − std_j) on Z^I, Z^T (in L_f) and H^I, H^T (in L_z):
   * VICReg's counterweight to the paired squared-L2 terms (NOT in the paper; 0 = faithful; README, "Departures").
   */
  readonly weightVariance: number;
  /** Weight of the optional VICReg covariance penalty Σ_{i≠j} C_ij² on the same spaces (NOT in the paper; 0 = faithful). */
  readonly weightCovariance: number;
  /** Target std γ of the variance floor (1 = VICReg's; the tanh spaces reach it only at ±1). */
  readonly varianceTarget: number;
  /** After training, subtract each modality's mean hash-layer output over the training set before sign (bit centring, NOT in the paper; false = faithful B = sign(H)). */
  readonly centerCodes: boolean;
  /** Let L^z_sim also update E and enc^f in step 17 (two-way coupling) [suggested off, §5]. */
  readonly hashGradIntoOuter: boolean;
  /** Stop-gradient on F^I/F^T as reconstruction targets and real samples (collapse guard, not in the paper) [§9.2]. */
  readonly detachTargets: boolean;
}

/** The `paper` configuration (spec §3, §5): UCH-feat with the suggested sizes and schedule. */
export const UCH_DEFAULTS: UCHConfig = {
  bits: 32,
  seed: 0,
  epochs: 100,
  warmupEpochs: 0,
  batchSize: 128,
  input: "none",
  init: "glorot",
  textEmbedDim: 300,
  textActivation: "tanh",
  imageEncoder: "identity",
  outerHidden: 1024,
  commonDim: 512,
  innerHidden: 256,
  outerDiscHidden: 512,
  innerDiscHidden: 256,
  discLeakySlope: 0.2,
  imageOutputActivation: "auto",
  lr: 10 ** -3.5,
  lrImageEncoder: 10 ** -4.5,
  weightDecay: 5e-4,
  lrStepEvery: 30,
  lrGamma: 0.1,
  generatorLoss: "non-saturating",
  lossReduction: "sum",
  weightAdv: 1,
  weightRec: 1,
  weightSim: 1,
  weightBalance: 0,
  weightQuant: 0,
  weightVariance: 0,
  weightCovariance: 0,
  varianceTarget: 1,
  centerCodes: false,
  hashGradIntoOuter: false,
  detachTargets: true,
};

/** The reduced budget of spec §5 `quick`, with smaller outer layers to fit 60 s on a 2-core WASM CPU. */
const QUICK_BUDGET: Partial<UCHConfig> = {
  outerHidden: 256,
  commonDim: 128,
  innerHidden: 128,
  outerDiscHidden: 128,
  innerDiscHidden: 128,
  lr: 1e-3,
  lrImageEncoder: 1e-3,
  lrStepEvery: 0,
  epochs: 8,
  input: "center-scale",
};

/**
 * VICReg's variance and covariance terms (Bardes et al., ICLR 2022) on Z and H, NOT in the paper:
 * weights are VICReg's own ratios to its invariance term (μ/λ = 25/25, ν/λ = 1/25), which is the
 * paired squared-L2 term here; not tuned. Without them the paired terms' cheapest minimum is a
 * collapsed space and the codes sit at the random-code base rate (`docs/experiments/uch.md`).
 */
const VICREG: Partial<UCHConfig> = { weightVariance: 1, weightCovariance: 0.04 };

/**
 * `quick` (chosen on two validation sets, `docs/experiments/uch.md`): the reduced budget plus the
 * VICReg terms, codes B = sign(H) as in the paper.
 */
const QUICK: Partial<UCHConfig> = { ...QUICK_BUDGET, ...VICREG };

/** Named presets: `paper`, `quick`, the faithful objective at both budgets, and ablations of `quick`. */
export const UCH_PRESETS: Record<string, Partial<UCHConfig>> = {
  paper: {},
  "paper-vicreg": { ...VICREG, input: "standardize" },
  quick: QUICK,
  "quick-faithful": QUICK_BUDGET,
  "quick-centred": { ...QUICK_BUDGET, centerCodes: true },
  "quick-guarded": { ...QUICK_BUDGET, weightBalance: 1, weightQuant: 1 },
  "quick-no-cov": { ...QUICK, weightCovariance: 0 },
  "quick-no-adv": { ...QUICK, weightAdv: 0 },
  "quick-no-rec": { ...QUICK, weightRec: 0 },
  "quick-two-way": { ...QUICK, hashGradIntoOuter: true },
  "quick-saturating": { ...QUICK, generatorLoss: "saturating" },
  "quick-no-detach": { ...QUICK, detachTargets: false },
};

const POS_INT = [
  "epochs",
  "batchSize",
  "textEmbedDim",
  "outerHidden",
  "commonDim",
  "innerHidden",
  "outerDiscHidden",
  "innerDiscHidden",
] as const;

/** Extra checks beyond the base's type checks; throws naming the key, the value and what is expected. */
export function validateUCHConfig(c: UCHConfig): void {
  for (const k of POS_INT) {
    if (!Number.isInteger(c[k]) || c[k] < 1)
      throw new RangeError(`UCH: config.${k} must be a positive integer, got ${c[k]}`);
  }
  if (c.batchSize < 2)
    throw new RangeError(`UCH: config.batchSize must be at least 2, got ${c.batchSize}`);
  for (const k of ["warmupEpochs", "lrStepEvery"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0)
      throw new RangeError(`UCH: config.${k} must be an integer >= 0, got ${c[k]}`);
  }
  for (const k of ["lr", "lrImageEncoder"] as const) {
    if (!(c[k] > 0)) throw new RangeError(`UCH: config.${k} must be > 0, got ${c[k]}`);
  }
  for (const k of [
    "weightDecay",
    "weightAdv",
    "weightRec",
    "weightSim",
    "weightBalance",
    "weightQuant",
    "weightVariance",
    "weightCovariance",
  ] as const) {
    if (!(c[k] >= 0)) throw new RangeError(`UCH: config.${k} must be >= 0, got ${c[k]}`);
  }
  if (!(c.varianceTarget > 0))
    throw new RangeError(`UCH: config.varianceTarget must be > 0, got ${c.varianceTarget}`);
  if (!(c.lrGamma > 0 && c.lrGamma <= 1))
    throw new RangeError(`UCH: config.lrGamma must be in (0, 1], got ${c.lrGamma}`);
  if (!(c.discLeakySlope >= 0 && c.discLeakySlope < 1))
    throw new RangeError(`UCH: config.discLeakySlope must be in [0, 1), got ${c.discLeakySlope}`);
  const oneOf = (k: keyof UCHConfig, allowed: readonly string[]) => {
    if (!allowed.includes(c[k] as string))
      throw new RangeError(
        `UCH: config.${k} must be one of ${allowed.join(", ")}, got ${JSON.stringify(c[k])}`,
      );
  };
  oneOf("init", ["glorot", "torch"]);
  oneOf("lossReduction", ["sum", "mean"]);
  oneOf("textActivation", ["tanh", "relu"]);
  oneOf("imageEncoder", ["identity", "dense"]);
  oneOf("imageOutputActivation", ["auto", "relu", "linear"]);
  oneOf("generatorLoss", ["non-saturating", "saturating"]);
}
