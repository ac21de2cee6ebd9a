import { tf } from "../backend/tf";
import type { FitProgress } from "../hasher/hasher";
import type { Optimizer } from "./optim";

/** The error thrown when a fit is cancelled through its AbortSignal. */
export class AbortError extends Error {
  override readonly name = "AbortError";
  constructor(message = "fit aborted") {
    super(message);
  }
}

/** Thrown when a loss term becomes NaN or ±Inf. */
export class NonFiniteLossError extends Error {
  override readonly name = "NonFiniteLossError";
}

/** Throw an AbortError if `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const r = signal.reason;
    throw new AbortError(
      r instanceof Error && r.message ? `fit aborted: ${r.message}` : "fit aborted",
    );
  }
}

/** What a loss function returns: the total (minimised) and optionally named terms (for logs). */
export type LossResult = tf.Scalar | { total: tf.Scalar; terms?: Record<string, tf.Scalar> };

/** An optimiser and the variables it owns, for one `step`. */
export interface ParamGroup {
  readonly optimizer: Optimizer;
  readonly variables: readonly tf.Variable[];
}

/** Options of one optimisation step (`trainStep`, `EpochContext.step`). */
export interface StepOptions {
  /**
   * Clip the gradients of all the step's variables to this global L2 norm before the optimisers
   * run (torch.nn.utils.clip_grad_norm_: scale by clipNorm / (norm + 1e-6) when below 1). Off by default.
   */
  readonly clipNorm?: number;
  /**
   * Name of the step inside its phase (e.g. "generator", "discriminator"): its terms are recorded
   * as `name` (the total) and `name.term`, so several steps of one phase keep separate losses.
   */
  readonly name?: string;
}

/** Options for `TrainingLoop`. */
export interface TrainingLoopOptions {
  readonly method: string;
  readonly signal?: AbortSignal;
  /** Called after every epoch with the phase, epoch, losses and ETA. */
  readonly onProgress?: (event: FitProgress) => void;
  /** Epochs of all phases together (for ETA); default: the sum of phases as they start. */
  readonly totalEpochs?: number;
  /** Yield to the event loop at least this often (ms) so aborts are seen promptly; default 50. */
  readonly yieldMs?: number;
}

/** Per-epoch context handed to a phase's epoch function. */
export interface EpochContext {
  /** 0-based epoch index within the phase. */
  readonly epoch: number;
  /**
   * One optimisation step: computes `loss` and its gradients for the groups' variables, applies
   * each group's optimiser, records the terms; checks abort and NaN/Inf. Returns the term values.
   */
  step(
    loss: () => LossResult,
    groups: ParamGroup | readonly ParamGroup[],
    options?: StepOptions,
  ): Promise<Record<string, number>>;
  /** Record loss values computed without a step (e.g. a closed-form update's objective). */
  record(terms: Record<string, number>): void;
  /** Check abort and yield to the event loop when due (call in long non-step loops). */
  tick(): Promise<void>;
}

/**
 * Runs training phases epoch by epoch: progress events with ETA, prompt cancellation, NaN/Inf
 * detection naming the epoch and term, tidy per step, per-epoch mean losses in `history`.
 */
export class TrainingLoop {
  readonly history: Record<string, number>[] = [];
  private readonly start = performance.now();
  private lastYield = performance.now();
  private epochsDone = 0;
  private plannedEpochs = 0;

  constructor(readonly options: TrainingLoopOptions) {}

  /** Seconds since the loop was created. */
  get elapsedSeconds(): number {
    return (performance.now() - this.start) / 1000;
  }

  /** Epochs run so far over all phases. */
  get epochs(): number {
    return this.epochsDone;
  }

  /** Check the abort signal; yield to the event loop if `yieldMs` passed since the last yield. */
  async tick(): Promise<void> {
    throwIfAborted(this.options.signal);
    if (performance.now() - this.lastYield >= (this.options.yieldMs ?? 50)) {
      await new Promise<void>((r) => setImmediate(r));
      this.lastYield = performance.now();
      throwIfAborted(this.options.signal);
    }
  }

  /**
   * Run `epochs` epochs of a phase. `epochFn` does the epoch's steps via `ctx.step`;
   * `onEpochEnd` (e.g. a checkpoint) runs after each epoch's progress event. `startEpoch` resumes.
   */
  async phase(
    name: string,
    epochs: number,
    epochFn: (ctx: EpochContext) => Promise<void> | void,
    options: {
      startEpoch?: number;
      onEpochEnd?: (epoch: number, losses: Record<string, number>) => Promise<void> | void;
    } = {},
  ): Promise<Record<string, number>[]> {
    if (!Number.isInteger(epochs) || epochs < 0)
      throw new RangeError(`epochs must be an integer >= 0, got ${epochs}`);
    const startEpoch = options.startEpoch ?? 0;
    this.plannedEpochs += epochs - startEpoch;
    const out: Record<string, number>[] = [];
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      await this.tick();
      const sums: Record<string, number> = {};
      const counts: Record<string, number> = {};
      const record = (terms: Record<string, number>) => {
        for (const [k, v] of Object.entries(terms)) {
          if (!Number.isFinite(v)) {
            throw new NonFiniteLossError(
              `${this.options.method}: loss term "${k}" is ${v} in phase "${name}", epoch ${epoch + 1}/${epochs} (lower the learning rate or check the input scale)`,
            );
          }
          sums[k] = (sums[k] ?? 0) + v;
          counts[k] = (counts[k] ?? 0) + 1;
        }
      };
      const ctx: EpochContext = {
        epoch,
        record,
        tick: () => this.tick(),
        step: async (loss, groups, stepOptions) => {
          await this.tick();
          const terms = trainStep(loss, groups, stepOptions);
          record(stepOptions?.name ? namedTerms(stepOptions.name, terms) : terms);
          return terms;
        },
      };
      await epochFn(ctx);
      const means: Record<string, number> = {};
      for (const k of Object.keys(sums)) means[k] = sums[k] / counts[k];
      if (means.total === undefined) means.total = 0;
      out.push(means);
      this.history.push(means);
      this.epochsDone++;
      const elapsed = this.elapsedSeconds;
      const total = Math.max(this.options.totalEpochs ?? this.plannedEpochs, this.epochsDone);
      const { total: loss, ...rest } = means;
      this.options.onProgress?.({
        method: this.options.method,
        phase: name,
        epoch: epoch + 1,
        epochs,
        loss,
        losses: { total: loss, ...rest },
        elapsedSeconds: elapsed,
        etaSeconds: (elapsed / this.epochsDone) * (total - this.epochsDone),
      });
      await options.onEpochEnd?.(epoch, means);
      throwIfAborted(this.options.signal);
    }
    return out;
  }
}

/** Terms of a named step as recorded: the total as `name`, each term as `name.term`. */
export function namedTerms(name: string, terms: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(terms)) out[k === "total" ? name : `${name}.${k}`] = v;
  return out;
}

/**
 * One optimisation step (the step API; inside a phase use `EpochContext.step`, which adds abort,
 * NaN checks and recording): gradients of `loss` for every group's variables (tf.variableGrads),
 * optional global-norm clipping, each group's optimiser applied in order, every intermediate
 * tensor released. Returns the term values ("total" plus named terms). A non-finite total skips
 * the update (the caller's NaN check names it).
 */
export function trainStep(
  loss: () => LossResult,
  groups: ParamGroup | readonly ParamGroup[],
  options: StepOptions = {},
): Record<string, number> {
  const clip = options.clipNorm;
  if (clip !== undefined && !(Number.isFinite(clip) && clip > 0))
    throw new RangeError(`trainStep: clipNorm must be a finite number > 0, got ${clip}`);
  const list: readonly ParamGroup[] = Array.isArray(groups) ? groups : [groups as ParamGroup];
  const vars = list.flatMap((g) => [...g.variables]);
  const termTensors: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const r = loss();
    if (r instanceof tf.Tensor) return r;
    for (const [k, t] of Object.entries(r.terms ?? {})) termTensors[k] = tf.keep(t.clone());
    return r.total;
  }, vars);
  try {
    const terms: Record<string, number> = { total: value.dataSync()[0] };
    for (const [k, t] of Object.entries(termTensors)) terms[k] = t.dataSync()[0];
    if (Number.isFinite(terms.total)) {
      if (clip !== undefined) clipGlobalNorm(grads, clip);
      for (const g of list) g.optimizer.step(g.variables, grads);
    }
    return terms;
  } finally {
    value.dispose();
    tf.dispose(Object.values(grads));
    tf.dispose(Object.values(termTensors));
  }
}

/** Scale `grads` in place so that their global L2 norm is at most `maxNorm` (as torch's clip_grad_norm_). */
function clipGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): void {
  const keys = Object.keys(grads);
  if (keys.length === 0) return;
  const norm = tf.tidy(
    () => tf.sqrt(tf.addN(keys.map((k) => tf.sum(tf.square(grads[k]))))).dataSync()[0],
  );
  const coef = maxNorm / (norm + 1e-6);
  if (!(coef < 1)) return;
  for (const k of keys) {
    const g = grads[k];
    grads[k] = tf.mul(g, coef);
    g.dispose();
  }
}

/**
 * Epoch multiplier for `epochScaleItems`: max(1, round(items / n)) so that a training set of n
 * items gets about as many updates as one of `items` (1 when the option is 0).
 */
export function epochScale(items: number, n: number): number {
  return items > 0 ? Math.max(1, Math.round(items / n)) : 1;
}
