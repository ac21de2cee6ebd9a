import { describe, expect, it } from "vitest";
import { ALL_DIRECTIONS, type Direction, evaluateCrossModal, evaluateRetrieval } from "./index";
import { randomCodes, randomMultiHot, rng } from "./test-helpers";

function fixture(seed: number) {
  const r = rng(seed);
  const Q = 15;
  const N = 120;
  const bits = 32;
  // Text codes are noisy copies of the image codes, so the four directions differ.
  const imageDb = randomCodes(r, N, bits, 8, 0.05);
  const textDb = randomCodes(r, N, bits, 8, 0.1);
  return {
    image: { query: randomCodes(r, Q, bits, 8, 0.05).codes, database: imageDb.codes },
    text: { query: randomCodes(r, Q, bits, 8, 0.1).codes, database: textDb.codes },
    queryLabels: randomMultiHot(r, Q, 24, 0.1),
    databaseLabels: randomMultiHot(r, N, 24, 0.1),
  };
}

describe("evaluateCrossModal", () => {
  it("evaluates the four directions exactly as evaluateRetrieval does for each pair", () => {
    const f = fixture(1);
    const opts = { k: ["all", 50] as const, tieAware: true };
    const m = evaluateCrossModal({ ...f, k: [...opts.k], tieAware: true });
    expect(m.directions).toEqual(["i2t", "t2i", "i2i", "t2t"]);
    const pairs: Record<Direction, [typeof f.image, typeof f.image]> = {
      i2t: [f.image, f.text],
      t2i: [f.text, f.image],
      i2i: [f.image, f.image],
      t2t: [f.text, f.text],
    };
    for (const d of ALL_DIRECTIONS) {
      const [qm, dm] = pairs[d];
      const single = evaluateRetrieval({
        query: qm.query,
        database: dm.database,
        queryLabels: f.queryLabels,
        databaseLabels: f.databaseLabels,
        k: [...opts.k],
        tieAware: true,
      });
      expect(m[d]).toEqual(single);
    }
    expect(m.i2t!["mAP@all"]).not.toBe(m.i2i!["mAP@all"]);
    expect(m.variants.apAtK).toBe("relevant-in-top-k");
    expect(m.variants.zeroRelevance).toBe("include");
    expect(m.labels.numLabels).toBe(24);
    expect(m.labels.relevantPairRate).toBe(m.i2t!.relevantPairRate);
  });

  it("returns plain JSON (a round trip changes nothing)", () => {
    const m = evaluateCrossModal({ ...fixture(2), perQuery: true, tieAware: true });
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it("evaluates only the chosen directions and needs only their codes", () => {
    const f = fixture(3);
    const m = evaluateCrossModal({
      image: { query: f.image.query },
      text: { database: f.text.database },
      queryLabels: f.queryLabels,
      databaseLabels: f.databaseLabels,
      directions: ["i2t"],
    });
    expect(m.directions).toEqual(["i2t"]);
    expect(m.i2t).toBeDefined();
    expect(m.t2i).toBeUndefined();
    expect(m.i2i).toBeUndefined();
  });

  it("names what is missing or wrong", () => {
    const f = fixture(4);
    expect(() =>
      evaluateCrossModal({ ...f, image: { query: f.image.query }, directions: ["i2t", "i2i"] }),
    ).toThrow(/direction i2i needs image.database codes/);
    expect(() => evaluateCrossModal({ ...f, directions: ["x2y" as Direction] })).toThrow(
      /unknown direction "x2y"/,
    );
    expect(() => evaluateCrossModal({ ...f, directions: [] })).toThrow(/at least one direction/);
    expect(() => evaluateCrossModal({ ...f, directions: ["i2t", "i2t"] })).toThrow(/repeat/);
    const short = randomCodes(rng(9), 15, 16).codes;
    expect(() => evaluateCrossModal({ ...f, text: { ...f.text, query: short } })).toThrow(
      /bit length mismatch: text.query has 16 bits, image.database has 32/,
    );
  });
});
