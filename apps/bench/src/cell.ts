/**
 * One cell of a run: one method at one bit length and seed. Fit on the split's training items,
 * encode queries and database in both modalities, evaluate every direction with `@cmh/metrics`.
 * Failures (a throw, a non-finite loss, bad codes) become a failed outcome, never an exception.
 */
import { applySplit, type CrossModalSet } from "@cmh/datasets";
import { type BinaryCodes, type CodeHealth, codeHealth } from "@cmh/hamming-index";
import {
  type CrossModalMetrics,
  type Direction,
  evaluateCrossModal,
  type TopK,
} from "@cmh/metrics";
import type { FitProgress, HasherClass, Modality } from "@cmh/tensor-core";
import { methodOverrides } from "./args";
import type { DatasetSpec, LoadedDataset } from "./dataset";

/** What to run in one cell. */
export interface CellSpec {
  readonly method: string;
  readonly package: string;
  readonly supervised: boolean;
  /** Preset of the method class (`quick`, `paper`, or any other preset the class names). */
  readonly preset: string;
  /** Config values set on top of the preset (`--set key=value`); never `bits` or `seed`. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  readonly bits: number;
  readonly seed: number;
  readonly dataset: DatasetSpec;
  /** Backend asked for ("auto", "tensorflow", "wasm", "cpu"). */
  readonly backend: string;
  readonly directions: readonly Direction[];
  /** mAP cut-offs; default `["all", 50, 1000]`. */
  readonly ks?: readonly TopK[];
}

/** The mAP cut-offs every cell evaluates unless told otherwise. */
export const DEFAULT_KS: readonly TopK[] = ["all", 50, 1000];

/** The preset's name, plus the `--set` overrides when there are any ("quick + lrG=0.5"). */
export function presetLabel(s: Pick<CellSpec, "preset" | "overrides">): string {
  const o = s.overrides ?? {};
  const keys = Object.keys(o).sort();
  if (keys.length === 0) return s.preset;
  return `${s.preset} + ${keys.map((k) => `${k}=${JSON.stringify(o[k])}`).join(",")}`;
}

/** Identity of a cell inside a results file (what a re-run compares to skip finished cells). */
export function cellKey(
  s: Pick<CellSpec, "method" | "preset" | "overrides" | "bits" | "seed" | "dataset">,
): string {
  return [
    s.method,
    presetLabel(s),
    `${s.bits}`,
    `${s.seed}`,
    s.dataset.name,
    s.dataset.protocol ?? "",
  ].join("|");
}

/** Encode timings of one modality. */
export interface EncodeTiming {
  readonly items: number;
  readonly seconds: number;
  readonly itemsPerSecond: number;
}

/** A cell that finished. */
export interface CellSuccess {
  readonly status: "ok";
  readonly config: Record<string, unknown>;
  readonly backend: string;
  /** tensor-core kernel fixes active during the fit (from its report; empty: tfjs's own kernels). */
  readonly kernelFixes: readonly string[];
  readonly trainSeconds: number;
  readonly epochs: number;
  readonly finalLoss: number | null;
  readonly encode: { readonly image: EncodeTiming; readonly text: EncodeTiming };
  readonly evalSeconds: number;
  readonly metrics: CrossModalMetrics;
  /** Code health (`codeHealth` of `@cmh/hamming-index`) of the database codes of each modality. */
  readonly codeHealth: { readonly image: CodeHealth; readonly text: CodeHealth };
}

/** A cell that failed, with the phase and the error. */
export interface CellFailure {
  readonly status: "failed";
  readonly phase: "backend" | "load" | "config" | "fit" | "encode" | "evaluate";
  readonly error: { readonly message: string; readonly stack?: string };
  readonly config: Record<string, unknown> | null;
  readonly backend: string | null;
  readonly trainSeconds: number | null;
}

/** Result of `runCell`. */
export type CellOutcome = CellSuccess | CellFailure;

/** Hooks of `runCell`. */
export interface CellHooks {
  readonly onProgress?: (event: FitProgress) => void;
  readonly signal?: AbortSignal;
  /** Name of the active tfjs backend (read after fit). */
  readonly backendName?: () => string;
}

function errorOf(e: unknown): { message: string; stack?: string } {
  if (e instanceof Error) return { message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  return { message: String(e) };
}

/** Remove labels from a training set for a method that does not read them (no leakage). */
export function trainingView(train: CrossModalSet, needsLabels: boolean): CrossModalSet {
  if (needsLabels || train.labels === undefined) return train;
  const { labels: _labels, ...rest } = train;
  return rest;
}

function checkCodes(codes: BinaryCodes, n: number, bits: number, what: string): void {
  if (!codes || !(codes.words instanceof Uint32Array) || codes.n !== n || codes.bits !== bits) {
    throw new Error(
      `encode(${what}) returned ${codes ? `${codes.n} codes of ${codes.bits} bits` : String(codes)}, expected ${n} codes of ${bits} bits`,
    );
  }
}

/** Run one cell with an already loaded dataset; never throws. */
export async function runCell(
  Cls: HasherClass<object>,
  spec: CellSpec,
  data: LoadedDataset,
  hooks: CellHooks = {},
): Promise<CellOutcome> {
  const fail = (
    phase: CellFailure["phase"],
    e: unknown,
    config: Record<string, unknown> | null = null,
    trainSeconds: number | null = null,
  ): CellFailure => ({
    status: "failed",
    phase,
    error: errorOf(e),
    config,
    backend: hooks.backendName?.() ?? null,
    trainSeconds,
  });

  // Build the config: the preset, the cell's bits, and its seed when the method takes one.
  let hasher: ReturnType<typeof construct>;
  let config: Record<string, unknown>;
  function construct(extra: Record<string, unknown>) {
    const preset = Cls.presets?.[spec.preset];
    if (!preset) {
      const known = Object.keys(Cls.presets ?? {}).join(", ") || "none";
      throw new Error(`${spec.method} has no "${spec.preset}" preset (it has: ${known})`);
    }
    return new Cls({
      ...preset,
      ...methodOverrides(Cls, spec.overrides ?? {}),
      bits: spec.bits,
      ...extra,
    } as Partial<object>);
  }
  try {
    const probe = construct({});
    const takesSeed = "seed" in (probe.config as object);
    if (takesSeed) {
      probe.dispose();
      hasher = construct({ seed: spec.seed });
    } else {
      hasher = probe;
    }
    config = { ...(hasher.config as Record<string, unknown>) };
  } catch (e) {
    return fail("config", e);
  }

  try {
    let parts: ReturnType<typeof applySplit>;
    try {
      parts = applySplit(data.set, data.split);
    } catch (e) {
      return fail("load", e, config);
    }
    const needsLabels = hasher.meta.inputs.includes("labels");
    const train = trainingView(parts.train, needsLabels);

    // Fit, watching for non-finite losses.
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(hooks.signal?.reason);
    hooks.signal?.addEventListener("abort", onOuterAbort, { once: true });
    let badLoss: string | null = null;
    const t0 = performance.now();
    let report: Awaited<ReturnType<typeof hasher.fit>>;
    try {
      report = await hasher.fit(train, {
        signal: controller.signal,
        onProgress: (e) => {
          if (!Number.isFinite(e.loss) && badLoss === null) {
            badLoss = `non-finite loss ${e.loss} in phase "${e.phase}" at epoch ${e.epoch}/${e.epochs}`;
            controller.abort(new Error(badLoss));
          }
          hooks.onProgress?.(e);
        },
      });
    } catch (e) {
      const secs = (performance.now() - t0) / 1000;
      return fail("fit", badLoss !== null ? new Error(badLoss) : e, config, secs);
    } finally {
      hooks.signal?.removeEventListener("abort", onOuterAbort);
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    if (badLoss !== null) return fail("fit", new Error(badLoss), config, trainSeconds);
    for (const [i, h] of report.history.entries()) {
      for (const [term, v] of Object.entries(h)) {
        if (!Number.isFinite(v)) {
          return fail(
            "fit",
            new Error(`non-finite loss term "${term}" = ${v} at epoch ${i + 1}`),
            config,
            trainSeconds,
          );
        }
      }
    }
    const last = report.history.at(-1);
    const finalLoss = last && typeof last.total === "number" ? last.total : null;

    // Encode queries and database in both modalities, timing each modality.
    const codes: Record<Modality, { query: BinaryCodes; database: BinaryCodes }> = {} as never;
    const encode: Record<Modality, EncodeTiming> = {} as never;
    try {
      for (const m of ["image", "text"] as const) {
        const t = performance.now();
        const query = hasher.encode(m, parts.query[m]);
        const database = hasher.encode(m, parts.database[m]);
        const seconds = (performance.now() - t) / 1000;
        checkCodes(query, parts.query[m].rows, spec.bits, `${m} queries`);
        checkCodes(database, parts.database[m].rows, spec.bits, `${m} database`);
        codes[m] = { query, database };
        const items = query.n + database.n;
        encode[m] = { items, seconds, itemsPerSecond: seconds > 0 ? items / seconds : Infinity };
      }
    } catch (e) {
      return fail("encode", e, config, trainSeconds);
    }

    // Evaluate all directions in one call.
    const tE = performance.now();
    let metrics: CrossModalMetrics;
    try {
      if (!parts.query.labels || !parts.database.labels) {
        throw new Error(
          `dataset "${data.identity.dataset}" has no labels, so it cannot be evaluated`,
        );
      }
      metrics = evaluateCrossModal({
        image: codes.image,
        text: codes.text,
        queryLabels: parts.query.labels,
        databaseLabels: parts.database.labels,
        directions: spec.directions,
        k: [...(spec.ks ?? DEFAULT_KS)],
        prCurve: true,
      });
    } catch (e) {
      return fail("evaluate", e, config, trainSeconds);
    }
    return {
      status: "ok",
      config,
      backend: report.backend || hooks.backendName?.() || "unknown",
      kernelFixes: report.kernelFixes ?? [],
      trainSeconds,
      epochs: report.epochs,
      finalLoss,
      encode,
      evalSeconds: (performance.now() - tE) / 1000,
      metrics,
      codeHealth: {
        image: codeHealth(codes.image.database),
        text: codeHealth(codes.text.database),
      },
    };
  } finally {
    try {
      hasher.dispose();
    } catch {
      // a failing dispose must not hide the cell's own result
    }
  }
}
