import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  Adam,
  BaseHasher,
  batchIndices,
  type EpochContext,
  epochScale,
  type FitContext,
  type InputDims,
  type Modality,
  matrixTensor,
  type PaperRef,
  type ParamGroup,
  type Rng,
  rowsTensor,
  stepLr,
  tf,
  type WeightValue,
} from "@cmh/tensor-core";
import { UCH_DEFAULTS, UCH_PRESETS, UCH_SCHEMA, type UCHConfig } from "./config";
import {
  innerDiscriminatorLoss,
  innerGeneratorLoss,
  outerDiscriminatorLoss,
  outerGeneratorLoss,
} from "./losses";
import { type CollapseMonitor, collapseMonitor } from "./monitor";
import { UCHNetworks } from "./network";

/** The optimisers and parameter groups of the four alternating updates (spec §5). */
interface AlternatingUpdates {
  /** Step (16): D^f_I, D^f_T. */
  readonly df: ParamGroup;
  /** Step (17): E_T, G^f_{I→T}, G^f_{T→I}, and E_I when it is trainable (its own learning rate). */
  readonly gf: ParamGroup[];
  /** Step (18): D^z_I, D^z_T. */
  readonly dz: ParamGroup;
  /** Step (19): G^z_{I→T}, G^z_{T→I}, hash layers included. */
  readonly gz: ParamGroup;
  /** Set every learning rate for an epoch of the step-decay schedule. */
  setEpoch(epoch: number): void;
}

/** Adam per parameter group, registered with the fit (checkpointed and disposed by the base). */
function createUpdates(nets: UCHNetworks, c: UCHConfig, ctx: FitContext): AlternatingUpdates {
  const adam = (lr: number) => new Adam({ lr, weightDecay: c.weightDecay });
  const optDf = ctx.optimizer("df", adam(c.lr));
  const optG = ctx.optimizer("gf", adam(c.lr));
  const optEI = ctx.optimizer("ei", adam(c.lrImageEncoder));
  const optDz = ctx.optimizer("dz", adam(c.lr));
  const optGz = ctx.optimizer("gz", adam(c.lr));
  const eiVars = nets.imageEncoder?.trainableVariables() ?? [];
  const gf: ParamGroup[] = [
    {
      optimizer: optG,
      variables: nets.outerGeneratorVariables().filter((v) => !eiVars.includes(v)),
    },
  ];
  if (eiVars.length > 0) gf.push({ optimizer: optEI, variables: eiVars });
  const schedule = c.lrStepEvery > 0 ? stepLr(1, c.lrStepEvery, c.lrGamma) : () => 1;
  return {
    df: { optimizer: optDf, variables: nets.outerDiscriminatorVariables() },
    gf,
    dz: { optimizer: optDz, variables: nets.innerDiscriminatorVariables() },
    gz: { optimizer: optGz, variables: nets.innerGeneratorVariables() },
    setEpoch(epoch) {
      const f = schedule(epoch);
      optDf.lr = optG.lr = optDz.lr = optGz.lr = c.lr * f;
      optEI.lr = c.lrImageEncoder * f;
    },
  };
}

/** What each of steps (16)–(19) needs: the epoch, the networks, the config, the updates, the batch. */
interface StepInput {
  readonly epoch: EpochContext;
  readonly nets: UCHNetworks;
  readonly c: UCHConfig;
  readonly u: AlternatingUpdates;
  /** Image and text rows of the mini-batch. */
  readonly v: tf.Tensor;
  readonly t: tf.Tensor;
}

/** Step (16): update D^f on the outer discriminators' BCE; recorded as `Df`, `Df.dfI`, `Df.dfT`. */
const outerDiscriminatorStep = ({ epoch, nets, u, v, t }: StepInput) =>
  epoch.step(() => outerDiscriminatorLoss(nets, v, t), u.df, { name: "Df" });

/** Step (17): update E and G^f by minimising L_f (eq. 8); recorded as `Lf` and `Lf.<term>`. */
const outerGeneratorStep = ({ epoch, nets, c, u, v, t }: StepInput) =>
  epoch.step(() => outerGeneratorLoss(nets, v, t, c), u.gf, { name: "Lf" });

/** Step (18): update D^z on the inner discriminators' BCE; recorded as `Dz`, `Dz.dzI`, `Dz.dzT`. */
const innerDiscriminatorStep = ({ epoch, nets, u, v, t }: StepInput) =>
  epoch.step(() => innerDiscriminatorLoss(nets, v, t), u.dz, { name: "Dz" });

/** Step (19): update G^z by minimising L_z (eq. 14), Z held fixed; recorded as `Lz` and `Lz.<term>`. */
const innerGeneratorStep = ({ epoch, nets, c, u, v, t }: StepInput) =>
  epoch.step(() => innerGeneratorLoss(nets, v, t, c), u.gz, { name: "Lz" });

/**
 * One iteration of the paper's alternating loop on a mini-batch: steps (16)–(19), or (16)–(17)
 * only during the outer-cycle warm-up; records `total` = L_f + L_z.
 */
async function alternatingUpdate(s: StepInput, withInnerCycle: boolean): Promise<void> {
  await outerDiscriminatorStep(s);
  const lf = await outerGeneratorStep(s);
  let lz = 0;
  if (withInnerCycle) {
    await innerDiscriminatorStep(s);
    lz = (await innerGeneratorStep(s)).total;
  }
  s.epoch.record({ total: lf.total + lz });
}

/** The epoch's mini-batches: a fresh permutation, batches of `batchSize` (the last short one dropped). */
function miniBatches(n: number, batchSize: number, rng: Rng): Uint32Array[] {
  const size = Math.min(batchSize, n);
  return batchIndices(n, { batchSize: size, rng, dropLast: n > size });
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
  static readonly schema = UCH_SCHEMA;
  static readonly defaults: Readonly<UCHConfig> = UCH_DEFAULTS;
  static readonly presets: Readonly<Record<string, Partial<UCHConfig>>> = UCH_PRESETS;
  /** The variance, covariance and balance terms need batch statistics: fit refuses fewer pairs. */
  static readonly minTrainingRows = 2;
  static readonly minTrainingRowsReason = "batch statistics";

  private nets?: UCHNetworks;
  /** Per-modality training means of H (zeros unless `centerCodes`). */
  private centers?: { image: Float32Array; text: Float32Array };

  /** The trained networks (for inspection; throws before fit/load). */
  get networks(): UCHNetworks {
    return this.requireModel(this.nets);
  }

  /** Build the networks for the input widths (draws every initial weight from `rng`). */
  protected build(dims: InputDims, rng: Rng): void {
    this.nets?.dispose();
    this.nets = new UCHNetworks(dims, this.config, rng);
    this.centers = {
      image: new Float32Array(this.config.bits),
      text: new Float32Array(this.config.bits),
    };
  }

  /** Every weight under a stable name, plus the bit centres when `centerCodes` is set. */
  protected weights(): Record<string, WeightValue> {
    const w: Record<string, WeightValue> = { ...this.networks.namedWeights() };
    if (this.config.centerCodes && this.centers) {
      w["center.image"] = this.centers.image;
      w["center.text"] = this.centers.text;
    }
    return w;
  }

  /** What the saved model needs besides weights: the resolved image output activation. */
  protected override extra(): unknown {
    return { imageOutputRelu: this.networks.imageOutputRelu };
  }

  /** Restore what `extra` saved. */
  protected override restoreExtra(extra: unknown): void {
    const e = extra as { imageOutputRelu?: boolean } | undefined;
    if (this.nets && typeof e?.imageOutputRelu === "boolean")
      this.nets.imageOutputRelu = e.imageOutputRelu;
  }

  /** Warm-up and joint epochs × the `epochScaleItems` multiplier, for the progress ETA. */
  protected override totalEpochs(rows: number): number {
    return (
      (this.config.warmupEpochs + this.config.epochs) *
      epochScale(this.config.epochScaleItems, rows)
    );
  }

  /**
   * The paper's training (spec §5): optionally warm up the outer cycle alone (steps 16–17), then
   * run steps (16)–(19) on every mini-batch of every epoch; bit centres after training when
   * `centerCodes` is set.
   */
  protected async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
    const c = this.config;
    this.resolveImageOutputActivation(train.image);
    const updates = createUpdates(this.networks, c, ctx);
    const scale = epochScale(c.epochScaleItems, train.image.rows);
    if (c.warmupEpochs > 0) {
      await ctx.phase("warmup", c.warmupEpochs * scale, async (epoch) => {
        updates.setEpoch(0);
        await this.trainEpoch(train, epoch, ctx.rng, updates, false);
      });
    }
    await ctx.phase("train", c.epochs * scale, async (epoch) => {
      updates.setEpoch(Math.floor(epoch.epoch / scale));
      await this.trainEpoch(train, epoch, ctx.rng, updates, true);
    });
    if (c.centerCodes) await this.fitCodeCentres(train, ctx);
  }

  /** One epoch: the alternating update on every mini-batch; collapse monitors on the last one. */
  private async trainEpoch(
    train: CrossModalSet,
    epoch: EpochContext,
    rng: Rng,
    updates: AlternatingUpdates,
    withInnerCycle: boolean,
  ): Promise<void> {
    const batches = miniBatches(train.image.rows, this.config.batchSize, rng);
    for (let b = 0; b < batches.length; b++) {
      const v = rowsTensor(train.image, batches[b]);
      const t = rowsTensor(train.text, batches[b]);
      try {
        const step = { epoch, nets: this.networks, c: this.config, u: updates, v, t };
        await alternatingUpdate(step, withInnerCycle);
        if (withInnerCycle && b === batches.length - 1) epoch.record({ ...this.monitor(v, t) });
      } finally {
        tf.dispose([v, t]);
      }
    }
  }

  /** `imageOutputActivation: "auto"`: ReLU on F̂^I only when the (input-staged) image features are non-negative, e.g. raw post-ReLU fc7. */
  private resolveImageOutputActivation(image: Matrix): void {
    if (this.config.imageOutputActivation !== "auto") return;
    let min = Number.POSITIVE_INFINITY;
    for (const x of image.data) if (x < min) min = x;
    this.networks.imageOutputRelu = min >= 0;
  }

  /** Bit centring (`centerCodes`, not in the paper): each modality's mean H over the training rows. */
  private async fitCodeCentres(train: CrossModalSet, ctx: FitContext): Promise<void> {
    const c = this.config;
    const nets = this.networks;
    if (!this.centers) return;
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

  /** Collapse monitors (per-dimension variance of F^T, Z, H; per-bit code mean) on a batch. */
  monitor(v: tf.Tensor, t: tf.Tensor): CollapseMonitor {
    return collapseMonitor(this.networks, v, t);
  }

  /** The hash-layer output H of a modality (minus the bit centre when `centerCodes`); the base takes its sign. */
  protected project(modality: Modality, x: Matrix): tf.Tensor {
    const nets = this.networks;
    return tf.tidy(() => {
      const h = nets.hash(modality, matrixTensor(x));
      if (!this.config.centerCodes || !this.centers) return h;
      return tf.sub(h, tf.tensor1d(this.centers[modality]));
    });
  }
}
