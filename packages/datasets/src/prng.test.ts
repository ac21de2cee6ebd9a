import { describe, expect, it } from "vitest";
import { Rng } from "./prng";

describe("Rng", () => {
  it("is deterministic per seed and differs between seeds", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xa = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(xa);
    // High bits of the seed matter too.
    expect(new Rng(2 ** 40).nextU32()).not.toBe(new Rng(0).nextU32());
  });
  it("uniform() is in [0,1) with mean 1/2; normal() has mean 0 and variance 1", () => {
    const r = new Rng(1);
    let s = 0;
    let n1 = 0;
    let n2 = 0;
    const N = 20000;
    for (let i = 0; i < N; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      s += u;
      const z = r.normal();
      n1 += z;
      n2 += z * z;
    }
    expect(s / N).toBeCloseTo(0.5, 1);
    expect(n1 / N).toBeCloseTo(0, 1);
    expect(n2 / N).toBeCloseTo(1, 1);
  });
  it("int(n) stays in range and rejects bad n; shuffle permutes", () => {
    const r = new Rng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(r.int(7));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(() => r.int(0)).toThrow(RangeError);
    const p = r.shuffle(Uint32Array.from([0, 1, 2, 3, 4, 5]));
    expect(Array.from(p).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => new Rng(-1)).toThrow(/seed/);
  });
});
