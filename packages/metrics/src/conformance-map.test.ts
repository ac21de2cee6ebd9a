import { plainMeanAveragePrecision } from "@cmh/testing";
import { describe, expect, it } from "vitest";
import { meanAveragePrecision } from "./index";
import { randomCodes, randomMultiHot, rng } from "./test-helpers";

// The conformance suite scores fits with its own plain mAP@all (it cannot import this package);
// it must agree with this package's implementation.
describe("the conformance suite's plain mAP@all", () => {
  it("equals meanAveragePrecision on random codes with ties and zero-relevance queries", () => {
    const r = rng(11);
    for (const [n, bits, pool] of [
      [50, 16, 6],
      [40, 33, undefined],
    ] as const) {
      const q = randomCodes(r, n, bits, pool, 0.1).codes;
      const d = randomCodes(r, n, bits, pool, 0.1).codes;
      // about 40 % of the items have no label: their queries have no relevant item
      const labels = randomMultiHot(r, n, 4, 0.2);
      expect(plainMeanAveragePrecision(q, d, labels)).toBeCloseTo(
        meanAveragePrecision({
          query: q,
          database: d,
          queryLabels: labels,
          databaseLabels: labels,
        }),
        10,
      );
    }
  });
});
