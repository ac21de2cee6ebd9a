import { describe, expect, it } from "vitest";
import { formatStat, markdownTable, renderLeaderboard } from "./leaderboard";
import { findPaperResult, type PaperResult } from "./paper-results";
import { prSpec } from "./report-html";
import type { ResultRecord } from "./results";
import { groupResults, meanCurve, meanStd } from "./summary";

function rec(
  method: string,
  bits: number,
  seed: number,
  value: number,
  extra: Partial<ResultRecord> = {},
): ResultRecord {
  return {
    schema: "cmh-bench/1",
    runId: "r",
    cell: `${method}|quick|${bits}|${seed}`,
    attempt: `${method}-${bits}-${seed}`,
    line: 1,
    lines: 1,
    status: "ok",
    method,
    package: "@cmh/x",
    supervised: method === "DSPAH",
    preset: "quick",
    bits,
    seed,
    direction: "i2t",
    metric: "mAP@all",
    value,
    variants: null,
    evaluation: null,
    config: {},
    backend: { requested: "auto", active: "wasm" },
    dataset: {
      dataset: "mirflickr25k",
      synthetic: false,
      protocol: "mirflickr25k-5k",
    } as ResultRecord["dataset"],
    code: {
      packages: { "@cmh/bench": "0.1.0" },
      commit: "abcdef0123456789",
      dirty: false,
      node: "v20",
    },
    trainSeconds: 2,
    epochs: 1,
    finalLoss: 0.1,
    encode: null,
    evalSeconds: 0.1,
    peakRssBytes: 100 * 2 ** 20,
    peakRssScope: "cell-process",
    finishedAt: "2026-01-01T00:00:00Z",
    error: null,
    ...extra,
  };
}

describe("statistics", () => {
  it("computes mean and sample std", () => {
    expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: 1, n: 3 });
    expect(meanStd([0.5])).toEqual({ mean: 0.5, std: 0, n: 1 });
    expect(meanStd([]).n).toBe(0);
    expect(formatStat({ mean: 0.71234, std: 0.00456, n: 3 })).toBe("0.712 ± 0.005");
    expect(formatStat({ mean: 0.71234, std: 0, n: 1 })).toBe("0.712");
  });

  it("averages curves pointwise over seeds", () => {
    const curve = (p: number[]) =>
      rec("A", 16, 0, 0, {
        metric: "P@N",
        value: { N: [1, 10], precision: p },
        attempt: String(p),
      });
    const g = {
      key: "k",
      dataset: "d",
      protocol: "p",
      preset: "quick",
      synthetic: false,
      records: [curve([1, 0.5]), curve([0, 0.7])],
      methods: [],
      bits: [16],
      directions: [],
      seeds: [0],
    };
    expect(meanCurve(g, "A", 16, "i2t", "P@N")).toEqual({ N: [1, 10], precision: [0.5, 0.6] });
    expect(meanCurve(g, "B", 16, "i2t", "P@N")).toBeNull();
  });
});

describe("renderLeaderboard", () => {
  const paper: PaperResult[] = [
    {
      method: "DSPAH",
      dataset: "mirflickr25k",
      protocol: "mirflickr25k-5k",
      direction: "i2t",
      bits: 16,
      metric: "mAP@all",
      value: 0.8,
      source: "test",
    },
  ];

  it("shows methods x bits with mean ± std, supervised marks and paper numbers", () => {
    const records = [
      rec("UCH", 16, 0, 0.7),
      rec("UCH", 16, 1, 0.72),
      rec("UCH", 32, 0, 0.75),
      rec("DSPAH", 16, 0, 0.81),
      rec("DSPAH", 32, 0, 0, {
        status: "failed",
        direction: null,
        metric: null,
        value: null,
        error: { phase: "fit", message: "out of memory" },
      }),
    ];
    const md = renderLeaderboard(records, { paperResults: paper });
    expect(md).toContain("## mirflickr25k · protocol mirflickr25k-5k · quick configs · seeds 0, 1");
    expect(md).toContain("### image → text — mAP@all");
    expect(md).toMatch(/\| UCH +\| +0\.710 ± 0\.014 \| +0\.750 \|/);
    expect(md).toMatch(/\| DSPAH †supervised +\| 0\.810 \(paper 0\.800\) \| +failed \|/);
    expect(md).toContain("### Failed cells");
    expect(md).toContain("out of memory");
    expect(md).toContain("abcdef0123");
    expect(md).not.toContain("SYNTHETIC");
  });

  it("labels synthetic data and never puts paper numbers beside it", () => {
    const syn = { dataset: "synthetic-default", synthetic: true, protocol: "mirflickr25k-5k" };
    const md = renderLeaderboard(
      [rec("DSPAH", 16, 0, 0.81, { dataset: syn as ResultRecord["dataset"] })],
      { paperResults: [{ ...paper[0], dataset: "synthetic-default" }] },
    );
    expect(md).toContain("SYNTHETIC data");
    expect(md).not.toContain("paper 0.800");
  });

  it("uses the chosen metric variant and says when nothing has run", () => {
    const md = renderLeaderboard([rec("UCH", 16, 0, 0.5, { metric: "mAP@50" })], {
      metric: "mAP@50",
    });
    expect(md).toContain("— mAP@50");
    expect(md).toMatch(/\| UCH +\| +0\.500 \|/);
    expect(renderLeaderboard([])).toContain("No results yet");
  });

  it("adds mAP@1000 tables after the main metric when the results hold it", () => {
    const records = [rec("UCH", 16, 0, 0.7), rec("UCH", 16, 0, 0.66, { metric: "mAP@1000" })];
    const md = renderLeaderboard(records);
    expect(md.indexOf("### image → text — mAP@all")).toBeLessThan(
      md.indexOf("### image → text — mAP@1000"),
    );
    expect(md).toMatch(/— mAP@1000\n\n[^#]*\| UCH +\| +0\.660 \|/);
    expect(renderLeaderboard([rec("UCH", 16, 0, 0.7)])).not.toContain("mAP@1000");
    expect(renderLeaderboard(records, { metric: "mAP@1000" }).match(/— mAP@1000/g)?.length).toBe(1);
  });

  it("finds paper numbers only on an exact match", () => {
    const q = { ...paper[0] };
    expect(findPaperResult(q, paper)?.value).toBe(0.8);
    expect(findPaperResult({ ...q, bits: 32 }, paper)).toBeUndefined();
    expect(findPaperResult({ ...q, protocol: "mirflickr25k-10k" }, paper)).toBeUndefined();
    expect(findPaperResult({ ...q, metric: "mAP@50" }, paper)).toBeUndefined();
  });

  it("pads markdown tables and escapes pipes", () => {
    expect(markdownTable(["a", "b"], [["x|y", "1"]])).toBe(
      "| a    |   b |\n| ---- | --: |\n| x\\|y |   1 |",
    );
  });
});

describe("queries without a relevant item", () => {
  it("are counted under the group heading, per direction", () => {
    const ev = (zero: number) => ({
      evaluation: { queries: 50, database: 200, zeroRelevanceQueries: zero, relevantPairRate: 0.3 },
    });
    const md = renderLeaderboard([
      rec("UCH", 16, 0, 0.5, ev(7)),
      rec("UCH", 32, 0, 0.6, ev(7)),
      rec("UCH", 16, 0, 0.5, { ...ev(4), direction: "t2i" }),
    ]);
    expect(md).toContain(
      "**Queries without a relevant database item** (they score 0 where counted): i2t 7 of 50, t2i 4 of 50.",
    );
    expect(renderLeaderboard([rec("UCH", 16, 0, 0.5, ev(0))])).not.toContain("without a relevant");
  });
});

describe("report PR chart", () => {
  it("plots pooled precision and recall by radius, leaves out all-empty radii, and shows the empty-ball share", () => {
    const curve = {
      radius: [0, 1, 2, 3],
      precision: [0.02, 0.4, 0.5, 0.5],
      recall: [0.01, 0.3, 0.8, 1],
      precisionMicro: [0, 0.8, 0.6, 0.5],
      recallMicro: [0, 0.3, 0.8, 1],
      meanRetrieved: [0, 2, 6, 10],
      emptyShare: [1, 0.25, 0, 0],
    };
    const g = groupResults([rec("UCH", 16, 0, 0, { metric: "PR", value: curve })])[0];
    const spec = prSpec(g, "i2t", 16) as unknown as {
      title: { subtitle: string[] };
      data: { values: { radius: number; precision: number; recall: number; emptyBalls: number }[] };
      encoding: { y: { title: string }; x: { title: string } };
    };
    // radius 0 (every ball empty) has no pooled precision: no point, so no drop to 0 at recall 0
    expect(spec.data.values).toEqual([
      { method: "UCH", radius: 1, recall: 0.3, precision: 0.8, emptyBalls: 0.25 },
      { method: "UCH", radius: 2, recall: 0.8, precision: 0.6, emptyBalls: 0 },
      { method: "UCH", radius: 3, recall: 1, precision: 0.5, emptyBalls: 0 },
    ]);
    expect(spec.encoding.y.title).toBe("pooled precision (empty balls excluded)");
    expect(spec.encoding.x.title).toBe("pooled recall");
    expect(spec.title.subtitle).toContain("UCH: 100% / 25% / 0%");
  });
});
