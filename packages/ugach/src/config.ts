import { HasherError, type InputSpec } from "@cmh/tensor-core";

/**
 * Config of {@link UGACH}. Every choice where the paper and the reference code
 * (`PKU-ICST-MIPL/UGACH_AAAI2018`) differ is a named switch; the defaults are the spec's `paper`
 * preset (paper equations and sizes, the code's learning rates and margin, the code filling gaps).
 */
export interface UGACHConfig {
  /** Code length l. */
  readonly bits: number;
  /** Seed of every random choice (init, graph tie-free sampling, candidates, shuffles). */
  readonly seed: number;
  /**
   * The shared input stage (`@cmh/tensor-core`), fitted on the training rows; the kNN graph and the
   * networks both see its output. "none" [paper, code: raw post-ReLU fc7 and binary BoW, not
   * normalised]; `quick`: "center-scale" (column means removed, one scale per modality; chosen by the
   * worst case over the feature-form suite: docs/experiments/input-stage-selection.md).
   */
  readonly input: InputSpec;
  /** Width of the common-representation (tanh) layer: 4096 [paper], 8192 [code]. */
  readonly hidden: number;
  /** Std of the truncated-normal weight init (biases 0) [code: 0.1]. */
  readonly initStd: number;

  /** Positives: "knn" = correlation graph (UGACH); "pair" = only the item's own pair (Baseline-GAN). */
  readonly graph: "knn" | "pair";
  /** Nearest neighbours per modality in a KNN_cross row, self included [code: 5 image + 5 text]. */
  readonly knnPerModality: number;
  /** Use only the first N training items (graph, queries, candidates); 0 = all [code: 15000]. */
  readonly trainItems: number;
  /**
   * Budget in updates rather than epochs: when > 0, `pretrainEpochs` and `epochs` are multiplied
   * by max(1, round(epochScaleItems / n)) for n training items, so a small set gets about as many
   * steps as a set of this size [not in paper or code; `quick` uses 5,000, the default set's size;
   * 0 = epochs as given].
   */
  readonly epochScaleItems: number;

  /** Margin rule: "bits/8" = β = l/8 [code]; "fixed" = `margin` [paper: m = 1]. */
  readonly marginRule: "bits/8" | "fixed";
  /** Margin used when `marginRule` is "fixed". */
  readonly margin: number;
  /** λ of the loss term λ·Σ‖P‖²/2 over all eight tensors of a network [code: 0.01]. */
  readonly weightDecay: number;

  /** Discriminator pre-training (the paper's "Baseline") epochs; 0 = none. */
  readonly pretrainEpochs: number;
  /** Triplets per mini-batch in pre-training [paper 64; code 20]. */
  readonly pretrainBatchSize: number;
  /** SGD learning rate of pre-training [code 0.01]. */
  readonly pretrainLr: number;
  /** Triplets per query and direction in each pre-training epoch [code SELECTNUM = 1]. */
  readonly pretrainSamples: number;

  /** Outer adversarial epochs (0 = the Baseline: pre-training only) [code 30]. */
  readonly epochs: number;
  /** Discriminator epochs per outer epoch [paper and code: 1]. */
  readonly dEpochs: number;
  /** Generator epochs per outer epoch [paper 1; code 2]. */
  readonly gEpochs: number;
  /** Triplets per discriminator mini-batch [paper 64; code 1]. */
  readonly batchSize: number;
  /** Queries per generator step (each query's REINFORCE term averaged) [paper 64; code 1]. */
  readonly gBatchSize: number;
  /**
   * Optimiser of every phase: "sgd" = plain SGD [code: GradientDescentOptimizer]; "adam" = Adam
   * (β 0.9/0.999) — not in paper or code, used by `quick` because its budget is ~1 % of the code's steps.
   */
  readonly optimizer: "sgd" | "adam";
  /**
   * "linear": the learning rates below are the reference's per-triplet (batch-1) values and are
   * multiplied by batch / reference batch (D and G: 1, pre-training: 20), so an epoch of mean-reduced
   * mini-batches takes the same steps as the reference's epoch, weight decay included (spec §6:
   * "lr scaled accordingly"). "none": used as given.
   */
  readonly lrScaling: "linear" | "none";
  /** Discriminator learning rate [code 0.001; paper 0.01]. */
  readonly lrD: number;
  /** Generator SGD learning rate [code 0.01; paper 0.01]. */
  readonly lrG: number;
  /**
   * "constant" [code: the decay is never applied] or "paper" (×0.1 every two outer epochs; with
   * `epochScaleItems`, every two *scaled* epochs, i.e. 2 × scale epochs: see {@link lrFactor}).
   */
  readonly lrSchedule: "constant" | "paper";

  /** Samples drawn from the generator per query and direction [code SELECTNUM = 2]. */
  readonly samplesPerQuery: number;
  /** |C(q)| = ceil(n / candidateRatio) random items of the other modality [code SAMPLERATIO = 50]. */
  readonly candidateRatio: number;
  /** Lower bound of |C(q)| (matters only for tiny training sets). */
  readonly minCandidates: number;
  /**
   * "query": a fresh C(q) per query [code]; "batch": one fresh C shared by the queries of a
   * generator step (each query still sees a uniform random subset; far cheaper on CPU).
   */
  readonly candidateSharing: "query" | "batch";
  /** log p: "candidates" = log-softmax over all of C(q) [paper eq. 4]; "samples" = softmax over the k samples only [code]. */
  readonly generatorLogProb: "candidates" | "samples";
  /** Reward: "softplus" = log(1 + e^f) [paper eq. 10]; "sigmoid" = σ(f) [code]. */
  readonly reward: "softplus" | "sigmoid";
  /** Optional extension (not in paper or code): subtract each query's mean reward (variance reduction). */
  readonly rewardBaseline: boolean;
}

/** The spec's `paper` preset values (the class defaults). */
export const UGACH_DEFAULTS: UGACHConfig = Object.freeze({
  bits: 32,
  seed: 0,
  input: "none",
  hidden: 4096,
  initStd: 0.1,
  graph: "knn",
  knnPerModality: 5,
  trainItems: 0,
  epochScaleItems: 0,
  marginRule: "bits/8",
  margin: 1,
  weightDecay: 0.01,
  pretrainEpochs: 30,
  pretrainBatchSize: 64,
  pretrainLr: 0.01,
  pretrainSamples: 1,
  epochs: 30,
  dEpochs: 1,
  gEpochs: 1,
  batchSize: 64,
  gBatchSize: 64,
  optimizer: "sgd",
  lrScaling: "linear",
  lrD: 0.001,
  lrG: 0.01,
  lrSchedule: "constant",
  samplesPerQuery: 2,
  candidateRatio: 50,
  minCandidates: 16,
  candidateSharing: "query",
  generatorLogProb: "candidates",
  reward: "softplus",
  rewardBaseline: false,
} satisfies UGACHConfig) as UGACHConfig;

/**
 * Named configs. `paper`: the defaults. `reference`: the code column throughout (batch 1, hidden
 * 8192, G 2 epochs, sigmoid reward, softmax over the 2 samples, first 15,000 items, D pre-trained
 * 30 × 1000 loops of batch 20). `quick`: reduced budget for a 2-core CPU (docs/experiments/ugach.md).
 * `Baseline`: D pre-training only (own-pair positives). `Baseline-GAN`: adversarial, no graph.
 */
export const UGACH_PRESETS: Readonly<Record<string, Partial<UGACHConfig>>> = Object.freeze({
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
  },
  Baseline: { graph: "pair", epochs: 0 },
  "Baseline-GAN": { graph: "pair" },
});

const ENUMS: Partial<Record<keyof UGACHConfig, readonly string[]>> = {
  graph: ["knn", "pair"],
  marginRule: ["bits/8", "fixed"],
  lrSchedule: ["constant", "paper"],
  optimizer: ["sgd", "adam"],
  lrScaling: ["linear", "none"],
  candidateSharing: ["query", "batch"],
  generatorLogProb: ["candidates", "samples"],
  reward: ["softplus", "sigmoid"],
};

const POSITIVE_INTS: readonly (keyof UGACHConfig)[] = [
  "hidden",
  "knnPerModality",
  "pretrainBatchSize",
  "pretrainSamples",
  "dEpochs",
  "gEpochs",
  "batchSize",
  "gBatchSize",
  "samplesPerQuery",
  "minCandidates",
];
const NON_NEGATIVE_INTS: readonly (keyof UGACHConfig)[] = [
  "trainItems",
  "epochScaleItems",
  "pretrainEpochs",
  "epochs",
];
const NON_NEGATIVE: readonly (keyof UGACHConfig)[] = [
  "weightDecay",
  "pretrainLr",
  "lrD",
  "lrG",
  "initStd",
];

/** Range and enum checks of a merged config (types are checked by `resolveConfig`). */
export function validateUGACHConfig(c: UGACHConfig): void {
  const bad = (key: string, value: unknown, expected: string): never => {
    throw new HasherError(`UGACH: config.${key} must be ${expected}, got ${JSON.stringify(value)}`);
  };
  for (const [k, allowed] of Object.entries(ENUMS)) {
    const v = c[k as keyof UGACHConfig];
    if (!allowed?.includes(v as string))
      bad(k, v, `one of ${allowed?.map((a) => `"${a}"`).join(", ")}`);
  }
  for (const k of POSITIVE_INTS) {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < 1) bad(k, v, "a positive integer");
  }
  for (const k of NON_NEGATIVE_INTS) {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < 0) bad(k, v, "a non-negative integer");
  }
  for (const k of NON_NEGATIVE) {
    const v = c[k] as number;
    if (!(v >= 0)) bad(k, v, "a number >= 0");
  }
  if (!(c.margin > 0)) bad("margin", c.margin, "a number > 0");
  if (!(c.candidateRatio >= 1)) bad("candidateRatio", c.candidateRatio, "a number >= 1");
  if (c.epochs === 0 && c.pretrainEpochs === 0)
    bad("epochs", c.epochs, "> 0 when pretrainEpochs is 0 (nothing would be trained)");
}

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
