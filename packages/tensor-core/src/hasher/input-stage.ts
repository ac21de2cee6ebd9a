/**
 * The input stage every method shares: a per-modality transform of the feature rows, fitted on the
 * training rows inside `BaseHasher.fit`, applied by `encode` before `project`, saved with the model.
 * Users bring features at any scale and in many forms (CNN activations, L2-normalised embeddings,
 * histograms that sum to 1, sparse bag-of-words); the stage makes a method's result independent of
 * the units they come in.
 *
 * Every fitted mode is `y = (x - shift) * scale` per column, then (mode "l2") a row normalisation;
 * nothing divides by a statistic that can be 0, so constant columns, all-zero rows and sparse
 * inputs never produce NaN or Inf.
 */
import type { Matrix } from "@cmh/datasets";
import type { Modality } from "./hasher";

/**
 * One modality's transform:
 * - `"none"`: features as given.
 * - `"standardize"`: per-column z-score with the training rows' mean and std; a column constant
 *   on the training rows (std ≤ 1e-6 × its largest |value|) becomes 0.
 * - `"center-scale"`: centre every column, divide the whole modality by ONE scale, the root mean
 *   column variance (keeps the columns' relative spread).
 * - `"scale"`: no centring, divide the whole modality by one scale, the root mean square of its
 *   entries (keeps zeros zero: sparse bag-of-words stays sparse).
 * - `"l2"`: each row divided by its L2 norm (an all-zero row stays zero); nothing fitted.
 */
export type InputMode = "none" | "standardize" | "center-scale" | "scale" | "l2";

/** Every `InputMode`, in documentation order. */
export const INPUT_MODES: readonly InputMode[] = Object.freeze([
  "none",
  "standardize",
  "center-scale",
  "scale",
  "l2",
]);

/**
 * Value of the shared `input` config key: one mode for both modalities (`"standardize"`), or
 * `"<image mode>/<text mode>"` (`"standardize/scale"`). A plain string, so presets, JSON configs and
 * the bench's `--set input=standardize/scale` all carry it.
 */
export type InputSpec = InputMode | `${InputMode}/${InputMode}`;

/** The mode of each modality. */
export type InputModes = Readonly<Record<Modality, InputMode>>;

/** What the fit report records about the stage: mode and constant training columns per modality. */
export type InputStageReport = Readonly<
  Record<Modality, { readonly mode: InputMode; readonly constantColumns: number }>
>;

/** Raised for an `input` value that is not a valid `InputSpec`. */
export class InputSpecError extends Error {
  override readonly name = "InputSpecError";
}

function isMode(s: string): s is InputMode {
  return (INPUT_MODES as readonly string[]).includes(s);
}

/** Parse an `input` value into the mode of each modality; throws naming the value and the allowed ones. */
export function parseInputSpec(spec: unknown): InputModes {
  const allowed = `one of ${INPUT_MODES.map((m) => JSON.stringify(m)).join(", ")} for both modalities, or "<image mode>/<text mode>" such as "standardize/scale"`;
  if (typeof spec !== "string")
    throw new InputSpecError(`input must be a string (${allowed}), got ${JSON.stringify(spec)}`);
  const parts = spec.split("/").map((s) => s.trim());
  if (parts.length > 2 || !parts.every(isMode))
    throw new InputSpecError(`input must be ${allowed}, got ${JSON.stringify(spec)}`);
  const [image, text = image] = parts as InputMode[];
  return Object.freeze({ image, text });
}

/** A column with std ≤ this × its largest |value| counts as constant (float32 rounding level). */
const CONSTANT_RELATIVE_STD = 1e-6;

/** One modality's fitted transform: `y = (x - shift) * scale` per column, then optional row L2. */
export class InputTransform {
  readonly mode: InputMode;
  /** Per-column shift (0 where the mode does not centre). */
  readonly shift: Float32Array;
  /** Per-column scale. */
  readonly scale: Float32Array;
  /** Columns constant on the training rows (set by `fit`). */
  constantColumns = 0;

  constructor(mode: InputMode, cols: number) {
    this.mode = mode;
    this.shift = new Float32Array(cols);
    this.scale = new Float32Array(cols).fill(1);
  }

  /** True when the transform changes nothing (mode "none"). */
  get identity(): boolean {
    return this.mode === "none";
  }

  /** True when the mode has fitted parameters to save ("standardize", "center-scale", "scale"). */
  get hasParameters(): boolean {
    return this.mode !== "none" && this.mode !== "l2";
  }

  /** Fit the shift and scale on training rows `m` (float64 sums; two passes). */
  fit(m: Matrix): this {
    if (m.cols !== this.shift.length)
      throw new RangeError(
        `input stage: fitted for ${this.shift.length} columns, got a matrix with ${m.cols}`,
      );
    this.shift.fill(0);
    this.scale.fill(1);
    this.constantColumns = 0;
    if (!this.hasParameters || m.rows === 0) return this;
    const { rows, cols, data } = m;
    const mean = new Float64Array(cols);
    const dev2 = new Float64Array(cols);
    const maxAbs = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      for (let j = 0; j < cols; j++) {
        const x = data[o + j];
        mean[j] += x;
        const a = Math.abs(x);
        if (a > maxAbs[j]) maxAbs[j] = a;
      }
    }
    for (let j = 0; j < cols; j++) mean[j] /= rows;
    const centre = this.mode !== "scale";
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      for (let j = 0; j < cols; j++) {
        const d = data[o + j] - (centre ? mean[j] : 0);
        dev2[j] += d * d;
      }
    }
    let total = 0;
    for (let j = 0; j < cols; j++) {
      const sd = Math.sqrt((centre ? dev2[j] : dev2[j] - rows * mean[j] * mean[j]) / rows);
      if (!(sd > CONSTANT_RELATIVE_STD * maxAbs[j])) this.constantColumns++;
      total += dev2[j];
    }
    if (this.mode === "standardize") {
      for (let j = 0; j < cols; j++) {
        const sd = Math.sqrt(dev2[j] / rows);
        this.shift[j] = mean[j];
        this.scale[j] = sd > CONSTANT_RELATIVE_STD * maxAbs[j] ? 1 / sd : 0;
      }
    } else {
      // One scale for the modality: root mean column variance ("center-scale") or root mean
      // square of the entries ("scale"); 0 when every entry is (centred to) zero.
      const rms = Math.sqrt(total / (rows * cols));
      const s = rms > 0 ? 1 / rms : 0;
      for (let j = 0; j < cols; j++) {
        this.shift[j] = centre ? mean[j] : 0;
        this.scale[j] = s;
      }
    }
    return this;
  }

  /** The transformed rows (a new matrix; `m` itself when the mode is "none"). */
  apply(m: Matrix): Matrix {
    if (this.identity) return m;
    const { rows, cols, data } = m;
    const out = new Float32Array(rows * cols);
    const { shift, scale } = this;
    const l2 = this.mode === "l2";
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      if (l2) {
        let ss = 0;
        for (let j = 0; j < cols; j++) ss += data[o + j] * data[o + j];
        const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
        for (let j = 0; j < cols; j++) out[o + j] = data[o + j] * inv;
      } else {
        for (let j = 0; j < cols; j++) out[o + j] = (data[o + j] - shift[j]) * scale[j];
      }
    }
    return { rows, cols, data: out };
  }
}

/** The stage of both modalities. */
export class InputStage {
  readonly modes: InputModes;
  readonly image: InputTransform;
  readonly text: InputTransform;

  constructor(spec: InputSpec | InputModes, dims: Readonly<Record<Modality, number>>) {
    this.modes = typeof spec === "string" ? parseInputSpec(spec) : spec;
    this.image = new InputTransform(this.modes.image, dims.image);
    this.text = new InputTransform(this.modes.text, dims.text);
  }

  /** The transform of one modality. */
  of(modality: Modality): InputTransform {
    return modality === "image" ? this.image : this.text;
  }

  /** Fit both transforms on paired training rows. */
  fit(train: Readonly<Record<Modality, Matrix>>): this {
    this.image.fit(train.image);
    this.text.fit(train.text);
    return this;
  }

  /** Transform rows of one modality. */
  apply(modality: Modality, m: Matrix): Matrix {
    return this.of(modality).apply(m);
  }

  /** True when neither modality is transformed. */
  get identity(): boolean {
    return this.image.identity && this.text.identity;
  }

  /** Fitted parameters by stable name (`input.<modality>.shift|scale`), saved with the model. */
  weights(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const m of ["image", "text"] as const) {
      const t = this.of(m);
      if (!t.hasParameters) continue;
      out[`input.${m}.shift`] = t.shift;
      out[`input.${m}.scale`] = t.scale;
    }
    return out;
  }

  /** Mode and constant training columns of each modality (for the fit report). */
  report(): InputStageReport {
    return {
      image: { mode: this.image.mode, constantColumns: this.image.constantColumns },
      text: { mode: this.text.mode, constantColumns: this.text.constantColumns },
    };
  }
}
