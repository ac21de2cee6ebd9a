import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  BaseHasher,
  batchIndices,
  checkTrainingRows,
  createOptimizer,
  type EpochContext,
  epochScale,
  type FitContext,
  type InputDims,
  type Modality,
  matrixTensor,
  type Optimizer,
  type PaperRef,
  type Rng,
  rowsTensor,
  tf,
  type WeightValue,
} from "@cmh/tensor-core";
import {
  lrFactor,
  marginOf,
  UGACH_DEFAULTS,
  UGACH_PRESETS,
  UGACH_SCHEMA,
  type UGACHConfig,
} from "./config";
import { correlationGraph, type PositiveSets, pairPositives } from "./graph";
import {
  candidateDistances,
  hingeScore,
  reinforceLoss,
  rewardOf,
  rowSqDist,
  tripletHinge,
  weightDecayTerm,
} from "./losses";
import { HashNet, relaxedCodes } from "./network";
import {
  drawCandidates,
  generatorTriplets,
  pairTriplets,
  sampleSoftmax,
  shuffledPositives,
  type Triplets,
} from "./sampling";

type Direction = "i2t" | "t2i";
const DIRECTIONS: readonly Direction[] = ["i2t", "t2i"];
const ENDS: Record<Direction, [Modality, Modality]> = {
  i2t: ["image", "text"],
  t2i: ["text", "image"],
};
type Codes = Record<Modality, Float32Array>;

/** Facts about the correlation graph of the last fit (diagnostics; no labels involved). */
export interface GraphStats {
  readonly items: number;
  readonly kind: "knn" | "pair";
  /** Mean number of distinct positives per query. */
  readonly meanPositives: number;
  readonly seconds: number;
}

/** What one fit works on: its rows, its budget and its optimisers (built by `prepare`). */
interface FitRun {
  /** The config with `epochScaleItems` applied to both phases' epochs. */
  readonly cfg: UGACHConfig;
  /** Epoch multiplier of `epochScaleItems` (1 when off). */
  readonly scale: number;
  readonly n: number;
  readonly feats: Record<Modality, Matrix>;
  readonly D: HashNet;
  readonly G: HashNet;
  /** The trainable tensors of D and of G. */
  readonly dVars: tf.Variable[];
  readonly gVars: tf.Variable[];
  readonly rng: Rng;
  readonly margin: number;
  /** |C(q)|. */
  readonly candidates: number;
  /** Base learning rates of D's and G's adversarial optimisers (before the schedule). */
  readonly lrD: number;
  readonly lrG: number;
  readonly optPre: Optimizer;
  readonly optD: Optimizer;
  readonly optG: Optimizer;
}

/**
 * UGACH (Zhang, Peng, Yuan, AAAI 2018): a generator G and a discriminator D of the same
 * two-pathway shape play a minimax game; G picks hard negatives from real items by a softmax over
 * candidates and is trained by REINFORCE with D's triplet-ranking score as reward; D learns to rank
 * correlation-graph positives (kNN in the original feature spaces) above G's picks. D hashes.
 */
export class UGACH extends BaseHasher<UGACHConfig> {
  static readonly methodName: string = "UGACH";
  static readonly paper: PaperRef = {
    title: "Unsupervised Generative Adversarial Cross-Modal Hashing",
    authors: "Jian Zhang, Yuxin Peng, Mingkuan Yuan",
    venue: "AAAI",
    year: 2018,
    url: "https://arxiv.org/abs/1712.00358",
  };
  static readonly supervised: boolean = false;
  static readonly inputs = ["image", "text"] as const;
  static readonly schema = UGACH_SCHEMA;
  static readonly defaults: Readonly<UGACHConfig> = UGACH_DEFAULTS;
  static readonly presets: Readonly<Record<string, Partial<UGACHConfig>>> = UGACH_PRESETS;
  /** A triplet needs a negative: another item than the query's own pair. */
  static readonly minTrainingRows = 2;
  static readonly minTrainingRowsReason = "a negative needs a second item";

  private D?: HashNet;
  private G?: HashNet;
  private stats?: GraphStats;

  /** Facts about the correlation graph built by the last fit (undefined before fit). */
  get graphStats(): GraphStats | undefined {
    return this.stats;
  }

  /** The discriminator (the hashing model); undefined before fit/load. */
  get discriminator(): HashNet | undefined {
    return this.D;
  }

  /** The generator (used only during fit); undefined before fit/load. */
  get generator(): HashNet | undefined {
    return this.G;
  }

  /** D and G, same shape, separate weights (D first: the rng draws of the init). */
  protected build(dims: InputDims, rng: Rng): void {
    const { hidden, bits, initStd } = this.config;
    this.D?.dispose();
    this.G?.dispose();
    this.D = new HashNet(dims, hidden, bits, rng, initStd);
    this.G = new HashNet(dims, hidden, bits, rng, initStd);
  }

  /** The saved model: D's weights. */
  protected weights(): Record<string, WeightValue> {
    return this.D ? this.D.namedWeights("D.") : {};
  }

  /** Checkpointed with the model to resume a fit: G's weights. */
  protected override trainingState(): Record<string, WeightValue> {
    return this.G ? this.G.namedWeights("G.") : {};
  }

  /** Pre-training plus adversarial epochs × the `epochScaleItems` multiplier, for the progress ETA. */
  protected override totalEpochs(rows: number): number {
    const c = this.config;
    const n = c.trainItems > 0 ? Math.min(rows, c.trainItems) : rows;
    return (c.pretrainEpochs + c.epochs) * epochScale(c.epochScaleItems, n);
  }

  /** h(x) − 0.5 of D's pathway for the modality (bit = value ≥ 0). */
  protected project(modality: Modality, x: Matrix): tf.Tensor {
    const D = this.requireModel(this.D);
    // code = 1[h ≥ 0.5]; the base packs value ≥ 0 as bit 1.
    return tf.sub(D.apply(modality, matrixTensor(x)), 0.5);
  }

  /** One fit, in the steps of the paper (README "Algorithm"). */
  protected async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
    const run = this.prepare(train, ctx);
    const { cfg } = run;
    // 1. The correlation graph (eq. 5): the manifold pairs.
    const positives = this.buildGraph(run, ctx.signal);
    await ctx.tick();
    // 2. Pre-train D on own-pair positives (the paper's Baseline).
    await ctx.phase("pretrain", cfg.pretrainEpochs, (ep) => this.pretrainEpoch(run, ep));
    // 3. Adversarial epochs.
    await ctx.phase("train", cfg.epochs, async (ep) => {
      this.scheduleRates(run, ep.epoch);
      // 3a. G (frozen) picks D's negatives among the non-positives (eq. 4).
      const triplets = this.generateTriplets(run, positives);
      // 3b. D learns to rank the manifold pairs above G's pairs (eq. 6).
      for (let e = 0; e < cfg.dEpochs; e++)
        await this.discriminatorEpoch(run, triplets, cfg.batchSize, run.optD, ep);
      // 3c. G learns by REINFORCE, rewarded by D (frozen) (eqs. 9-10).
      const hD = codesOf(run.D, run.feats);
      for (let e = 0; e < cfg.gEpochs; e++) await this.generatorEpoch(run, positives, hD, ep);
    });
  }

  /** The training rows (the first `trainItems`), the scaled budget and the three optimisers. */
  private prepare(train: CrossModalSet, ctx: FitContext): FitRun {
    const n0 = train.image.rows;
    const n = this.config.trainItems > 0 ? Math.min(n0, this.config.trainItems) : n0;
    const scale = epochScale(this.config.epochScaleItems, n);
    const cfg: UGACHConfig =
      scale === 1
        ? this.config
        : {
            ...this.config,
            pretrainEpochs: this.config.pretrainEpochs * scale,
            epochs: this.config.epochs * scale,
          };
    const firstRows = (m: Matrix): Matrix =>
      n === m.rows ? m : { rows: n, cols: m.cols, data: m.data.subarray(0, n * m.cols) };
    const feats = { image: firstRows(train.image), text: firstRows(train.text) };
    checkTrainingRows("UGACH", n, 2, "trainItems: a negative needs a second item");
    const D = this.requireModel(this.D);
    const G = this.requireModel(this.G, "generator");
    const makeOpt = (lr: number): Optimizer => createOptimizer(cfg.optimizer, { lr });
    // "linear": the reference's per-triplet rates × batch (pre-training: its batch of 20).
    const lin = cfg.lrScaling === "linear";
    const lrPre = cfg.pretrainLr * (lin ? cfg.pretrainBatchSize / 20 : 1);
    const lrD = cfg.lrD * (lin ? cfg.batchSize : 1);
    const lrG = cfg.lrG * (lin ? cfg.gBatchSize : 1);
    return {
      cfg,
      scale,
      n,
      feats,
      D,
      G,
      dVars: D.variables(),
      gVars: G.variables(),
      rng: ctx.rng,
      margin: marginOf(cfg),
      candidates: Math.min(n, Math.max(cfg.minCandidates, Math.ceil(n / cfg.candidateRatio))),
      lrD,
      lrG,
      optPre: ctx.optimizer("pretrain", makeOpt(lrPre)),
      optD: ctx.optimizer("D", makeOpt(lrD)),
      optG: ctx.optimizer("G", makeOpt(lrG)),
    };
  }

  /** Step 1: the positives of every query, from the kNN correlation graph or the own pair only. */
  private buildGraph(run: FitRun, signal?: AbortSignal): PositiveSets {
    const { cfg, n, feats } = run;
    const t0 = performance.now();
    const positives =
      cfg.graph === "knn"
        ? correlationGraph(feats.image, feats.text, cfg.knnPerModality, { signal }).positives
        : pairPositives(n);
    this.stats = {
      items: n,
      kind: cfg.graph,
      meanPositives: positives.items.length / n,
      seconds: (performance.now() - t0) / 1000,
    };
    return positives;
  }

  /** Step 2, one epoch: D on (q, own pair, random non-pair) triplets in both directions. */
  private async pretrainEpoch(run: FitRun, ep: EpochContext): Promise<void> {
    const { cfg, n, rng } = run;
    const triplets = {
      i2t: pairTriplets(n, cfg.pretrainSamples, rng),
      t2i: pairTriplets(n, cfg.pretrainSamples, rng),
    };
    await this.discriminatorEpoch(run, triplets, cfg.pretrainBatchSize, run.optPre, ep);
  }

  /** The paper's ×0.1 every two outer epochs, when `lrSchedule` is "paper". */
  private scheduleRates(run: FitRun, epoch: number): void {
    if (run.cfg.lrSchedule !== "paper") return;
    const f = lrFactor(run.cfg.lrSchedule, epoch, run.scale);
    run.optD.lr = run.lrD * f;
    run.optG.lr = run.lrG * f;
  }

  /** Step 3a: D's triplets of both directions, negatives drawn from the frozen G's softmax. */
  private generateTriplets(run: FitRun, positives: PositiveSets): Record<Direction, Triplets> {
    const { cfg, G, feats, candidates, rng } = run;
    const hG = codesOf(G, feats);
    const k = cfg.samplesPerQuery;
    return {
      i2t: generatorTriplets(hG.image, hG.text, positives, cfg.bits, candidates, k, rng),
      t2i: generatorTriplets(hG.text, hG.image, positives, cfg.bits, candidates, k, rng),
    };
  }

  /** One D epoch: shuffled mini-batches of the i2t triplets, then of the t2i triplets. */
  private async discriminatorEpoch(
    run: FitRun,
    triplets: Record<Direction, Triplets>,
    batchSize: number,
    opt: Optimizer,
    ep: EpochContext,
  ): Promise<void> {
    for (const dir of DIRECTIONS) {
      for (const idx of batchIndices(triplets[dir].query.length, { batchSize, rng: run.rng }))
        await this.discriminatorStep(run, dir, triplets[dir], idx, opt, ep);
    }
  }

  /** One D step: the triplet hinge (eq. 6) plus weight decay on a mini-batch of triplets. */
  private async discriminatorStep(
    run: FitRun,
    dir: Direction,
    t: Triplets,
    idx: Uint32Array,
    opt: Optimizer,
    ep: EpochContext,
  ): Promise<void> {
    const { cfg, D, feats, margin } = run;
    const [qm, xm] = ENDS[dir];
    const b = idx.length;
    const qi = new Int32Array(b);
    const xi = new Int32Array(2 * b);
    for (let r = 0; r < b; r++) {
      qi[r] = t.query[idx[r]];
      xi[r] = t.pos[idx[r]];
      xi[b + r] = t.neg[idx[r]];
    }
    const qT = rowsTensor(feats[qm], qi);
    const xT = rowsTensor(feats[xm], xi);
    const dVars = run.dVars;
    try {
      await ep.step(
        () => {
          const hq = D.apply(qm, qT);
          const hx = D.apply(xm, xT);
          const hinge = tripletHinge(
            hq,
            tf.slice(hx, [0, 0], [b, -1]),
            tf.slice(hx, [b, 0], [b, -1]),
            margin,
          );
          const total = tf.add(hinge, weightDecayTerm(dVars, cfg.weightDecay)) as tf.Scalar;
          return { total, terms: { [`hinge_${dir}`]: hinge } };
        },
        { optimizer: opt, variables: dVars },
      );
    } finally {
      tf.dispose([qT, xT]);
    }
  }

  /** One G epoch: shuffled batches of queries, i2t then t2i, one REINFORCE step each. */
  private async generatorEpoch(
    run: FitRun,
    positives: PositiveSets,
    hD: Codes,
    ep: EpochContext,
  ): Promise<void> {
    for (const dir of DIRECTIONS) {
      for (const qIdx of batchIndices(run.n, { batchSize: run.cfg.gBatchSize, rng: run.rng }))
        await this.generatorStep(run, dir, qIdx, positives, hD, ep);
    }
  }

  /**
   * One G step (eq. 10): fresh candidates, k samples per query from G's softmax over them, the
   * frozen D's reward of each, and the REINFORCE loss plus weight decay.
   */
  private async generatorStep(
    run: FitRun,
    dir: Direction,
    qIdx: Uint32Array,
    positives: PositiveSets,
    hD: Codes,
    ep: EpochContext,
  ): Promise<void> {
    const { cfg, G, feats, n, candidates, rng } = run;
    const [qm, xm] = ENDS[dir];
    const b = qIdx.length;
    const shared = cfg.candidateSharing === "batch";
    const cand = drawCandidates(n, candidates, shared ? 1 : b, rng);
    const qT = rowsTensor(feats[qm], qIdx);
    const cT = rowsTensor(feats[xm], cand);
    const gVars = run.gVars;
    let rewardSum = 0;
    try {
      // Recorded as g_<dir> (G's total) and g_<dir>.reinforce, apart from D's `total`.
      await ep.step(
        () => {
          const hq = G.apply(qm, qT);
          let hc: tf.Tensor = G.apply(xm, cT);
          if (!shared) hc = tf.reshape(hc, [b, candidates, cfg.bits]);
          const dist = candidateDistances(hq, hc);
          const picks = sampleAndReward(run, dir, qIdx, cand, dist.dataSync(), positives, hD);
          rewardSum = picks.rewardSum;
          const reinforce = reinforceLoss(dist, picks.samples, picks.rewards, cfg.generatorLogProb);
          const total = tf.add(reinforce, weightDecayTerm(gVars, cfg.weightDecay)) as tf.Scalar;
          return { total, terms: { reinforce } };
        },
        { optimizer: run.optG, variables: gVars },
        { name: `g_${dir}` },
      );
      ep.record({ reward: rewardSum / (b * cfg.samplesPerQuery) });
    } finally {
      tf.dispose([qT, cT]);
    }
  }
}

/** Relaxed codes of every training row of both modalities under a frozen network. */
function codesOf(net: HashNet, feats: Record<Modality, Matrix>): Codes {
  return {
    image: relaxedCodes(net, "image", feats.image),
    text: relaxedCodes(net, "text", feats.text),
  };
}

/**
 * G's samples of one step and their rewards: per query, k draws from softmax(−d_G) over its
 * candidates, each rewarded by the frozen D's hinge score against one of the query's shuffled
 * positives (softplus or sigmoid), minus the query's mean reward when `rewardBaseline` is on.
 */
function sampleAndReward(
  run: FitRun,
  dir: Direction,
  qIdx: Uint32Array,
  cand: Int32Array,
  dv: ArrayLike<number>,
  positives: PositiveSets,
  hD: Codes,
): { samples: Int32Array; rewards: Float32Array; rewardSum: number } {
  const { cfg, candidates, margin, rng } = run;
  const [qm, xm] = ENDS[dir];
  const shared = cfg.candidateSharing === "batch";
  const b = qIdx.length;
  const k = cfg.samplesPerQuery;
  const samples = new Int32Array(b * k);
  const rewards = new Float32Array(b * k);
  const logits = new Float64Array(candidates);
  let rewardSum = 0;
  for (let r = 0; r < b; r++) {
    for (let c = 0; c < candidates; c++) logits[c] = -dv[r * candidates + c];
    const s = sampleSoftmax(logits, k, rng);
    const q = qIdx[r];
    const pos = shuffledPositives(positives, q, rng);
    let mean = 0;
    for (let j = 0; j < k; j++) {
      samples[r * k + j] = s[j];
      const x = cand[(shared ? 0 : r * candidates) + s[j]];
      const p = pos[j % pos.length];
      const f = hingeScore(
        rowSqDist(hD[qm], q, hD[xm], p, cfg.bits),
        rowSqDist(hD[qm], q, hD[xm], x, cfg.bits),
        margin,
      );
      rewards[r * k + j] = rewardOf(f, cfg.reward);
      mean += rewards[r * k + j] / k;
      rewardSum += rewards[r * k + j];
    }
    if (cfg.rewardBaseline) for (let j = 0; j < k; j++) rewards[r * k + j] -= mean;
  }
  return { samples, rewards, rewardSum };
}
