import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  Adam,
  autoBlockProduct,
  BaseHasher,
  batchIndices,
  type FitContext,
  HasherError,
  type InputDims,
  type InputSpec,
  jsBlockProduct,
  Mlp,
  type Modality,
  matrixTensor,
  type PaperRef,
  type Rng,
  rowsTensor,
  Sgd,
  scaledTanh,
  sqrtSlope,
  tf,
  tfBlockProduct,
  trainStep,
  type WeightValue,
} from "@cmh/tensor-core";
import { type EdgeList, edgesOf, solveGraph, type UnifiedGraph } from "./graph";
import {
  actorLoss,
  batchTarget,
  bernoulliPm1,
  blockTargets,
  criticLoss,
  edgeBatch,
  type Fusion,
  reconstructionLoss,
} from "./losses";

/** Configuration of SGEH (defaults: `SGEH.defaults`, the paper's / reference code's values). */
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

/** What the graph stage produced (available after fit as `graphReport`). */
export interface GraphReport {
  readonly m: number;
  readonly neighbours: number;
  readonly clusters: number;
  readonly edges: number;
  readonly components: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly lambda: number;
  readonly weights: readonly number[];
  readonly knnSeconds: number;
  readonly solveSeconds: number;
  /** True when the graph was reused from an earlier fit (`cacheGraph`); the seconds are its original cost. */
  readonly cached: boolean;
}

const DEFAULTS: SGEHConfig = {
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

/** Graphs of earlier fits, by training image array, keyed by the graph settings. */
const graphCache = new WeakMap<Float32Array, Map<string, UnifiedGraph>>();
/** The text array each cached graph was built with (a hit needs both arrays to match). */
const textArrayOf = new WeakMap<UnifiedGraph, Float32Array>();

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

/**
 * SGEH (Zhao et al., ACCV 2022): an offline unified sparse affinity graph Z over all training pairs
 * (GMC with a Laplacian rank constraint), mini-batches drawn as edges of Z, a per-batch hybrid
 * target U mixing the batch adjacency with feature cosines, and DJSRH-style cosine reconstruction
 * of αU by relaxed codes tanh(β·y) with a code-balance discriminator.
 */
export class SGEH extends BaseHasher<SGEHConfig> {
  static readonly methodName: string = "SGEH";
  static readonly paper: PaperRef = {
    title:
      "From Sparse to Dense: Semantic Graph Evolutionary Hashing for Unsupervised Cross-Modal Retrieval",
    authors: "Yang Zhao, Jiaguo Yu, Shengbin Liao, Zheng Zhang, Haofeng Zhang",
    venue: "ACCV",
    year: 2022,
  };
  static readonly supervised: boolean = false;
  static readonly inputs = ["image", "text"] as const;
  static readonly defaults: SGEHConfig = DEFAULTS;
  static readonly presets: Record<string, Partial<SGEHConfig>> = {
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

  /** Extra config checks, run after the base's type and range checks. */
  static validateConfig(c: SGEHConfig): void {
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

  private image?: Mlp;
  private text?: Mlp;
  private disc?: Mlp;
  private graph?: GraphReport;

  /** Facts about the unified graph of the last fit (undefined before fit or with random sampling). */
  get graphReport(): GraphReport | undefined {
    return this.graph;
  }

  protected build(dims: InputDims, rng: Rng): void {
    const { hidden, bits, dropout, textLastInitStd, discHidden } = this.config;
    this.image = new Mlp([dims.image, hidden, bits], rng, { dropout, biasInit: "torch" });
    this.text = new Mlp([dims.text, hidden, bits], rng, {
      dropout,
      init: ["torch", { normal: textLastInitStd }],
      biasInit: "torch",
    });
    this.disc = new Mlp([bits, discHidden, 1], rng, { biasInit: "torch" });
  }

  protected weights(): Record<string, WeightValue> {
    const [image, text] = this.nets();
    const out: Record<string, WeightValue> = {};
    for (const [k, v] of Object.entries(image.namedWeights())) out[`image.${k}`] = v;
    for (const [k, v] of Object.entries(text.namedWeights())) out[`text.${k}`] = v;
    return out;
  }

  protected override trainingState(): Record<string, WeightValue> {
    const out: Record<string, WeightValue> = {};
    if (this.disc)
      for (const [k, v] of Object.entries(this.disc.namedWeights())) out[`disc.${k}`] = v;
    return out;
  }

  protected override totalEpochs(): number {
    return this.config.epochs;
  }

  /** Solve the unified graph Z of the training set (spec §4). */
  private buildGraph(
    train: CrossModalSet,
    signal?: AbortSignal,
  ): { graph: UnifiedGraph; cached: boolean } {
    const c = this.config;
    const m = train.image.rows;
    if (c.neighbours + 2 > m)
      throw new HasherError(
        `SGEH: config.neighbours = ${c.neighbours} needs at least ${c.neighbours + 2} training pairs, got ${m}`,
      );
    if (c.clusters >= m)
      throw new HasherError(`SGEH: config.clusters = ${c.clusters} must be < ${m} training pairs`);
    const key = JSON.stringify([
      train.text.data.length,
      c.neighbours,
      c.clusters,
      c.graphIterations,
      c.graphLambda,
      c.normalizeFeatures,
    ]);
    const byKey = graphCache.get(train.image.data);
    const hit = c.cacheGraph ? byKey?.get(key) : undefined;
    if (hit && textArrayOf.get(hit) === train.text.data) return { graph: hit, cached: true };
    const g = solveGraph([train.image, train.text], {
      p: c.neighbours,
      c: c.clusters,
      iterations: c.graphIterations,
      lambda: c.graphLambda,
      normalize: c.normalizeFeatures,
      blockSize: c.knnBlock,
      product:
        c.knnProduct === "tf"
          ? tfBlockProduct
          : c.knnProduct === "js"
            ? jsBlockProduct
            : autoBlockProduct,
      signal,
    });
    if (c.cacheGraph) {
      const map = byKey ?? new Map<string, UnifiedGraph>();
      map.set(key, g);
      graphCache.set(train.image.data, map);
      textArrayOf.set(g, train.text.data);
    }
    return { graph: g, cached: false };
  }

  protected async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
    const c = this.config;
    const [image, text] = this.nets();
    const disc = this.disc as Mlp;
    const m = train.image.rows;
    let edges: EdgeList | undefined;
    let hasEdge: ((i: number, j: number) => boolean) | undefined;
    this.graph = undefined;
    if (c.sampling === "edges") {
      const { graph: g, cached } = this.buildGraph(train, ctx.signal);
      edges = edgesOf(g.z);
      if (edges.from.length === 0) throw new HasherError("SGEH: the unified graph has no edges");
      this.graph = {
        m,
        neighbours: c.neighbours,
        clusters: c.clusters,
        edges: edges.from.length,
        components: g.components,
        iterations: g.iterations,
        converged: g.converged,
        lambda: g.lambda,
        weights: g.weights,
        knnSeconds: g.seconds.knn,
        solveSeconds: g.seconds.solve,
        cached,
      };
      if (c.batchAdjacency === "all") {
        const z = g.z;
        hasEdge = (i, j) => {
          for (let q = z.indptr[i]; q < z.indptr[i + 1]; q++) if (z.indices[q] === j) return true;
          return false;
        };
      }
    }
    const netOptimizer = (modality: Modality, lr: number) =>
      c.optimizer === "adam"
        ? ctx.optimizer(`adam-${modality}`, new Adam({ lr, weightDecay: c.weightDecay }))
        : ctx.optimizer(
            `sgd-${modality}`,
            new Sgd({ lr, momentum: c.momentum, weightDecay: c.weightDecay }),
          );
    const optI = netOptimizer("image", c.lrImage);
    const optT = netOptimizer("text", c.lrText);
    const adam = ctx.optimizer("adam-disc", new Adam({ lr: c.discLr }));
    const groups = [
      { optimizer: optI, variables: image.trainableVariables() },
      { optimizer: optT, variables: text.trainableVariables() },
    ];
    const discVars = disc.trainableVariables();
    const slope = sqrtSlope(c.slopePower);
    const target = {
      fusion: c.fusion,
      lambda3: c.lambda3,
      lambda4: c.lambda4,
      similarity: c.similarity,
    };
    const weights = { ii: c.weightII, tt: c.weightTT, it: c.weightIT };

    const batches = (): Int32Array[] | Uint32Array[] => {
      if (!edges) return batchIndices(m, { batchSize: c.batchSize, rng: ctx.rng, dropLast: true });
      const total = edges.from.length;
      const order =
        c.edgesPerEpoch > 0 && c.edgesPerEpoch < total
          ? ctx.rng.choice(total, c.edgesPerEpoch)
          : ctx.rng.permutation(total);
      const out: Uint32Array[] = [];
      for (let s = 0; s < order.length; s += c.edgesPerBatch)
        out.push(order.subarray(s, Math.min(order.length, s + c.edgesPerBatch)));
      return out;
    };

    /** One step's rows and target: a single batch, or K batches stacked block-diagonally. */
    const stepBatch = (
      picks: readonly ArrayLike<number>[],
    ): { verts: ArrayLike<number>; u: tf.Tensor2D; pairWeights?: tf.Tensor2D } => {
      const one = (pick: ArrayLike<number>) => {
        let verts: ArrayLike<number> = pick;
        let adj: tf.Tensor2D | null = null;
        if (edges) {
          const b = edgeBatch(edges, pick, hasEdge);
          verts = b.vertices;
          adj = tf.tensor2d(b.adjacency, [verts.length, verts.length]);
        }
        const xi = rowsTensor(train.image, verts);
        const xt = rowsTensor(train.text, verts);
        try {
          return { verts, u: batchTarget(xi, xt, adj, target) };
        } finally {
          tf.dispose([xi, xt]);
          if (adj) adj.dispose();
        }
      };
      if (picks.length === 1) return one(picks[0]);
      const parts = picks.map(one);
      const sizes = parts.map((p) => p.verts.length);
      const data = parts.map((p) => {
        const d = p.u.dataSync() as Float32Array;
        p.u.dispose();
        return d;
      });
      const stacked = blockTargets(data, sizes);
      const verts = new Int32Array(stacked.n);
      let off = 0;
      for (const p of parts) {
        verts.set(Array.from(p.verts), off);
        off += p.verts.length;
      }
      return {
        verts,
        u: tf.tensor2d(stacked.target, [stacked.n, stacked.n]),
        pairWeights: tf.tensor2d(stacked.weights, [stacked.n, stacked.n]),
      };
    };

    await ctx.phase("train", c.epochs, async (epoch) => {
      const beta = slope(epoch.epoch);
      const all = batches();
      for (let s = 0; s < all.length; s += c.batchesPerStep) {
        const { verts, u, pairWeights } = stepBatch(all.slice(s, s + c.batchesPerStep));
        const n = verts.length;
        const xi = rowsTensor(train.image, verts);
        const xt = rowsTensor(train.text, verts);
        const kept: tf.Tensor[] = [];
        try {
          await epoch.step(() => {
            const bi = scaledTanh(image.apply(xi, true), beta) as tf.Tensor2D;
            const bt = scaledTanh(text.apply(xt, true), beta) as tf.Tensor2D;
            const rec = reconstructionLoss(bi, bt, u, c.alpha, weights, pairWeights);
            const terms: Record<string, tf.Scalar> = {
              recon: rec.total,
              ii: rec.ii,
              tt: rec.tt,
              it: rec.it,
            };
            let total = rec.total;
            if (c.eta4 > 0) {
              kept.push(tf.keep(tf.clone(bi)), tf.keep(tf.clone(bt)));
              const adv = actorLoss([disc.apply(bi), disc.apply(bt)], c.adversarial);
              terms.adv = adv;
              total = tf.add(total, tf.mul(adv, c.eta4)) as tf.Scalar;
            }
            return { total, terms };
          }, groups);
          if (c.eta4 > 0) {
            const real = tf.tensor2d(bernoulliPm1(n, c.bits, ctx.rng), [n, c.bits]);
            try {
              const t = trainStep(
                () => criticLoss(disc.apply(real), [disc.apply(kept[0]), disc.apply(kept[1])]),
                { optimizer: adam, variables: discVars },
              );
              epoch.record({ critic: t.total });
            } finally {
              real.dispose();
            }
          }
        } finally {
          tf.dispose([xi, xt, u, ...kept]);
          if (pairWeights) pairWeights.dispose();
        }
      }
    });
    // The discriminator is not needed to encode: release it.
    disc.dispose();
    this.disc = undefined;
  }

  protected project(modality: Modality, x: Matrix): tf.Tensor {
    const [image, text] = this.nets();
    return (modality === "image" ? image : text).apply(matrixTensor(x), false);
  }

  private nets(): [Mlp, Mlp] {
    if (!this.image || !this.text) throw new HasherError("SGEH: model not built");
    return [this.image, this.text];
  }
}
