// CCA-ITQ (Gong, Lazebnik, Gordo, Perronnin, TPAMI 2013, "Iterative Quantization"), used
// cross-modally: CCA maps both modalities to a shared c-dimensional space (c = bits), each
// direction scaled by its canonical correlation to a power (Gong's code scales by r), then ITQ
// learns one rotation on the stacked projections of both modalities; codes = sgn((x − μ)·W·R).

import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  BaseHasher,
  cholesky,
  covariance,
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
  solveUpperTransposedInPlace,
  type WeightValue,
} from "@cmh/tensor-core";
import { type CcaModel, ccaTransform, fitCca } from "./cca";
import { itqStep, quantizationLoss, randomRotation } from "./itq";

/** How the CCA projections are binarised. */
export type CcaRotation = "itq" | "none";

/** Config of {@link CCAITQ} (all JSON-serialisable). */
export interface CCAITQConfig {
  /**
   * Code length. Up to min(image cols, text cols) it is the number of CCA directions; beyond the
   * usable CCA rank the projection is completed (see `completeProjections` in the source).
   */
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
  /** Canonical correlations of the kept directions, descending (0 for completion columns). */
  readonly correlations: Float64Array;
  /** Number of paired canonical directions among the `bits` columns (= bits unless completed). */
  readonly effectiveRank: number;
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

/** Smallest canonical correlation kept as a paired direction when the projection is completed. */
const MIN_CORRELATION = 1e-6;

/** True when `bits` CCA directions exist (the plain path); otherwise the projection is completed. */
function plainCcaFits(bits: number, image: MatrixLike, text: MatrixLike): boolean {
  return bits <= Math.min(image.cols, text.cols);
}

/** The one-line warning emitted when the projection is completed beyond the CCA rank. */
function rankWarning(
  who: string,
  bits: number,
  rank: number,
  image: MatrixLike,
  text: MatrixLike,
): string {
  return `${who}: bits = ${bits} exceeds the usable CCA rank ${rank} (image cols ${image.cols}, text cols ${text.cols}); ${bits - rank} columns completed with uncorrelated directions (effective rank ${rank})`;
}

function emitRankWarning(message: string): void {
  const p = (globalThis as { process?: { emitWarning?: (m: string, o: object) => void } }).process;
  if (typeof p?.emitWarning === "function") p.emitWarning(message, { code: "CMH_CCA_RANK" });
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
  return { projImage, projText, stacked: stackProjections(cca, projImage, projText, image, text) };
}

function stackProjections(
  means: { meanX: Float64Array; meanY: Float64Array },
  projImage: Matrix64,
  projText: Matrix64,
  image: MatrixLike,
  text: MatrixLike,
): Matrix64 {
  const vi = ccaTransform(means.meanX, projImage, image);
  const vt = ccaTransform(means.meanY, projText, text);
  const stacked = new Float64Array(vi.data.length + vt.data.length);
  stacked.set(vi.data);
  stacked.set(vt.data, vi.data.length);
  return { rows: vi.rows + vt.rows, cols: projImage.cols, data: stacked };
}

/**
 * Unpaired directions of one modality: `count` columns (d×count), orthonormal in the metric of its
 * regularised covariance C and C-orthogonal to the paired directions `w` (d×k) — a basis of the
 * eigenvalue-1 eigenspace of the joint (multi-view) CCA problem, i.e. directions uncorrelated with
 * the other modality. The basis inside that space is drawn from `normal` (seeded).
 */
function unpairedDirections(
  x: MatrixLike,
  w: Matrix64,
  count: number,
  regularization: number,
  normal: () => number,
): Matrix64 {
  const d = x.cols;
  const k = w.cols;
  const { cov } = covariance(x);
  for (let i = 0; i < d; i++) cov.data[i * d + i] += regularization;
  const L = cholesky(cov);
  // Whitened paired directions u = Lᵀ·w (orthonormal), then Gram-Schmidt random draws against them.
  const basis: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const u = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let sum = 0;
      for (let t = i; t < d; t++) sum += L.data[t * d + i] * w.data[t * k + j];
      u[i] = sum;
    }
    basis.push(u);
  }
  const out = new Float64Array(d * count);
  for (let j = 0; j < count; j++) {
    let v = new Float64Array(d);
    for (let attempt = 0; ; attempt++) {
      v = Float64Array.from({ length: d }, () => normal());
      for (let pass = 0; pass < 2; pass++) {
        for (const b of basis) {
          let dot = 0;
          for (let i = 0; i < d; i++) dot += b[i] * v[i];
          for (let i = 0; i < d; i++) v[i] -= dot * b[i];
        }
      }
      let norm = 0;
      for (let i = 0; i < d; i++) norm += v[i] * v[i];
      norm = Math.sqrt(norm);
      if (norm > 1e-8) {
        for (let i = 0; i < d; i++) v[i] /= norm;
        break;
      }
      if (attempt > 10) throw new LinalgError("unpairedDirections: no direction left");
    }
    basis.push(v);
    for (let i = 0; i < d; i++) out[i * count + j] = v[i];
  }
  // Back to feature space: w = L⁻ᵀ·u.
  solveUpperTransposedInPlace(L, out, count);
  return { rows: d, cols: count, data: out };
}

/**
 * The projection completed to `bits` columns when CCA has fewer usable directions (bits above
 * min(image cols, text cols), or canonical correlations at zero). As in Gong's multi-view CCA
 * (`MultiviewCCA.m`: the generalised eigenproblem of the joint covariance against its
 * block-diagonal part, eigenvalues 1 + r, then 1, then 1 − r):
 * 1. the k paired directions with correlation > 1e-6, scaled by r^p as in the plain path;
 * 2. then the eigenvalue-1 directions: each modality's directions uncorrelated with the other one
 *    (C-orthonormal, C-orthogonal to its paired ones; image's first, then text's), with the other
 *    modality's column zero, scaled like the weakest kept pair (r_k^p; 1 when k = 0);
 * 3. columns beyond image cols + text cols − k have no direction left and stay zero.
 * ITQ then rotates all `bits` columns together, so every bit mixes the paired directions.
 */
function completeProjections(
  image: MatrixLike,
  text: MatrixLike,
  bits: number,
  options: { regularization: number; scalePower: number; normal: () => number },
): {
  projImage: Matrix64;
  projText: Matrix64;
  stacked: Matrix64;
  meanImage: Float64Array;
  meanText: Float64Array;
  correlations: Float64Array;
  effectiveRank: number;
} {
  const cca = fitCca(image, text, {
    regularization: options.regularization,
    components: Math.min(image.cols, text.cols, bits),
    minCorrelation: MIN_CORRELATION,
  });
  const k = cca.correlations.length;
  const p = options.scalePower;
  const scaleOf = (r: number): number => (p === 0 ? 1 : r ** p);
  const extraScale = k > 0 ? scaleOf(cca.correlations[k - 1]) : 1;
  const spareImage = Math.min(bits - k, image.cols - k);
  const spareText = Math.min(bits - k - spareImage, text.cols - k);
  const ui =
    spareImage > 0
      ? unpairedDirections(image, cca.wx, spareImage, options.regularization, options.normal)
      : undefined;
  const ut =
    spareText > 0
      ? unpairedDirections(text, cca.wy, spareText, options.regularization, options.normal)
      : undefined;
  const fill = (d: number, w: Matrix64, spare: Matrix64 | undefined, offset: number): Matrix64 => {
    const out = new Float64Array(d * bits);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < k; j++)
        out[i * bits + j] = w.data[i * k + j] * scaleOf(cca.correlations[j]);
      if (spare)
        for (let j = 0; j < spare.cols; j++)
          out[i * bits + offset + j] = spare.data[i * spare.cols + j] * extraScale;
    }
    return { rows: d, cols: bits, data: out };
  };
  const projImage = fill(image.cols, cca.wx, ui, k);
  const projText = fill(text.cols, cca.wy, ut, k + spareImage);
  const correlations = new Float64Array(bits);
  correlations.set(cca.correlations);
  return {
    projImage,
    projText,
    stacked: stackProjections(cca, projImage, projText, image, text),
    meanImage: cca.meanX,
    meanText: cca.meanY,
    correlations,
    effectiveRank: k,
  };
}

/** Seed offset of the draws that complete the projection (kept apart from ITQ's start rotation). */
const COMPLETION_SEED_OFFSET = 0x9e37;

/**
 * The `bits` projection columns of both modalities: the plain CCA path when `bits` canonical
 * pairs exist, otherwise {@link completeProjections} (and a one-line warning).
 */
function ccaProjections(
  image: MatrixLike,
  text: MatrixLike,
  c: CCAITQConfig,
  who: string,
): ReturnType<typeof completeProjections> {
  if (plainCcaFits(c.bits, image, text)) {
    try {
      const cca = fitCca(image, text, { regularization: c.regularization, components: c.bits });
      const s = scaledProjections(cca, image, text, c.scalePower);
      return {
        ...s,
        meanImage: cca.meanX,
        meanText: cca.meanY,
        correlations: cca.correlations,
        effectiveRank: c.bits,
      };
    } catch (err) {
      if (!(err instanceof LinalgError && /no shared signal left/.test(err.message))) throw err;
    }
  }
  const rng = createRng(c.seed + COMPLETION_SEED_OFFSET);
  const done = completeProjections(image, text, c.bits, {
    regularization: c.regularization,
    scalePower: c.scalePower,
    normal: () => rng.normal(),
  });
  emitRankWarning(rankWarning(who, c.bits, done.effectiveRank, image, text));
  return done;
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
  const p = ccaProjections(image, text, c, "fitCcaItq");
  const stacked = p.stacked;
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
    meanImage: p.meanImage,
    meanText: p.meanText,
    projImage: p.projImage,
    projText: p.projText,
    rotation,
    correlations: p.correlations,
    effectiveRank: p.effectiveRank,
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
  /** Checks a full config; throws a `HasherError` naming the bad key, its value and what is expected. */
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
    let stacked: Matrix64 | undefined;
    let proj: { projImage: Matrix64; projText: Matrix64 } | undefined;
    let correlations: Float64Array | undefined;
    await ctx.phase("cca", 1, async (e) => {
      await e.tick();
      const s = ccaProjections(train.image, train.text, cfg, who);
      stacked = s.stacked;
      proj = s;
      correlations = s.correlations;
      this.w.meanImage.set(s.meanImage);
      this.w.meanText.set(s.meanText);
      this.w.projImage.set(s.projImage.data);
      this.w.projText.set(s.projText.data);
      this.w.correlations.set(s.correlations);
      const k = s.effectiveRank;
      let mean = 0;
      for (let j = 0; j < k; j++) mean += s.correlations[j];
      mean = k > 0 ? mean / k : 0;
      e.record({ total: 1 - mean, meanCorrelation: mean, effectiveRank: k });
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
      correlations: correlations ?? Float64Array.from(this.w.correlations),
      effectiveRank: 0,
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
      effectiveRank: this.w.correlations.filter((r) => r > 0).length,
      losses,
    };
  }
}
