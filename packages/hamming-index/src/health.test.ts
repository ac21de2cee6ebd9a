import { describe, expect, it } from "vitest";
import { packCodes } from "./codes";
import { COLLAPSE_RULE, codeHealth, formatCodeHealth } from "./health";

function codesFrom(rows: number[][]) {
  const bits = rows[0].length;
  return packCodes(Float32Array.from(rows.flat()), rows.length, bits, { from: "01" });
}

describe("codeHealth", () => {
  it("gives hand-computed statistics for a small set", () => {
    // 4 codes of 8 bits: bit 0 always 1 (constant), bit 1 half ones, bits 2..7 zero except row 0.
    const rows = [
      [1, 1, 1, 1, 1, 1, 1, 1],
      [1, 1, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0, 0, 0],
    ];
    const h = codeHealth(codesFrom(rows));
    expect(h.n).toBe(4);
    expect(h.bits).toBe(8);
    expect(h.distinct).toBe(3);
    expect(h.distinctShare).toBeCloseTo(0.75, 12);
    expect(h.constantBits).toBe(1);
    expect(h.maxAbsBitMean).toBe(1);
    // entropies: bit0 0, bit1 1, bits 2..7 H(1/4) each.
    const h14 = -(0.25 * Math.log2(0.25) + 0.75 * Math.log2(0.75));
    expect(h.meanBitEntropy).toBeCloseTo((1 + 6 * h14) / 8, 12);
    expect(h.collapsed).toBe(false);
    expect(h.reason).toBe("");
  });

  it("reads bits past the first word (bits > 32)", () => {
    const rows = [0, 1, 2, 3].map((r) =>
      Array.from({ length: 40 }, (_, i) => (i === 35 ? r & 1 : 1)),
    );
    const h = codeHealth(codesFrom(rows));
    expect(h.constantBits).toBe(39);
    expect(h.distinct).toBe(2);
    expect(h.collapsed).toBe(true);
    expect(h.reason).toMatch(/39 of 40 bits constant/);
  });

  it("marks identical codes as collapsed, and random codes as healthy", () => {
    const same = codesFrom(
      Array.from({ length: 200 }, () => [1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0]),
    );
    const h = codeHealth(same);
    expect(h.distinct).toBe(1);
    expect(h.constantBits).toBe(16);
    expect(h.collapsed).toBe(true);
    expect(h.reason).toMatch(/1 distinct codes among 200/);
    expect(formatCodeHealth(h)).toMatch(/^COLLAPSED/);

    let s = 12345;
    const rnd = () => {
      s = (s * 1103515245 + 12345) >>> 0;
      return (s >>> 16) & 1;
    };
    const rows = Array.from({ length: 500 }, () => Array.from({ length: 32 }, rnd));
    const r = codeHealth(codesFrom(rows));
    expect(r.collapsed).toBe(false);
    expect(r.distinctShare).toBeGreaterThan(0.99);
    expect(r.meanBitEntropy).toBeGreaterThan(0.95);
    expect(r.maxAbsBitMean).toBeLessThan(0.2);
    expect(formatCodeHealth(r)).toMatch(/^distinct/);
  });

  it("applies the distinct-share rule at its threshold", () => {
    // 200 codes, 16 bits: only 1 distinct code needed below 1 % (2 of 200 = 1 % is not below).
    const mk = (k: number) =>
      codesFrom(
        Array.from({ length: 200 }, (_, j) =>
          Array.from({ length: 16 }, (_, i) => (i < 8 ? ((j % k) >> (i % 4)) & 1 : (i + j) & 1)),
        ),
      );
    expect(COLLAPSE_RULE.minDistinctShare).toBe(0.01);
    const two = codeHealth(mk(2));
    expect(two.distinct).toBe(2);
    expect(two.reason).not.toMatch(/distinct/);
  });

  it("handles an empty set", () => {
    const h = codeHealth({ n: 0, bits: 16, words: new Uint32Array(0) });
    expect(h.distinct).toBe(0);
    expect(h.collapsed).toBe(false);
    expect(h.constantBits).toBe(0);
  });
});
