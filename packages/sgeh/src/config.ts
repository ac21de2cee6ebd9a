// SGEH's configuration: one schema from which the config type, the defaults, the presets'
// validation, the error messages and the README options table derive.

import { type ConfigOf, configSchema, defineConfig, optimizerSchema, z } from "@cmh/tensor-core";

/**
 * The SGEH config schema: the shared `bits`/`seed`/`input` keys plus the method's own. The config
 * type, defaults, validation (`ConfigError` naming key, value and expectation), the README options
 * table and the bench's `--set` parsing derive from it. Provenance: [paper], [code] (the reference
 * code), [spec] (a decision where the two are silent or disagree), NOT in the paper.
 */
export const SGEH_SCHEMA = configSchema({
  epochs: z
    .number()
    .int()
    .min(1)
    .default(100)
    .describe(
      "Fixed epoch budget; no early stop on test mAP [spec: the code's early stop leaks labels].",
    ),
  hidden: z
    .number()
    .int()
    .min(1)
    .default(4096)
    .describe("Hidden width of ImgNet and TxtNet [code: 4096]."),
  dropout: z
    .number()
    .min(0)
    .lt(1)
    .default(0.5)
    .describe("Dropout after the hidden layer, training only [code: 0.5]."),
  textLastInitStd: z
    .number()
    .gt(0)
    .default(0.3)
    .describe(
      "Std of TxtNet's last-layer N(0, σ²) init; ImgNet keeps PyTorch's default [code: 0.3].",
    ),
  slopePower: z
    .number()
    .gt(0)
    .default(0.5)
    .describe("β = (epoch + 1)^slopePower in the codes tanh(β·y) [code: √(epoch + 1)]."),
  optimizer: optimizerSchema
    .default("sgd")
    .describe(
      'Hash-network optimiser: "sgd" with momentum [paper, code] or "adam" (lrImage/lrText its rates, weightDecay its L2 term, momentum unused). The discriminator always uses Adam.',
    ),
  lrImage: z.number().gt(0).default(1e-3).describe("ImgNet learning rate [code: 1e-3]."),
  lrText: z.number().gt(0).default(1e-2).describe("TxtNet learning rate [code: 1e-2]."),
  momentum: z.number().min(0).default(0.9).describe("SGD momentum [paper: 0.9]."),
  weightDecay: z.number().min(0).default(5e-4).describe("Weight decay [paper: 5e-4]."),
  sampling: z
    .enum(["edges", "random"])
    .default("edges")
    .describe(
      'Batches are edges of the unified graph Z ("edges", SGEH) or random rows ("random", DJSRH).',
    ),
  edgesPerBatch: z.number().int().min(1).default(8).describe("Edges per batch t [paper: 8]."),
  batchSize: z
    .number()
    .int()
    .min(2)
    .default(32)
    .describe('Rows per batch with sampling "random" [DJSRH code: 32].'),
  batchesPerStep: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe(
      "Batches per optimiser step K, forwarded as one block; the loss is the mean of the K batches' losses, each with its own U and A (NOT in the paper: 1).",
    ),
  edgesPerEpoch: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      "Edges drawn per epoch; 0 = every edge of Z once (a smaller cap is NOT in the paper).",
    ),
  batchAdjacency: z
    .enum(["sampled", "all"])
    .default("sampled")
    .describe(
      'A marks the sampled edges only ("sampled") [paper] or every Z-edge among the batch ("all", NOT in the paper).',
    ),
  fusion: z
    .enum(["A", "S", "G1", "G2", "djsrh"])
    .default("G2")
    .describe(
      'Target U: "G2" (final model), "G1", "A" (SGEH-1), "S" (SGEH-2) [paper Table 2] or "djsrh".',
    ),
  similarity: z
    .enum(["cos", "2cos-1"])
    .default("cos")
    .describe('Feature similarity: "cos" [paper Eq. 8] or "2cos-1" [code, DJSRH].'),
  alpha: z.number().gt(0).default(1.5).describe("α, the target scale [paper: 1.5]."),
  lambda3: z.number().min(0).max(1).default(0.4).describe("λ3, the weight of A in U [paper: 0.4]."),
  lambda4: z
    .number()
    .min(0)
    .max(1)
    .default(0.9)
    .describe("λ4, the image weight in S̄ [paper: MIRFlickr 0.9, NUS/COCO 0.6, Wiki 0.3]."),
  weightII: z
    .number()
    .min(0)
    .default(0.1)
    .describe("Weight of ‖αU − cos(B^I, B^I)‖² [code: 0.1; Eq. 13 places the weights otherwise]."),
  weightTT: z.number().min(0).default(0.1).describe("Weight of ‖αU − cos(B^T, B^T)‖² [code: 0.1]."),
  weightIT: z.number().min(0).default(1).describe("Weight of ‖αU − cos(B^I, B^T)‖² [code: 1]."),
  eta4: z
    .number()
    .min(0)
    .default(0.001)
    .describe(
      "η4, weight of the adversarial code prior; 0 disables the discriminator [paper: 0.001].",
    ),
  adversarial: z
    .enum(["nonsaturating", "saturating"])
    .default("nonsaturating")
    .describe("Encoders' adversarial term, TBH actor sign [spec: Eq. 15 prints the critic's]."),
  discHidden: z
    .number()
    .int()
    .min(1)
    .default(1024)
    .describe("Discriminator hidden width [spec: the paper is silent]."),
  discLr: z
    .number()
    .gt(0)
    .default(1e-4)
    .describe("Discriminator Adam learning rate [spec: TBH's critic]."),
  neighbours: z
    .number()
    .int()
    .min(1)
    .default(20)
    .describe(
      "GMC neighbours p per row [code: 20; the paper's 1,000-10,000 contradict a sparse graph].",
    ),
  clusters: z.number().int().min(1).default(5).describe("Components c of Z [paper: 5]."),
  graphIterations: z
    .number()
    .int()
    .min(0)
    .default(20)
    .describe("GMC alternating iterations NITER [GMC code: 20]."),
  graphLambda: z
    .number()
    .gt(0)
    .default(1)
    .describe("Initial rank-constraint weight λ [GMC code: 1]."),
  normalizeFeatures: z
    .boolean()
    .default(true)
    .describe("Z-score each sample before the kNN distances [GMC code]."),
  knnBlock: z
    .number()
    .int()
    .min(1)
    .default(1024)
    .describe("Rows per kNN block (memory ≈ block² floats)."),
  knnProduct: z
    .enum(["auto", "js", "tf"])
    .default("auto")
    .describe(
      'kNN block products: "auto" (TensorFlow.js matMul, or the JS kernel on the pure-JS backend), "js" or "tf".',
    ),
  cacheGraph: z
    .boolean()
    .default(true)
    .describe(
      "Reuse the graph of an earlier fit on the same training arrays and graph settings (it does not depend on bits).",
    ),
}).superRefine((c, ctx) => {
  if (c.sampling === "random" && (c.fusion === "A" || c.fusion === "G1" || c.fusion === "G2"))
    ctx.addIssue({
      code: "custom",
      message: `fusion "${c.fusion}" needs the graph adjacency; use sampling "edges" or fusion "S"/"djsrh"`,
    });
});

/** Configuration of SGEH, derived from `SGEH_SCHEMA` (defaults: `SGEH_DEFAULTS`, the `paper` preset). */
export type SGEHConfig = ConfigOf<typeof SGEH_SCHEMA>;

/** How the batch target U is built (spec §5; paper Table 2). */
export type Fusion = SGEHConfig["fusion"];

/** `paper` at a small budget: 10 epochs of ≤ 1,000 edges, hidden width 1024, the paper's SGD. */
const PAPER_SMALL: Partial<SGEHConfig> = { epochs: 10, edgesPerEpoch: 1000, hidden: 1024 };

/**
 * `quick`, chosen on synthetic-val and uci-val only (docs/experiments/sgeh.md): 20 epochs of ≤ 1,000
 * edges in steps of K = 8 batches of t = 8 edges, Adam (lr 1e-3 both nets), A marking every Z-edge
 * among a batch's vertices, hidden width 1024. The input stage `center-scale` and TxtNet's last-layer
 * std 0.04 come from the worst-case selection (docs/experiments/input-stage-selection.md): 0.04
 * gives the text outputs at init the reference's scale (std ≈ 0.5) on unit-RMS inputs through 1,024
 * hidden units, where the reference's 0.3 (for unit-norm 512-d embeddings through 4,096) saturates
 * tanh(βy) from the first step.
 */
const QUICK: Partial<SGEHConfig> = {
  ...PAPER_SMALL,
  epochs: 20,
  batchesPerStep: 8,
  optimizer: "adam",
  lrImage: 1e-3,
  lrText: 1e-3,
  batchAdjacency: "all",
  input: "center-scale",
  textLastInitStd: 0.04,
};

/**
 * Defaults (= `paper`) and the named presets, validated against the schema when the module loads:
 * the paper, the default CPU budget, `paper` at a small budget, the paper's ablations and DJSRH.
 */
export const SGEH_CONFIG = defineConfig("SGEH", SGEH_SCHEMA, {
  /** The paper / reference code with p = 20 (P1) and a fixed budget of 100 epochs (P7). */
  paper: {},
  /**
   * Reduced budget for a 2-core CPU (≤ 60 s a fit on 5,000 pairs): 20 epochs of ≤ 1,000 edges,
   * 8 batches of 8 edges a step, Adam 1e-3, batchAdjacency "all", hidden width 1024, input
   * `center-scale`, TxtNet's last-layer init N(0, 0.04²).
   */
  quick: QUICK,
  /** `paper` at a small budget: 10 epochs of ≤ 1,000 edges, hidden 1024, SGD, one batch a step. */
  "paper-small": PAPER_SMALL,
  /** Table 2 ablations (no discriminator): U = A, U = S̄, G1, G2. */
  "sgeh-1": { fusion: "A", eta4: 0 },
  "sgeh-2": { fusion: "S", eta4: 0 },
  "sgeh-3": { fusion: "G1", eta4: 0 },
  "sgeh-4": { fusion: "G2", eta4: 0 },
  /** DJSRH (ICCV 2019, spec §9) on features: random batches of 32, joint-semantics target. */
  djsrh: {
    sampling: "random",
    batchSize: 32,
    fusion: "djsrh",
    similarity: "2cos-1",
    eta4: 0,
    dropout: 0,
    epochs: 80,
  },
});

/** The defaults: the paper's and reference code's values, with p = 20 (spec P1) and 100 epochs (P7). */
export const SGEH_DEFAULTS = SGEH_CONFIG.defaults;

/** The named presets (see `SGEH_CONFIG`). */
export const SGEH_PRESETS = SGEH_CONFIG.presets;
