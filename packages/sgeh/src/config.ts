// SGEH's configuration: the config type, the paper's defaults, the named presets and the checks.

import { HasherError, type InputSpec } from "@cmh/tensor-core";

/** How the batch target U is built (spec §5; paper Table 2). */
export type Fusion = "A" | "S" | "G1" | "G2" | "djsrh";

/** Configuration of SGEH (defaults: `SGEH_DEFAULTS`, the paper's / reference code's values). */
export interface SGEHConfig {
  /** Code length in bits (8..1024; the paper uses 16/32/64). */
  readonly bits: number;
  /** Seed of every random choice in fit. */
  readonly seed: number;
  /**
   * The shared input stage (`@cmh/tensor-core`), fitted on the training rows; the graph (after its
   * own per-sample z-score, `normalizeFeatures`) and the networks see its output. Paper and code:
   * "none" (features as given); `quick`: "center-scale" (column means removed, one scale per
   * modality; chosen by the worst case over the feature-form suite: docs/experiments/input-stage-selection.md).
   */
  readonly input: InputSpec;
  /** Fixed epoch budget (no test-set early stop; spec §7 suggests 100). */
  readonly epochs: number;
  /** Hidden width of ImgNet and TxtNet (reference: 4096). */
  readonly hidden: number;
  /** Dropout after the hidden layer, training only (reference: 0.5). */
  readonly dropout: number;
  /** Std of TxtNet's last-layer N(0, σ²) init (reference: 0.3); ImgNet keeps the PyTorch default. */
  readonly textLastInitStd: number;
  /** β = (epoch + 1)^slopePower in tanh(β·y) (reference: √(epoch+1)). */
  readonly slopePower: number;
  /**
   * Optimiser of the two hash networks: "sgd" (reference code: SGD with momentum) or "adam"
   * (Adam with β = (0.9, 0.999), ε = 1e-8; `lrImage`/`lrText` are then its learning rates,
   * `weightDecay` its L2 term, and `momentum` is unused). The discriminator always uses Adam.
   */
  readonly optimizer: "sgd" | "adam";
  /** Learning rates (reference SGD: 1e-3 image, 1e-2 text), SGD momentum and weight decay. */
  readonly lrImage: number;
  readonly lrText: number;
  readonly momentum: number;
  readonly weightDecay: number;
  /** "edges": batches are edges of the unified graph Z (SGEH); "random": random rows (DJSRH). */
  readonly sampling: "edges" | "random";
  /** Edges per batch t (paper: 8). */
  readonly edgesPerBatch: number;
  /** Rows per batch with sampling "random" (DJSRH: 32). */
  readonly batchSize: number;
  /**
   * Batches per optimiser step K (paper: 1). K > 1 forwards K batches (of t edges, or of
   * `batchSize` rows) as one block and minimises the mean of their K losses, each batch keeping
   * its own target U and adjacency (block-diagonal pair weights): K times the work per WASM call,
   * the same per-batch semantics (unlike a larger t, whose ±1 adjacency is almost all −1).
   */
  readonly batchesPerStep: number;
  /** Edges drawn per epoch (0 = every edge of Z once; a smaller cap is a documented deviation). */
  readonly edgesPerEpoch: number;
  /** A marks the sampled edges only ("sampled", paper) or every Z-edge among the batch ("all"). */
  readonly batchAdjacency: "sampled" | "all";
  /** Target U: "G2" (final model), "G1", "A" (SGEH-1), "S" (SGEH-2) or "djsrh". */
  readonly fusion: Fusion;
  /** Feature similarity: "cos" (paper Eq. 8) or "2cos-1" (DJSRH / SGEH code). */
  readonly similarity: "cos" | "2cos-1";
  /** α: target scale (paper 1.5). */
  readonly alpha: number;
  /** λ3: weight of A in U (paper 0.4; DJSRH η). */
  readonly lambda3: number;
  /** λ4: image weight in S̄ (paper: MIR 0.9, NUS/COCO 0.6, Wiki 0.3). */
  readonly lambda4: number;
  /** Weights of the ‖αU − cos‖² terms: image–image, text–text, image–text (code placement). */
  readonly weightII: number;
  readonly weightTT: number;
  readonly weightIT: number;
  /** η4: weight of the adversarial code prior (paper 0.001; 0 disables the discriminator). */
  readonly eta4: number;
  /** Encoder adversarial form (TBH actor sign): "nonsaturating" or "saturating". */
  readonly adversarial: "nonsaturating" | "saturating";
  /** Discriminator hidden width and Adam learning rate. */
  readonly discHidden: number;
  readonly discLr: number;
  /** Graph: neighbours p, components c, GMC iterations, initial λ, per-sample z-score. */
  readonly neighbours: number;
  readonly clusters: number;
  readonly graphIterations: number;
  readonly graphLambda: number;
  readonly normalizeFeatures: boolean;
  /** Rows per kNN block (memory ≈ block² floats). */
  readonly knnBlock: number;
  /** kNN block products: "auto" (by feature width), "js" (tensor-core's blocked loops) or "tf" (TensorFlow.js matMul). */
  readonly knnProduct: "auto" | "js" | "tf";
  /** Reuse the graph of an earlier fit on the same training arrays and graph settings. */
  readonly cacheGraph: boolean;
}

/** The defaults: the paper's and reference code's values, with p = 20 (spec P1) and 100 epochs (P7). */
export const SGEH_DEFAULTS: SGEHConfig = {
  bits: 32,
  seed: 0,
  input: "none",
  epochs: 100,
  hidden: 4096,
  dropout: 0.5,
  textLastInitStd: 0.3,
  slopePower: 0.5,
  optimizer: "sgd",
  lrImage: 1e-3,
  lrText: 1e-2,
  momentum: 0.9,
  weightDecay: 5e-4,
  sampling: "edges",
  edgesPerBatch: 8,
  batchSize: 32,
  batchesPerStep: 1,
  edgesPerEpoch: 0,
  batchAdjacency: "sampled",
  fusion: "G2",
  similarity: "cos",
  alpha: 1.5,
  lambda3: 0.4,
  lambda4: 0.9,
  weightII: 0.1,
  weightTT: 0.1,
  weightIT: 1,
  eta4: 0.001,
  adversarial: "nonsaturating",
  discHidden: 1024,
  discLr: 1e-4,
  neighbours: 20,
  clusters: 5,
  graphIterations: 20,
  graphLambda: 1,
  normalizeFeatures: true,
  knnBlock: 1024,
  knnProduct: "auto",
  cacheGraph: true,
};

/** `paper` at a small budget: 10 epochs of ≤ 1,000 edges, hidden width 1024, the paper's SGD. */
const PAPER_SMALL: Partial<SGEHConfig> = { epochs: 10, edgesPerEpoch: 1000, hidden: 1024 };

/**
 * `quick`, chosen on synthetic-val and uci-val only (docs/experiments/sgeh.md): 20 epochs of ≤ 1,000
 * edges in steps of K = 8 batches of t = 8 edges, Adam (lr 1e-3 both nets), A marking every Z-edge
 * among a batch's vertices, hidden width 1024.
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
};

/** Named configs: the paper, the default CPU budget, the paper's ablations and DJSRH. */
export const SGEH_PRESETS: Readonly<Record<string, Partial<SGEHConfig>>> = {
  /** The paper / reference code with p = 20 (P1) and a fixed budget of 100 epochs (P7). */
  paper: {},
  /**
   * Reduced budget for a 2-core CPU (≤ 60 s a fit on 5,000 pairs): 20 epochs of ≤ 1,000 edges,
   * 8 batches of 8 edges a step, Adam 1e-3, batchAdjacency "all", hidden width 1024.
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
};

/** SGEH's config checks, run after the base's type and range checks (`HasherError` naming key and value). */
export function validateSGEHConfig(c: SGEHConfig): void {
  const int = (k: keyof SGEHConfig, min: number) => {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < min)
      throw new HasherError(`SGEH: config.${k} must be an integer >= ${min}, got ${v}`);
  };
  int("epochs", 1);
  int("hidden", 1);
  int("edgesPerBatch", 1);
  int("batchSize", 2);
  int("batchesPerStep", 1);
  int("edgesPerEpoch", 0);
  int("discHidden", 1);
  int("neighbours", 1);
  int("clusters", 1);
  int("graphIterations", 0);
  int("knnBlock", 1);
  const oneOf = (k: keyof SGEHConfig, allowed: readonly string[]) => {
    if (!allowed.includes(c[k] as string))
      throw new HasherError(
        `SGEH: config.${k} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(c[k])}`,
      );
  };
  oneOf("sampling", ["edges", "random"]);
  oneOf("optimizer", ["sgd", "adam"]);
  oneOf("knnProduct", ["auto", "js", "tf"]);
  oneOf("batchAdjacency", ["sampled", "all"]);
  oneOf("fusion", ["A", "S", "G1", "G2", "djsrh"]);
  oneOf("similarity", ["cos", "2cos-1"]);
  oneOf("adversarial", ["nonsaturating", "saturating"]);
  if (c.sampling === "random" && ["A", "G1", "G2"].includes(c.fusion))
    throw new HasherError(
      `SGEH: fusion "${c.fusion}" needs the graph adjacency; use sampling "edges" or fusion "S"/"djsrh"`,
    );
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new HasherError(`SGEH: config.dropout must be in [0, 1), got ${c.dropout}`);
  for (const k of [
    "lrImage",
    "lrText",
    "discLr",
    "alpha",
    "slopePower",
    "graphLambda",
    "textLastInitStd",
  ] as const) {
    if (!(c[k] > 0)) throw new HasherError(`SGEH: config.${k} must be > 0, got ${c[k]}`);
  }
  for (const k of [
    "momentum",
    "weightDecay",
    "eta4",
    "weightII",
    "weightTT",
    "weightIT",
  ] as const) {
    if (!(c[k] >= 0)) throw new HasherError(`SGEH: config.${k} must be >= 0, got ${c[k]}`);
  }
  for (const k of ["lambda3", "lambda4"] as const) {
    if (!(c[k] >= 0 && c[k] <= 1))
      throw new HasherError(`SGEH: config.${k} must be in [0, 1], got ${c[k]}`);
  }
}
