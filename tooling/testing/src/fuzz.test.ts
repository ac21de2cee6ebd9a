import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyMutation, applyMutations, breathe, mutationsArb, sameBytes } from "./fuzz";

describe("fuzz mutations", () => {
  const b = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
  it("apply as documented on a known input", () => {
    expect(Array.from(applyMutation(b, { kind: "truncate", at: 11 }))).toEqual([0, 1, 2]);
    expect(Array.from(applyMutation(b, { kind: "flip", at: 9, bit: 7 }))).toEqual([
      0, 129, 2, 3, 4, 5, 6, 7,
    ]);
    expect(Array.from(applyMutation(b, { kind: "set", at: 0, value: 9 }))[0]).toBe(9);
    expect(Array.from(applyMutation(b, { kind: "splice", from: 6, to: 0, len: 4 }))).toEqual([
      6, 7, 2, 3, 4, 5, 6, 7,
    ]);
    expect(
      Array.from(applyMutation(b, { kind: "grow", at: 2, bytes: Uint8Array.from([9, 9]) })),
    ).toEqual([0, 1, 9, 9, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(applyMutation(b, { kind: "swap", a: 0, b: 4, len: 2 }))).toEqual([
      4, 5, 2, 3, 0, 1, 6, 7,
    ]);
    expect(applyMutation(b, { kind: "random", bytes: Uint8Array.from([1]) })).toEqual(
      Uint8Array.from([1]),
    );
    expect(Array.from(b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]); // never in place
  });
  it("never throw, and keep the input untouched, for any case", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), mutationsArb, (input, ms) => {
        const copy = input.slice();
        const out = applyMutations(input, ms);
        expect(sameBytes(input, copy)).toBe(true);
        expect(out).toBeInstanceOf(Uint8Array);
      }),
      { numRuns: 300 },
    );
  });
  it("breathe lets pending I/O callbacks run within 64 calls", async () => {
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    for (let i = 0; i < 64; i++) await breathe();
    expect(ran).toBe(true);
  });
});
