import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  Adam,
  BaseHasher,
  batchIndices,
  epochScale,
  type FitContext,
  type InputDims,
  type Modality,
  matrixTensor,
  type Optimizer,
  type PaperRef,
  type Rng,
  rowsTensor,
  Sgd,
  sliceRowsTensor,
  tf,
  tidyData,
  trainStep,
  type WeightValue,
} from "@cmh/tensor-core";
import {
  lrFactor,
  marginOf,
  UGACH_DEFAULTS,
  UGACH_PRESETS,
  type UGACHConfig,
  validateUGACHConfig,
} from "./config";
import { correlationGraph, isPositive, type PositiveSets, pairPositives } from "./graph";
import {
  candidateDistances,
  hingeScore,
  reinforceLoss,
  rewardOf,
  rowSqDist,
  sampleSoftmax,
  tripletHinge,
  weightDecayTerm,
} from "./losses";
import { HashNet } from "./network";

type Direction = "i2t" | "t2i";
const DIRECTIONS: readonly Direction[] = ["i2t", "t2i"];
const ENDS: Record<Direction, [Modality, Modality]> = {
  i2t: ["image", "text"],
  t2i: ["text", "image"],
};

/** Triplets (query, manifold positive, negative) of one direction, as item indices. */
export interface Triplets {
  readonly query: Int32Array;
  readonly pos: Int32Array;
  readonly neg: Int32Array;
}

/** Facts about the correlation graph of the last fit (diagnostics; no labels involved). */
export interface GraphStats {
  readonly items: number;
  readonly kind: "knn" | "pair";
  /** Mean number of distinct positives per query. */
  readonly meanPositives: number;
  readonly seconds: number;
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
  static readonly defaults: UGACHConfig = UGACH_DEFAULTS;
  static readonly presets: Readonly<Record<string, Partial<UGACHConfig>>> = UGACH_PRESETS;
  static validateConfig(c: UGACHConfig): void {
    validateUGACHConfig(c);
  }

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

  protected build(dims: InputDims, rng: Rng): void {
    const { hidden, bits, initStd } = this.config;
    this.D?.dispose();
    this.G?.dispose();
    this.D = new HashNet(dims, hidden, bits, rng, initStd);
    this.G = new HashNet(dims, hidden, bits, rng, initStd);
  }

  protected weights(): Record<string, WeightValue> {
    return this.D ? this.D.namedWeights("D.") : {};
  }

  protected override trainingState(): Record<string, WeightValue> {
    return this.G ? this.G.namedWeights("G.") : {};
  }

  protected override totalEpochs(): number {
    return this.config.pretrainEpochs + this.config.epochs;
  }

  protected project(modality: Modality, x: Matrix): tf.Tensor {
    const D = this.D as HashNet;
    // code = 1[h ≥ 0.5]; the base packs value ≥ 0 as bit 1.
    return tf.sub(D.apply(modality, matrixTensor(x)), 0.5);
  }

  protected async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
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
    const D = this.D as HashNet;
    const G = this.G as HashNet;
    const firstRows = (m: Matrix): Matrix =>
      n === m.rows ? m : { rows: n, cols: m.cols, data: m.data.subarray(0, n * m.cols) };
    const feats: Record<Modality, Matrix> = {
      image: firstRows(train.image),
      text: firstRows(train.text),
    };
    if (n < 2) throw new Error(`UGACH.fit needs at least 2 training items, got ${n}`);

    const t0 = performance.now();
    const positives =
      cfg.graph === "knn"
        ? correlationGraph(feats.image, feats.text, cfg.knnPerModality, { signal: ctx.signal })
            .positives
        : pairPositives(n);
    this.stats = {
      items: n,
      kind: cfg.graph,
      meanPositives: positives.items.length / n,
      seconds: (performance.now() - t0) / 1000,
    };
    await ctx.tick();

    const margin = marginOf(cfg);
    const dVars = D.variables();
    const gVars = G.variables();
    const rng = ctx.rng;
    const makeOpt = (lr: number): Optimizer =>
      cfg.optimizer === "adam" ? new Adam({ lr }) : new Sgd({ lr });
    const lin = cfg.lrScaling === "linear";
    const lrPre = cfg.pretrainLr * (lin ? cfg.pretrainBatchSize / 20 : 1);
    const lrD = cfg.lrD * (lin ? cfg.batchSize : 1);
    const lrG = cfg.lrG * (lin ? cfg.gBatchSize : 1);
    const optPre = ctx.optimizer("pretrain", makeOpt(lrPre));
    const optD = ctx.optimizer("D", makeOpt(lrD));
    const optG = ctx.optimizer("G", makeOpt(lrG));

    const dStep = async (
      dir: Direction,
      t: Triplets,
      idx: Uint32Array,
      opt: Optimizer,
      record: (terms: Record<string, number>) => void,
    ): Promise<void> => {
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
      try {
        const terms = trainStep(
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
            return { total, terms: { hinge } };
          },
          { optimizer: opt, variables: dVars },
        );
        record({ total: terms.total, [`hinge_${dir}`]: terms.hinge });
      } finally {
        tf.dispose([qT, xT]);
      }
      await ctx.tick();
    };

    const dEpoch = async (
      all: Record<Direction, Triplets>,
      batchSize: number,
      opt: Optimizer,
      record: (terms: Record<string, number>) => void,
    ): Promise<void> => {
      for (const dir of DIRECTIONS) {
        for (const idx of batchIndices(all[dir].query.length, { batchSize, rng }))
          await dStep(dir, all[dir], idx, opt, record);
      }
    };

    // 1. Discriminator pre-training: the paper's "Baseline" (own-pair positives, random non-pairs).
    await ctx.phase("pretrain", cfg.pretrainEpochs, async (ep) => {
      const all = {
        i2t: pairTriplets(n, cfg.pretrainSamples, rng),
        t2i: pairTriplets(n, cfg.pretrainSamples, rng),
      };
      await dEpoch(all, cfg.pretrainBatchSize, optPre, ep.record);
    });

    // 2. Adversarial training.
    const candidates = Math.min(n, Math.max(cfg.minCandidates, Math.ceil(n / cfg.candidateRatio)));
    await ctx.phase("train", cfg.epochs, async (ep) => {
      if (cfg.lrSchedule === "paper") {
        const f = lrFactor(cfg.lrSchedule, ep.epoch, scale);
        optD.lr = lrD * f;
        optG.lr = lrG * f;
      }
      // G (frozen) picks D's negatives.
      const hG = {
        image: relaxedCodes(G, "image", feats.image),
        text: relaxedCodes(G, "text", feats.text),
      };
      const all = {
        i2t: generatorTriplets(
          hG.image,
          hG.text,
          positives,
          cfg.bits,
          candidates,
          cfg.samplesPerQuery,
          rng,
        ),
        t2i: generatorTriplets(
          hG.text,
          hG.image,
          positives,
          cfg.bits,
          candidates,
          cfg.samplesPerQuery,
          rng,
        ),
      };
      for (let e = 0; e < cfg.dEpochs; e++) await dEpoch(all, cfg.batchSize, optD, ep.record);
      // D (frozen) rewards G's picks.
      const hD = {
        image: relaxedCodes(D, "image", feats.image),
        text: relaxedCodes(D, "text", feats.text),
      };
      for (let e = 0; e < cfg.gEpochs; e++) {
        for (const dir of DIRECTIONS) {
          const [qm, xm] = ENDS[dir];
          for (const qIdx of batchIndices(n, { batchSize: cfg.gBatchSize, rng })) {
            const b = qIdx.length;
            const shared = cfg.candidateSharing === "batch";
            const cand = new Int32Array(shared ? candidates : b * candidates);
            if (shared) cand.set(rng.choice(n, candidates));
            else for (let r = 0; r < b; r++) cand.set(rng.choice(n, candidates), r * candidates);
            const qT = rowsTensor(feats[qm], qIdx);
            const cT = rowsTensor(feats[xm], cand);
            let rewardSum = 0;
            try {
              const terms = trainStep(
                () => {
                  const hq = G.apply(qm, qT);
                  let hc: tf.Tensor = G.apply(xm, cT);
                  if (!shared) hc = tf.reshape(hc, [b, candidates, cfg.bits]);
                  const dist = candidateDistances(hq, hc);
                  const dv = dist.dataSync();
                  const k = cfg.samplesPerQuery;
                  const samples = new Int32Array(b * k);
                  const rewards = new Float32Array(b * k);
                  const logits = new Float64Array(candidates);
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
                  const reinforce = reinforceLoss(dist, samples, rewards, cfg.generatorLogProb);
                  const total = tf.add(
                    reinforce,
                    weightDecayTerm(gVars, cfg.weightDecay),
                  ) as tf.Scalar;
                  return { total, terms: { reinforce } };
                },
                { optimizer: optG, variables: gVars },
              );
              ep.record({
                [`g_${dir}`]: terms.reinforce,
                reward: rewardSum / (b * cfg.samplesPerQuery),
              });
            } finally {
              tf.dispose([qT, cT]);
            }
            await ctx.tick();
          }
        }
      }
    });
  }
}

/** Relaxed codes h(x) of every row of `m` (no gradient), as an n × l Float32Array. */
export function relaxedCodes(
  net: HashNet,
  modality: Modality,
  m: Matrix,
  batch = 2048,
): Float32Array {
  const bits = net.image.code.outFeatures;
  const out = new Float32Array(m.rows * bits);
  for (let s = 0; s < m.rows; s += batch) {
    const e = Math.min(m.rows, s + batch);
    const v = tidyData(() => net.apply(modality, sliceRowsTensor(m, s, e)));
    out.set(v, s * bits);
  }
  return out;
}

/** The positives of q in a random order (a fresh copy). */
function shuffledPositives(p: PositiveSets, q: number, rng: Rng): Int32Array {
  const out = p.items.slice(p.offsets[q], p.offsets[q + 1]);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** Pre-training triplets: each item's own pair as positive, a random non-pair as negative. */
export function pairTriplets(n: number, perQuery: number, rng: Rng): Triplets {
  const m = n * perQuery;
  const query = new Int32Array(m);
  const pos = new Int32Array(m);
  const neg = new Int32Array(m);
  for (let q = 0, r = 0; q < n; q++) {
    for (let s = 0; s < perQuery; s++, r++) {
      query[r] = q;
      pos[r] = q;
      let j = rng.int(n - 1);
      if (j >= q) j++;
      neg[r] = j;
    }
  }
  return { query, pos, neg };
}

/**
 * D's training triplets for one direction, picked by the (frozen) generator: for every query a
 * fresh candidate set C(q) of `candidates` random items; `perQuery` draws from softmax(−d_G)
 * restricted to non-positives (= the reference's redraw-until-not-positive); each paired with the
 * query's shuffled positives in turn. `hq`, `hx`: G's relaxed codes of the query / other modality.
 */
export function generatorTriplets(
  hq: Float32Array,
  hx: Float32Array,
  positives: PositiveSets,
  bits: number,
  candidates: number,
  perQuery: number,
  rng: Rng,
): Triplets {
  const n = positives.n;
  const query = new Int32Array(n * perQuery);
  const pos = new Int32Array(n * perQuery);
  const neg = new Int32Array(n * perQuery);
  const logits = new Float64Array(candidates);
  let r = 0;
  for (let q = 0; q < n; q++) {
    const npos = positives.offsets[q + 1] - positives.offsets[q];
    if (npos >= n) continue; // every item is a positive: no negative exists
    const cand = rng.choice(n, candidates);
    let any = false;
    for (let c = 0; c < candidates; c++) {
      const x = cand[c];
      if (isPositive(positives, q, x)) logits[c] = Number.NEGATIVE_INFINITY;
      else {
        logits[c] = -rowSqDist(hq, q, hx, x, bits);
        any = true;
      }
    }
    const ps = shuffledPositives(positives, q, rng);
    const draws = any ? sampleSoftmax(logits, perQuery, rng) : undefined;
    for (let s = 0; s < perQuery; s++, r++) {
      let x: number;
      if (draws) x = cand[draws[s]];
      else
        do x = rng.int(n);
        while (isPositive(positives, q, x));
      query[r] = q;
      pos[r] = ps[s % ps.length];
      neg[r] = x;
    }
  }
  return { query: query.subarray(0, r), pos: pos.subarray(0, r), neg: neg.subarray(0, r) };
}

/** Re-exported from `@cmh/tensor-core` (shared by every method with `epochScaleItems`). */
export { epochScale } from "@cmh/tensor-core";
