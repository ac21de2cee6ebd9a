import {
  type ConfigOf,
  configSchema,
  defineConfig,
  epochScaleItemsSchema,
  inputSpecSchema,
  optimizerSchema,
  z,
} from "@cmh/tensor-core";

/** A positive integer. */
const positiveInt = () => z.number().int().min(1);

/**
 * The DSPAH config schema: the shared `bits`, `seed`, `input` keys plus the method's own. The
 * defaults are the spec's `paper` configuration (feature variant DSPAH-feat, section 8).
 */
export const DSPAH_SCHEMA = configSchema({
  input: inputSpecSchema
    .default("none")
    .describe(
      'The shared input stage, fitted on the training rows [paper: "none": raw images with ImageNet pixel normalisation and BoW as given]; `quick`: "standardize".',
    ),
  epochs: positiveInt()
    .default(100)
    .describe(
      "Epochs of Algorithm 1 (one image pass, one text pass and a B update each) [suggested: 100, MLSPH].",
    ),
  batchSize: z
    .number()
    .int()
    .min(2)
    .default(128)
    .describe("Mini-batch size of each modality, at least 2 for batch norm [paper: 128]."),
  optimizer: optimizerSchema
    .default("sgd")
    .describe('Optimiser: "sgd" without momentum [paper] or "adam" (NOT in the paper; `quick`).'),
  lr: z
    .number()
    .gt(0)
    .default(10 ** -1.5)
    .describe("Learning rate of epoch 1 [paper, SGD: 10^-1.5]."),
  lrEnd: z
    .number()
    .gt(0)
    .default(1e-6)
    .describe(
      "Learning rate of the last epoch, linear decay per epoch, in (0, lr] [MLSPH: 10^-6].",
    ),
  imageHidden: z
    .array(positiveInt())
    .length(4)
    .default([2048, 1024, 512, 256])
    .describe("Widths of the image MLP's four levels (DSPAH-feat) [suggested, spec section 8]."),
  textScales: z
    .array(positiveInt())
    .min(4)
    .default([50, 30, 15, 10, 5])
    .describe(
      'Text multi-scale average-pool sizes [paper: "from 1 to 50"; SCAHN/MLSPH: 50, 30, 15, 10, 5].',
    ),
  textChannels: z
    .array(positiveInt())
    .length(4)
    .default([64, 128, 256, 512])
    .describe("Output channels of the text release blocks R1..R4 [SCAHN]."),
  textHeadHidden: positiveInt()
    .default(256)
    .describe("Hidden channels of each text hash head (conv, ReLU, LRN, 1x1 conv) [SCAHN: 256]."),
  textR1: z
    .enum(["full", "light"])
    .default("full")
    .describe(
      'Text block R1: "full" (1x3 conv on every word row, then the d_t x 1 conv) [SCAHN] or "light" (d_t x 1 conv first; NOT in the paper; `quick`).',
    ),
  textInit: z
    .enum(["paper", "torch"])
    .default("paper")
    .describe('Text weight init: "paper" = N(0, 0.1) [paper] or "torch" (PyTorch default).'),
  cbamImage: z
    .boolean()
    .default(true)
    .describe("CBAM channel attention on each image level (a vector has no spatial map) [paper]."),
  cbamText: z
    .boolean()
    .default(true)
    .describe("CBAM (channel + width-wise spatial) on each text release-block output [paper]."),
  cbamReduction: positiveInt().default(16).describe("CBAM channel-MLP reduction ratio [CBAM: 16]."),
  fusion: z
    .enum(["attention", "mean", "last"])
    .default("attention")
    .describe(
      'Cross-level fusion: "attention" = learned 4 x c matrix [paper]; "mean" = fixed 1/4, "last" = deepest level only (ablations).',
    ),
  similarity: z
    .enum(["fgsc", "binary"])
    .default("fgsc")
    .describe(
      'Pair target: "fgsc" = shared labels / geometric mean of label counts [paper]; "binary" = 1 if any label is shared (ablation).',
    ),
  intraLoss: z
    .boolean()
    .default(true)
    .describe("Include the image-image and text-text terms [paper]."),
  quantWeight: z.number().min(0).default(1).describe("Weight of the quantisation term [paper: 1]."),
  lossNormalization: z
    .enum(["mean", "pairs", "sum"])
    .default("pairs")
    .describe(
      'Scaling of the paper\'s sums: "pairs" = / number of pairs [DCMH/MLSPH code]; "mean" = per-pair (u - S)^2 averaged [suggested by the spec]; "sum" = literal [paper].',
    ),
  batchSampling: z
    .enum(["random", "permutation"])
    .default("random")
    .describe(
      'Batch draw: "random" = floor(N / batch) fresh random subsets per pass [MLSPH code]; "permutation" = one shuffled pass.',
    ),
  epochScaleItems: epochScaleItemsSchema,
}).superRefine((c, ctx) => {
  if (c.lrEnd > c.lr)
    ctx.addIssue({
      code: "custom",
      message: `config.lrEnd must be in (0, lr], got ${c.lrEnd} (lr ${c.lr})`,
    });
});

/** Configuration of DSPAH, derived from `DSPAH_SCHEMA` (every key present). */
export type DSPAHConfig = ConfigOf<typeof DSPAH_SCHEMA>;
/**
 * How the paper's sums are scaled: "mean" (spec suggestion: per pair (u - S)^2, i.e. the paper's
 * term / c^2, averaged over pairs; quantisation per element), "pairs" (DCMH convention: the paper's
 * terms divided by the number of pairs n N, resp. rows n), "sum" (literal).
 */
export type LossNormalization = DSPAHConfig["lossNormalization"];

/** The reduced sizes and Adam schedule of `quick`, with 4 epochs and the input as given. */
const QUICK_4_EPOCHS: Partial<DSPAHConfig> = {
  epochs: 4,
  optimizer: "adam",
  lr: 0.01,
  lrEnd: 0.001,
  imageHidden: [512, 256, 256, 128],
  textChannels: [8, 16, 32, 64],
  textHeadHidden: 64,
  textR1: "light",
  epochScaleItems: 5000,
};

/**
 * Defaults (the spec's `paper` configuration) and the named presets: `paper`, `quick` (<= 60 s
 * per code length on 2 CPU cores, WASM), its 4-epoch form on raw input, and the ablations;
 * validated against the schema when the module loads.
 */
export const DSPAH_CONFIG = defineConfig("DSPAH", DSPAH_SCHEMA, {
  paper: {},
  // 6 epochs, chosen on synthetic-val and uci-val (docs/experiments/dspah.md).
  quick: { ...QUICK_4_EPOCHS, epochs: 6, input: "standardize" },
  "quick-4-epochs-input-none": QUICK_4_EPOCHS,
  "ablation-no-attention": { fusion: "mean" },
  "ablation-last-level": { fusion: "last" },
  "ablation-binary-similarity": { similarity: "binary" },
  "ablation-no-intra": { intraLoss: false },
  "ablation-no-cbam": { cbamImage: false, cbamText: false },
});
/** The spec's `paper` configuration (feature variant DSPAH-feat, section 8). */
export const DSPAH_DEFAULTS: Readonly<DSPAHConfig> = DSPAH_CONFIG.defaults;
/** The named presets (see `DSPAH_CONFIG`). */
export const DSPAH_PRESETS: Readonly<Record<string, Partial<DSPAHConfig>>> = DSPAH_CONFIG.presets;
