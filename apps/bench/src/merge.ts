/**
 * `pnpm bench merge <dir>... --out <dir>`: merge the result folders of shards (or of any runs)
 * into one results file and one leaderboard. Cells are matched by identity; a cell found in
 * several folders with the same data and the same numbers is kept once; a cell whose copies ran
 * on different data (SHA-256) or gave different numbers is a conflict: reported and left out,
 * never silently picked. A failed copy gives way to a finished one.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomicSync } from "@cmh/hamming-index";
import { dataHash } from "./data-hash";
import { type ResultRecord, readResults } from "./results";
import { lockOut, writeReports } from "./runner";

/** What a merge did. */
export interface MergeSummary {
  /** Cells written to the merged results. */
  readonly cells: number;
  /** Copies dropped because an identical copy (or a finished one) was kept. */
  readonly duplicates: number;
  /** One line per conflicting cell, naming the folders and what differs. */
  readonly conflicts: string[];
  readonly leaderboard: string;
  readonly files: { results: string; leaderboard: string; report: string | null };
}

interface Copy {
  readonly dir: string;
  readonly records: ResultRecord[];
}

/** The numbers of a cell (direction, metric, value per line), to compare copies. */
function numbers(records: readonly ResultRecord[]): string {
  return JSON.stringify(
    [...records]
      .sort((a, b) => a.line - b.line)
      .map((r) => [r.direction, r.metric, r.value, r.status]),
  );
}

/** Merge result folders into `out` (which may be one of them); throws naming a missing input. */
export async function mergeResults(
  dirs: readonly string[],
  out: string,
  options: { metric?: string; html?: boolean } = {},
): Promise<MergeSummary> {
  if (dirs.length === 0) throw new Error("merge needs at least one result folder");
  const inputs = dirs.map((d) => resolve(d));
  const outAbs = resolve(out);
  if (existsSync(join(outAbs, "results.jsonl")) && !inputs.includes(outAbs)) {
    throw new Error(
      `${out} already holds results.jsonl: name it among the folders to merge it too, or choose another --out`,
    );
  }
  const byCell = new Map<string, Copy[]>();
  for (const [i, dir] of inputs.entries()) {
    const path = join(dir, "results.jsonl");
    if (!existsSync(path))
      throw new Error(`${dirs[i]} has no results.jsonl (not a bench result folder)`);
    const { records } = readResults(path);
    const cells = new Map<string, ResultRecord[]>();
    for (const r of records) {
      const list = cells.get(r.cell);
      if (list) list.push(r);
      else cells.set(r.cell, [r]);
    }
    for (const [cell, list] of cells) {
      const copies = byCell.get(cell);
      const copy = { dir: dirs[i], records: list };
      if (copies) copies.push(copy);
      else byCell.set(cell, [copy]);
    }
  }
  const kept: ResultRecord[] = [];
  const conflicts: string[] = [];
  let duplicates = 0;
  for (const [cell, copies] of byCell) {
    const ok = copies.filter((c) => c.records[0].status === "ok");
    if (ok.length === 0) {
      // Only failures: keep the latest one.
      const latest = copies.reduce((a, b) =>
        a.records[0].finishedAt >= b.records[0].finishedAt ? a : b,
      );
      kept.push(...latest.records);
      duplicates += copies.length - 1;
      continue;
    }
    const hashes = new Map<string, string[]>();
    for (const c of ok) {
      const h = dataHash(c.records[0].dataset);
      hashes.set(h, [...(hashes.get(h) ?? []), c.dir]);
    }
    if (hashes.size > 1) {
      conflicts.push(
        `${cell}: ran on different data: ${[...hashes].map(([h, ds]) => `${h} in ${ds.join(", ")}`).join("; ")}`,
      );
      continue;
    }
    const sig = new Map<string, string[]>();
    for (const c of ok) {
      const s = numbers(c.records);
      sig.set(s, [...(sig.get(s) ?? []), c.dir]);
    }
    if (sig.size > 1) {
      conflicts.push(
        `${cell}: different results in ${[...sig.values()].map((ds) => ds.join(", ")).join(" vs ")}`,
      );
      continue;
    }
    kept.push(...ok[0].records);
    duplicates += copies.length - 1;
  }
  mkdirSync(outAbs, { recursive: true });
  const release = lockOut(outAbs);
  try {
    const text = kept.map((r) => JSON.stringify(r)).join("\n");
    writeFileAtomicSync(join(outAbs, "results.jsonl"), text.length > 0 ? `${text}\n` : "");
    writeFileSync(
      join(outAbs, "merge.json"),
      `${JSON.stringify({ mergedAt: new Date().toISOString(), inputs: dirs, cells: kept.length > 0 ? new Set(kept.map((r) => r.cell)).size : 0, duplicates, conflicts }, null, 2)}\n`,
    );
    const { leaderboard, files } = await writeReports(outAbs, options);
    return {
      cells: new Set(kept.map((r) => r.cell)).size,
      duplicates,
      conflicts,
      leaderboard,
      files,
    };
  } finally {
    release();
  }
}
