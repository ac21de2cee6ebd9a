/**
 * Suites: one command runs the bench on every set of a named suite (each set into
 * `<out>/<set>/`, resumable like any run) and writes `<out>/suite.md`: methods × sets in both
 * cross-modal directions (mean ± std over seeds), and each method − CCA-ITQ with its worst case.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "@cmh/hamming-index";
import type { Direction } from "@cmh/metrics";
import { loadDataset, SYNTHETIC_DATASETS } from "./dataset";
import {
  FEATURE_FORM_SETS,
  FEATURE_FORM_SUITE,
  type FeatureFormStats,
  featureFormStats,
  featureFormStatsTable,
} from "./feature-forms";
import { formatStat, markdownTable, methodLabel } from "./leaderboard";
import { type ResultRecord, readResults } from "./results";
import { type BenchOptions, type BenchSummary, runBench } from "./runner";
import { groupResults, meanStd, type Stat, summarise } from "./summary";

/** The named suites: their sets, in report order. */
export const SUITES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  [FEATURE_FORM_SUITE]: Object.keys(FEATURE_FORM_SETS),
  /** The suite plus the generated validation set (the set presets are tuned on). */
  [`${FEATURE_FORM_SUITE}+synthetic-val`]: [...Object.keys(FEATURE_FORM_SETS), "synthetic-val"],
});

/** The method every other one is compared with. */
export const FLOOR_METHOD = "CCA-ITQ";

/** The sets of a suite; throws naming the known suites. */
export function suiteSets(name: string): readonly string[] {
  const sets = SUITES[name];
  if (!sets) {
    throw new Error(`unknown suite "${name}"; known suites: ${Object.keys(SUITES).join(", ")}`);
  }
  return sets;
}

/** `--data` for one set of a suite: none for generated sets, the suite's folder otherwise. */
export function suiteDataFor(set: string, data: string | undefined): string | undefined {
  return SYNTHETIC_DATASETS[set] ? undefined : data;
}

/** Records of a suite run: every `<out>/<set>/results.jsonl` that exists. */
export function readSuiteResults(out: string, sets: readonly string[]): ResultRecord[] {
  const all: ResultRecord[] = [];
  for (const s of sets) {
    const p = join(out, s, "results.jsonl");
    if (existsSync(p)) all.push(...readResults(p).records);
  }
  return all;
}

const CROSS: readonly Direction[] = ["i2t", "t2i"];
const SHORT: Record<string, string> = { i2t: "I→T", t2i: "T→I" };

interface Row {
  readonly method: string;
  readonly supervised: boolean;
  readonly preset: string;
}

/** Per-seed values of one method/preset/set/bits/direction (for differences by seed). */
function bySeed(
  records: readonly ResultRecord[],
  row: Row,
  set: string,
  bits: number,
  d: Direction,
  metric: string,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of records) {
    if (
      r.status === "ok" &&
      r.method === row.method &&
      r.preset === row.preset &&
      r.dataset.dataset === set &&
      r.bits === bits &&
      r.direction === d &&
      r.metric === metric &&
      typeof r.value === "number"
    )
      out.set(r.seed, r.value);
  }
  return out;
}

/**
 * The suite leaderboard (markdown): per bit length, one table of mAP (rows = method and preset,
 * columns = set × I→T/T→I, marked when codes collapsed), and one of method − CCA-ITQ (mean over
 * the seeds both ran of the per-seed difference, per set the mean of I→T and T→I, then the worst
 * set). The CCA-ITQ reference is its `quick` row (or its first row).
 */
export function renderSuiteLeaderboard(
  records: readonly ResultRecord[],
  sets: readonly string[],
  options: { metric?: string; title?: string; command?: string } = {},
): string {
  const metric = options.metric ?? "mAP@all";
  const out: string[] = [`# ${options.title ?? "cmh suite leaderboard"}`, ""];
  if (options.command) out.push(`Command: \`${options.command}\``, "");
  if (records.length === 0) {
    out.push("No results yet.", "");
    return out.join("\n");
  }
  const present = sets.filter((s) => records.some((r) => r.dataset.dataset === s));
  const rows: Row[] = [];
  for (const r of records) {
    if (!rows.some((x) => x.method === r.method && x.preset === r.preset))
      rows.push({ method: r.method, supervised: r.supervised, preset: r.preset });
  }
  const presets = new Set(rows.map((r) => r.preset));
  const label = (r: Row) =>
    `${methodLabel({ name: r.method, supervised: r.supervised })}${presets.size > 1 ? ` (${r.preset})` : ""}`;
  const bitsList = [...new Set(records.map((r) => r.bits))].sort((a, b) => a - b);
  const seeds = [...new Set(records.map((r) => r.seed))].sort((a, b) => a - b);
  out.push(
    `Metric: ${metric}, mean ± sample std over seeds (${seeds.join(", ")}). Sets: ${present.join(", ")}. ⚠ marks a cell whose image or text codes are collapsed in some seed (COLLAPSE_RULE of @cmh/hamming-index).`,
    "",
  );
  for (const bits of bitsList) {
    out.push(`## ${bits} bits — ${metric}`, "");
    const header = ["method", ...present.flatMap((s) => CROSS.map((d) => `${s} ${SHORT[d]}`))];
    const body: string[][] = [];
    for (const row of rows) {
      const cells: string[] = [];
      for (const s of present) {
        const g = groupResults(
          records.filter(
            (r) => r.dataset.dataset === s && r.preset === row.preset && r.method === row.method,
          ),
        )[0];
        for (const d of CROSS) {
          if (!g) {
            cells.push("—");
            continue;
          }
          const c = summarise(g, row.method, bits, d, metric);
          let t = c.stat ? formatStat(c.stat) : c.failed > 0 ? "failed" : "—";
          if (c.collapsed.length > 0) t += ` ⚠${c.collapsed.join("+")}`;
          cells.push(t);
        }
      }
      if (cells.some((c) => c !== "—")) body.push([label(row), ...cells]);
    }
    out.push(markdownTable(header, body), "");

    const floor =
      rows.find((r) => r.method === FLOOR_METHOD && r.preset === "quick") ??
      rows.find((r) => r.method === FLOOR_METHOD);
    if (!floor) {
      out.push(`(no ${FLOOR_METHOD} results: the − ${FLOOR_METHOD} table needs them)`, "");
      continue;
    }
    out.push(
      `### ${bits} bits — method − ${FLOOR_METHOD} (${metric}; per set: mean of I→T and T→I; worst = minimum over sets)`,
      "",
    );
    const dHeader = ["method", ...present.map((s) => s), "worst set", "worst I→T/T→I cell"];
    const dBody: string[][] = [];
    for (const row of rows) {
      if (row === floor) continue;
      const perSet: (Stat | null)[] = [];
      let worstCell = Number.POSITIVE_INFINITY;
      for (const s of present) {
        const diffs: number[] = [];
        const dirs = CROSS.map((d) => {
          const a = bySeed(records, row, s, bits, d, metric);
          const b = bySeed(records, floor, s, bits, d, metric);
          return { a, b };
        });
        // Per seed: mean over directions of (method − floor), for seeds with both directions.
        const seedSet = [...dirs[0].a.keys()].filter((k) =>
          dirs.every(({ a, b }) => a.has(k) && b.has(k)),
        );
        for (const k of seedSet) {
          const per = dirs.map(({ a, b }) => (a.get(k) as number) - (b.get(k) as number));
          diffs.push(per.reduce((x, y) => x + y, 0) / per.length);
        }
        for (const { a, b } of dirs) {
          const ks = [...a.keys()].filter((k) => b.has(k));
          if (ks.length > 0) {
            const m = ks.reduce((x, k) => x + (a.get(k) as number) - (b.get(k) as number), 0);
            worstCell = Math.min(worstCell, m / ks.length);
          }
        }
        perSet.push(diffs.length > 0 ? meanStd(diffs) : null);
      }
      if (perSet.every((p) => p === null)) continue;
      const sign = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(3)}`;
      const fmt = (p: Stat | null) =>
        p ? (p.n > 1 ? `${sign(p.mean)} ± ${p.std.toFixed(3)}` : sign(p.mean)) : "—";
      const known = perSet.filter((p): p is Stat => p !== null);
      const worst = known.reduce((w, p) => Math.min(w, p.mean), Number.POSITIVE_INFINITY);
      dBody.push([
        label(row),
        ...perSet.map(fmt),
        known.length === present.length ? sign(worst) : `${sign(worst)} (incomplete)`,
        Number.isFinite(worstCell) ? sign(worstCell) : "—",
      ]);
    }
    out.push(markdownTable(dHeader, dBody), "");
  }
  return out.join("\n");
}

/** Options of {@link runSuite}: those of `runBench` without the dataset, plus the suite. */
export type SuiteOptions = Omit<BenchOptions, "dataset" | "out"> & {
  readonly suite: string;
  /** Folder of the source data (`--data`), passed to every non-generated set. */
  readonly data: string | undefined;
  readonly out: string;
  /** The command line, written into suite.md. */
  readonly command?: string;
};

/** Run the bench on every set of a suite (`<out>/<set>/`), then write `<out>/suite.md`. */
export async function runSuite(o: SuiteOptions): Promise<{
  summaries: BenchSummary[];
  leaderboard: string;
  file: string;
}> {
  const sets = suiteSets(o.suite);
  const summaries: BenchSummary[] = [];
  for (const set of sets) {
    if (o.signal?.aborted) break;
    (o.log ?? console.log)(`== ${o.suite}: ${set}`);
    summaries.push(
      await runBench({
        ...o,
        dataset: { name: set, data: suiteDataFor(set, o.data) },
        out: join(o.out, set),
      }),
    );
  }
  const leaderboard = renderSuiteLeaderboard(readSuiteResults(o.out, sets), sets, {
    metric: o.metric,
    title: `cmh suite ${o.suite}`,
    command: o.command,
  });
  const file = join(o.out, "suite.md");
  writeFileAtomicSync(file, `${leaderboard}\n`);
  return { summaries, leaderboard, file };
}

/** The statistics table of a suite's sets (split of `seed`), as in the bench README. */
export async function suiteStatsTable(
  suite: string,
  data: string | undefined,
  seed = 0,
): Promise<string> {
  const rows: FeatureFormStats[] = [];
  for (const set of suiteSets(suite)) {
    const d = await loadDataset({ name: set, data: suiteDataFor(set, data) }, seed);
    rows.push(featureFormStats({ ...d.set, name: set }, d.split));
  }
  return featureFormStatsTable(rows);
}
