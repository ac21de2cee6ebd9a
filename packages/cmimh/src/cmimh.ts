import { type CrossModalSet, type Matrix, matrixProblem } from "@cmh/datasets";
import {
  BaseHasher,
  batchIndices,
  bernoulliSte,
  ConfigError,
  createOptimizer,
  type EpochContext,
  epochScale,
  type FitContext,
  fitPca,
  HasherError,
  type InputDims,
  type Modality,
  matrixTensor,
  type PaperRef,
  type ParamGroup,
  prefixWeights,
  type Rng,
  rowsTensor,
  stableSoftplus,
  tf,
  tidyData,
  type WeightValue,
} from "@cmh/tensor-core";
import { CMIMH_DEFAULTS, CMIMH_PRESETS, CMIMH_SCHEMA, type CMIMHConfig } from "./config";
import {
  balanceLoss,
  diagonalJsMi,
  reconstructionLoss,
  separableJsMi,
  symmetricKl,
  tcClassifierLoss,
  tcFromLogits,
} from "./losses";
import { buildNetworks, type CmimhNetworks, criticVariables, sampleCodes } from "./network";
import { permuteColumns } from "./permutation";

/** Step 1's outputs for a batch: logits z, probabilities p = σ(z), sampled codes b (reconstruction only). */
interface BatchForward {
  readonly zx: tf.Tensor;
  readonly zy: tf.Tensor;
  readonly px: tf.Tensor;
  readonly py: tf.Tensor;
  readonly bx?: tf.Tensor;
  readonly by?: tf.Tensor;
}

/**
 * CMIMH — Cross-Modal Info-Max Hashing (Hoang, Do, Nguyen, Cheung; IEEE TNNLS 2023). Unsupervised:
 * Bernoulli code layers per modality trained to maximise I(X;B_X) + I(Y;B_Y) (Gaussian decoders on
 * sampled codes) + λ_MI·I(B_X;B_Y) (Jensen-Shannon estimator with a separable critic on the
 * Bernoulli probabilities), with a weak symmetrised-KL modality-gap term, a total-correlation
 * regulariser (permutation classifier) and a balance term. Codes at inference: 1[σ(z) ≥ ½].
 */
export class CMIMH extends BaseHasher<CMIMHConfig> {
  /** Name in reports and the bench registry. */
  static readonly methodName: string = "CMIMH";
  /** The paper this implements. */
  static readonly paper: PaperRef = {
    title:
      "Multi-Modal Mutual Information Maximization: A Novel Approach for Unsupervised Deep Cross-Modal Hashing",
    authors: "Tuan Hoang, Thanh-Toan Do, Tam V. Nguyen, Ngai-Man Cheung",
    venue: "IEEE Transactions on Neural Networks and Learning Systems 34(9)",
    year: 2023,
    url: "https://arxiv.org/abs/2112.06489",
  };
  /** Unsupervised: labels in the training set are ignored. */
  static readonly supervised: boolean = false;
  /** The modalities it encodes. */
  static readonly inputs = ["image", "text"] as const;
  /** The config schema: validation, the options table and the bench's `--set` parsing. */
  static readonly schema = CMIMH_SCHEMA;
  /** The default config (the `paper` preset). */
  static readonly defaults: CMIMHConfig = CMIMH_DEFAULTS;
  /** Named configs (README "Presets"). */
  static readonly presets: Readonly<Record<string, Partial<CMIMHConfig>>> = CMIMH_PRESETS;
  /** Version recorded in saved models. */
  static readonly packageVersion: string = "0.1.0";
  /** The JS critic needs in-batch negatives: fit refuses fewer training pairs. */
  static readonly minTrainingRows = 2;
  /** Why `minTrainingRows` pairs are needed, for the error. */
  static readonly minTrainingRowsReason = "in-batch negatives";

  private nets?: CmimhNetworks;
  private pcaMean?: Float32Array;
  private pcaComponents?: Float32Array;

  /** Width of the image encoder's input (PCA dims when PCA is on). */
  private imageInput(dims: InputDims): number {
    const k = this.config.imagePcaDims;
    if (k === 0) return dims.image;
    if (k > dims.image)
      throw new ConfigError(
        `CMIMH: config.imagePcaDims (${k}) exceeds the image feature width ${dims.image}; use at most ${dims.image} or 0 (no PCA)`,
      );
    return k;
  }

  /** Allocate the PCA buffers (when on) and build every network for the fitted input widths. */
  protected build(dims: InputDims, rng: Rng): void {
    const c = this.config;
    const dx = this.imageInput(dims);
    if (c.imagePcaDims > 0) {
      this.pcaMean = new Float32Array(dims.image);
      this.pcaComponents = new Float32Array(c.imagePcaDims * dims.image);
    } else {
      this.pcaMean = undefined;
      this.pcaComponents = undefined;
    }
    this.nets = buildNetworks(c, { image: dx, text: dims.text }, rng);
  }

  private get n(): CmimhNetworks {
    return this.requireModel(this.nets);
  }

  /** What `save` writes: the encoders and the image PCA (all that `encode` needs). */
  protected weights(): Record<string, WeightValue> {
    const n = this.n;
    const out: Record<string, WeightValue> = prefixWeights({
      encImage: n.encImage,
      encText: n.encText,
    });
    if (this.pcaMean && this.pcaComponents) {
      out["pca.mean"] = this.pcaMean;
      out["pca.components"] = this.pcaComponents;
    }
    return out;
  }

  /** What a checkpoint adds to `weights()`: decoders, critic and TC classifiers. */
  protected override trainingState(): Record<string, WeightValue> {
    const n = this.n;
    const out: Record<string, WeightValue> = prefixWeights({
      decImage: n.decImage,
      decText: n.decText,
      ...(n.criticImage && n.criticText
        ? { criticImage: n.criticImage, criticText: n.criticText }
        : {}),
      tcImage: n.tcImage,
      tcText: n.tcText,
    });
    if (n.criticDiag) {
      out["criticDiag.rawWeight"] = n.criticDiag.rawWeight;
      out["criticDiag.bias"] = n.criticDiag.bias;
    }
    return out;
  }

  /** Epochs for the progress ETA: `epochs` × the `epochScaleItems` multiplier. */
  protected override totalEpochs(rows: number): number {
    return this.config.epochs * epochScale(this.config.epochScaleItems, rows);
  }

  /** Fit the optional image PCA on the training rows and return the projected training images. */
  private fitImagePca(image: Matrix): Matrix {
    const k = this.config.imagePcaDims;
    if (k === 0 || !this.pcaMean || !this.pcaComponents) return image;
    if (k > image.rows)
      throw new ConfigError(
        `CMIMH: config.imagePcaDims (${k}) exceeds the number of training rows ${image.rows}`,
      );
    const model = fitPca(image, k);
    this.pcaMean.set(model.mean);
    this.pcaComponents.set(model.components.data);
    const out = tidyData(() => this.applyPca(matrixTensor(image)));
    return { rows: image.rows, cols: k, data: Float32Array.from(out) };
  }

  /** Project image rows with the fitted PCA (identity when PCA is off). */
  private applyPca(x: tf.Tensor): tf.Tensor {
    if (!this.pcaMean || !this.pcaComponents) return x;
    const d = this.pcaMean.length;
    const k = this.pcaComponents.length / d;
    return tf.tidy(() =>
      tf.matMul(
        tf.sub(x, tf.tensor2d(this.pcaMean as Float32Array, [1, d])),
        tf.tensor2d(this.pcaComponents as Float32Array, [k, d]),
        false,
        true,
      ),
    );
  }

  /**
   * The fit (spec §4.1, one iteration per mini-batch): (1) encode the batch, (2) one step on the
   * encoders, decoders and critic with the total loss, (3) one step on the TC classifiers.
   */
  protected async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
    const c = this.config;
    const image = this.fitImagePca(train.image);
    const text = train.text;
    const groups = this.paramGroups(ctx);
    const rows = image.rows; // at least `minTrainingRows` (2), checked by fit
    const batchSize = Math.min(c.batchSize, rows);
    const epochs = c.epochs * epochScale(c.epochScaleItems, rows);
    await ctx.phase("train", epochs, async (epoch) => {
      const lambdaKL = this.klWeight(epoch.epoch);
      for (const idx of batchIndices(rows, { batchSize, rng: ctx.rng, dropLast: true })) {
        const x = rowsTensor(image, idx);
        const y = rowsTensor(text, idx);
        try {
          const probs = await this.encoderStep(epoch, x, y, lambdaKL, groups.main, ctx.rng);
          if (probs) await this.classifierStep(epoch, probs, groups.classifier, ctx.rng);
        } finally {
          tf.dispose([x, y]);
        }
      }
    });
  }

  /**
   * The optimisers (SGD with momentum, or Adam; weight decay on both): encoders + critic at `lr`,
   * decoders at `lrDecoder` (step 2), TC classifiers at `lr` (step 3).
   */
  private paramGroups(ctx: FitContext): FitGroups {
    const c = this.config;
    const n = this.n;
    const make = (lr: number) =>
      createOptimizer(c.optimizer, { lr, momentum: c.momentum, weightDecay: c.weightDecay });
    const mainOpt = ctx.optimizer("main", make(c.lr));
    const decOpt = ctx.optimizer("decoders", make(c.lrDecoder));
    const tcOpt = ctx.optimizer("tc", make(c.lr));
    const mainVars = [
      ...n.encImage.trainableVariables(),
      ...n.encText.trainableVariables(),
      ...(c.useCrossMI ? criticVariables(n) : []),
    ];
    const decVars = c.useReconstruction
      ? [...n.decImage.trainableVariables(), ...n.decText.trainableVariables()]
      : [];
    const tcVars = [...n.tcImage.trainableVariables(), ...n.tcText.trainableVariables()];
    const main: ParamGroup[] = [{ optimizer: mainOpt, variables: mainVars }];
    if (decVars.length) main.push({ optimizer: decOpt, variables: decVars });
    return { main, classifier: { optimizer: tcOpt, variables: tcVars } };
  }

  /** λ_KL at a 0-based epoch: constant (the paper), or ramped linearly over `klWarmupEpochs`. */
  private klWeight(epoch: number): number {
    const c = this.config;
    return c.klWarmupEpochs > 0 ? c.lambdaKL * Math.min(1, epoch / c.klWarmupEpochs) : c.lambdaKL;
  }

  /**
   * Step 1: logits z = E(·) and probabilities p = σ(z) of both modalities; with the reconstruction
   * on, codes b sampled with fresh logistic noise (straight-through gradient), image then text.
   */
  private forward(x: tf.Tensor, y: tf.Tensor, rng: Rng): BatchForward {
    const c = this.config;
    const n = this.n;
    const zx = n.encImage.apply(x, true);
    const zy = n.encText.apply(y, true);
    const px = tf.sigmoid(zx);
    const py = tf.sigmoid(zy);
    if (!c.useReconstruction) return { zx, zy, px, py };
    const bx = sampleCodes(zx, c.steGradient, rng);
    const by = sampleCodes(zy, c.steGradient, rng);
    return { zx, zy, px, py, bx, by };
  }

  /**
   * Step 2's loss (paper eq. 14): L_rec − λ_MI·Î_JS + λ_KL·L_SKL + λ_TC·(TC_x + TC_y) + λ_bal·L_bal,
   * each term also returned for the log. The TC classifiers are frozen here (not in the groups).
   */
  private objective(
    x: tf.Tensor,
    y: tf.Tensor,
    f: BatchForward,
    lambdaKL: number,
    rng: Rng,
  ): { total: tf.Scalar; terms: Record<string, tf.Scalar> } {
    const c = this.config;
    const n = this.n;
    const terms: Record<string, tf.Scalar> = {};
    const parts: tf.Scalar[] = [];
    if (f.bx && f.by) {
      // I(X;B_X) + I(Y;B_Y): Gaussian decoders on the sampled codes.
      terms.recImage = reconstructionLoss(x, n.decImage.apply(f.bx, true), c.reconReduction);
      terms.recText = reconstructionLoss(y, n.decText.apply(f.by, true), c.reconReduction);
      parts.push(terms.recImage, terms.recText);
    }
    if (c.useCrossMI) {
      // I(B_X;B_Y): JS estimator; the critic sees probabilities (no STE on this path).
      const samples = c.criticInput === "samples";
      const cross = this.crossModalMi(
        samples ? bernoulliSte(f.zx, rng) : f.px,
        samples ? bernoulliSte(f.zy, rng) : f.py,
      );
      terms.mi = cross.mi;
      if (cross.criticWeight) terms.criticWeight = cross.criticWeight;
      parts.push(tf.mul(terms.mi, -c.lambdaMI) as tf.Scalar);
    }
    if (c.useKL) {
      terms.skl = symmetricKl(f.zx, f.zy);
      parts.push(tf.mul(terms.skl, lambdaKL) as tf.Scalar);
    }
    if (c.useTC) {
      terms.tcImage = tcFromLogits(n.tcImage.apply(f.px, true));
      terms.tcText = tcFromLogits(n.tcText.apply(f.py, true));
      parts.push(tf.mul(tf.add(terms.tcImage, terms.tcText), c.lambdaTC) as tf.Scalar);
    }
    if (c.useBalance) {
      terms.balance = tf.add(balanceLoss(f.px), balanceLoss(f.py)) as tf.Scalar;
      parts.push(tf.mul(terms.balance, c.lambdaBal) as tf.Scalar);
    }
    return { total: tf.addN(parts) as tf.Scalar, terms };
  }

  /**
   * Jensen-Shannon estimate of I(B_X;B_Y) from the critic inputs of a batch [n, b] each, and (for
   * the bit-aligned critic) the mean critic weight, logged as a training term.
   */
  private crossModalMi(cx: tf.Tensor, cy: tf.Tensor): { mi: tf.Scalar; criticWeight?: tf.Scalar } {
    const n = this.n;
    if (n.criticDiag) {
      const { rawWeight, bias } = n.criticDiag;
      const w = stableSoftplus(rawWeight);
      const wb = w.size === 1 ? tf.tile(w, [this.config.bits]) : w;
      return { mi: diagonalJsMi(cx, cy, wb, bias).mi, criticWeight: tf.mean(w) as tf.Scalar };
    }
    const g = this.requireModel(n.criticImage, "critic");
    const h = this.requireModel(n.criticText, "critic");
    return { mi: separableJsMi(g.apply(cx, true), h.apply(cy, true)).mi };
  }

  /**
   * Step 2: one optimisation step on the encoders, decoders and critic. Returns the batch's
   * probabilities (kept, for step 3) when the TC term is on, else undefined.
   */
  private async encoderStep(
    epoch: EpochContext,
    x: tf.Tensor,
    y: tf.Tensor,
    lambdaKL: number,
    groups: readonly ParamGroup[],
    rng: Rng,
  ): Promise<[tf.Tensor, tf.Tensor] | undefined> {
    let kept: [tf.Tensor, tf.Tensor] | undefined;
    try {
      await epoch.step(() => {
        const f = this.forward(x, y, rng);
        const loss = this.objective(x, y, f, lambdaKL, rng);
        if (this.config.useTC) kept = [tf.keep(f.px.clone()), tf.keep(f.py.clone())];
        return loss;
      }, groups);
    } catch (e) {
      if (kept) tf.dispose(kept);
      throw e;
    }
    return kept;
  }

  /**
   * Step 3: one optimisation step on the TC classifiers D_x, D_y: the batch's detached
   * probabilities (label 1) against per-column permutations (label 0, product of marginals).
   * Disposes `probs`.
   */
  private async classifierStep(
    epoch: EpochContext,
    probs: [tf.Tensor, tf.Tensor],
    group: ParamGroup,
    rng: Rng,
  ): Promise<void> {
    const n = this.n;
    const [realX, realY] = probs;
    const permX = permuteColumns(realX, rng);
    const permY = permuteColumns(realY, rng);
    try {
      await epoch.step(
        () =>
          tf.add(
            tcClassifierLoss(n.tcImage.apply(realX, true), n.tcImage.apply(permX, true)),
            tcClassifierLoss(n.tcText.apply(realY, true), n.tcText.apply(permY, true)),
          ) as tf.Scalar,
        group,
        { name: "tcClassifier" },
      );
    } finally {
      tf.dispose([permX, permY, realX, realY]);
    }
  }

  /** Logits z of one modality (bit = 1 where z ≥ 0, i.e. σ(z) ≥ ½), deterministic. */
  protected project(modality: Modality, x: Matrix): tf.Tensor {
    const n = this.n;
    const t = matrixTensor(x);
    return modality === "image"
      ? n.encImage.apply(this.applyPca(t), false)
      : n.encText.apply(t, false);
  }

  /**
   * Bernoulli probabilities σ(E(x)) of one modality for rows of features (after fit/load); a
   * diagnostic (codes are `encode`). Returns a Matrix [rows, bits].
   */
  probabilities(modality: Modality, x: Matrix): Matrix {
    if (!this.fitted || !this.dims)
      throw new HasherError("CMIMH is not fitted: call fit(train) or CMIMH.load(dir) first");
    const problem = matrixProblem(x);
    if (problem) throw new HasherError(`CMIMH.probabilities(${modality}): ${problem.message}`);
    const want = this.dims[modality];
    if (x.cols !== want)
      throw new HasherError(
        `CMIMH.probabilities(${modality}): input has ${x.cols} columns, the model was fitted on ${want}`,
      );
    const staged = this.prepareInput(modality, x);
    const data = tidyData(() => tf.sigmoid(this.project(modality, staged)));
    return { rows: x.rows, cols: this.config.bits, data: Float32Array.from(data) };
  }
}

/** The optimisers of one fit: step 2's groups (encoders + critic, decoders) and step 3's (TC classifiers). */
interface FitGroups {
  readonly main: readonly ParamGroup[];
  readonly classifier: ParamGroup;
}
