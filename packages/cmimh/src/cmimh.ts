import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  Adam,
  BaseHasher,
  batchIndices,
  bernoulliSte,
  epochScale,
  type FitContext,
  fitPca,
  HasherError,
  type InputDims,
  Mlp,
  type Modality,
  matrixTensor,
  type Optimizer,
  type PaperRef,
  prefixWeights,
  type Rng,
  rowsTensor,
  Sgd,
  stableSoftplus,
  tf,
  tidyData,
  trainStep,
  type WeightValue,
} from "@cmh/tensor-core";
import { CMIMH_DEFAULTS, CMIMH_PRESETS, type CMIMHConfig, validateCMIMHConfig } from "./config";
import {
  balanceLoss,
  diagonalJsMi,
  permuteColumns,
  reconstructionLoss,
  separableJsMi,
  sigmoidScaledGrad,
  symmetricKl,
  tcClassifierLoss,
  tcFromLogits,
} from "./losses";

interface Nets {
  encImage: Mlp;
  encText: Mlp;
  decImage: Mlp;
  decText: Mlp;
  /** Separable critic towers g, h (criticForm "separable"). */
  criticImage?: Mlp;
  criticText?: Mlp;
  /** Bit-aligned critic (criticForm "diagonal" | "hamming"): raw weights ω (w = softplus(ω)) and bias β. */
  criticDiag?: { rawWeight: tf.Variable; bias: tf.Variable };
  tcImage: Mlp;
  tcText: Mlp;
}

/** ω with softplus(ω) = 1: the bit-aligned critic starts with unit weights. */
const SOFTPLUS_INV_1 = Math.log(Math.E - 1);

/**
 * CMIMH — Cross-Modal Info-Max Hashing (Hoang, Do, Nguyen, Cheung; IEEE TNNLS 2023). Unsupervised:
 * Bernoulli code layers per modality trained to maximise I(X;B_X) + I(Y;B_Y) (Gaussian decoders on
 * sampled codes) + λ_MI·I(B_X;B_Y) (Jensen-Shannon estimator with a separable critic on the
 * Bernoulli probabilities), with a weak symmetrised-KL modality-gap term, a total-correlation
 * regulariser (permutation classifier) and a balance term. Codes at inference: 1[σ(z) ≥ ½].
 */
export class CMIMH extends BaseHasher<CMIMHConfig> {
  static readonly methodName: string = "CMIMH";
  static readonly paper: PaperRef = {
    title:
      "Multi-Modal Mutual Information Maximization: A Novel Approach for Unsupervised Deep Cross-Modal Hashing",
    authors: "Tuan Hoang, Thanh-Toan Do, Tam V. Nguyen, Ngai-Man Cheung",
    venue: "IEEE Transactions on Neural Networks and Learning Systems 34(9)",
    year: 2023,
    url: "https://arxiv.org/abs/2112.06489",
  };
  static readonly supervised: boolean = false;
  static readonly inputs = ["image", "text"] as const;
  static readonly defaults: CMIMHConfig = CMIMH_DEFAULTS;
  static readonly presets: Readonly<Record<string, Partial<CMIMHConfig>>> = CMIMH_PRESETS;
  static readonly packageVersion: string = "0.1.0";
  static validateConfig(c: CMIMHConfig): void {
    validateCMIMHConfig(c);
  }

  private nets?: Nets;
  private pcaMean?: Float32Array;
  private pcaComponents?: Float32Array;

  /** Width of the image encoder's input (PCA dims when PCA is on). */
  private imageInput(dims: InputDims): number {
    const k = this.config.imagePcaDims;
    if (k === 0) return dims.image;
    if (k > dims.image)
      throw new HasherError(
        `CMIMH: config.imagePcaDims (${k}) exceeds the image feature width ${dims.image}; use at most ${dims.image} or 0 (no PCA)`,
      );
    return k;
  }

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
    const relu = { activation: "relu" as const };
    const leaky = { activation: "leakyRelu" as const, leakySlope: c.leakySlope };
    const h = c.hidden;
    const encImage = new Mlp([dx, h, h, c.bits], rng, relu);
    const encText = new Mlp([dims.text, h, h, c.bits], rng, relu);
    const decImage = new Mlp([c.bits, h, h, dx], rng, relu);
    const decText = new Mlp([c.bits, h, h, dims.text], rng, relu);
    const separable = c.criticForm === "separable";
    const tower = () => new Mlp([c.bits, c.criticHidden, c.criticHidden, c.criticDim], rng, leaky);
    const criticImage = separable ? tower() : undefined;
    const criticText = separable ? tower() : undefined;
    const criticDiag = separable
      ? undefined
      : {
          rawWeight: tf.tidy(() =>
            tf.variable(tf.fill([c.criticForm === "diagonal" ? c.bits : 1], SOFTPLUS_INV_1)),
          ),
          bias: tf.tidy(() => tf.variable(tf.zeros([1]))),
        };
    this.nets = {
      encImage,
      encText,
      decImage,
      decText,
      criticImage,
      criticText,
      criticDiag,
      tcImage: new Mlp([c.bits, c.tcHidden, c.tcHidden, 1], rng, leaky),
      tcText: new Mlp([c.bits, c.tcHidden, c.tcHidden, 1], rng, leaky),
    };
  }

  private get n(): Nets {
    if (!this.nets) throw new HasherError("CMIMH: model not built");
    return this.nets;
  }

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

  /** Trainable variables of the JS critic, whatever its form. */
  private criticVariables(): tf.Variable[] {
    const n = this.n;
    if (n.criticDiag) return [n.criticDiag.rawWeight, n.criticDiag.bias];
    return [
      ...(n.criticImage?.trainableVariables() ?? []),
      ...(n.criticText?.trainableVariables() ?? []),
    ];
  }

  /**
   * Jensen-Shannon estimate of I(B_X;B_Y) from the critic inputs of a batch [n, b] each, and (for
   * the bit-aligned critic) the mean critic weight, logged as a training term.
   */
  private crossMi(cx: tf.Tensor, cy: tf.Tensor): { mi: tf.Scalar; criticWeight?: tf.Scalar } {
    const n = this.n;
    if (n.criticDiag) {
      const { rawWeight, bias } = n.criticDiag;
      const w = stableSoftplus(rawWeight);
      const wb = w.size === 1 ? tf.tile(w, [this.config.bits]) : w;
      return { mi: diagonalJsMi(cx, cy, wb, bias).mi, criticWeight: tf.mean(w) as tf.Scalar };
    }
    if (!n.criticImage || !n.criticText) throw new HasherError("CMIMH: critic not built");
    return { mi: separableJsMi(n.criticImage.apply(cx, true), n.criticText.apply(cy, true)).mi };
  }

  protected override totalEpochs(): number {
    return this.config.epochs;
  }

  /** Fit the optional image PCA on the training rows and return the projected training images. */
  private fitImagePca(image: Matrix): Matrix {
    const k = this.config.imagePcaDims;
    if (k === 0 || !this.pcaMean || !this.pcaComponents) return image;
    if (k > image.rows)
      throw new HasherError(
        `CMIMH: config.imagePcaDims (${k}) exceeds the number of training rows ${image.rows}`,
      );
    const model = fitPca(image, k);
    this.pcaMean.set(model.mean);
    this.pcaComponents.set(model.components.data);
    const out = tidyData(() => this.applyPca(matrixTensor(image)));
    return { rows: image.rows, cols: k, data: Float32Array.from(out) };
  }

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

  protected async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
    const c = this.config;
    const n = this.n;
    const image = this.fitImagePca(train.image);
    const text = train.text;
    const sgd = (lr: number): Optimizer =>
      c.optimizer === "adam"
        ? new Adam({ lr, weightDecay: c.weightDecay })
        : new Sgd({ lr, momentum: c.momentum, weightDecay: c.weightDecay });
    const mainOpt = ctx.optimizer("main", sgd(c.lr));
    const decOpt = ctx.optimizer("decoders", sgd(c.lrDecoder));
    const tcOpt = ctx.optimizer("tc", sgd(c.lr));
    const mainVars = [
      ...n.encImage.trainableVariables(),
      ...n.encText.trainableVariables(),
      ...(c.useCrossMI ? this.criticVariables() : []),
    ];
    const decVars = c.useReconstruction
      ? [...n.decImage.trainableVariables(), ...n.decText.trainableVariables()]
      : [];
    const tcVars = [...n.tcImage.trainableVariables(), ...n.tcText.trainableVariables()];
    const groups = [{ optimizer: mainOpt, variables: mainVars }];
    if (decVars.length) groups.push({ optimizer: decOpt, variables: decVars });
    const rows = image.rows;
    const batchSize = Math.min(c.batchSize, rows);
    if (batchSize < 2)
      throw new HasherError(
        `CMIMH.fit: need at least 2 training pairs (in-batch negatives), got ${rows}`,
      );

    const epochs = c.epochs * epochScale(c.epochScaleItems, rows);
    await ctx.phase("train", epochs, async (epoch) => {
      const lambdaKL =
        c.klWarmupEpochs > 0
          ? c.lambdaKL * Math.min(1, epoch.epoch / c.klWarmupEpochs)
          : c.lambdaKL;
      for (const idx of batchIndices(rows, { batchSize, rng: ctx.rng, dropLast: true })) {
        const x = rowsTensor(image, idx);
        const y = rowsTensor(text, idx);
        let keptPx: tf.Tensor | undefined;
        let keptPy: tf.Tensor | undefined;
        try {
          await epoch.step(() => {
            const zx = n.encImage.apply(x, true);
            const zy = n.encText.apply(y, true);
            const px = tf.sigmoid(zx);
            const py = tf.sigmoid(zy);
            const terms: Record<string, tf.Scalar> = {};
            const parts: tf.Scalar[] = [];
            if (c.useReconstruction) {
              // I(X;B_X) + I(Y;B_Y): Gaussian decoders on sampled codes (logistic noise + STE).
              const ste = (z: tf.Tensor) =>
                bernoulliSte(c.steGradient === "sigmoid" ? sigmoidScaledGrad(z) : z, ctx.rng);
              const bx = ste(zx);
              const by = ste(zy);
              terms.recImage = reconstructionLoss(x, n.decImage.apply(bx, true), c.reconReduction);
              terms.recText = reconstructionLoss(y, n.decText.apply(by, true), c.reconReduction);
              parts.push(terms.recImage, terms.recText);
            }
            if (c.useCrossMI) {
              // I(B_X;B_Y): JS estimator; the critic sees probabilities (no STE on this path).
              const cx = c.criticInput === "samples" ? bernoulliSte(zx, ctx.rng) : px;
              const cy = c.criticInput === "samples" ? bernoulliSte(zy, ctx.rng) : py;
              const cross = this.crossMi(cx, cy);
              terms.mi = cross.mi;
              if (cross.criticWeight) terms.criticWeight = cross.criticWeight;
              parts.push(tf.mul(terms.mi, -c.lambdaMI) as tf.Scalar);
            }
            if (c.useKL) {
              terms.skl = symmetricKl(zx, zy);
              parts.push(tf.mul(terms.skl, lambdaKL) as tf.Scalar);
            }
            if (c.useTC) {
              // Classifiers frozen here (not in the variable list); gradient reaches the encoders.
              terms.tcImage = tcFromLogits(n.tcImage.apply(px, true));
              terms.tcText = tcFromLogits(n.tcText.apply(py, true));
              parts.push(tf.mul(tf.add(terms.tcImage, terms.tcText), c.lambdaTC) as tf.Scalar);
              keptPx = tf.keep(px.clone());
              keptPy = tf.keep(py.clone());
            }
            if (c.useBalance) {
              terms.balance = tf.add(balanceLoss(px), balanceLoss(py)) as tf.Scalar;
              parts.push(tf.mul(terms.balance, c.lambdaBal) as tf.Scalar);
            }
            return { total: tf.addN(parts) as tf.Scalar, terms };
          }, groups);
          if (c.useTC && keptPx && keptPy) {
            // Classifier step: detached probabilities vs. per-column permutations (product of marginals).
            const realX = keptPx;
            const realY = keptPy;
            const permX = permuteColumns(realX, ctx.rng);
            const permY = permuteColumns(realY, ctx.rng);
            try {
              const t = trainStep(
                () =>
                  tf.add(
                    tcClassifierLoss(n.tcImage.apply(realX, true), n.tcImage.apply(permX, true)),
                    tcClassifierLoss(n.tcText.apply(realY, true), n.tcText.apply(permY, true)),
                  ) as tf.Scalar,
                { optimizer: tcOpt, variables: tcVars },
              );
              epoch.record({ tcClassifier: t.total });
            } finally {
              tf.dispose([permX, permY]);
            }
          }
        } finally {
          tf.dispose([x, y]);
          if (keptPx) keptPx.dispose();
          if (keptPy) keptPy.dispose();
        }
      }
    });
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
    const want = this.dims[modality];
    if (x.cols !== want)
      throw new HasherError(
        `CMIMH.probabilities(${modality}): input has ${x.cols} columns, the model was fitted on ${want}`,
      );
    for (let i = 0; i < x.data.length; i++) {
      if (!Number.isFinite(x.data[i]))
        throw new HasherError(
          `CMIMH.probabilities(${modality}): non-finite value ${x.data[i]} at row ${Math.floor(i / x.cols)}`,
        );
    }
    const staged = this.prepareInput(modality, x);
    const data = tidyData(() => tf.sigmoid(this.project(modality, staged)));
    return { rows: x.rows, cols: this.config.bits, data: Float32Array.from(data) };
  }
}

/** Re-exported from `@cmh/tensor-core` (shared by every method with `epochScaleItems`). */
export { epochScale } from "@cmh/tensor-core";
