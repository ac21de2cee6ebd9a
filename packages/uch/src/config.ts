/**
 * UCH configuration schema. The seed paper lost every layer size, learning rate and loss equation;
 * every key's description carries its provenance from the method spec (`uch.md`, sections in
 * brackets): [paper] survives in the paper text, [note] from the reader's note / review caption,
 * [suggested] chosen by the spec where the paper is silent or lost, NOT in the paper = a departure.
 */
import {
  type ConfigOf,
  configSchema,
  defineConfig,
  epochScaleItemsSchema,
  z,
} from "@cmh/tensor-core";

const positiveInt = () => z.number().int().min(1);
const weight = () => z.number().min(0);

/** The UCH config schema: the shared `bits`, `seed`, `input` keys plus UCH's own. */
export const UCH_SCHEMA = configSchema({
  epochs: positiveInt().default(100).describe("Training epochs [suggested 100, §5]."),
  warmupEpochs: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      "Outer-cycle-only warm-up epochs (steps 16–17) before the joint loop [suggested optional, §5].",
    ),
  epochScaleItems: epochScaleItemsSchema,
  batchSize: z.number().int().min(2).default(128).describe("Mini-batch size [paper: 128]."),
  init: z
    .enum(["glorot", "torch"])
    .default("glorot")
    .describe(
      "Layer initialisation [unspecified; glorot = the TensorFlow dense-layer default the paper's framework uses; torch = U(±1/√fan_in)].",
    ),
  textEmbedDim: positiveInt()
    .default(300)
    .describe("Width of the text embedding E_T [paper: 300]."),
  textActivation: z
    .enum(["tanh", "relu"])
    .default("tanh")
    .describe("Activation of E_T [suggested tanh, §3]."),
  imageEncoder: z
    .enum(["identity", "dense"])
    .default("identity")
    .describe("E_I for precomputed features: identity [suggested, §8] or a trainable FC d→d."),
  outerHidden: positiveInt()
    .default(1024)
    .describe("Hidden width a of the outer generators [suggested 1024, §3]."),
  commonDim: positiveInt()
    .default(512)
    .describe(
      "Common-representation width d_z (outer generators' middle layer) [suggested 512, §3].",
    ),
  innerHidden: positiveInt()
    .default(256)
    .describe("Hidden width a' of the inner generators [suggested 256, §3]."),
  outerDiscHidden: positiveInt()
    .default(512)
    .describe("Hidden width b of the outer discriminators [suggested 512, §3]."),
  innerDiscHidden: positiveInt()
    .default(256)
    .describe("Hidden width b' of the inner discriminators [suggested 256, §3]."),
  discLeakySlope: z
    .number()
    .min(0)
    .lt(1)
    .default(0.2)
    .describe("LeakyReLU slope of the discriminators [suggested 0.2, §3]."),
  imageOutputActivation: z
    .enum(["auto", "relu", "linear"])
    .default("auto")
    .describe(
      'Output activation of the fake image features; "auto" = relu when every training image feature is ≥ 0 [suggested relu for post-ReLU fc7, §3].',
    ),
  lr: z
    .number()
    .gt(0)
    .default(10 ** -3.5)
    .describe("Adam learning rate of every randomly initialised module [suggested 10^-3.5, §5]."),
  lrImageEncoder: z
    .number()
    .gt(0)
    .default(10 ** -4.5)
    .describe(
      'Adam learning rate of a trainable image encoder E_I [suggested 10^-4.5, §5]; unused with imageEncoder "identity".',
    ),
  weightDecay: weight().default(5e-4).describe("Weight decay on all weights [suggested 5e-4, §5]."),
  lrStepEvery: z
    .number()
    .int()
    .min(0)
    .default(30)
    .describe(
      "Step decay: multiply the learning rates by lrGamma every lrStepEvery epochs, 0 = never [suggested ×0.1 / 30 epochs, §5].",
    ),
  lrGamma: z.number().gt(0).max(1).default(0.1).describe("Step-decay factor [suggested 0.1, §5]."),
  generatorLoss: z
    .enum(["non-saturating", "saturating"])
    .default("non-saturating")
    .describe(
      "Generator adversarial loss [suggested non-saturating, §4; saturating is the literal minimax form].",
    ),
  lossReduction: z
    .enum(["sum", "mean"])
    .default("sum")
    .describe(
      'Per-row reduction of the reconstruction and similarity terms: "sum" ||a−b||² [spec §4] or "mean" ||a−b||²/width.',
    ),
  weightAdv: weight()
    .default(1)
    .describe("Weight of the adversarial terms in L_f and L_z [note: unit weights]."),
  weightRec: weight()
    .default(1)
    .describe("Weight of the cycle-reconstruction terms [note: unit weights]."),
  weightSim: weight()
    .default(1)
    .describe("Weight of the paired-similarity terms [note: unit weights]."),
  weightBalance: weight()
    .default(0)
    .describe(
      "Weight of the bit-balance term Σ_k (mean_i H_ik)² on H^I and H^T (collapse guard, NOT in the paper).",
    ),
  weightQuant: weight()
    .default(0)
    .describe(
      "Weight of the quantisation term (1/n) Σ_i Σ_k (|H_ik| − 1)² (collapse guard, NOT in the paper).",
    ),
  weightVariance: weight()
    .default(0)
    .describe(
      "Weight of VICReg's variance floor Σ_j max(0, γ − std_j) on Z^I, Z^T (in L_f) and H^I, H^T (in L_z) (NOT in the paper).",
    ),
  weightCovariance: weight()
    .default(0)
    .describe(
      "Weight of VICReg's covariance penalty Σ_{i≠j} C_ij² on the same spaces (NOT in the paper).",
    ),
  varianceTarget: z
    .number()
    .gt(0)
    .default(1)
    .describe(
      "Target std γ of the variance floor (1 = VICReg's; the tanh spaces reach it only at ±1).",
    ),
  centerCodes: z
    .boolean()
    .default(false)
    .describe(
      "Subtract each modality's mean hash-layer output over the training set before sign (bit centring, NOT in the paper).",
    ),
  hashGradIntoOuter: z
    .boolean()
    .default(false)
    .describe(
      "Let L^z_sim also update E and enc^f in step 17 (two-way coupling) [suggested off, §5].",
    ),
  detachTargets: z
    .boolean()
    .default(true)
    .describe(
      "Stop-gradient on F^I/F^T as reconstruction targets and real samples (collapse guard, NOT in the paper) [§9.2].",
    ),
});

/** Configuration of UCH, derived from the schema (defaults: `UCH_DEFAULTS`, the `paper` preset). */
export type UCHConfig = ConfigOf<typeof UCH_SCHEMA>;
/** Activation of the text embedding E_T. */
export type TextActivation = UCHConfig["textActivation"];
/** Output activation of the fake-image decoder of G^f_{T→I}; "auto" = relu when all training image features are ≥ 0. */
export type ImageOutputActivation = UCHConfig["imageOutputActivation"];
/** Generator side of the adversarial terms. */
export type GeneratorLoss = UCHConfig["generatorLoss"];
/** Image encoder E_I in the feature variant (UCH-feat). */
export type ImageEncoder = UCHConfig["imageEncoder"];
/** How a squared-L2 term is reduced per row: "sum" ||a−b||² (spec §4) or "mean" ||a−b||²/width (per-element MSE). */
export type LossReduction = UCHConfig["lossReduction"];
/** Weight initialisation of every layer. */
export type UCHInit = UCHConfig["init"];

/** The reduced budget of spec §5 `quick`, with smaller outer layers to fit 60 s on a 2-core WASM CPU. */
const QUICK_BUDGET = {
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
  // a small training set gets the updates of 2,000 pairs: chosen by the worst case over the
  // feature-form suite (docs/experiments/input-stage-selection.md, stage 3)
  epochScaleItems: 2000,
} satisfies Partial<UCHConfig>;

/**
 * VICReg's variance and covariance terms (Bardes et al., ICLR 2022) on Z and H, NOT in the paper:
 * weights are VICReg's own ratios to its invariance term (μ/λ = 25/25, ν/λ = 1/25), which is the
 * paired squared-L2 term here; not tuned. Without them the paired terms' cheapest minimum is a
 * collapsed space and the codes sit at the random-code base rate (`docs/experiments/uch.md`).
 */
const VICREG = { weightVariance: 1, weightCovariance: 0.04 } satisfies Partial<UCHConfig>;

/**
 * `quick` (chosen on two validation sets, `docs/experiments/uch.md`): the reduced budget plus the
 * VICReg terms, codes B = sign(H) as in the paper.
 */
const QUICK = { ...QUICK_BUDGET, ...VICREG } satisfies Partial<UCHConfig>;

/**
 * Defaults (= the `paper` preset) and the named presets: `paper`, `quick`, the faithful objective
 * at both budgets, and ablations of `quick`; every preset is validated against the schema on load.
 */
export const UCH_CONFIG = defineConfig("UCH", UCH_SCHEMA, {
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
});

/** The `paper` configuration (spec §3, §5): UCH-feat with the suggested sizes and schedule. */
export const UCH_DEFAULTS: Readonly<UCHConfig> = UCH_CONFIG.defaults;

/** The named presets (partial configs over the defaults). */
export const UCH_PRESETS: Readonly<Record<string, Partial<UCHConfig>>> = UCH_CONFIG.presets;
