import type { CrossModalSet, Matrix } from "@cmh/datasets";
import type { BinaryCodes, CodeHealth } from "@cmh/hamming-index";
import type { ConfigSchema } from "./config-schema";
import type { InputStageReport } from "./input-stage";

/** Which side of a pair. */
export type Modality = "image" | "text";

/** What a method needs at fit time. */
export type HasherInput = "image" | "text" | "labels";

/** Citation of the method's paper. */
export interface PaperRef {
  readonly title: string;
  readonly authors: string;
  readonly venue: string;
  readonly year: number;
  readonly url?: string;
}

/** Static facts about a method and one instance of it. */
export interface HasherMetadata {
  /** Short name, e.g. "UGACH" or "CCA-ITQ". */
  readonly name: string;
  readonly paper: PaperRef;
  /** True when fit needs labels (only DSPAH among the five). */
  readonly supervised: boolean;
  /** Code length of this instance. */
  readonly bits: number;
  /** Inputs fit reads. Unsupervised methods never list "labels". */
  readonly inputs: readonly HasherInput[];
}

/** One progress event during fit. */
export interface FitProgress {
  readonly method: string;
  /** Phase label, e.g. "graph", "pretrain", "train". */
  readonly phase: string;
  /** 1-based epoch within the phase, and total epochs of the phase. */
  readonly epoch: number;
  readonly epochs: number;
  /** Mean loss of the epoch (total), and its named terms. */
  readonly loss: number;
  readonly losses?: Readonly<Record<string, number>>;
  readonly elapsedSeconds: number;
  /** Estimated seconds left in the whole fit, when known. */
  readonly etaSeconds?: number;
}

/** Options for fit: cancellation, progress, checkpoints. */
export interface FitOptions {
  /** Aborting stops the fit at the next step with an AbortError; the model stays unfitted. */
  readonly signal?: AbortSignal;
  /** Called after every epoch with the phase, epoch, losses and ETA. */
  readonly onProgress?: (event: FitProgress) => void;
  /** When set, the model is checkpointed here each epoch and a fit resumes from it. */
  readonly checkpointDir?: string;
}

/** What fit returns. */
export interface FitReport {
  readonly method: string;
  readonly bits: number;
  /** Backend the fit ran on (e.g. "wasm", "cpu", "tensorflow"). */
  readonly backend: string;
  /**
   * tensor-core's kernel fixes active during the fit ("wasm:BatchMatMul", ...; empty when tfjs's
   * own kernels ran), so a result says which code path produced it.
   */
  readonly kernelFixes: readonly string[];
  readonly epochs: number;
  readonly seconds: number;
  /** Per-epoch mean losses, in order; each names its terms ("total" always present). */
  readonly history: ReadonlyArray<Readonly<Record<string, number>>>;
  readonly trainSize: number;
  /** The input stage fitted on the training rows: mode and constant columns per modality. */
  readonly input?: InputStageReport;
  /** `codeHealth` of the training rows' codes of each modality (collapsed codes show here). */
  readonly codeHealth?: Readonly<Record<Modality, CodeHealth>>;
}

/** The contract every method package implements. */
export interface Hasher<C extends object = object> {
  readonly meta: HasherMetadata;
  /** The validated, complete config this instance runs with (JSON-serialisable). */
  readonly config: Readonly<C>;
  /** True after a successful fit or load. */
  readonly fitted: boolean;
  /** Learn the hash functions from paired training items. */
  fit(train: CrossModalSet, options?: FitOptions): Promise<FitReport>;
  /** Hash rows of one modality; deterministic after fit. Throws on wrong width or NaN/Inf. */
  encode(modality: Modality, x: Matrix): BinaryCodes;
  /** Save weights and config to a directory (atomic, versioned). */
  save(dir: string): Promise<void>;
  /** Release any tensors held. The instance is unusable afterwards. */
  dispose(): void;
}

/** A method class: constructor with config, static loader, defaults and presets. */
export interface HasherClass<C extends object = object> {
  new (config?: Partial<C>): Hasher<C>;
  /** Load a model saved by `save`; fails clearly on another method's or version's files. */
  load(dir: string): Promise<Hasher<C>>;
  /** Static metadata (bits taken from the default config). */
  readonly methodName: string;
  /** Named configs: at least "paper" and "quick". */
  readonly presets: Readonly<Record<string, Partial<C>>>;
  /** The config schema, when the method declares one (options table, `--set` parsing). */
  readonly schema?: ConfigSchema;
}
