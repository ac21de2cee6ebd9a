import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  Adam,
  BaseHasher,
  batchIndices,
  type FitContext,
  type InputDims,
  type Modality,
  matrixTensor,
  type PaperRef,
  type ParamGroup,
  type Rng,
  rowsTensor,
  signPm1,
  stepLr,
  tf,
  trainStep,
  type WeightValue,
} from "@cmh/tensor-core";
import { UCH_DEFAULTS, UCH_PRESETS, type UCHConfig, validateUCHConfig } from "./config";
import { UCHNetworks } from "./network";
import {
  innerDiscriminatorLoss,
  innerGeneratorLoss,
  outerDiscriminatorLoss,
  outerGeneratorLoss,
} from "./steps";

/** Collapse monitors computed on one batch (spec §9.2). */
export interface CollapseMonitor {
  /** Mean per-dimension variance of F^T, Z^T and H^T over the batch. */
  readonly varFT: number;
  readonly varZ: number;
  readonly varH: number;
  /** Paired distance of Z and of H relative to their spread: mean ||x^I−x^T||² / (Σvar x^I + Σvar x^T); ≈1 unaligned, →0 aligned. */
  readonly alignZ: number;
  readonly alignH: number;
  /** Share of distinct text codes in the batch. */
  readonly distinctCodes: number;
  /** Largest |per-bit mean| of the batch's text codes sign(H^T) (1 = a constant bit). */
  readonly maxBitMean: number;
}

function meanVariance(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.moments(x, 0).variance) as tf.Scalar);
}

/**
 * UCH (Li et al., AAAI 2019), feature variant "UCH-feat": an outer CycleGAN translates image
 * features and text embeddings into each other through a common space Z, an inner CycleGAN
 * translates Z^I and Z^T through K-unit tanh hash layers H, and codes are sign(H). Trained with
 * the four alternating updates of the paper (D^f, E+G^f, D^z, G^z); unsupervised.
 */
export class UCH extends BaseHasher<UCHConfig> {
  static readonly methodName: string = "UCH";
  static readonly paper: PaperRef = {
    title: "Coupled CycleGAN: Unsupervised Hashing Network for Cross-Modal Retrieval",
    authors: "Chao Li, Cheng Deng, Lei Wang, De Xie, Xianglong Liu",
    venue: "AAAI",
    year: 2019,
  };
  static readonly supervised: boolean = false;
  static readonly inputs = ["image", "text"] as const;
  static readonly defaults: UCHConfig = UCH_DEFAULTS;
  static readonly presets: Record<string, Partial<UCHConfig>> = UCH_PRESETS;

  /** Extra config checks, run after the base's type and range checks. */
  static validateConfig(c: UCHConfig): void {
    validateUCHConfig(c);
  }

  private nets?: UCHNetworks;
  /** Per-modality training means of H (zeros unless `centerCodes`). */
  private centers?: { image: Float32Array; text: Float32Array };

  /** The trained networks (for inspection; throws before fit/load). */
  get networks(): UCHNetworks {
    if (!this.nets) throw new Error("UCH: model not built (call fit or load first)");
    return this.nets;
  }

  protected build(dims: InputDims, rng: Rng): void {
    this.nets?.dispose();
    this.nets = new UCHNetworks(dims, this.config, rng);
    this.centers = {
      image: new Float32Array(this.config.bits),
      text: new Float32Array(this.config.bits),
    };
  }

  protected weights(): Record<string, WeightValue> {
    const w: Record<string, WeightValue> = { ...this.networks.namedWeights() };
    if (this.config.centerCodes && this.centers) {
      w["center.image"] = this.centers.image;
      w["center.text"] = this.centers.text;
    }
    return w;
  }

  protected override extra(): unknown {
    return { imageOutputRelu: this.networks.imageOutputRelu };
  }

  protected override restoreExtra(extra: unknown): void {
    const e = extra as { imageOutputRelu?: boolean } | undefined;
    if (this.nets && typeof e?.imageOutputRelu === "boolean")
      this.nets.imageOutputRelu = e.imageOutputRelu;
  }

  protected override totalEpochs(): number {
    return this.config.warmupEpochs + this.config.epochs;
  }

  protected async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
    const c = this.config;
    const nets = this.networks;
    if (train.image.rows < 2)
      throw new RangeError(
        `UCH: fit needs at least 2 training pairs (batch statistics), got ${train.image.rows}`,
      );
    if (c.imageOutputActivation === "auto") {
      // relu only when the features fed to the network (after the input stage) are non-negative,
      // e.g. raw post-ReLU fc7.
      let min = Number.POSITIVE_INFINITY;
      for (const x of train.image.data) if (x < min) min = x;
      nets.imageOutputRelu = min >= 0;
    }
    const adam = (lr: number) => new Adam({ lr, weightDecay: c.weightDecay });
    const optDf = ctx.optimizer("df", adam(c.lr));
    const optG = ctx.optimizer("gf", adam(c.lr));
    const optEI = ctx.optimizer("ei", adam(c.lrImageEncoder));
    const optDz = ctx.optimizer("dz", adam(c.lr));
    const optGz = ctx.optimizer("gz", adam(c.lr));
    const eiVars = nets.imageEncoder?.trainableVariables() ?? [];
    const outerGroups: ParamGroup[] = [
      {
        optimizer: optG,
        variables: nets.outerGeneratorVariables().filter((v) => !eiVars.includes(v)),
      },
    ];
    if (eiVars.length > 0) outerGroups.push({ optimizer: optEI, variables: eiVars });
    const dfGroup = { optimizer: optDf, variables: nets.outerDiscriminatorVariables() };
    const dzGroup = { optimizer: optDz, variables: nets.innerDiscriminatorVariables() };
    const gzGroup = { optimizer: optGz, variables: nets.innerGeneratorVariables() };
    const schedule = c.lrStepEvery > 0 ? stepLr(1, c.lrStepEvery, c.lrGamma) : () => 1;
    const n = train.image.rows;
    const batchSize = Math.min(c.batchSize, n);
    const named = (prefix: string, r: Record<string, number>) => {
      const out: Record<string, number> = {};
      for (const [k, v] of Object.entries(r)) out[k === "total" ? prefix : k] = v;
      return out;
    };
    const runEpoch = async (
      epoch: { record(t: Record<string, number>): void; tick(): Promise<void> },
      inner: boolean,
    ) => {
      const batches = batchIndices(n, { batchSize, rng: ctx.rng, dropLast: n > batchSize });
      for (let b = 0; b < batches.length; b++) {
        await epoch.tick();
        const v = rowsTensor(train.image, batches[b]);
        const t = rowsTensor(train.text, batches[b]);
        try {
          const terms: Record<string, number> = {};
          // (16) D^f; (17) E + G^f on L_f; (18) D^z; (19) G^z on L_z.
          Object.assign(
            terms,
            named(
              "Df",
              trainStep(() => outerDiscriminatorLoss(nets, v, t), dfGroup),
            ),
          );
          Object.assign(
            terms,
            named(
              "Lf",
              trainStep(() => outerGeneratorLoss(nets, v, t, c), outerGroups),
            ),
          );
          if (inner) {
            Object.assign(
              terms,
              named(
                "Dz",
                trainStep(() => innerDiscriminatorLoss(nets, v, t), dzGroup),
              ),
            );
            Object.assign(
              terms,
              named(
                "Lz",
                trainStep(() => innerGeneratorLoss(nets, v, t, c), gzGroup),
              ),
            );
          }
          terms.total = terms.Lf + (terms.Lz ?? 0);
          epoch.record(terms);
          if (b === batches.length - 1 && inner) {
            const m = this.monitor(v, t);
            epoch.record({ ...m });
          }
        } finally {
          tf.dispose([v, t]);
        }
      }
    };
    const setLr = (epoch: number) => {
      const f = schedule(epoch);
      optDf.lr = optG.lr = optDz.lr = optGz.lr = c.lr * f;
      optEI.lr = c.lrImageEncoder * f;
    };
    if (c.warmupEpochs > 0) {
      await ctx.phase("warmup", c.warmupEpochs, async (epoch) => {
        setLr(0);
        await runEpoch(epoch, false);
      });
    }
    await ctx.phase("train", c.epochs, async (epoch) => {
      setLr(epoch.epoch);
      await runEpoch(epoch, true);
    });
    if (c.centerCodes && this.centers) {
      for (const mod of ["image", "text"] as const) {
        const m = train[mod];
        const sum = new Float64Array(c.bits);
        for (let r = 0; r < m.rows; r += 2048) {
          const idx = Array.from({ length: Math.min(2048, m.rows - r) }, (_, i) => r + i);
          const h = tf.tidy(() => nets.hash(mod, rowsTensor(m, idx)));
          const d = h.dataSync();
          h.dispose();
          for (let i = 0; i < d.length; i++) sum[i % c.bits] += d[i];
          await ctx.tick();
        }
        for (let k = 0; k < c.bits; k++) this.centers[mod][k] = sum[k] / m.rows;
      }
    }
  }

  /** Collapse monitors (per-dimension variance of F^T, Z, H; per-bit code mean) on a batch. */
  monitor(v: tf.Tensor, t: tf.Tensor): CollapseMonitor {
    const nets = this.networks;
    const vals = tf.tidy(() => {
      const ft = nets.textFeatures(t);
      const zt = nets.gfTI.enc.apply(ft);
      const ht = nets.gzTI.enc.apply(zt);
      const zi = nets.common("image", v);
      const hi = nets.gzIT.enc.apply(zi);
      const bitMean = tf.max(tf.abs(tf.mean(signPm1(ht), 0)));
      const align = (a: tf.Tensor, b: tf.Tensor) =>
        tf.div(
          tf.mean(tf.sum(tf.square(tf.sub(a, b)), 1)),
          tf.add(
            tf.add(tf.sum(tf.moments(a, 0).variance), tf.sum(tf.moments(b, 0).variance)),
            1e-12,
          ),
        );
      return tf.stack([
        meanVariance(ft),
        tf.mul(tf.add(meanVariance(zt), meanVariance(zi)), 0.5),
        meanVariance(ht),
        bitMean,
        align(zi, zt),
        align(hi, ht),
      ]);
    });
    const [varFT, varZ, varH, maxBitMean, alignZ, alignH] = Array.from(vals.dataSync());
    vals.dispose();
    const codes = tf.tidy(() => tf.cast(tf.greaterEqual(nets.hash("text", t), 0), "int32"));
    const bits = codes.dataSync();
    const K = codes.shape[1] ?? 1;
    codes.dispose();
    const seen = new Set<string>();
    for (let i = 0; i < bits.length / K; i++) seen.add(bits.subarray(i * K, (i + 1) * K).join(""));
    const distinctCodes = seen.size / (bits.length / K);
    return { varFT, varZ, varH, maxBitMean, alignZ, alignH, distinctCodes };
  }

  protected project(modality: Modality, x: Matrix): tf.Tensor {
    const nets = this.networks;
    return tf.tidy(() => {
      const h = nets.hash(modality, matrixTensor(x));
      if (!this.config.centerCodes || !this.centers) return h;
      return tf.sub(h, tf.tensor1d(this.centers[modality]));
    });
  }
}
