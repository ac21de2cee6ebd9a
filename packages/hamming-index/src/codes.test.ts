import { describe, expect, it } from "vitest";
import {
  concatCodes,
  createCodes,
  getBit,
  hammingDistance,
  hammingDistances,
  packCodes,
  popcount32,
  selectCodes,
  sliceCodes,
  unpackCodes,
  validateCodes,
  wordsPerCode,
} from "./index";
import { randomCodes, rng } from "./testutil";

const BITS = [8, 13, 31, 32, 33, 64, 100, 128, 257, 1024];

function naivePop(x: number): number {
  let c = 0;
  for (let i = 0; i < 32; i++) c += (x >>> i) & 1;
  return c;
}

describe("wordsPerCode", () => {
  it("is ceil(bits / 32)", () => {
    expect(wordsPerCode(8)).toBe(1);
    expect(wordsPerCode(32)).toBe(1);
    expect(wordsPerCode(33)).toBe(2);
    expect(wordsPerCode(1024)).toBe(32);
  });
  it("rejects bits out of range", () => {
    expect(() => wordsPerCode(7)).toThrow(/8 to 1024/);
    expect(() => wordsPerCode(1025)).toThrow(/8 to 1024/);
    expect(() => wordsPerCode(16.5)).toThrow(/16.5/);
  });
});

describe("popcount32", () => {
  it("matches a bit-by-bit count", () => {
    const r = rng(1);
    for (let t = 0; t < 2000; t++) {
      const x = r();
      expect(popcount32(x)).toBe(naivePop(x));
    }
    expect(popcount32(0)).toBe(0);
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(-1)).toBe(32);
  });
});

describe("packCodes / unpackCodes", () => {
  it("round-trips ±1 and {0,1} exactly for many bit lengths", () => {
    for (const bits of BITS) {
      const r = rng(bits);
      const n = 7;
      const pm = new Float64Array(n * bits).map(() => (r() & 1 ? 1 : -1));
      const codes = packCodes(pm, n, bits, { from: "pm1" });
      expect(codes.words.length).toBe(n * wordsPerCode(bits));
      validateCodes(codes);
      expect(Array.from(unpackCodes(codes, "pm1"))).toEqual(Array.from(pm));
      const z = Array.from(pm, (v) => (v > 0 ? 1 : 0));
      expect(Array.from(unpackCodes(packCodes(z, n, bits, { from: "01" }), "01"))).toEqual(z);
      expect(packCodes(z, n, bits, { from: "01" }).words).toEqual(codes.words);
    }
  });
  it("uses the documented bit layout", () => {
    const v = new Array(40).fill(0);
    v[0] = 1;
    v[5] = 1;
    v[33] = 1;
    const c = packCodes(v, 1, 40, { from: "01" });
    expect(Array.from(c.words)).toEqual([0b100001, 0b10]);
    expect(getBit(c, 0, 33)).toBe(1);
    expect(getBit(c, 0, 32)).toBe(0);
  });
  it("packs real values by sign (x > 0 -> 1)", () => {
    const c = packCodes([0.5, -0.1, 0, -0, 3, -2, 1e-30, Number.POSITIVE_INFINITY], 1, 8);
    expect(Array.from(unpackCodes(c, "01"))).toEqual([1, 0, 0, 0, 1, 0, 1, 1]);
  });
  it("rejects NaN, non-±1, non-{0,1}, wrong lengths", () => {
    expect(() => packCodes([1, 2, 3, 4, 5, 6, 7, Number.NaN], 1, 8)).toThrow(/NaN.*bit 7/);
    expect(() => packCodes([1, -1, 1, -1, 1, -1, 1, 0], 1, 8, { from: "pm1" })).toThrow(
      /expected -1 or 1/,
    );
    expect(() => packCodes([1, 0, 1, 0, 1, 0, 1, -1], 1, 8, { from: "01" })).toThrow(
      /expected 0 or 1/,
    );
    expect(() => packCodes([1, 0, 1], 1, 8)).toThrow(/length 3, expected/);
    expect(() => packCodes([], 0, 4)).toThrow(/bits/);
  });
  it("validateCodes rejects bad padding and lengths", () => {
    expect(() => createCodes(1, 13, new Uint32Array([1 << 13]))).toThrow(/padding/);
    expect(() => createCodes(2, 13, new Uint32Array([1]))).toThrow(/expected/);
    expect(createCodes(3, 64).words.length).toBe(6);
  });
});

describe("concat / slice / select", () => {
  it("concatenates, slices and selects codes", () => {
    const a = randomCodes(5, 33, 1);
    const b = randomCodes(3, 33, 2);
    const c = concatCodes([a, b]);
    expect(c.n).toBe(8);
    expect(sliceCodes(c, 5, 8).words).toEqual(b.words);
    expect(sliceCodes(c, 0, 5).words).toEqual(a.words);
    const s = selectCodes(c, [7, 0, 7]);
    expect(hammingDistance(s, 0, b, 2)).toBe(0);
    expect(hammingDistance(s, 1, a, 0)).toBe(0);
    expect(() => concatCodes([a, randomCodes(1, 32, 3)])).toThrow(/bits/);
    expect(() => sliceCodes(c, 3, 9)).toThrow(/range/);
    expect(() => selectCodes(c, [8])).toThrow(/out of range/);
  });
});

describe("hammingDistance(s)", () => {
  it("matches counting differing unpacked bits", () => {
    for (const bits of BITS) {
      const q = randomCodes(3, bits, bits * 7);
      const db = randomCodes(50, bits, bits * 11);
      const uq = unpackCodes(q, "01");
      const ud = unpackCodes(db, "01");
      for (let qi = 0; qi < q.n; qi++) {
        const d = hammingDistances(q, qi, db);
        const d32 = hammingDistances(q, qi, db, new Uint32Array(db.n));
        for (let j = 0; j < db.n; j++) {
          let e = 0;
          for (let i = 0; i < bits; i++) e += uq[qi * bits + i] !== ud[j * bits + i] ? 1 : 0;
          expect(d[j]).toBe(e);
          expect(d32[j]).toBe(e);
          expect(hammingDistance(q, qi, db, j)).toBe(e);
        }
      }
    }
  });
  it("rejects mismatched bits, bad indices and short outputs", () => {
    const a = randomCodes(2, 64, 1);
    const b = randomCodes(4, 32, 1);
    expect(() => hammingDistances(a, 0, b)).toThrow(/64 bits.*32/);
    expect(() => hammingDistances(a, 2, a)).toThrow(/out of range/);
    expect(() => hammingDistances(a, 0, a, new Uint16Array(1))).toThrow(/at least/);
    expect(() => hammingDistance(a, 0, a, 5)).toThrow(/out of range/);
  });
});

describe("embedded WebAssembly kernel", () => {
  it("kernel.wat and the embedded bytes are what scripts/build-wasm.mjs produces", async () => {
    const { execFileSync } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    const script = fileURLToPath(new URL("../scripts/build-wasm.mjs", import.meta.url));
    const out = execFileSync(process.execPath, [script, "--check"], { encoding: "utf8" });
    expect(out).toMatch(/up to date/);
  });
});
