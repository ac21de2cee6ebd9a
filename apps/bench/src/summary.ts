/**
 * Aggregation of result lines into leaderboard cells: mean and standard deviation over seeds of
 * one metric variant, per dataset/protocol/preset group, direction, method and bit length.
 */
import type { Direction } from "@cmh/metrics";
import type { ResultRecord } from "./results";

/** Mean, sample standard deviation (0 for one seed) and count. */
export interface Stat {
  readonly mean: number;
  readonly std: number;
  readonly n: number;
}

/** Mean and sample standard deviation (n - 1 in the denominator; 0 for a single value). */
export function meanStd(values: readonly number[]): Stat {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: 0, n };
  const v = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(v), n };
}

/** Records of one dataset/protocol/preset: what one leaderboard section shows. */
export interface ResultGroup {
  readonly key: string;
  readonly dataset: string;
  readonly protocol: string;
  readonly preset: string;
  readonly synthetic: boolean;
  readonly records: ResultRecord[];
  /** Methods in first-seen order, with their supervised flag and package. */
  readonly methods: { name: string; supervised: boolean; package: string }[];
  readonly bits: number[];
  readonly directions: Direction[];
  readonly seeds: number[];
}

/** The directions in report order. */
export const DIRECTION_ORDER: readonly Direction[] = ["i2t", "t2i", "i2i", "t2t"];

/** Human names of the directions. */
export const DIRECTION_NAMES: Readonly<Record<Direction, string>> = {
  i2t: "image → text",
  t2i: "text → image",
  i2i: "image → image",
  t2t: "text → text",
};

/** Split records into dataset/protocol/preset groups (in first-seen order). */
export function groupResults(records: readonly ResultRecord[]): ResultGroup[] {
  const groups = new Map<string, ResultGroup>();
  for (const r of records) {
    const key = `${r.dataset.dataset}|${r.dataset.protocol}|${r.preset}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        key,
        dataset: r.dataset.dataset,
        protocol: r.dataset.protocol,
        preset: r.preset,
        synthetic: r.dataset.synthetic,
        records: [],
        methods: [],
        bits: [],
        directions: [],
        seeds: [],
      };
      groups.set(key, g);
    }
    g.records.push(r);
    if (!g.methods.some((m) => m.name === r.method)) {
      g.methods.push({ name: r.method, supervised: r.supervised, package: r.package });
    }
    if (!g.bits.includes(r.bits)) g.bits.push(r.bits);
    if (!g.seeds.includes(r.seed)) g.seeds.push(r.seed);
    if (r.direction && !g.directions.includes(r.direction)) g.directions.push(r.direction);
  }
  for (const g of groups.values()) {
    g.bits.sort((a, b) => a - b);
    g.seeds.sort((a, b) => a - b);
    g.directions.sort((a, b) => DIRECTION_ORDER.indexOf(a) - DIRECTION_ORDER.indexOf(b));
  }
  return [...groups.values()];
}

/** What a leaderboard cell holds: a statistic, failures, or nothing. */
export interface CellSummary {
  readonly stat: Stat | null;
  /** Seeds whose cell failed, with the first error message. */
  readonly failed: number;
  readonly error: string | null;
  /**
   * Which modalities' codes are collapsed (by `COLLAPSE_RULE` of `@cmh/hamming-index`) in at
   * least one seed of the cell, e.g. ["image"]; empty when all are healthy or unrecorded.
   */
  readonly collapsed: readonly ("image" | "text")[];
}

/** Summarise one metric variant of one method/bits/direction over seeds. */
export function summarise(
  g: ResultGroup,
  method: string,
  bits: number,
  direction: Direction,
  metric: string,
): CellSummary {
  const values: number[] = [];
  let failed = 0;
  let error: string | null = null;
  const collapsed = new Set<"image" | "text">();
  for (const r of g.records) {
    if (r.method !== method || r.bits !== bits) continue;
    if (r.status === "failed") {
      failed++;
      error ??= r.error?.message ?? "failed";
      continue;
    }
    if (r.codeHealth?.image.collapsed) collapsed.add("image");
    if (r.codeHealth?.text.collapsed) collapsed.add("text");
    if (r.direction === direction && r.metric === metric && typeof r.value === "number") {
      values.push(r.value);
    }
  }
  return {
    stat: values.length > 0 ? meanStd(values) : null,
    failed,
    error,
    collapsed: (["image", "text"] as const).filter((m) => collapsed.has(m)),
  };
}

/** Mean over seeds of a per-cell number (train seconds, throughput, memory) of ok cells. */
export function cellStat(
  g: ResultGroup,
  method: string,
  bits: number,
  pick: (r: ResultRecord) => number | null,
): Stat | null {
  const seen = new Set<string>();
  const values: number[] = [];
  for (const r of g.records) {
    if (r.method !== method || r.bits !== bits || r.status !== "ok" || seen.has(r.attempt))
      continue;
    seen.add(r.attempt);
    const v = pick(r);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  return values.length > 0 ? meanStd(values) : null;
}

/** Pointwise mean over seeds of a curve metric ("P@N" or "PR") for one method/bits/direction. */
export function meanCurve(
  g: ResultGroup,
  method: string,
  bits: number,
  direction: Direction,
  metric: "P@N" | "PR",
): Record<string, number[]> | null {
  const curves = g.records
    .filter(
      (r) =>
        r.status === "ok" &&
        r.method === method &&
        r.bits === bits &&
        r.direction === direction &&
        r.metric === metric &&
        r.value !== null &&
        typeof r.value === "object",
    )
    .map((r) => r.value as Record<string, number[]>);
  if (curves.length === 0) return null;
  const out: Record<string, number[]> = {};
  for (const k of Object.keys(curves[0])) {
    const arrays = curves.map((c) => c[k]).filter((a) => Array.isArray(a));
    if (arrays.length !== curves.length) continue;
    const len = Math.min(...arrays.map((a) => a.length));
    out[k] = Array.from(
      { length: len },
      (_, i) => arrays.reduce((s, a) => s + a[i], 0) / arrays.length,
    );
  }
  return out;
}
