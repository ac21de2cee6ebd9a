import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { sharedDataPath } from "@cmh/testing";
import { describe, expect, it } from "vitest";
import type { MethodEntry } from "./registry";
import type { ResultRecord } from "./results";
import {
  FLOOR_METHOD,
  readSuiteResults,
  renderSuiteLeaderboard,
  runSuite,
  SUITES,
  suiteDataFor,
  suiteSets,
  suiteStatsTable,
} from "./suite";
import { makeFakeHasher } from "./test-fakes";

const uci = sharedDataPath("uci-mfeat");
const mir = sharedDataPath("mirflickr25k-tags-labels");
const root = uci && mir ? dirname(uci) : undefined;

function rec(
  method: string,
  set: string,
  seed: number,
  direction: "i2t" | "t2i",
  value: number,
  extra: Partial<ResultRecord> = {},
): ResultRecord {
  return {
    schema: "cmh-bench/1",
    runId: "r",
    cell: `${method}|quick|32|${seed}|${set}|`,
    attempt: `${method}-${set}-${seed}`,
    line: 1,
    lines: 1,
    status: "ok",
    method,
    package: "@cmh/x",
    supervised: false,
    preset: "quick",
    bits: 32,
    seed,
    direction,
    metric: "mAP@all",
    value,
    variants: null,
    evaluation: null,
    config: {},
    backend: { requested: "auto", active: "wasm" },
    dataset: { dataset: set, synthetic: false, protocol: set } as ResultRecord["dataset"],
    code: { packages: {}, commit: null, dirty: false, node: "v20" },
    trainSeconds: 1,
    epochs: 1,
    finalLoss: 0,
    encode: null,
    evalSeconds: 0,
    peakRssBytes: null,
    peakRssScope: "cell-process",
    finishedAt: "2026-01-01T00:00:00Z",
    error: null,
    ...extra,
  };
}

describe("suites", () => {
  it("names its sets; generated sets get no --data", () => {
    expect(suiteSets("feature-forms").length).toBeGreaterThanOrEqual(6);
    expect(SUITES["feature-forms+synthetic-val"]).toContain("synthetic-val");
    expect(() => suiteSets("nope")).toThrow(/unknown suite "nope"; known suites: feature-forms/);
    expect(suiteDataFor("synthetic-val", "d")).toBeUndefined();
    expect(suiteDataFor("val-hist", "d")).toBe("d");
  });

  it("renders methods x sets in both directions and method − CCA-ITQ with the worst set", () => {
    const collapsed = {
      codeHealth: {
        image: { collapsed: true } as never,
        text: { collapsed: false } as never,
      },
    };
    const records = [
      // CCA-ITQ: 0.5 everywhere (two seeds).
      ...["a", "b"].flatMap((s) =>
        [0, 1].flatMap((seed) => [
          rec(FLOOR_METHOD, s, seed, "i2t", 0.5),
          rec(FLOOR_METHOD, s, seed, "t2i", 0.5),
        ]),
      ),
      // M: +0.1 on set a; on set b I→T −0.2 and T→I 0 (seed 0), −0.1 / 0 (seed 1).
      rec("M", "a", 0, "i2t", 0.6),
      rec("M", "a", 0, "t2i", 0.6),
      rec("M", "a", 1, "i2t", 0.6),
      rec("M", "a", 1, "t2i", 0.6),
      rec("M", "b", 0, "i2t", 0.3, collapsed),
      rec("M", "b", 0, "t2i", 0.5, collapsed),
      rec("M", "b", 1, "i2t", 0.4),
      rec("M", "b", 1, "t2i", 0.5),
    ];
    const md = renderSuiteLeaderboard(records, ["a", "b", "c"], { command: "cmd" });
    expect(md).toMatch(/Command: `cmd`/);
    const lines = md.split("\n");
    const header = lines.find((l) => l.startsWith("| method ") && l.includes("a I→T")) ?? "";
    expect(header).toMatch(/a I→T \| +a T→I \| +b I→T \| +b T→I \|$/);
    const mRow = lines.find((l) => l.startsWith("| M ") && l.includes("±")) ?? "";
    expect(mRow).toMatch(/0\.350 ± 0\.071 ⚠image/);
    // Differences: set a +0.100; set b per seed (−0.2+0)/2 = −0.1 and (−0.1+0)/2 = −0.05.
    const dRow = lines.filter((l) => l.startsWith("| M "))[1] ?? "";
    expect(dRow).toMatch(/\+0\.100 ± 0\.000 \| +-0\.075 ± 0\.035 \| +-0\.075 \| +-0\.150 \|$/);
  });

  it("says when CCA-ITQ is missing, and when there are no results", () => {
    expect(renderSuiteLeaderboard([rec("M", "a", 0, "i2t", 0.6)], ["a"])).toMatch(
      /no CCA-ITQ results/,
    );
    expect(renderSuiteLeaderboard([], ["a"])).toMatch(/No results yet/);
  });
});

describe.skipIf(!root)("runSuite on the shared data (fake methods)", () => {
  it("runs every set into <out>/<set>, writes suite.md, and prints the statistics table", async () => {
    const out = mkdtempSync(join(tmpdir(), "cmh-suite-"));
    try {
      const fake = (name: string): MethodEntry => ({
        name,
        package: "@cmh/test-fake",
        supervised: false,
        load: async () => makeFakeHasher(name),
      });
      const { summaries, leaderboard, file } = await runSuite({
        suite: "feature-forms",
        data: root,
        methods: [fake(FLOOR_METHOD), fake("M")],
        bits: [16],
        seeds: [0],
        preset: "quick",
        backend: "cpu",
        out,
        directions: ["i2t", "t2i"],
        isolation: "inline",
        htmlReport: false,
        prepareBackend: async () => ({ name: "test-backend" }),
        log: () => {},
        status: () => {},
        command: "cmd",
      });
      const sets = suiteSets("feature-forms");
      expect(summaries.map((x) => x.failed)).toEqual(sets.map(() => 0));
      for (const s of sets) expect(existsSync(join(out, s, "results.jsonl"))).toBe(true);
      const recs = readSuiteResults(out, sets);
      expect(new Set(recs.map((r) => r.dataset.dataset))).toEqual(new Set(sets));
      expect(readFileSync(file, "utf8")).toBe(`${leaderboard}\n`);
      expect(leaderboard).toMatch(/\| M +\|/);
      expect(leaderboard).toMatch(/method − CCA-ITQ/);
      const table = await suiteStatsTable("feature-forms", root);
      expect(table.split("\n").length).toBe(2 + sets.length);
      expect(table).toMatch(/\| val-bow \| 693 \|/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
