/**
 * The results file `<out>/results.jsonl`: one JSON line per method x bits x seed x direction x
 * metric variant (a failed cell has one line with its error). A cell's lines are appended in one
 * write followed by fsync, and each line carries `line`/`lines` and an `attempt` id, so a cell cut
 * short by a crash is recognisably incomplete and runs again.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  writeSync,
} from "node:fs";
import type { CodeHealth } from "@cmh/hamming-index";
import type { Direction, MetricVariants } from "@cmh/metrics";
import type { CellFailure, CellOutcome, CellSpec, EncodeTiming } from "./cell";
import { cellKey, presetLabel } from "./cell";
import type { DatasetIdentity } from "./dataset";
import type { CodeVersion } from "./version";

/** Version tag of the line format. */
export const RESULT_SCHEMA = "cmh-bench/1";

/** One line of results.jsonl. */
export interface ResultRecord {
  readonly schema: typeof RESULT_SCHEMA;
  readonly runId: string;
  /** `cellKey` of the cell; `attempt` is unique per execution of a cell. */
  readonly cell: string;
  readonly attempt: string;
  /** 1-based index of this line within its cell's lines, and their count. */
  readonly line: number;
  readonly lines: number;
  readonly status: "ok" | "failed";
  readonly method: string;
  readonly package: string;
  readonly supervised: boolean;
  readonly preset: string;
  readonly bits: number;
  readonly seed: number;
  /** Direction and metric variant of `value` (null on a failed cell's line). */
  readonly direction: Direction | null;
  readonly metric: string | null;
  /** A number for scalar metrics; an object for curves ("P@N", "PR"). */
  readonly value: number | Record<string, unknown> | null;
  readonly variants: MetricVariants | null;
  /** Facts of the evaluation of this direction: queries without any relevant item, base rate. */
  readonly evaluation: {
    readonly queries: number;
    readonly database: number;
    readonly zeroRelevanceQueries: number;
    readonly relevantPairRate: number;
  } | null;
  readonly config: Record<string, unknown> | null;
  /** Backend asked for, the one that ran, and tensor-core's kernel fixes active in the fit (null: unknown, a failed cell). */
  readonly backend: {
    readonly requested: string;
    readonly active: string | null;
    readonly kernelFixes?: readonly string[] | null;
  };
  readonly dataset: DatasetIdentity;
  readonly code: CodeVersion;
  readonly trainSeconds: number | null;
  readonly epochs: number | null;
  readonly finalLoss: number | null;
  readonly encode: { readonly image: EncodeTiming; readonly text: EncodeTiming } | null;
  readonly evalSeconds: number | null;
  /**
   * Code health of the cell's database codes per modality (null on a failed cell; absent in
   * files written before it was recorded).
   */
  readonly codeHealth?: { readonly image: CodeHealth; readonly text: CodeHealth } | null;
  /** Peak resident memory in bytes, and whose: the cell's own process, or the whole runner. */
  readonly peakRssBytes: number | null;
  readonly peakRssScope: "cell-process" | "runner-process";
  readonly finishedAt: string;
  readonly error: {
    readonly phase: CellFailure["phase"] | "process";
    readonly message: string;
    readonly stack?: string;
  } | null;
}

/** Context shared by the records of one cell. */
export interface RecordContext {
  readonly runId: string;
  readonly attempt: string;
  readonly identity: DatasetIdentity;
  readonly code: CodeVersion;
  readonly peakRssBytes: number | null;
  readonly peakRssScope: ResultRecord["peakRssScope"];
}

/** Scalar metric variants written per direction (those the evaluation returned). */
function scalarMetrics(m: Record<string, unknown>): string[] {
  return Object.keys(m).filter(
    (k) => (k.startsWith("mAP@") || k.startsWith("P@r")) && typeof m[k] === "number",
  );
}

/** Turn a cell's outcome into its result lines. */
export function toRecords(
  spec: CellSpec,
  outcome: CellOutcome | (Omit<CellFailure, "phase"> & { phase: "process" }),
  ctx: RecordContext,
): ResultRecord[] {
  const base = {
    schema: RESULT_SCHEMA,
    runId: ctx.runId,
    cell: cellKey(spec),
    attempt: ctx.attempt,
    method: spec.method,
    package: spec.package,
    supervised: spec.supervised,
    preset: presetLabel(spec),
    bits: spec.bits,
    seed: spec.seed,
    dataset: ctx.identity,
    code: ctx.code,
    peakRssBytes: ctx.peakRssBytes,
    peakRssScope: ctx.peakRssScope,
    finishedAt: new Date().toISOString(),
  } as const;
  if (outcome.status === "failed") {
    return [
      {
        ...base,
        line: 1,
        lines: 1,
        status: "failed",
        direction: null,
        metric: null,
        value: null,
        variants: null,
        evaluation: null,
        config: outcome.config,
        backend: { requested: spec.backend, active: outcome.backend, kernelFixes: null },
        trainSeconds: outcome.trainSeconds,
        epochs: null,
        finalLoss: null,
        encode: null,
        evalSeconds: null,
        codeHealth: null,
        error: { phase: outcome.phase, ...outcome.error },
      },
    ];
  }
  const rows: Omit<ResultRecord, "line" | "lines">[] = [];
  for (const d of outcome.metrics.directions) {
    const m = outcome.metrics[d];
    if (!m) continue;
    const shared = {
      ...base,
      status: "ok" as const,
      direction: d,
      variants: m.variants,
      evaluation: {
        queries: m.queries,
        database: m.database,
        zeroRelevanceQueries: m.zeroRelevanceQueries,
        relevantPairRate: m.relevantPairRate,
      },
      config: outcome.config,
      backend: {
        requested: spec.backend,
        active: outcome.backend,
        kernelFixes: outcome.kernelFixes,
      },
      trainSeconds: outcome.trainSeconds,
      epochs: outcome.epochs,
      finalLoss: outcome.finalLoss,
      encode: outcome.encode,
      evalSeconds: outcome.evalSeconds,
      codeHealth: outcome.codeHealth,
      error: null,
    };
    const mm = m as unknown as Record<string, unknown>;
    for (const k of scalarMetrics(mm)) rows.push({ ...shared, metric: k, value: mm[k] as number });
    rows.push({
      ...shared,
      metric: "P@N",
      value: m["P@N"] as unknown as Record<string, unknown>,
    });
    if (m.PR)
      rows.push({ ...shared, metric: "PR", value: m.PR as unknown as Record<string, unknown> });
  }
  return rows.map((r, i) => ({ ...r, line: i + 1, lines: rows.length }));
}

/**
 * If the file ends in a partial line (a write cut short), cut it off so the next append starts on
 * a fresh line. Returns the number of bytes removed.
 */
export function repairTail(path: string): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, "r+");
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const chunk = 1 << 16;
    let end = size;
    const buf = Buffer.alloc(chunk);
    // Find the last newline.
    while (end > 0) {
      const start = Math.max(0, end - chunk);
      const n = readSync(fd, buf, 0, end - start, start);
      const idx = buf.subarray(0, n).lastIndexOf(0x0a);
      if (idx >= 0) {
        const keep = start + idx + 1;
        if (keep !== size) ftruncateSync(fd, keep);
        fsyncSync(fd);
        return size - keep;
      }
      end = start;
    }
    ftruncateSync(fd, 0);
    fsyncSync(fd);
    return size;
  } finally {
    closeSync(fd);
  }
}

/** Append one cell's lines in a single write, then fsync. */
export function appendCell(path: string, records: readonly ResultRecord[]): void {
  if (records.length === 0) return;
  const buf = Buffer.from(`${records.map((r) => JSON.stringify(r)).join("\n")}\n`, "utf8");
  const fd = openSync(path, "a");
  try {
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The results of a file: the latest complete attempt of every cell. */
export interface ResultsFile {
  /** Lines of the latest complete attempt of each cell, in file order. */
  readonly records: ResultRecord[];
  /** Status of the latest complete attempt of each cell, by cell key. */
  readonly cells: Map<string, "ok" | "failed">;
  /** Lines that were not valid JSON or belong to incomplete attempts. */
  readonly ignoredLines: number;
}

/** Read a results file (missing file = empty). */
export function readResults(path: string): ResultsFile {
  if (!existsSync(path)) return { records: [], cells: new Map(), ignoredLines: 0 };
  const text = readFileSync(path, "utf8");
  const attempts = new Map<string, ResultRecord[]>();
  let ignoredLines = 0;
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue;
    let r: ResultRecord;
    try {
      r = JSON.parse(raw) as ResultRecord;
    } catch {
      ignoredLines++;
      continue;
    }
    if (r?.schema !== RESULT_SCHEMA || typeof r.attempt !== "string") {
      ignoredLines++;
      continue;
    }
    const list = attempts.get(r.attempt);
    if (list) list.push(r);
    else attempts.set(r.attempt, [r]);
  }
  // Latest complete attempt per cell (attempts in order of first appearance).
  const latest = new Map<string, ResultRecord[]>();
  for (const list of attempts.values()) {
    const n = list[0].lines;
    const complete =
      list.length === n &&
      new Set(list.map((r) => r.line)).size === n &&
      list.every((r) => r.lines === n);
    if (!complete) {
      ignoredLines += list.length;
      continue;
    }
    latest.delete(list[0].cell);
    latest.set(list[0].cell, list);
  }
  const records: ResultRecord[] = [];
  const cells = new Map<string, "ok" | "failed">();
  for (const [cell, list] of latest) {
    records.push(...list);
    cells.set(cell, list[0].status);
  }
  return { records, cells, ignoredLines };
}
