import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type CrossModalSet, type Matrix, matrixProblem } from "@cmh/datasets";
import { type BinaryCodes, checkBits, codeHealth, packCodes } from "@cmh/hamming-index";
import { activeKernelFixes, backendName, initBackend } from "../backend/backend";
import { tf } from "../backend/tf";
import type { Optimizer } from "../network/optim";
import { createRng, type Rng } from "../network/rng";
import { type EpochContext, TrainingLoop } from "../network/train";
import { type ConfigSchema, parseConfig } from "./config-schema";
import { ConfigError, checkTrainingRows, HasherError, requireBuilt } from "./errors";
import type {
  FitOptions,
  FitProgress,
  FitReport,
  Hasher,
  HasherInput,
  HasherMetadata,
  Modality,
  PaperRef,
} from "./hasher";
import {
  type InputSpec,
  InputSpecError,
  InputStage,
  type InputStageReport,
  parseInputSpec,
} from "./input-stage";
import {
  loadModelFiles,
  ModelFormatError,
  saveModelFiles,
  type WeightValue,
  writeFileAtomic,
} from "./serialize";

/** Fields every BaseHasher config has. */
export interface BaseConfig {
  /** Code length (integer, 8..1024). */
  readonly bits: number;
  /** Seed of every random choice in fit (init, shuffling, sampling). */
  readonly seed: number;
  /**
   * The shared input stage (see `InputMode`): one mode for both modalities or "<image>/<text>",
   * fitted on the training rows, applied before `project`. A method without it in its defaults
   * runs with "none".
   */
  readonly input?: InputSpec;
}

/** Input widths a model was fitted on. */
export interface InputDims {
  readonly image: number;
  readonly text: number;
}

/** The static side a BaseHasher subclass declares. */
export interface MethodStatics<C extends BaseConfig> {
  readonly methodName: string;
  readonly paper: PaperRef;
  readonly supervised: boolean;
  readonly inputs: readonly HasherInput[];
  /** The paper's defaults: every config key with its default value. */
  readonly defaults: Readonly<C>;
  readonly presets: Readonly<Record<string, Partial<C>>>;
  /** Version of the method's package, recorded in saved models (optional). */
  readonly packageVersion?: string;
  /**
   * The config schema (see `defineConfig`): when present, `resolveConfig` validates with it
   * (types, ranges, enums, unknown keys, one ConfigError); without it, the defaults' types are checked.
   */
  readonly schema?: ConfigSchema;
  /** Fewest training pairs `fit` accepts (default 1); `minTrainingRowsReason` says why. */
  readonly minTrainingRows?: number;
  /** Why the method needs `minTrainingRows` pairs (e.g. "batch statistics"), for the error. */
  readonly minTrainingRowsReason?: string;
  /** Extra config checks (throw a clear error); runs after type checks. */
  validateConfig?(config: C): void;
}

/** Everything a method's `train` needs from the base. */
export interface FitContext {
  readonly rng: Rng;
  readonly signal?: AbortSignal;
  readonly loop: TrainingLoop;
  readonly dims: InputDims;
  /**
   * Run an epoch-based phase with progress, abort, NaN checks and (when `checkpointDir` is set)
   * a checkpoint after each epoch; on resume, completed epochs are skipped.
   */
  phase(
    name: string,
    epochs: number,
    epochFn: (ctx: EpochContext) => Promise<void> | void,
  ): Promise<Record<string, number>[]>;
  /** Register an optimiser: disposed after fit, its state checkpointed and restored. */
  optimizer<O extends Optimizer>(name: string, opt: O): O;
  /** Register anything to dispose when fit ends (success or failure). */
  track<T extends DisposableResource>(x: T): T;
  /** Check abort and yield to the event loop when due. */
  tick(): Promise<void>;
}

const DEFAULT_ENCODE_BATCH = 2048;
/** Fits in flight in this process (the engine scope safety net is used only when there is one). */
let activeFits = 0;

/**
 * The last transformed training matrix per raw array: repeated fits on the same rows with the same
 * mode get the same arrays back, so a method that caches work by array identity (SGEH's graph)
 * still hits. A fingerprint of the raw values guards against rows edited in place.
 */
const stagedCache = new WeakMap<
  Float32Array,
  { readonly key: string; readonly fingerprint: number; readonly out: Matrix }
>();

/** FNV-1a over the bits of the values (a cheap in-place-edit check, not a cryptographic hash). */
function fingerprint(d: Float32Array): number {
  const u = new Uint32Array(d.buffer, d.byteOffset, d.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i], 0x01000193);
  return h >>> 0;
}

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/**
 * Merge and validate a config: with the method's `schema` when it declares one, otherwise against
 * its defaults (unknown keys and wrong types rejected). Errors are ConfigErrors.
 */
export function resolveConfig<C extends BaseConfig>(
  cls: MethodStatics<C>,
  config: Partial<C> = {},
): C {
  if (cls.schema) {
    const c = parseConfig(cls.methodName, cls.schema, config) as unknown as C;
    cls.validateConfig?.(c);
    return Object.freeze(JSON.parse(JSON.stringify(c))) as C;
  }
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new ConfigError(`${cls.methodName}: config must be an object, got ${typeName(config)}`);
  }
  const defaults = cls.defaults as unknown as Record<string, unknown>;
  const known = Object.keys(defaults);
  if (!known.includes("input")) known.push("input");
  for (const [k, v] of Object.entries(config)) {
    if (!known.includes(k)) {
      throw new ConfigError(
        `${cls.methodName}: unknown config key "${k}" (known keys: ${known.join(", ")})`,
      );
    }
    if (v === undefined) continue;
    const d = defaults[k];
    if (d !== null && d !== undefined && typeName(d) !== typeName(v)) {
      throw new ConfigError(
        `${cls.methodName}: config.${k} must be ${typeName(d)} (like the default ${JSON.stringify(d)}), got ${typeName(v)} ${JSON.stringify(v)}`,
      );
    }
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw new ConfigError(`${cls.methodName}: config.${k} must be a finite number, got ${v}`);
    }
  }
  const merged = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(config)) if (v !== undefined) merged[k] = v;
  try {
    checkBits(merged.bits as number, "bits");
  } catch (e) {
    throw new ConfigError(`${cls.methodName}: config.${(e as Error).message}`);
  }
  const seed = merged.seed as number;
  if (!Number.isInteger(seed) || seed < 0) {
    throw new ConfigError(
      `${cls.methodName}: config.seed must be a non-negative integer, got ${seed}`,
    );
  }
  if (merged.input !== undefined) {
    try {
      parseInputSpec(merged.input);
    } catch (e) {
      if (!(e instanceof InputSpecError)) throw e;
      throw new ConfigError(`${cls.methodName}: config.${e.message}`);
    }
  }
  const c = merged as unknown as C;
  cls.validateConfig?.(c);
  return Object.freeze(JSON.parse(JSON.stringify(c))) as C;
}

/**
 * The dense-matrix check of `fit` and `encode`: `matrixProblem` from @cmh/datasets (shape, data
 * type, data length, first NaN/Inf), plus a hint for `number[][]` input and at least one column.
 */
function checkMatrix(method: string, what: string, m: Matrix | undefined): void {
  if (!m || typeof m !== "object")
    throw new HasherError(`${method}: ${what} is missing (expected a Matrix { rows, cols, data })`);
  if (Array.isArray(m) || Array.isArray(m.data)) {
    throw new HasherError(
      `${method}: ${what} is ${Array.isArray(m) ? "an array of rows (number[][]?)" : "a Matrix whose data is a plain array"}, not a Matrix: build one with matrix(rows, cols, data) from @cmh/datasets (data row-major, e.g. rows.flat())`,
    );
  }
  const p = matrixProblem(m);
  if (p) {
    const hint = p.value === undefined ? "" : "; clean or impute the features first";
    throw new HasherError(`${method}: ${what}: ${p.message}${hint}`);
  }
  if (m.cols < 1) {
    throw new HasherError(`${method}: ${what} has 0 columns: every row needs at least one feature`);
  }
}

/** Anything `FitContext.track` can release: a tensor, a layer, an optimiser. */
export interface DisposableResource {
  /** Release what the object holds (tensors, variables, workers). */
  dispose(): void;
}

/** A hasher class as a constructor (the `this` of the static `load`). */
export type HasherCtor<H> = { new (config?: Partial<never>): H };

/**
 * Base class doing the boring parts of a `Hasher`: config merge and validation, input checks,
 * label stripping for unsupervised methods, backend init, seeded RNG, progress/abort/NaN through a
 * TrainingLoop, checkpoints and resume, batched encoding and packing (sign, 0 -> +1), versioned
 * atomic save/load, tensor disposal. A subclass declares its statics (see `MethodStatics`) and
 * implements `build`, `weights`, `train` and `project`.
 */
export abstract class BaseHasher<C extends BaseConfig> implements Hasher<C> {
  readonly config: Readonly<C>;
  private isFitted = false;
  private disposed = false;
  private fittedDims: InputDims | undefined;
  /** True while a fit runs: a second concurrent fit on the same instance is refused. */
  private fitRunning = false;
  private built = false;
  /** The fitted input stage (set by fit and load). */
  private stage: InputStage | undefined;

  constructor(config: Partial<C> = {}) {
    this.config = resolveConfig(this.statics, config);
  }

  /** The subclass's static side. */
  protected get statics(): MethodStatics<C> {
    const cls = this.constructor as unknown as MethodStatics<C>;
    for (const k of ["methodName", "paper", "defaults", "presets", "inputs"] as const) {
      if (cls[k] === undefined)
        throw new HasherError(`${this.constructor.name} must declare static ${k}`);
    }
    return cls;
  }

  /** The method's metadata: name, paper, supervised flag, bits, inputs. */
  get meta(): HasherMetadata {
    const s = this.statics;
    return {
      name: s.methodName,
      paper: s.paper,
      supervised: s.supervised,
      bits: this.config.bits,
      inputs: s.inputs,
    };
  }

  get fitted(): boolean {
    return this.isFitted;
  }

  /** Input widths of the fitted model (undefined before fit/load). */
  get dims(): InputDims | undefined {
    return this.fittedDims;
  }

  /** The input stage's mode per modality and constant columns (undefined before fit/load). */
  get inputStage(): InputStageReport | undefined {
    return this.stage?.report();
  }

  /**
   * Rows of one modality as `project` sees them (the fitted input stage applied); for a method's
   * own diagnostics that take raw features. Throws before fit/load.
   */
  protected prepareInput(modality: Modality, x: Matrix): Matrix {
    if (!this.stage)
      throw new HasherError(`${this.statics.methodName} is not fitted: no input stage yet`);
    return this.stage.apply(modality, x);
  }

  /**
   * The "model not built" guard for a method's own fields (networks, arrays): returns `value`, or
   * throws a HasherError naming the method and `what` when it is unset (before fit/load).
   */
  protected requireModel<T>(value: T | null | undefined, what = "model"): T {
    return requireBuilt(this.statics.methodName, value, what);
  }

  // ----- what a method implements -----

  /** Create the untrained model for these input widths (layers, arrays); called by fit and load. */
  protected abstract build(dims: InputDims, rng: Rng): void | Promise<void>;
  /** Every weight needed to encode, by stable name (saved and loaded; tensors or Float32Arrays). */
  protected abstract weights(): Record<string, WeightValue>;
  /** Train on `train` (labels removed unless the method is supervised). */
  protected abstract train(train: CrossModalSet, ctx: FitContext): Promise<void>;
  /**
   * Real-valued codes for a batch of rows of one modality: an [n, bits] tensor or Float32Array;
   * bit = 1 where value >= 0. Runs inside an engine scope (tensors created here are released).
   */
  protected abstract project(modality: Modality, x: Matrix): tf.Tensor | Float32Array;
  /** Extra state saved only in checkpoints (e.g. code buffers), by stable name. */
  protected trainingState(): Record<string, WeightValue> {
    return {};
  }
  /** Extra JSON saved with the model (e.g. a learned scalar); restored by `restoreExtra`. */
  protected extra(): unknown {
    return undefined;
  }
  /** Restore what `extra` returned. */
  protected restoreExtra(_extra: unknown): void {}
  /** Rows per encode batch (default 2048). */
  protected encodeBatchSize(): number {
    return DEFAULT_ENCODE_BATCH;
  }
  /** Epochs over all phases for `rows` training rows, for the ETA in progress events (optional). */
  protected totalEpochs(_rows: number): number | undefined {
    return undefined;
  }

  // ----- the Hasher contract -----

  async fit(train: CrossModalSet, options: FitOptions = {}): Promise<FitReport> {
    this.checkUsable();
    if (this.fitRunning) {
      throw new HasherError(
        `${this.statics.methodName}.fit is already running on this instance: await the first fit before calling fit again (or fit another instance)`,
      );
    }
    this.fitRunning = true;
    try {
      return await this.fitOnce(train, options);
    } finally {
      this.fitRunning = false;
    }
  }

  private async fitOnce(train: CrossModalSet, options: FitOptions): Promise<FitReport> {
    const s = this.statics;
    const data = this.checkTrainingSet(train);
    await initBackend();
    const t0 = performance.now();
    this.releaseModel();
    this.isFitted = false;
    const dims: InputDims = { image: data.image.cols, text: data.text.cols };
    // The input stage is fitted on the raw training rows and `train` sees the transformed ones.
    const stage = new InputStage(this.config.input ?? "none", dims).fit(data);
    const staged = this.applyStage(stage, data);
    const rng = createRng(this.config.seed);
    const tracked: { dispose(): void }[] = [];
    const optimizers = new Map<string, Optimizer>();
    const loop = new TrainingLoop({
      method: s.methodName,
      signal: options.signal,
      onProgress: options.onProgress as ((e: FitProgress) => void) | undefined,
      totalEpochs: this.totalEpochs(data.image.rows),
    });
    // Safety net: every tensor created during fit that is not a variable or a model weight is
    // released when fit ends, even if the method forgot one on an abort or error path.
    const scoped = activeFits === 0;
    let health: FitReport["codeHealth"];
    activeFits++;
    if (scoped) tf.engine().startScope();
    try {
      await this.build(dims, rng);
      this.built = true;
      this.fittedDims = dims;
      this.stage = stage;
      const resume = options.checkpointDir
        ? await this.readCheckpoint(options.checkpointDir, dims)
        : undefined;
      const done = new Map<string, Record<string, number>[]>(resume?.phases ?? []);
      let pendingSlots = resume?.slots;
      const ctx: FitContext = {
        rng,
        signal: options.signal,
        loop,
        dims,
        tick: () => loop.tick(),
        track: (x) => {
          tracked.push(x);
          return x;
        },
        optimizer: (name, opt) => {
          if (optimizers.has(name))
            throw new HasherError(`${s.methodName}: optimiser name "${name}" registered twice`);
          optimizers.set(name, opt);
          tracked.push(opt);
          if (pendingSlots) this.restoreSlots(name, opt, pendingSlots);
          return opt;
        },
        phase: async (name, epochs, epochFn) => {
          const prev = done.get(name) ?? [];
          if (prev.length > epochs)
            throw new HasherError(
              `${s.methodName}: checkpoint has more epochs of "${name}" than configured`,
            );
          for (const h of prev) loop.history.push(h);
          await loop.phase(name, epochs, epochFn, {
            startEpoch: prev.length,
            onEpochEnd: async (_epoch, losses) => {
              prev.push(losses);
              done.set(name, prev);
              if (options.checkpointDir)
                await this.writeCheckpoint(options.checkpointDir, done, optimizers);
            },
          });
          pendingSlots = undefined;
          return [...prev];
        },
      };
      if (resume)
        await this.applyWeights(resume.weights, `checkpoint in ${options.checkpointDir}`, true);
      await this.train(staged, ctx);
      this.isFitted = true;
      // Code health of the training codes of both modalities (data for the caller; nothing logged).
      health = {
        image: codeHealth(this.encode("image", data.image)),
        text: codeHealth(this.encode("text", data.text)),
      };
    } catch (e) {
      this.releaseModel();
      throw e;
    } finally {
      for (const x of tracked) x.dispose();
      activeFits--;
      if (scoped) {
        const keep = this.built
          ? Object.values({ ...this.weights() }).filter(
              (v): v is tf.Tensor => v instanceof tf.Tensor,
            )
          : [];
        tf.engine().endScope(keep);
      }
    }
    return {
      method: s.methodName,
      bits: this.config.bits,
      backend: backendName(),
      kernelFixes: activeKernelFixes(),
      epochs: loop.history.length,
      seconds: (performance.now() - t0) / 1000,
      history: loop.history,
      trainSize: data.image.rows,
      input: stage.report(),
      codeHealth: health,
    };
  }

  encode(modality: Modality, x: Matrix): BinaryCodes {
    this.checkUsable();
    const name = this.statics.methodName;
    if (!this.isFitted || !this.fittedDims) {
      throw new HasherError(
        `${name} is not fitted: call fit(train) or ${name}.load(dir) before encode`,
      );
    }
    if (modality !== "image" && modality !== "text") {
      throw new HasherError(
        `${name}.encode: modality must be "image" or "text", got ${JSON.stringify(modality)}`,
      );
    }
    checkMatrix(name, `encode(${modality}) input`, x);
    const want = this.fittedDims[modality];
    if (x.cols !== want) {
      throw new HasherError(
        `${name}.encode(${modality}): input has ${x.cols} columns, the model was fitted on ${want}`,
      );
    }
    const bits = this.config.bits;
    const out = new Float32Array(x.rows * bits);
    const bs = this.encodeBatchSize();
    const stage = this.stage;
    for (let s = 0; s < x.rows; s += bs) {
      const e = Math.min(x.rows, s + bs);
      const raw: Matrix = {
        rows: e - s,
        cols: x.cols,
        data: x.data.subarray(s * x.cols, e * x.cols),
      };
      const batch = stage ? stage.apply(modality, raw) : raw;
      // A scope rather than tf.tidy: tidy would walk a returned Float32Array element by element.
      tf.engine().startScope();
      let vals: Float32Array;
      try {
        const r = this.project(modality, batch);
        if (r instanceof Float32Array) vals = r;
        else {
          if (r.shape.length !== 2 || r.shape[0] !== e - s || r.shape[1] !== bits) {
            throw new HasherError(
              `${name}.project returned shape [${r.shape}], expected [${e - s}, ${bits}]`,
            );
          }
          vals = r.dataSync() as Float32Array;
        }
      } finally {
        tf.engine().endScope();
      }
      if (vals.length !== (e - s) * bits) {
        throw new HasherError(
          `${name}.project returned ${vals.length} values, expected ${(e - s) * bits}`,
        );
      }
      for (let i = 0; i < vals.length; i++) {
        const v = vals[i];
        if (Number.isNaN(v))
          throw new HasherError(
            `${name}.encode(${modality}): the model produced NaN for row ${s + Math.floor(i / bits)}`,
          );
        out[s * bits + i] = v >= 0 ? 1 : -1;
      }
    }
    return packCodes(out, x.rows, bits, { from: "pm1" });
  }

  async save(dir: string): Promise<void> {
    this.checkUsable();
    const name = this.statics.methodName;
    if (!this.isFitted || !this.fittedDims)
      throw new HasherError(`${name} is not fitted: nothing to save`);
    await saveModelFiles(dir, this.header(), this.savedWeights());
  }

  /** Load a model saved by `save` into a new instance of this class. */
  // biome-ignore lint/suspicious/noExplicitAny: lets every subclass's static side satisfy HasherClass<C>.
  static async load<H extends BaseHasher<any>>(this: HasherCtor<H>, dir: string): Promise<H> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being loaded.
    const statics = this as unknown as MethodStatics<BaseConfig>;
    const { file, weights } = await loadModelFiles(dir, statics.methodName);
    // Models saved before the shared input stage existed carry no `input` key: they ran with none.
    const saved = file.config as Record<string, unknown> | null;
    const config =
      saved && typeof saved === "object" && !("input" in saved) && "input" in statics.defaults
        ? { ...saved, input: "none" }
        : saved;
    const h = new this(config as Partial<never>);
    await initBackend();
    await h.restore(file.dims, weights, file.extra, `model in ${dir}`);
    return h;
  }

  dispose(): void {
    this.releaseModel();
    this.disposed = true;
  }

  // ----- internals -----

  private header() {
    const s = this.statics;
    return {
      method: s.methodName,
      packageVersion: s.packageVersion,
      config: this.config,
      dims: this.fittedDims as InputDims,
      backend: backendName(),
      extra: this.extra(),
    };
  }

  private async restore(
    dims: InputDims,
    weights: Map<string, { shape: number[]; data: Float32Array }>,
    extra: unknown,
    source: string,
  ): Promise<void> {
    if (!dims || !Number.isInteger(dims.image) || !Number.isInteger(dims.text)) {
      throw new ModelFormatError(`${source}: model.json has no valid input dims`);
    }
    await this.build(dims, createRng(this.config.seed));
    this.built = true;
    this.fittedDims = dims;
    this.stage = new InputStage(this.config.input ?? "none", dims);
    await this.applyWeights(weights, source, false);
    this.restoreExtra(extra);
    this.isFitted = true;
  }

  private async applyWeights(
    saved: Map<string, { shape: number[]; data: Float32Array }>,
    source: string,
    withTrainingState: boolean,
  ): Promise<void> {
    const name = this.statics.methodName;
    const targets = {
      ...this.savedWeights(),
      ...(withTrainingState ? this.trainingState() : {}),
    };
    for (const [k, target] of Object.entries(targets)) {
      const w = saved.get(k);
      if (!w) throw new ModelFormatError(`${source}: weight "${k}" of ${name} is missing`);
      if (target instanceof tf.Tensor) {
        if (w.shape.join() !== target.shape.join()) {
          throw new ModelFormatError(
            `${source}: weight "${k}" has shape [${w.shape}], the model expects [${target.shape}]`,
          );
        }
        if (!(target instanceof tf.Variable))
          throw new HasherError(`${name}: weight "${k}" must be a tf.Variable to be loaded`);
        const t = tf.tensor(w.data, w.shape);
        target.assign(t);
        t.dispose();
      } else {
        const arr = target instanceof Float32Array ? target : target.data;
        if (arr.length !== w.data.length) {
          throw new ModelFormatError(
            `${source}: weight "${k}" has ${w.data.length} values, the model expects ${arr.length}`,
          );
        }
        arr.set(w.data);
      }
    }
  }

  /** The method's weights plus the input stage's fitted parameters (what save writes). */
  private savedWeights(): Record<string, WeightValue> {
    return { ...this.weights(), ...(this.stage?.weights() ?? {}) };
  }

  /** The training set as `train` sees it: features through the stage, labels and name kept. */
  private applyStage(stage: InputStage, data: CrossModalSet): CrossModalSet {
    if (stage.identity) return data;
    const name = this.statics.methodName;
    const transform = (m: Modality): Matrix => {
      const raw = data[m];
      const t = stage.of(m);
      if (t.identity) return raw;
      const key = `${t.mode}|${raw.rows}x${raw.cols}`;
      const fp = fingerprint(raw.data);
      const hit = stagedCache.get(raw.data);
      if (hit && hit.key === key && hit.fingerprint === fp) return hit.out;
      const out = t.apply(raw);
      stagedCache.set(raw.data, { key, fingerprint: fp, out });
      return out;
    };
    const out: CrossModalSet = Object.freeze({
      ...data,
      image: transform("image"),
      text: transform("text"),
    });
    for (const m of ["image", "text"] as const) {
      const d = out[m].data;
      for (let i = 0; i < d.length; i++)
        if (!Number.isFinite(d[i]))
          throw new HasherError(
            `${name}.fit: the input stage (${stage.modes[m]}) made a non-finite ${m} value at row ${Math.floor(i / out[m].cols)}; the features' range is too wide for float32`,
          );
    }
    return out;
  }

  private checkTrainingSet(train: CrossModalSet): CrossModalSet {
    const s = this.statics;
    const name = s.methodName;
    if (!train || typeof train !== "object")
      throw new HasherError(`${name}.fit: expected a CrossModalSet { image, text, labels? }`);
    checkMatrix(name, "train.image", train.image);
    checkMatrix(name, "train.text", train.text);
    if (train.image.rows !== train.text.rows) {
      throw new HasherError(
        `${name}.fit: image has ${train.image.rows} rows but text has ${train.text.rows}; rows must be paired`,
      );
    }
    if (train.image.rows === 0) throw new HasherError(`${name}.fit: the training set is empty`);
    checkTrainingRows(name, train.image.rows, s.minTrainingRows ?? 1, s.minTrainingRowsReason);
    if (!s.supervised) {
      // Unsupervised methods never see labels.
      return Object.freeze({
        name: train.name,
        image: train.image,
        text: train.text,
        synthetic: train.synthetic,
      });
    }
    const labels = train.labels;
    if (!labels)
      throw new HasherError(`${name} is supervised: fit needs train.labels (multi-hot rows)`);
    if (labels.rows !== train.image.rows) {
      throw new HasherError(
        `${name}.fit: labels have ${labels.rows} rows, features have ${train.image.rows}`,
      );
    }
    if (labels.data.length !== labels.rows * labels.cols || labels.cols < 1) {
      throw new HasherError(
        `${name}.fit: labels.data has ${labels.data.length} values, expected ${labels.rows} * ${labels.cols}`,
      );
    }
    return train;
  }

  private checkUsable(): void {
    if (this.disposed) throw new HasherError(`${this.statics.methodName} instance was disposed`);
  }

  private releaseModel(): void {
    if (this.built) {
      const all = { ...this.weights(), ...this.trainingState() };
      for (const v of Object.values(all)) if (v instanceof tf.Tensor && !v.isDisposed) v.dispose();
    }
    this.built = false;
    this.isFitted = false;
    this.fittedDims = undefined;
    this.stage = undefined;
  }

  // ----- checkpoints -----

  private checkpointPaths(dir: string) {
    return { model: join(dir, "model"), progress: join(dir, "progress.json") };
  }

  private async writeCheckpoint(
    dir: string,
    phases: Map<string, Record<string, number>[]>,
    optimizers: Map<string, Optimizer>,
  ): Promise<void> {
    const names = new Map<tf.Variable, string>();
    for (const [k, v] of Object.entries(this.weights()))
      if (v instanceof tf.Variable) names.set(v, k);
    for (const [k, v] of Object.entries(this.trainingState()))
      if (v instanceof tf.Variable) names.set(v, k);
    const slotWeights: Record<string, WeightValue> = {};
    const iterations: Record<string, number> = {};
    for (const [oname, opt] of optimizers) {
      iterations[oname] = opt.iterations;
      for (const { variable, slot, value } of opt.slots()) {
        const vname = names.get(variable);
        if (vname) slotWeights[`@opt/${oname}/${slot}/${vname}`] = value;
      }
    }
    const p = this.checkpointPaths(dir);
    await saveModelFiles(p.model, this.header(), {
      ...this.savedWeights(),
      ...this.trainingState(),
      ...slotWeights,
    });
    const progress = {
      method: this.statics.methodName,
      config: this.config,
      phases: [...phases],
      iterations,
    };
    await writeFileAtomic(p.progress, `${JSON.stringify(progress)}\n`);
  }

  private async readCheckpoint(dir: string, dims: InputDims) {
    const p = this.checkpointPaths(dir);
    if (!existsSync(p.progress) || !existsSync(join(p.model, "model.json"))) return undefined;
    const name = this.statics.methodName;
    const progress = JSON.parse(await readFile(p.progress, "utf8")) as {
      method: string;
      config: unknown;
      phases: [string, Record<string, number>[]][];
      iterations: Record<string, number>;
    };
    if (progress.method !== name) {
      throw new HasherError(
        `${name}.fit: checkpointDir ${dir} holds a checkpoint of "${progress.method}"; use another folder`,
      );
    }
    if (JSON.stringify(progress.config) !== JSON.stringify(this.config)) {
      throw new HasherError(
        `${name}.fit: checkpointDir ${dir} was written with a different config; use another folder or the same config`,
      );
    }
    const { file, weights } = await loadModelFiles(p.model, name);
    if (file.dims.image !== dims.image || file.dims.text !== dims.text) {
      throw new HasherError(
        `${name}.fit: checkpoint in ${dir} was fitted on widths ${file.dims.image}/${file.dims.text}, this set has ${dims.image}/${dims.text}`,
      );
    }
    this.restoreExtra(file.extra);
    return {
      phases: progress.phases,
      weights,
      slots: { weights, iterations: progress.iterations },
    };
  }

  private restoreSlots(
    oname: string,
    opt: Optimizer,
    saved: {
      weights: Map<string, { shape: number[]; data: Float32Array }>;
      iterations: Record<string, number>;
    },
  ): void {
    const vars = new Map<string, tf.Variable>();
    for (const [k, v] of Object.entries({ ...this.weights(), ...this.trainingState() }))
      if (v instanceof tf.Variable) vars.set(k, v);
    const prefix = `@opt/${oname}/`;
    for (const [k, w] of saved.weights) {
      if (!k.startsWith(prefix)) continue;
      const rest = k.slice(prefix.length);
      const slash = rest.indexOf("/");
      const variable = vars.get(rest.slice(slash + 1));
      if (variable) opt.setSlot(variable, rest.slice(0, slash), w.data);
    }
    opt.iterations = saved.iterations[oname] ?? 0;
  }
}
