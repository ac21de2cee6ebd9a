/** `leaderboard.md`: one table per dataset group and direction, methods x bit lengths. */
import { COLLAPSE_RULE } from "@cmh/hamming-index";
import type { Direction } from "@cmh/metrics";
import { findPaperResult, PAPER_RESULTS, type PaperResult } from "./paper-results";
import type { ResultRecord } from "./results";
import {
  type CellSummary,
  cellStat,
  DIRECTION_NAMES,
  groupResults,
  type ResultGroup,
  type Stat,
  summarise,
} from "./summary";

/** Options of the leaderboard. */
export interface LeaderboardOptions {
  /** Metric variant shown, default "mAP@all". */
  readonly metric?: string;
  /** Paper numbers to show beside ours; default the bench's table. */
  readonly paperResults?: readonly PaperResult[];
  /** Title line. */
  readonly title?: string;
}

/** Format a statistic: "0.712" for one seed, "0.712 ± 0.004" for several. */
export function formatStat(s: Stat, digits = 3): string {
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : s.mean.toFixed(digits);
}

/** Row label of a method: supervised ones carry a dagger. */
export function methodLabel(m: { name: string; supervised: boolean }): string {
  return m.supervised ? `${m.name} †supervised` : m.name;
}

/** Text of one leaderboard cell. */
export function formatCell(c: CellSummary, paper?: PaperResult): string {
  let s = c.stat ? formatStat(c.stat) : c.failed > 0 ? "failed" : "—";
  if (c.stat && c.failed > 0) s += ` (${c.failed} failed)`;
  if (c.collapsed.length > 0) s += ` ⚠ collapsed ${c.collapsed.join("+")}`;
  if (paper) s += ` (paper ${paper.value.toFixed(3)})`;
  return s;
}

/** How a cell with collapsed codes is marked, and the rule (`COLLAPSE_RULE` of `@cmh/hamming-index`). */
export const COLLAPSE_NOTE = `⚠ collapsed image/text beside a cell: in at least one seed, that modality's database codes are collapsed — fewer than ${100 * COLLAPSE_RULE.minDistinctShare} % distinct codes (among at least 100), or more than ${100 * COLLAPSE_RULE.maxConstantBitShare} % of the bits constant; the number then says little about the method.`;

/** Column alignment: "l" left, "r" right. */
export type Align = "l" | "r";

/** Default alignment: first column left, the rest right (numbers). */
export function defaultAlign(n: number): Align[] {
  return Array.from({ length: n }, (_, j) => (j === 0 ? "l" : "r"));
}

/** Alignment of the failed-cells table (method, bits, seed, phase, error). */
export const FAILURE_ALIGN: readonly Align[] = ["l", "r", "r", "l", "l"];

/** Alignment of the cost table (method, bits, numbers..., backend). */
export const COST_ALIGN: readonly Align[] = ["l", "r", "r", "r", "r", "r", "l"];

/** A markdown table with padded columns (by default first column left, the rest right). */
export function markdownTable(
  header: readonly string[],
  rows: readonly string[][],
  align: readonly Align[] = defaultAlign(header.length),
): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const all = [header.map(esc), ...rows.map((r) => r.map(esc))];
  const widths = header.map((_, j) => Math.max(3, ...all.map((r) => r[j]?.length ?? 0)));
  const line = (r: readonly string[]) =>
    `| ${r.map((c, j) => (align[j] === "l" ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join(" | ")} |`;
  const sep = `| ${widths.map((w, j) => (align[j] === "l" ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
  return [line(all[0]), sep, ...all.slice(1).map(line)].join("\n");
}

/** Heading of a group: dataset (flagged when synthetic), protocol, preset. */
export function groupHeading(g: ResultGroup): string {
  const data = g.synthetic
    ? `${g.dataset} (SYNTHETIC data: generated, not comparable with paper numbers)`
    : g.dataset;
  return `${data} · protocol ${g.protocol} · ${g.preset} configs · seeds ${g.seeds.join(", ")}`;
}

/** Leaderboard rows of one group and direction: [label, ...cells per bit length]. */
export function directionRows(
  g: ResultGroup,
  direction: Direction,
  metric: string,
  paperResults: readonly PaperResult[],
): string[][] {
  return g.methods.map((m) => [
    methodLabel(m),
    ...g.bits.map((b) => {
      const paper = g.synthetic
        ? undefined
        : findPaperResult(
            {
              method: m.name,
              dataset: g.dataset,
              protocol: g.protocol,
              direction,
              bits: b,
              metric,
            },
            paperResults,
          );
      return formatCell(summarise(g, m.name, b, direction, metric), paper);
    }),
  ]);
}

/** Cost rows: train seconds, encode throughput and peak memory per method and bit length. */
export function costRows(g: ResultGroup): string[][] {
  const rows: string[][] = [];
  for (const m of g.methods) {
    for (const b of g.bits) {
      const train = cellStat(g, m.name, b, (r) => r.trainSeconds);
      const img = cellStat(g, m.name, b, (r) => r.encode?.image.itemsPerSecond ?? null);
      const txt = cellStat(g, m.name, b, (r) => r.encode?.text.itemsPerSecond ?? null);
      const rss = cellStat(g, m.name, b, (r) => r.peakRssBytes);
      const backend = g.records.find(
        (r) => r.method === m.name && r.bits === b && r.status === "ok",
      )?.backend.active;
      rows.push([
        methodLabel(m),
        `${b}`,
        train ? formatStat(train, 2) : "—",
        img ? Math.round(img.mean).toLocaleString("en-US") : "—",
        txt ? Math.round(txt.mean).toLocaleString("en-US") : "—",
        rss ? (rss.mean / 2 ** 20).toFixed(0) : "—",
        backend ?? "—",
      ]);
    }
  }
  return rows;
}

/** Failed cells of a group: method, bits, seed, phase and message. */
export function failureRows(g: ResultGroup): string[][] {
  return g.records
    .filter((r) => r.status === "failed")
    .map((r) => [
      methodLabel({ name: r.method, supervised: r.supervised }),
      `${r.bits}`,
      `${r.seed}`,
      r.error?.phase ?? "?",
      (r.error?.message ?? "").split("\n")[0].slice(0, 200),
    ]);
}

/** Text explaining the metric variant and conventions (from the records' variant names). */
export function metricNote(records: readonly ResultRecord[], metric: string): string {
  const v = records.find((r) => r.variants)?.variants;
  const parts = [`**${metric}**`];
  if (v) {
    parts.push(
      `relevance: ${v.relevance}`,
      `ranking: ${v.ranking}`,
      `queries without a relevant item: ${v.zeroRelevance === "include" ? "count as 0" : "left out"}`,
    );
    if (metric.startsWith("mAP@") && metric !== "mAP@all")
      parts.push(`AP@k normaliser: ${v.apAtK}`);
  }
  return parts.join("; ");
}

/** A line counting the queries without any relevant database item, per direction (null when none). */
export function zeroRelevanceNote(g: ResultGroup): string | null {
  const by = new Map<string, { zero: number; queries: number }>();
  for (const r of g.records) {
    if (!r.evaluation || !r.direction || r.evaluation.zeroRelevanceQueries === 0) continue;
    const cur = by.get(r.direction);
    if (!cur || r.evaluation.zeroRelevanceQueries > cur.zero)
      by.set(r.direction, {
        zero: r.evaluation.zeroRelevanceQueries,
        queries: r.evaluation.queries,
      });
  }
  if (by.size === 0) return null;
  return `**Queries without a relevant database item** (they score 0 where counted): ${[...by]
    .map(([d, v]) => `${d} ${v.zero} of ${v.queries}`)
    .join(", ")}.`;
}

/** Metric variants shown after the main one in every leaderboard (when the results have them). */
export const EXTRA_METRICS: readonly string[] = ["mAP@1000"];

/** Render the whole leaderboard as markdown. */
export function renderLeaderboard(
  records: readonly ResultRecord[],
  options: LeaderboardOptions = {},
): string {
  const metric = options.metric ?? "mAP@all";
  const paperResults = options.paperResults ?? PAPER_RESULTS;
  const out: string[] = [`# ${options.title ?? "cmh leaderboard"}`, ""];
  const groups = groupResults(records);
  if (groups.length === 0) {
    out.push("No results yet: no cell has finished (or no method is registered).", "");
    return out.join("\n");
  }
  const first = records[0];
  const commit = first.code.commit
    ? `${first.code.commit.slice(0, 10)}${first.code.dirty ? " (uncommitted changes)" : ""}`
    : "not a git checkout";
  const backends = [...new Set(records.map((r) => r.backend.active).filter(Boolean))].join(", ");
  out.push(
    `Metric: ${metricNote(records, metric)}. Cells show the mean ± sample std over seeds (one seed: the value).`,
    "",
    "† supervised: trains with labels; the other methods never see labels.",
    COLLAPSE_NOTE,
    "(paper x) beside a cell: the method's own paper reports x for this dataset, protocol, bit length and metric, with the paper's features — context, not a reproduction target (sources in apps/bench/src/paper-results.ts).",
    `Code: ${commit}; backend: ${backends || "—"}; packages: ${Object.entries(first.code.packages)
      .map(([k, v]) => `${k}@${v}`)
      .join(", ")}.`,
    "",
  );
  for (const g of groups) {
    out.push(`## ${groupHeading(g)}`, "");
    const zero = zeroRelevanceNote(g);
    if (zero) out.push(zero, "");
    for (const d of g.directions) {
      out.push(`### ${DIRECTION_NAMES[d]} — ${metric}`, "");
      out.push(
        markdownTable(
          ["method", ...g.bits.map((b) => `${b} bits`)],
          directionRows(g, d, metric, paperResults),
        ),
        "",
      );
    }
    if (g.directions.length === 0) out.push("Every cell of this group failed.", "");
    // A second variant for every direction (mAP@1000 is CMIMH's and DJSRH's headline metric),
    // when the results hold it and it is not the main metric already.
    for (const extra of EXTRA_METRICS) {
      if (extra === metric || !g.records.some((r) => r.metric === extra)) continue;
      for (const d of g.directions) {
        out.push(`### ${DIRECTION_NAMES[d]} — ${extra}`, "");
        out.push(
          markdownTable(
            ["method", ...g.bits.map((b) => `${b} bits`)],
            directionRows(g, d, extra, paperResults),
          ),
          "",
        );
      }
    }
    out.push("### Cost", "");
    out.push(
      markdownTable(
        ["method", "bits", "train s", "encode image/s", "encode text/s", "peak RSS MiB", "backend"],
        costRows(g),
        COST_ALIGN,
      ),
      "",
    );
    const failures = failureRows(g);
    if (failures.length > 0) {
      out.push("### Failed cells", "");
      out.push(
        markdownTable(["method", "bits", "seed", "phase", "error"], failures, FAILURE_ALIGN),
        "",
      );
    }
  }
  return out.join("\n");
}
