import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CellSpec } from "./cell";
import type { DatasetIdentity } from "./dataset";
import { appendCell, readResults, repairTail, toRecords } from "./results";

const dir = mkdtempSync(join(tmpdir(), "cmh-results-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec: CellSpec = {
  method: "M",
  package: "@cmh/m",
  supervised: false,
  preset: "quick",
  bits: 16,
  seed: 0,
  dataset: { name: "synthetic-small" },
  backend: "auto",
  directions: ["i2t"],
};
const identity = { dataset: "synthetic-small", protocol: "p" } as unknown as DatasetIdentity;
const ctx = (attempt: string) => ({
  runId: "r",
  attempt,
  identity,
  code: { packages: {}, commit: null, dirty: null, node: "v20" },
  peakRssBytes: 1,
  peakRssScope: "cell-process" as const,
});
const failure = {
  status: "failed" as const,
  phase: "fit" as const,
  error: { message: "boom" },
  config: { bits: 16 },
  backend: "cpu",
  trainSeconds: 1,
};

describe("results file", () => {
  it("writes a failed cell as one line with its error", () => {
    const recs = toRecords(spec, failure, ctx("a"));
    expect(recs.length).toBe(1);
    expect(recs[0]).toMatchObject({
      status: "failed",
      line: 1,
      lines: 1,
      cell: "M|quick|16|0|synthetic-small|",
      error: { phase: "fit", message: "boom" },
      direction: null,
    });
  });

  it("keeps the latest complete attempt per cell and ignores incomplete ones", () => {
    const path = join(dir, "a.jsonl");
    appendCell(path, toRecords(spec, failure, ctx("a1")));
    expect(readResults(path).cells.get("M|quick|16|0|synthetic-small|")).toBe("failed");
    // A later attempt with 3 lines of which only 2 were written is incomplete.
    const ok = (line: number) => ({
      ...toRecords(spec, failure, ctx("a2"))[0],
      status: "ok" as const,
      error: null,
      line,
      lines: 3,
    });
    appendCell(path, [ok(1), ok(2)]);
    let res = readResults(path);
    expect(res.cells.get("M|quick|16|0|synthetic-small|")).toBe("failed");
    expect(res.ignoredLines).toBe(2);
    appendCell(path, [
      { ...ok(1), attempt: "a3" },
      { ...ok(2), attempt: "a3" },
      { ...ok(3), attempt: "a3" },
    ]);
    res = readResults(path);
    expect(res.cells.get("M|quick|16|0|synthetic-small|")).toBe("ok");
    expect(res.records.length).toBe(3);
    expect(res.records.every((r) => r.attempt === "a3")).toBe(true);
  });

  it("cuts a partial last line and leaves complete lines alone", () => {
    const path = join(dir, "b.jsonl");
    expect(repairTail(path)).toBe(0); // missing file
    writeFileSync(path, '{"a":1}\n{"b":2}\n{"c":');
    expect(repairTail(path)).toBe(5);
    expect(readFileSync(path, "utf8")).toBe('{"a":1}\n{"b":2}\n');
    expect(repairTail(path)).toBe(0);
    writeFileSync(path, "no newline at all");
    expect(repairTail(path)).toBe(17);
    expect(readFileSync(path, "utf8")).toBe("");
    // Lines that are not JSON or not ours are counted and skipped.
    writeFileSync(path, 'garbage\n{"schema":"other"}\n');
    expect(readResults(path)).toMatchObject({ records: [], ignoredLines: 2 });
  });
});
