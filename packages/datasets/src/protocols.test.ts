import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSplit, makeSplit, PROTOCOLS, saveSplit, splitHash } from "./protocols";
import { tempDir } from "./testing/writers";

function disjoint(a: Uint32Array, b: Uint32Array): boolean {
  const s = new Set(a);
  return Array.from(b).every((x) => !s.has(x));
}

describe("makeSplit", () => {
  it.each([
    ["mirflickr25k-5k", 20015, 2000, 18015, 5000],
    ["mirflickr25k-10k", 20015, 2000, 18015, 10000],
    ["mirflickr25k-dbtrain", 20015, 2000, 18015, 18015],
    ["nus-wide-top10", 186577, 2000, 184577, 5000],
    ["nus-wide-top21", 190421, 2100, 188321, 10500],
    ["ms-coco", 122218, 2000, 120218, 5000],
    ["iapr-tc12", 18571, 2000, 16571, 5000],
    ["synthetic-default", 10000, 1000, 9000, 5000],
  ])("%s on %i items: %i query / %i database / %i train", (name, n, q, db, tr) => {
    const s = makeSplit(name, n, 7);
    expect([s.query.length, s.database.length, s.train.length]).toEqual([q, db, tr]);
    expect(disjoint(s.query, s.database)).toBe(true);
    const dbSet = new Set(s.database);
    expect(Array.from(s.train).every((i) => dbSet.has(i))).toBe(true);
    expect(new Set(s.train).size).toBe(tr);
    expect(s.protocol).toBe(name);
    expect(s.nItems).toBe(n);
  });
  it("fixed splits: wiki 2,173/693 and uci-mfeat 1,500/500, database = train", () => {
    const w = makeSplit("wiki", 2866);
    expect([w.train.length, w.query.length, w.database.length]).toEqual([2173, 693, 2173]);
    expect(w.query[0]).toBe(2173);
    const u = makeSplit("uci-mfeat", 2000, 5);
    expect(Array.from(u.database)).toEqual(Array.from(u.train));
    expect(u.query.length).toBe(500);
    expect(() => makeSplit("wiki", 2000)).toThrow(/needs exactly 2866 items/);
  });
  it("is deterministic per seed, sorted, and changes with the seed", () => {
    const a = makeSplit("synthetic-default", 10000, 1);
    const b = makeSplit("synthetic-default", 10000, 1);
    const c = makeSplit("synthetic-default", 10000, 2);
    expect(splitHash(a)).toBe(splitHash(b));
    expect(splitHash(a)).not.toBe(splitHash(c));
    expect(Array.from(a.query)).toEqual(Array.from(a.query).sort((x, y) => x - y));
  });
  it("explains unknown protocols and impossible sizes", () => {
    expect(() => makeSplit("mirflickr", 100)).toThrow(
      /Unknown protocol "mirflickr". Known protocols: mirflickr25k-5k/,
    );
    expect(() => makeSplit("mirflickr25k-5k", 6000)).toThrow(
      /5000 training items must be drawn from the 4000-item database/,
    );
    expect(() => makeSplit("mirflickr25k-5k", 1000)).toThrow(
      /2000 queries need more than 2000 items/,
    );
    expect(
      () => makeSplit({ name: "custom", query: 2, train: 3 }, 10, 0).train.length,
    ).not.toThrow();
  });
  it("every protocol has a description and the papers that use it", () => {
    for (const p of Object.values(PROTOCOLS)) {
      expect(p.description).toBeTruthy();
      expect(p.usedBy?.length).toBeGreaterThan(0);
    }
  });
});

describe("saveSplit / loadSplit", () => {
  it("round-trips a split and detects edits", () => {
    const dir = tempDir();
    const s = makeSplit("mirflickr25k-5k", 20015, 11);
    const p = join(dir, "split.json");
    saveSplit(p, s);
    const back = loadSplit(p);
    expect(back.protocol).toBe("mirflickr25k-5k");
    expect(back.seed).toBe(11);
    expect(back.nItems).toBe(20015);
    expect(Array.from(back.train)).toEqual(Array.from(s.train));
    expect(splitHash(back)).toBe(splitHash(s));
    const raw = JSON.parse(readFileSync(p, "utf8"));
    raw.query[0] = raw.query[0] === 0 ? 1 : raw.query[0] - 1;
    writeFileSync(p, JSON.stringify(raw));
    expect(() => loadSplit(p)).toThrow(/does not match its content/);
    raw.query[0] = 99999;
    writeFileSync(p, JSON.stringify(raw));
    expect(() => loadSplit(p)).toThrow(/query\[0\] = 99999 is not an item index in \[0, 20015\)/);
    writeFileSync(p, "{}");
    expect(() => loadSplit(p)).toThrow(/expected format "cmh-split" version 1/);
    expect(() => loadSplit(join(dir, "none.json"))).toThrow(/cannot read/);
  });
});
