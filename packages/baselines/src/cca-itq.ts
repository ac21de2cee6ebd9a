// CCA-ITQ (Gong, Lazebnik, Gordo, Perronnin, TPAMI 2013, "Iterative Quantization"), used
// cross-modally: CCA maps both modalities to a shared c-dimensional space (c = bits), each
// direction scaled by its canonical correlation to a power (Gong's code scales by r), then ITQ
// learns one rotation on the stacked projections of both modalities; codes = sgn((x − μ)·W·R).

import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  BaseHasher,
  createRng,
  type FitContext,
  HasherError,
  type InputDims,
  type InputSpec,
  identity,
  LinalgError,
  type Matrix64,
  type MatrixLike,
  type Modality,
  matmul,
  type WeightValue,
} from "@cmh/tensor-core";
import { type CcaModel, ccaTransform, fitCca } from "./cca";
import { itqStep, quantizationLoss, randomRotation } from "./itq";

/** How the CCA projections are binarised. */
export type CcaRotation = "itq" | "none";

/** Config of {@link CCAITQ} (all JSON-serialisable). */
export interface CCAITQConfig {
  /** Code length = number of CCA directions (≤ min(image cols, text cols)). */
  readonly bits: number;
  /** Seed of the random orthogonal start of ITQ. */
  readonly seed: number;
  /**
   * The shared input stage (`@cmh/tensor-core`), fitted on the training rows; "none" (default,
   * Gong's CCA-ITQ: CCA centres the columns itself). "standardize" makes the fixed ridge
   * `regularization` relative to unit-variance columns, i.e. independent of the features' scale.
   */
  readonly input: InputSpec;
  /** Ridge added to the auto-covariance diagonals (Gong: 1e-4). */
  readonly regularization: number;
  /** Exponent p of the direction scaling by correlation r^p (Gong's code: 1; 0 = unscaled). */
  readonly scalePower: number;
  /** "itq" (CCA-ITQ) or "none" (plain CCA + sign, no rotation). */
  readonly rotation: CcaRotation;
  /** ITQ alternating updates (Gong: 50). */
  readonly itqIterations: number;
}

/** Options of {@link fitCcaItq} (the config without bits and the hasher's input stage, all optional). */
export type CcaItqOptions = Partial<Omit<CCAITQConfig, "bits" | "input">>;

/** A fitted CCA-ITQ model: per-modality mean and projection (d×bits), one shared rotation. */
export interface CcaItqModel {
  readonly bits: number;
  readonly meanImage: Float64Array;
  readonly meanText: Float64Array;
  /** Scaled CCA directions of each modality (d×bits). */
  readonly projImage: Matrix64;
  readonly projText: Matrix64;
  /** bits×bits orthogonal rotation (identity when rotation = "none"). */
  readonly rotation: Matrix64;
  /** Canonical correlations of the kept directions, descending. */
  readonly correlations: Float64Array;
  /** ITQ loss ‖B − V·R‖²/(n·bits) after each iteration (non-increasing). */
  readonly losses: number[];
}

const DEFAULTS: CCAITQConfig = Object.freeze({
  bits: 32,
  seed: 0,
  input: "none",
  regularization: 1e-4,
  scalePower: 1,
  rotation: "itq",
  itqIterations: 50,
});

function checkOptions(c: CCAITQConfig, who: string): void {
  if (!(c.regularization >= 0)) {
    throw new HasherError(`${who}: regularization must be >= 0, got ${c.regularization}`);
  }
  if (!(c.scalePower >= 0))
    throw new HasherError(`${who}: scalePower must be >= 0, got ${c.scalePower}`);
  if (c.rotation !== "itq" && c.rotation !== "none") {
    throw new HasherError(
      `${who}: rotation must be "itq" or "none", got ${JSON.stringify(c.rotation)}`,
    );
  }
  if (!Number.isInteger(c.itqIterations) || c.itqIterations < 0) {
    throw new HasherError(`${who}: itqIterations must be an integer >= 0, got ${c.itqIterations}`);
  }
}

function checkBitsFit(bits: number, image: MatrixLike, text: MatrixLike, who: string): void {
  const maxBits = Math.min(image.cols, text.cols);
  if (bits > maxBits) {
    throw new HasherError(
      `${who}: bits = ${bits} exceeds min(image cols, text cols) = min(${image.cols}, ${text.cols}) = ${maxBits}; CCA has at most that many directions`,
    );
  }
}

/** CCA directions scaled by r^p, and the stacked projections V = [X̃·Wx; Ỹ·Wy] of the training pairs. */
function scaledProjections(
  cca: CcaModel,
  image: MatrixLike,
  text: MatrixLike,
  scalePower: number,
): { projImage: Matrix64; projText: Matrix64; stacked: Matrix64 } {
  const c = cca.correlations.length;
  const scale = Float64Array.from(cca.correlations, (r) =>
    scalePower === 0 ? 1 : r ** scalePower,
  );
  const scaleCols = (w: Matrix64): Matrix64 => {
    const out = Float64Array.from(w.data);
    for (let i = 0; i < w.rows; i++) for (let k = 0; k < c; k++) out[i * c + k] *= scale[k];
    return { rows: w.rows, cols: c, data: out };
  };
  const projImage = scaleCols(cca.wx);
  const projText = scaleCols(cca.wy);
  const vi = ccaTransform(cca.meanX, projImage, image);
  const vt = ccaTransform(cca.meanY, projText, text);
  const stacked = new Float64Array(vi.data.length + vt.data.length);
  stacked.set(vi.data);
  stacked.set(vt.data, vi.data.length);
  return { projImage, projText, stacked: { rows: vi.rows + vt.rows, cols: c, data: stacked } };
}

/**
 * Fit CCA-ITQ on paired rows (plain function, no TensorFlow.js): regularised CCA with `bits`
 * directions scaled by r^scalePower, then `itqIterations` ITQ updates on the stacked projections
 * of both modalities (or no rotation with `rotation: "none"`).
 */
export function fitCcaItq(
  image: MatrixLike,
  text: MatrixLike,
  bits: number,
  options: CcaItqOptions = {},
): CcaItqModel {
  const c: CCAITQConfig = { ...DEFAULTS, ...options, bits };
  checkOptions(c, "fitCcaItq");
  if (!Number.isInteger(bits) || bits < 1)
    throw new HasherError(`fitCcaItq: bits must be a positive integer, got ${bits}`);
  checkBitsFit(bits, image, text, "fitCcaItq");
  const cca = fitCca(image, text, { regularization: c.regularization, components: bits });
  const { projImage, projText, stacked } = scaledProjections(cca, image, text, c.scalePower);
  let rotation = identity(bits);
  const losses: number[] = [];
  if (c.rotation === "itq") {
    const rng = createRng(c.seed);
    rotation = randomRotation(bits, () => rng.normal());
    for (let t = 0; t < c.itqIterations; t++) {
      const s = itqStep(stacked, rotation);
      rotation = s.rotation;
      losses.push(s.loss);
    }
  }
  return {
    bits,
    meanImage: cca.meanX,
    meanText: cca.meanY,
    projImage,
    projText,
    rotation,
    correlations: cca.correlations,
    losses,
  };
}

/** Real-valued codes (x − μ)·W·R (n×bits) of one modality; the binary code is their sign (0 → +1). */
export function ccaItqProject(model: CcaItqModel, modality: Modality, x: MatrixLike): Matrix64 {
  const mean = modality === "image" ? model.meanImage : model.meanText;
  const w = modality === "image" ? model.projImage : model.projText;
  if (x.cols !== w.rows) {
    throw new LinalgError(
      `ccaItqProject(${modality}): input has ${x.cols} columns, the model expects ${w.rows}`,
    );
  }
  return matmul(ccaTransform(mean, w, x), model.rotation);
}

/**
 * CCA-ITQ as a `Hasher`: the classical linear floor every cross-modal method is compared against.
 * Unsupervised; fits in closed form plus `itqIterations` cheap iterations (pure JS, no tensors).
 */
export class CCAITQ extends BaseHasher<CCAITQConfig> {
  static readonly methodName = "CCA-ITQ";
  static readonly paper = {
    title:
      "Iterative Quantization: A Procrustean Approach to Learning Binary Codes for Large-Scale Image Retrieval",
    authors: "Yunchao Gong, Svetlana Lazebnik, Albert Gordo, Florent Perronnin",
    venue: "IEEE TPAMI 35(12)",
    year: 2013,
    url: "https://doi.org/10.1109/TPAMI.2012.193",
  };
  static readonly supervised = false;
  static readonly inputs = ["image", "text"] as const;
  static readonly defaults: CCAITQConfig = DEFAULTS;
  /** "paper" = Gong's settings; "quick" is the same (CCA-ITQ is already fast). */
  static readonly presets: Readonly<Record<string, Partial<CCAITQConfig>>> = Object.freeze({
    paper: {},
    quick: {},
  });
  static validateConfig(c: CCAITQConfig): void {
    checkOptions(c, "CCA-ITQ");
  }

  private w = {
    meanImage: new Float32Array(0),
    meanText: new Float32Array(0),
    projImage: new Float32Array(0),
    projText: new Float32Array(0),
    rotation: new Float32Array(0),
    correlations: new Float32Array(0),
  };
  /** Float64 state of the last fit (exact training-time projections); undefined after load. */
  private model?: CcaItqModel;

  /** The fitted model in float64 (after fit; after load it is rebuilt from the saved float32 weights). */
  get fittedModel(): CcaItqModel | undefined {
    if (!this.fitted || !this.dims) return undefined;
    return this.model ?? this.fromWeights();
  }

  protected build(dims: InputDims): void {
    const b = this.config.bits;
    this.w = {
      meanImage: new Float32Array(dims.image),
      meanText: new Float32Array(dims.text),
      projImage: new Float32Array(dims.image * b),
      projText: new Float32Array(dims.text * b),
      rotation: new Float32Array(b * b),
      correlations: new Float32Array(b),
    };
    this.model = undefined;
  }

  protected weights(): Record<string, WeightValue> {
    const b = this.config.bits;
    const d = this.dims ?? { image: this.w.meanImage.length, text: this.w.meanText.length };
    return {
      "image.mean": this.w.meanImage,
      "text.mean": this.w.meanText,
      "image.projection": { shape: [d.image, b], data: this.w.projImage },
      "text.projection": { shape: [d.text, b], data: this.w.projText },
      rotation: { shape: [b, b], data: this.w.rotation },
      correlations: this.w.correlations,
    };
  }

  protected async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
    const cfg = this.config;
    const who = CCAITQ.methodName;
    checkBitsFit(cfg.bits, train.image, train.text, who);
    let stacked: Matrix64 | undefined;
    let proj: { projImage: Matrix64; projText: Matrix64 } | undefined;
    let cca: CcaModel | undefined;
    await ctx.phase("cca", 1, async (e) => {
      await e.tick();
      cca = fitCca(train.image, train.text, {
        regularization: cfg.regularization,
        components: cfg.bits,
      });
      const s = scaledProjections(cca, train.image, train.text, cfg.scalePower);
      stacked = s.stacked;
      proj = s;
      this.w.meanImage.set(cca.meanX);
      this.w.meanText.set(cca.meanY);
      this.w.projImage.set(s.projImage.data);
      this.w.projText.set(s.projText.data);
      this.w.correlations.set(cca.correlations);
      let mean = 0;
      for (const r of cca.correlations) mean += r;
      mean /= cca.correlations.length;
      e.record({ total: 1 - mean, meanCorrelation: mean });
    });
    if (!proj) {
      // Resumed from a checkpoint after the CCA phase: rebuild from the restored weights.
      const m = this.fromWeights();
      proj = m;
      const vi = ccaTransform(m.meanImage, m.projImage, train.image);
      const vt = ccaTransform(m.meanText, m.projText, train.text);
      const data = new Float64Array(vi.data.length + vt.data.length);
      data.set(vi.data);
      data.set(vt.data, vi.data.length);
      stacked = { rows: vi.rows + vt.rows, cols: cfg.bits, data };
    }
    const v = stacked as Matrix64;
    let rotation = identity(cfg.bits);
    const losses: number[] = [];
    if (cfg.rotation === "itq") {
      const restored = this.w.rotation.some((x) => x !== 0);
      rotation = restored
        ? { rows: cfg.bits, cols: cfg.bits, data: Float64Array.from(this.w.rotation) }
        : randomRotation(cfg.bits, () => ctx.rng.normal());
      this.w.rotation.set(rotation.data);
      await ctx.phase("itq", cfg.itqIterations, async (e) => {
        const s = itqStep(v, rotation);
        rotation = s.rotation;
        losses.push(s.loss);
        this.w.rotation.set(rotation.data);
        e.record({ total: s.loss });
      });
    } else {
      this.w.rotation.set(rotation.data);
    }
    this.model = {
      bits: cfg.bits,
      meanImage: Float64Array.from(this.w.meanImage),
      meanText: Float64Array.from(this.w.meanText),
      projImage: proj.projImage,
      projText: proj.projText,
      rotation,
      correlations: cca?.correlations ?? Float64Array.from(this.w.correlations),
      losses: losses.length
        ? losses
        : cfg.rotation === "itq"
          ? []
          : [quantizationLoss(v, rotation)],
    };
    // Encode with exactly the weights that save() writes, so save/load reproduces codes bit for bit.
    this.model = this.fromWeights(this.model.losses, this.model.correlations);
  }

  protected project(modality: Modality, x: Matrix): Float32Array {
    const m = this.fittedModel as CcaItqModel;
    return Float32Array.from(ccaItqProject(m, modality, x).data);
  }

  private fromWeights(losses: number[] = [], correlations?: Float64Array): CcaItqModel {
    const d = this.dims as InputDims;
    const b = this.config.bits;
    return {
      bits: b,
      meanImage: Float64Array.from(this.w.meanImage),
      meanText: Float64Array.from(this.w.meanText),
      projImage: { rows: d.image, cols: b, data: Float64Array.from(this.w.projImage) },
      projText: { rows: d.text, cols: b, data: Float64Array.from(this.w.projText) },
      rotation: { rows: b, cols: b, data: Float64Array.from(this.w.rotation) },
      correlations: correlations ?? Float64Array.from(this.w.correlations),
      losses,
    };
  }
}
