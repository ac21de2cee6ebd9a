import type { InputSpec } from "@cmh/tensor-core";

/** Configuration of DSPAH (defaults: `DSPAH_DEFAULTS`, the spec's `paper` values). */
export interface DSPAHConfig {
  /** Code length in bits (paper: 16, 32, 64). */
  readonly bits: number;
  /** Seed of every random choice in fit (init, buffers, batches). */
  readonly seed: number;
  /**
   * The shared input stage (`@cmh/tensor-core`), fitted on the training rows. Paper: "none" (it
   * trains on raw images with the usual ImageNet pixel normalisation and feeds BoW as given; what
   * it would do with precomputed features is unknown); `quick`: "standardize" ("center-scale" collapses the text codes of the conformance
   * suite's small fit; docs/experiments/input-stage-selection.md).
   */
  readonly input: InputSpec;
  /** Epochs of Algorithm 1 (one image pass + one text pass + B update each). Spec default 100 (MLSPH). */
  readonly epochs: number;
  /** Mini-batch size of each modality (paper: n_x = n_y = 128). */
  readonly batchSize: number;
  /** Optimiser: "sgd" (paper, no momentum) or "adam" (departure, used by `quick` to learn in few steps). */
  readonly optimizer: "sgd" | "adam";
  /** Learning rate at epoch 1 (paper, SGD: 10^-1.5). */
  readonly lr: number;
  /** Learning rate at the last epoch; linear decay per epoch (MLSPH: 10^-6). Equal to `lr` = constant. */
  readonly lrEnd: number;
  /** Hidden widths of the image MLP's four levels (DSPAH-feat, spec section 8). */
  readonly imageHidden: number[];
  /** Text multi-scale average-pool sizes (paper: "from 1 to 50"; SCAHN/MLSPH: 50, 30, 15, 10, 5). */
  readonly textScales: number[];
  /** Output channels of the four text release blocks R1..R4 (SCAHN: 64, 128, 256, 512). */
  readonly textChannels: number[];
  /** Hidden channels of each text hash head (conv -> ReLU -> LRN -> 1x1 conv; SCAHN: 256). */
  readonly textHeadHidden: number;
  /**
   * Text block R1: "full" (SCAHN: 1x3 conv on every word row, BN, ReLU, then the d_t x 1 conv) or
   * "light" (d_t x 1 conv first, then the 1x3 conv: ~d_t times less work; departure used by `quick`).
   */
  readonly textR1: "full" | "light";
  /** Text weight init: "paper" = N(0, 0.1) (paper), "torch" = PyTorch default (SCAHN uses Kaiming). */
  readonly textInit: "paper" | "torch";
  /** CBAM channel attention on each image level (the spatial branch has no map to act on). */
  readonly cbamImage: boolean;
  /** CBAM (channel + width-wise spatial) on each text release-block output. */
  readonly cbamText: boolean;
  /** CBAM channel-MLP reduction ratio (CBAM default 16). */
  readonly cbamReduction: number;
  /** Cross-level fusion: "attention" = learned 4 x c matrix (paper); "mean" = fixed 1/4 (ablation); "last" = deepest level only (ablation). */
  readonly fusion: "attention" | "mean" | "last";
  /** Pairwise target: "fgsc" = shared labels / geometric mean of counts (paper); "binary" = 1 if any shared label (ablation). */
  readonly similarity: "fgsc" | "binary";
  /** Include the intra-modal (image-image, text-text) terms (paper: yes). */
  readonly intraLoss: boolean;
  /** Weight of the quantisation term (paper: 1). */
  readonly quantWeight: number;
  /**
   * Loss normalisation: "mean" (spec's suggestion: pair terms (u - S)^2 averaged over n x N pairs,
   * quantisation averaged per element) or "sum" (the paper's literal sums; diverges at lr 10^-1.5).
   */
  readonly lossNormalization: "mean" | "pairs" | "sum";
  /** Batch draw: "random" = a fresh random subset per batch, floor(N / batch) per epoch (MLSPH); "permutation" = one shuffled pass. */
  readonly batchSampling: "random" | "permutation";
  /**
   * Budget in updates rather than epochs: when > 0, `epochs` is multiplied by
   * max(1, round(epochScaleItems / n)) for n training items, so a small set gets about as many
   * steps as a set of this size (not in the paper; `quick` uses 5,000, the default set's size;
   * 0 = epochs as given).
   */
  readonly epochScaleItems: number;
}

/** The spec's `paper` configuration (feature variant DSPAH-feat, section 8). */
export const DSPAH_DEFAULTS: DSPAHConfig = {
  bits: 32,
  seed: 0,
  input: "none",
  epochs: 100,
  batchSize: 128,
  optimizer: "sgd",
  lr: 10 ** -1.5,
  lrEnd: 1e-6,
  imageHidden: [2048, 1024, 512, 256],
  textScales: [50, 30, 15, 10, 5],
  textChannels: [64, 128, 256, 512],
  textHeadHidden: 256,
  textR1: "full",
  textInit: "paper",
  cbamImage: true,
  cbamText: true,
  cbamReduction: 16,
  fusion: "attention",
  similarity: "fgsc",
  intraLoss: true,
  quantWeight: 1,
  lossNormalization: "pairs",
  batchSampling: "random",
  epochScaleItems: 0,
};

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

/** Named configs: `paper`, `quick` (<= 60 s per code length on 2 CPU cores, WASM) and the ablations. */
export const DSPAH_PRESETS: Record<string, Partial<DSPAHConfig>> = {
  paper: {},
  // 6 epochs, chosen on synthetic-val and uci-val (docs/experiments/dspah.md).
  quick: { ...QUICK_4_EPOCHS, epochs: 6, input: "standardize" },
  /** `quick` with 4 epochs and `input: "none"`, the budget of the earlier figures, for comparison. */
  "quick-4-epochs-input-none": QUICK_4_EPOCHS,
  "ablation-no-attention": { fusion: "mean" },
  "ablation-last-level": { fusion: "last" },
  "ablation-binary-similarity": { similarity: "binary" },
  "ablation-no-intra": { intraLoss: false },
  "ablation-no-cbam": { cbamImage: false, cbamText: false },
};

function fail(msg: string): never {
  throw new RangeError(`DSPAH: ${msg}`);
}

function positiveInts(name: string, v: unknown, len?: number): void {
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x) || x < 1))
    fail(`config.${name} must be an array of positive integers, got ${JSON.stringify(v)}`);
  if (len !== undefined && v.length !== len)
    fail(`config.${name} must have ${len} entries, got ${v.length}`);
}

/** Check a merged DSPAH config (throws a RangeError naming the key, value and what was expected). */
export function validateDSPAHConfig(c: DSPAHConfig): void {
  for (const k of ["epochs", "batchSize", "textHeadHidden", "cbamReduction"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1)
      fail(`config.${k} must be a positive integer, got ${c[k]}`);
  }
  if (c.batchSize < 2) fail(`config.batchSize must be >= 2 (batch norm), got ${c.batchSize}`);
  if (!(c.lr > 0)) fail(`config.lr must be > 0, got ${c.lr}`);
  if (!(c.lrEnd > 0 && c.lrEnd <= c.lr)) fail(`config.lrEnd must be in (0, lr], got ${c.lrEnd}`);
  if (!Number.isInteger(c.epochScaleItems) || c.epochScaleItems < 0)
    fail(`config.epochScaleItems must be an integer >= 0, got ${c.epochScaleItems}`);
  if (!(c.quantWeight >= 0)) fail(`config.quantWeight must be >= 0, got ${c.quantWeight}`);
  positiveInts("imageHidden", c.imageHidden, 4);
  positiveInts("textChannels", c.textChannels, 4);
  positiveInts("textScales", c.textScales);
  if (c.textScales.length < 4)
    fail(`config.textScales needs at least 4 pooling sizes, got ${c.textScales.length}`);
  const oneOf = <T>(k: keyof DSPAHConfig, allowed: readonly T[]) => {
    if (!allowed.includes(c[k] as T))
      fail(
        `config.${k} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(c[k])}`,
      );
  };
  oneOf("optimizer", ["sgd", "adam"]);
  oneOf("textInit", ["paper", "torch"]);
  oneOf("textR1", ["full", "light"]);
  oneOf("fusion", ["attention", "mean", "last"]);
  oneOf("similarity", ["fgsc", "binary"]);
  oneOf("lossNormalization", ["mean", "pairs", "sum"]);
  oneOf("batchSampling", ["random", "permutation"]);
}
