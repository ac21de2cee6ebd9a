import {
  type ConfigOf,
  configSchema,
  defineConfig,
  epochScaleItemsSchema,
  inputSpecSchema,
  optimizerSchema,
  z,
} from "@cmh/tensor-core";

const int1 = () => z.number().int().min(1);
const int0 = () => z.number().int().min(0);
const nonNeg = () => z.number().min(0);

/**
 * The UGACH config schema. Every choice where the paper and the reference code
 * (`PKU-ICST-MIPL/UGACH_AAAI2018`) differ is a named switch; the defaults are the `paper` preset
 * (paper equations and sizes, the code's learning rates and margin, the code filling gaps).
 */
export const UGACH_SCHEMA = configSchema({
  input: inputSpecSchema
    .default("none")
    .describe(
      'The shared input stage, fitted on the training rows; the kNN graph and both networks see its output. "none" [paper, code: raw post-ReLU fc7 and binary BoW]; quick: "center-scale" (docs/experiments/input-stage-selection.md).',
    ),
  hidden: int1()
    .default(4096)
    .describe("Width of the common-representation (tanh) layer: 4096 [paper], 8192 [code]."),
  initStd: nonNeg()
    .default(0.1)
    .describe("Std of the truncated-normal weight init, biases 0 [code: 0.1]."),
  graph: z
    .enum(["knn", "pair"])
    .default("knn")
    .describe(
      'Positives: "knn" = the correlation graph (UGACH); "pair" = only the own pair (the ablations).',
    ),
  knnPerModality: int1()
    .default(5)
    .describe(
      "Nearest neighbours per modality in a KNN_cross row, self included [code: 5 image + 5 text].",
    ),
  trainItems: int0()
    .default(0)
    .describe(
      "Use only the first N training items (graph, queries, candidates); 0 = all [code: 15000].",
    ),
  epochScaleItems: epochScaleItemsSchema,
  marginRule: z
    .enum(["bits/8", "fixed"])
    .default("bits/8")
    .describe('Triplet margin: "bits/8" = β = l/8 [code]; "fixed" = `margin` [paper: m = 1].'),
  margin: z
    .number()
    .gt(0)
    .default(1)
    .describe('Margin used when marginRule is "fixed" [paper: 1].'),
  weightDecay: nonNeg()
    .default(0.01)
    .describe("λ of the loss term λ·Σ‖P‖²/2 over all eight tensors of a network [code: 0.01]."),
  pretrainEpochs: int0()
    .default(30)
    .describe("Discriminator pre-training (the paper's Baseline) epochs; 0 = none."),
  pretrainBatchSize: int1()
    .default(64)
    .describe("Triplets per pre-training mini-batch [paper 64; code 20]."),
  pretrainLr: nonNeg().default(0.01).describe("Learning rate of pre-training [code 0.01]."),
  pretrainSamples: int1()
    .default(1)
    .describe("Triplets per query and direction in each pre-training epoch [code SELECTNUM = 1]."),
  epochs: int0()
    .default(30)
    .describe("Outer adversarial epochs (0 = the Baseline: pre-training only) [code 30]."),
  dEpochs: int1().default(1).describe("Discriminator epochs per outer epoch [paper and code: 1]."),
  gEpochs: int1().default(1).describe("Generator epochs per outer epoch [paper 1; code 2]."),
  batchSize: int1()
    .default(64)
    .describe("Triplets per discriminator mini-batch [paper 64; code 1]."),
  gBatchSize: int1()
    .default(64)
    .describe(
      "Queries per generator step, each query's REINFORCE term averaged [paper 64; code 1].",
    ),
  optimizer: optimizerSchema
    .default("sgd")
    .describe(
      'Optimiser of every phase: "sgd" [code: GradientDescentOptimizer]; "adam" (NOT in paper or code).',
    ),
  lrScaling: z
    .enum(["linear", "none"])
    .default("linear")
    .describe(
      '"linear": the rates are the reference\'s per-triplet values × batch / reference batch (D, G: 1; pre-training: 20), so an epoch takes the reference\'s steps; "none": as given.',
    ),
  lrD: nonNeg().default(0.001).describe("Discriminator learning rate [code 0.001; paper 0.01]."),
  lrG: nonNeg().default(0.01).describe("Generator learning rate [code 0.01; paper 0.01]."),
  lrSchedule: z
    .enum(["constant", "paper"])
    .default("constant")
    .describe(
      '"constant" [code: the decay is never applied] or "paper" (×0.1 every two outer epochs; with epochScaleItems, every two scaled epochs).',
    ),
  samplesPerQuery: int1()
    .default(2)
    .describe("Samples drawn from the generator per query and direction [code SELECTNUM = 2]."),
  candidateRatio: z
    .number()
    .min(1)
    .default(50)
    .describe(
      "|C(q)| = ceil(n / candidateRatio) random items of the other modality [code SAMPLERATIO = 50; paper: the whole database].",
    ),
  minCandidates: int1()
    .default(16)
    .describe("Lower bound of |C(q)| (matters only for tiny training sets)."),
  candidateSharing: z
    .enum(["query", "batch"])
    .default("query")
    .describe(
      '"query": a fresh C(q) per query [code]; "batch": one fresh C shared by the queries of a generator step.',
    ),
  generatorLogProb: z
    .enum(["candidates", "samples"])
    .default("candidates")
    .describe(
      'log p: "candidates" = log-softmax over all of C(q) [paper eq. 4]; "samples" = softmax over the k samples only [code].',
    ),
  reward: z
    .enum(["softplus", "sigmoid"])
    .default("softplus")
    .describe('Reward: "softplus" = log(1 + e^f) [paper eq. 10]; "sigmoid" = σ(f) [code].'),
  rewardBaseline: z
    .boolean()
    .default(false)
    .describe("Subtract each query's mean reward (variance reduction; NOT in paper or code)."),
}).superRefine((c, ctx) => {
  if (c.epochs === 0 && c.pretrainEpochs === 0)
    ctx.addIssue({
      code: "custom",
      message:
        "config.epochs must be > 0 when pretrainEpochs is 0 (nothing would be trained), got 0",
    });
});

/** Config of {@link UGACH}, derived from {@link UGACH_SCHEMA} (defaults: the `paper` preset). */
export type UGACHConfig = ConfigOf<typeof UGACH_SCHEMA>;

/**
 * Defaults and named configs, validated against the schema when the module loads. `paper`: the
 * defaults. `reference`: the code column throughout (batch 1, hidden 8192, G 2 epochs, sigmoid
 * reward, softmax over the 2 samples, first 15,000 items, D pre-trained 30 × 1000 loops of batch
 * 20). `quick`: reduced budget for a 2-core CPU (docs/experiments/ugach.md). `Baseline`: D
 * pre-training only (own-pair positives). `Baseline-GAN`: adversarial, no graph.
 */
export const UGACH_CONFIG = defineConfig("UGACH", UGACH_SCHEMA, {
  paper: {},
  reference: {
    hidden: 8192,
    trainItems: 15000,
    pretrainEpochs: 30000,
    pretrainBatchSize: 20,
    batchSize: 1,
    gBatchSize: 1,
    gEpochs: 2,
    candidateSharing: "query",
    generatorLogProb: "samples",
    reward: "sigmoid",
  },
  quick: {
    hidden: 256,
    // pretrainEpochs, lrSchedule and lrG: chosen on two validation sets over two seeds; rewardBaseline
    // on two validation sets (docs/experiments/ugach.md).
    pretrainEpochs: 10,
    epochs: 3,
    lrScaling: "none",
    pretrainLr: 0.5,
    lrD: 0.5,
    lrG: 0.01,
    lrSchedule: "paper",
    rewardBaseline: true,
    weightDecay: 0,
    candidateSharing: "batch",
    epochScaleItems: 5000,
    input: "center-scale",
    // a denser correlation graph: chosen by the worst case over the feature-form suite
    // (docs/experiments/input-stage-selection.md, stage 3)
    knnPerModality: 10,
  },
  Baseline: { graph: "pair", epochs: 0 },
  "Baseline-GAN": { graph: "pair" },
});

/** The `paper` preset values (the class defaults). */
export const UGACH_DEFAULTS: Readonly<UGACHConfig> = UGACH_CONFIG.defaults;

/** The named configs: `paper`, `reference`, `quick`, `Baseline`, `Baseline-GAN`. */
export const UGACH_PRESETS: Readonly<Record<string, Partial<UGACHConfig>>> = UGACH_CONFIG.presets;

/** The triplet margin for a config: β = bits/8 [code] or the fixed m [paper]. */
export function marginOf(c: Pick<UGACHConfig, "bits" | "marginRule" | "margin">): number {
  return c.marginRule === "bits/8" ? c.bits / 8 : c.margin;
}

/**
 * Learning-rate factor of 0-based outer epoch `epoch`: 1 for "constant"; for "paper" ×0.1 every two
 * epochs of the unscaled schedule, i.e. 0.1^⌊epoch / (2·scale)⌋ when `epochScaleItems` multiplied
 * the epochs by `scale` (the decay then happens after the same number of updates).
 */
export function lrFactor(schedule: UGACHConfig["lrSchedule"], epoch: number, scale = 1): number {
  return schedule === "paper" ? 0.1 ** Math.floor(epoch / (2 * scale)) : 1;
}
