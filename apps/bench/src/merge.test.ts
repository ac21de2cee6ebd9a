import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeResults } from "./merge";
import type { MethodEntry } from "./registry";
import { type ResultRecord, readResults } from "./results";
import { type BenchOptions, runBench } from "./runner";
import { makeFakeHasher } from "./test-fakes";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "cmh-merge-"));
  dirs.push(d);
  return d;
}

const Good = makeFakeHasher("FakeM");
const Broken = makeFakeHasher("FakeM", false, { epochs: 2, throwAt: 1 });
const entry = (cls: typeof Good): MethodEntry[] => [
  { name: "FakeM", package: "x", supervised: false, load: async () => cls },
];
function run(out: string, bits: number[], cls = Good): Promise<unknown> {
  const o: BenchOptions = {
    methods: entry(cls),
    bits,
    seeds: [0],
    preset: "quick",
    dataset: { name: "synthetic-small" },
    backend: "cpu",
    out,
    isolation: "inline",
    prepareBackend: async () => ({ name: "test-backend" }),
    log: () => {},
    status: () => {},
    htmlReport: false,
  };
  return runBench(o);
}
function lines(dir: string): ResultRecord[] {
  return readFileSync(join(dir, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as ResultRecord);
}
function write(dir: string, records: ResultRecord[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "results.jsonl"),
    `${records.map((r) => JSON.stringify(r)).join("\n")}\n`,
  );
}

describe("mergeResults", () => {
  const a = tmp();
  const b = tmp();
  const failed = tmp();
  beforeAll(async () => {
    await run(a, [16, 32]);
    await run(b, [32, 64]);
    await run(failed, [16], Broken);
  });

  it("merges folders by cell identity and keeps identical copies once", async () => {
    const out = tmp();
    const s = await mergeResults([a, b], out, { html: false });
    expect(s.cells).toBe(3);
    expect(s.duplicates).toBe(1);
    expect(s.conflicts).toEqual([]);
    expect([...readResults(join(out, "results.jsonl")).cells.keys()].sort()).toEqual([
      "FakeM|quick|16|0|synthetic-small|",
      "FakeM|quick|32|0|synthetic-small|",
      "FakeM|quick|64|0|synthetic-small|",
    ]);
    expect(readFileSync(join(out, "leaderboard.md"), "utf8")).toContain("| FakeM ");
    expect(JSON.parse(readFileSync(join(out, "merge.json"), "utf8"))).toMatchObject({
      cells: 3,
      duplicates: 1,
    });
  });

  it("lets a finished copy win over a failed one", async () => {
    const out = tmp();
    expect(
      readResults(join(failed, "results.jsonl")).cells.get("FakeM|quick|16|0|synthetic-small|"),
    ).toBe("failed");
    const s = await mergeResults([failed, a], out, { html: false });
    expect(s.conflicts).toEqual([]);
    expect(
      readResults(join(out, "results.jsonl")).cells.get("FakeM|quick|16|0|synthetic-small|"),
    ).toBe("ok");
  });

  it("reports copies with different numbers or different data and leaves them out", async () => {
    const numbers = tmp();
    write(
      numbers,
      lines(b).map((r) =>
        r.bits === 32 && r.metric === "mAP@all" && r.direction === "i2t"
          ? { ...r, value: 0.123 }
          : r,
      ),
    );
    const data = tmp();
    write(
      data,
      lines(b).map((r) =>
        r.bits === 32 ? { ...r, dataset: { ...r.dataset, splitHash: "f".repeat(64) } } : r,
      ),
    );
    const s1 = await mergeResults([a, numbers], tmp(), { html: false });
    expect(s1.cells).toBe(2);
    expect(s1.conflicts).toEqual([
      `FakeM|quick|32|0|synthetic-small|: different results in ${a} vs ${numbers}`,
    ]);
    const s2 = await mergeResults([a, data], tmp(), { html: false });
    expect(s2.conflicts.length).toBe(1);
    expect(s2.conflicts[0]).toMatch(
      new RegExp(
        `^FakeM\\|quick\\|32\\|0\\|synthetic-small\\|: ran on different data: [0-9a-f]{64} in ${a}; [0-9a-f]{64} in ${data}$`,
      ),
    );
  });

  it("names a folder without results, and refuses to overwrite results it was not given", async () => {
    const empty = tmp();
    await expect(mergeResults([a, empty], tmp())).rejects.toThrow(`${empty} has no results.jsonl`);
    await expect(mergeResults([a], b)).rejects.toThrow(`${b} already holds results.jsonl`);
    await expect(mergeResults([], tmp())).rejects.toThrow("at least one result folder");
    // Merging into one of the inputs is fine.
    const into = tmp();
    await run(into, [64]);
    const s = await mergeResults([a, into], into, { html: false });
    expect(s.cells).toBe(3);
  });
});
