import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readResults } from "./results";
import { runBench } from "./runner";
import { parseShard, shardCells } from "./shard";
import { makeFakeHasher } from "./test-fakes";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("parseShard", () => {
  it("reads i/n and names a bad value", () => {
    expect(parseShard("0/3")).toEqual({ index: 0, count: 3 });
    expect(parseShard(" 2 / 3 ")).toEqual({ index: 2, count: 3 });
    for (const bad of ["3/3", "1/0", "-1/3", "a/b", "1", "1/3/4", ""]) {
      expect(() => parseShard(bad), bad).toThrow(`--shard must be i/n with 0 <= i < n`);
    }
    expect(() => parseShard("5/2")).toThrow('got "5/2"');
  });
});

describe("shardCells", () => {
  it("splits a list into n round-robin slices that cover it exactly once", () => {
    const cells = Array.from({ length: 10 }, (_, i) => i);
    const parts = [0, 1, 2].map((index) => shardCells(cells, { index, count: 3 }));
    expect(parts).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7],
      [2, 5, 8],
    ]);
    expect(parts.flat().sort((a, b) => a - b)).toEqual(cells);
    expect(shardCells(cells, { index: 0, count: 1 })).toEqual(cells);
    expect(shardCells([1, 2], { index: 3, count: 4 })).toEqual([]);
    expect(() => shardCells(cells, { index: 3, count: 3 })).toThrow(
      "shard 3/3 is not a valid slice",
    );
  });

  it("runBench with a shard runs only its slice of method x bits x seed", async () => {
    const Fake = makeFakeHasher("FakeShard");
    const out = mkdtempSync(join(tmpdir(), "cmh-shard-"));
    dirs.push(out);
    const s = await runBench({
      methods: [{ name: "FakeShard", package: "x", supervised: false, load: async () => Fake }],
      bits: [16, 32, 64],
      seeds: [0, 1],
      preset: "quick",
      dataset: { name: "synthetic-small" },
      backend: "cpu",
      out,
      isolation: "inline",
      prepareBackend: async () => ({ name: "test-backend" }),
      log: () => {},
      status: () => {},
      htmlReport: false,
      shard: { index: 1, count: 4 },
    });
    // Planned order: bits 16 (seeds 0, 1), 32 (0, 1), 64 (0, 1); shard 1/4 takes positions 1 and 5.
    expect(s.cells).toBe(2);
    expect([...readResults(join(out, "results.jsonl")).cells.keys()]).toEqual([
      "FakeShard|quick|16|1|synthetic-small|",
      "FakeShard|quick|64|1|synthetic-small|",
    ]);
  });
});
