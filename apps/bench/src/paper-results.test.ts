import { describe, expect, it } from "vitest";
import { findPaperResult, PAPER_RESULTS } from "./paper-results";
import { REGISTRY } from "./registry";

describe("PAPER_RESULTS", () => {
  it("names only registered methods, with fractions and a source", () => {
    const names = new Set(REGISTRY.map((e) => e.name));
    expect(PAPER_RESULTS.length).toBeGreaterThan(50);
    for (const r of PAPER_RESULTS) {
      expect(names.has(r.method)).toBe(true);
      expect(r.value).toBeGreaterThan(0);
      expect(r.value).toBeLessThan(1);
      expect(r.source.length).toBeGreaterThan(0);
    }
  });

  it("has one value per cell", () => {
    const keys = PAPER_RESULTS.map((r) =>
      [r.method, r.dataset, r.protocol, r.direction, r.bits, r.metric].join("|"),
    );
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("finds a paper's number by its cell, converting percentages", () => {
    const cell = { dataset: "mirflickr25k", direction: "i2t" as const, bits: 16 };
    expect(
      findPaperResult({
        ...cell,
        method: "ugach",
        protocol: "mirflickr25k-dbtrain",
        metric: "mAP@all",
      })?.value,
    ).toBe(0.685);
    expect(
      findPaperResult({ ...cell, method: "CMIMH", protocol: "mirflickr25k-5k", metric: "mAP@1000" })
        ?.value,
    ).toBeCloseTo(0.8068, 10);
    expect(
      findPaperResult({ ...cell, method: "CMIMH", protocol: "mirflickr25k-5k", metric: "mAP@all" }),
    ).toBeUndefined();
  });
});
