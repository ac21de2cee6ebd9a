// The SGEH class and its fit loop, in the paper's order: the offline graph Z, then per epoch edge
// batches with their hybrid targets U, a hash-network step and a discriminator step.

import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  BaseHasher,
  createOptimizer,
  type EpochContext,
  type FitContext,
  type InputDims,
  type Mlp,
  type Modality,
  matrixTensor,
  type PaperRef,
  type ParamGroup,
  type Rng,
  sqrtSlope,
  tf,
  type WeightValue,
} from "@cmh/tensor-core";
import {
  type BatchSource,
  bernoulliPm1,
  disposeStepBatch,
  epochBatches,
  type StepBatch,
  stepBatch,
} from "./batches";
import { SGEH_CONFIG, SGEH_SCHEMA, type SGEHConfig } from "./config";
import { edgeLookup, type GraphReport, graphStage } from "./graph";
import { actorLoss, criticLoss, reconstructionLoss, type TargetOptions } from "./losses";
import { buildNetworks, relaxedCodes } from "./network";

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
  static readonly schema = SGEH_SCHEMA;
  static readonly defaults = SGEH_CONFIG.defaults;
  static readonly presets = SGEH_CONFIG.presets;

  private image?: Mlp;
  private text?: Mlp;
  private disc?: Mlp;
  private graph?: GraphReport;

  /** Facts about the unified graph of the last fit (undefined before fit or with random sampling). */
  get graphReport(): GraphReport | undefined {
    return this.graph;
  }

  protected build(dims: InputDims, rng: Rng): void {
    const nets = buildNetworks(dims, this.config, rng);
    this.image = nets.image;
    this.text = nets.text;
    this.disc = nets.disc;
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

  /** Epochs for the progress ETA. */
  protected override totalEpochs(): number {
    return this.config.epochs;
  }

  /**
   * The fit: (1) the unified graph Z, offline and once; then per epoch (2) edges of Z drawn as
   * batches, and per step (3) the batches' vertices, adjacency A and target U, (4) a step of both
   * hash networks on L^B + η4·L_adv, (5) a step of the discriminator.
   */
  protected async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
    const c = this.config;
    const source = this.batchSource(train, ctx.signal);
    const optimisers = this.optimisers(ctx);
    const slope = sqrtSlope(c.slopePower);
    const target: TargetOptions = {
      fusion: c.fusion,
      lambda3: c.lambda3,
      lambda4: c.lambda4,
      similarity: c.similarity,
    };
    await ctx.phase("train", c.epochs, async (epoch) => {
      const beta = slope(epoch.epoch);
      const batches = epochBatches(source, c, ctx.rng);
      for (let s = 0; s < batches.length; s += c.batchesPerStep) {
        const batch = stepBatch(train, source, batches.slice(s, s + c.batchesPerStep), target);
        const codes: tf.Tensor2D[] = [];
        try {
          await this.hashStep(epoch, batch, beta, optimisers.hash, codes);
          if (c.eta4 > 0) await this.discriminatorStep(epoch, codes, optimisers.disc, ctx.rng);
        } finally {
          disposeStepBatch(batch);
          tf.dispose(codes);
        }
      }
    });
    this.releaseDiscriminator();
  }

  /** Step 1: the graph stage with edge sampling (its report kept), or random rows (DJSRH). */
  private batchSource(train: CrossModalSet, signal?: AbortSignal): BatchSource {
    const c = this.config;
    this.graph = undefined;
    if (c.sampling !== "edges") return { rows: train.image.rows };
    const { graph, edges, report } = graphStage(train, c, signal);
    this.graph = report;
    const hasEdge = c.batchAdjacency === "all" ? edgeLookup(graph.z) : undefined;
    return { rows: train.image.rows, edges, hasEdge };
  }

  /** Both hash networks' optimisers (SGD with momentum, or Adam) and the discriminator's Adam. */
  private optimisers(ctx: FitContext): Optimisers {
    const c = this.config;
    const [image, text] = this.nets();
    const disc = this.discriminator();
    const { momentum, weightDecay } = c;
    const netOptimizer = (modality: Modality, lr: number) =>
      ctx.optimizer(
        `${c.optimizer}-${modality}`,
        createOptimizer(c.optimizer, { lr, momentum, weightDecay }),
      );
    const optI = netOptimizer("image", c.lrImage);
    const optT = netOptimizer("text", c.lrText);
    const adam = ctx.optimizer("adam-disc", createOptimizer("adam", { lr: c.discLr }));
    return {
      hash: [
        { optimizer: optI, variables: image.trainableVariables() },
        { optimizer: optT, variables: text.trainableVariables() },
      ],
      disc: { optimizer: adam, variables: disc.trainableVariables() },
    };
  }

  /**
   * Step 4: one step of ImgNet and TxtNet on L^B (paper Eq. 13) plus η4 times the actor term of the
   * code prior (Eq. 15, TBH sign). With the discriminator on, the step's relaxed codes are pushed
   * to `codes` (kept, for the discriminator step).
   */
  private async hashStep(
    epoch: EpochContext,
    batch: StepBatch,
    beta: number,
    groups: readonly ParamGroup[],
    codes: tf.Tensor2D[],
  ): Promise<void> {
    const c = this.config;
    const [image, text] = this.nets();
    const disc = this.discriminator();
    const weights = { ii: c.weightII, tt: c.weightTT, it: c.weightIT };
    await epoch.step(() => {
      const bi = relaxedCodes(image, batch.image, beta);
      const bt = relaxedCodes(text, batch.text, beta);
      const rec = reconstructionLoss(bi, bt, batch.target, c.alpha, weights, batch.pairWeights);
      const terms: Record<string, tf.Scalar> = {
        recon: rec.total,
        ii: rec.ii,
        tt: rec.tt,
        it: rec.it,
      };
      let total = rec.total;
      if (c.eta4 > 0) {
        codes.push(tf.keep(tf.clone(bi)), tf.keep(tf.clone(bt)));
        const adv = actorLoss([disc.apply(bi), disc.apply(bt)], c.adversarial);
        terms.adv = adv;
        total = tf.add(total, tf.mul(adv, c.eta4)) as tf.Scalar;
      }
      return { total, terms };
    }, groups);
  }

  /**
   * Step 5: one Adam step of the discriminator on the critic loss (Eq. 15, critic sign), recorded
   * as `critic`: real samples i.i.d. ±1 drawn from `rng`, fake ones the hash step's codes.
   */
  private async discriminatorStep(
    epoch: EpochContext,
    codes: readonly tf.Tensor2D[],
    group: ParamGroup,
    rng: Rng,
  ): Promise<void> {
    const disc = this.discriminator();
    const [bi, bt] = codes;
    const n = bi.shape[0];
    const bits = this.config.bits;
    const real = tf.tensor2d(bernoulliPm1(n, bits, rng), [n, bits]);
    try {
      await epoch.step(
        () => criticLoss(disc.apply(real), [disc.apply(bi), disc.apply(bt)]),
        group,
        { name: "critic" },
      );
    } finally {
      real.dispose();
    }
  }

  /** The discriminator is not needed to encode: release it after fit. */
  private releaseDiscriminator(): void {
    this.disc?.dispose();
    this.disc = undefined;
  }

  protected project(modality: Modality, x: Matrix): tf.Tensor {
    const [image, text] = this.nets();
    return (modality === "image" ? image : text).apply(matrixTensor(x), false);
  }

  private nets(): [Mlp, Mlp] {
    return [this.requireModel(this.image), this.requireModel(this.text)];
  }

  private discriminator(): Mlp {
    return this.requireModel(this.disc, "discriminator");
  }
}

/** The optimisers of one fit: one per hash network (a step updates both) and the critic's Adam. */
interface Optimisers {
  readonly hash: readonly ParamGroup[];
  readonly disc: ParamGroup;
}
