import { describe, expect, it } from "vitest";
import { mulberry32, mulberry32Words, Rng, Xoshiro128 } from "./prng";

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

// Reference implementations written from the published algorithms (mulberry32 by Tommy Ettinger;
// xoshiro128** and splitmix32 by Blackman and Vigna), with BigInt arithmetic modulo 2^32 so they
// share no code or trick with prng.ts. They pin the sequences the project's data and tests depend on.
const M32 = (1n << 32n) - 1n;
const u32 = (x: bigint): bigint => x & M32;
const mul = (a: bigint, b: bigint): bigint => u32(a * b);
const rotl32 = (x: bigint, k: bigint): bigint => u32((x << k) | (x >> (32n - k)));

function refMulberry32(seed: number, n: number): number[] {
  let a = u32(BigInt(seed >>> 0));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    a = u32(a + 0x6d2b79f5n);
    let t = a;
    t = mul(t ^ (t >> 15n), t | 1n);
    t = u32(t ^ u32(t + mul(t ^ (t >> 7n), t | 61n)));
    out.push(Number(t ^ (t >> 14n)));
  }
  return out;
}

function refXoshiro(word: bigint, n: number): number[] {
  let x = u32(word);
  const sm = (): bigint => {
    x = u32(x + 0x9e3779b9n);
    let z = x;
    z = mul(z ^ (z >> 16n), 0x85ebca6bn);
    z = mul(z ^ (z >> 13n), 0xc2b2ae35n);
    return z ^ (z >> 16n);
  };
  const s = [sm(), sm(), sm(), sm()];
  if ((s[0] | s[1] | s[2] | s[3]) === 0n) s[0] = 1n;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(Number(mul(rotl32(mul(s[1], 5n), 7n), 9n)));
    const t = u32(s[1] << 9n);
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl32(s[3], 11n);
  }
  return out;
}

describe("the generators keep their published sequences", () => {
  it("mulberry32Words and mulberry32 match the reference for several seeds", () => {
    for (const seed of [0, 1, 42, 0xdeadbeef, -7]) {
      const ref = refMulberry32(seed, 64);
      const w = mulberry32Words(seed);
      const f = mulberry32(seed);
      expect(ref.map(() => w())).toEqual(ref);
      expect(ref.map(() => f())).toEqual(ref.map((v) => v / 4294967296));
    }
  });
  it("Xoshiro128 matches the reference stream and its 53-bit uniforms", () => {
    for (const word of [0, 1, 12345, 0xffffffff]) {
      const ref = refXoshiro(BigInt(word), 64);
      const g = new Xoshiro128(word);
      expect(ref.map(() => g.nextU32())).toEqual(ref);
      const h = new Xoshiro128(word);
      for (let i = 0; i < 32; i += 2) {
        expect(h.uniform()).toBe(((ref[i] >>> 5) * 67108864 + (ref[i + 1] >>> 6)) / 2 ** 53);
      }
    }
  });
  it("Rng folds the high half of the seed into the word (low ^ high·0x9e3779b1)", () => {
    for (const seed of [0, 7, 2 ** 32 + 5, 2 ** 40 + 123, Number.MAX_SAFE_INTEGER]) {
      const word = (BigInt(seed) & M32) ^ mul(BigInt(seed) >> 32n, 0x9e3779b1n);
      const ref = refXoshiro(word, 16);
      const r = new Rng(seed);
      expect(ref.map(() => r.nextU32())).toEqual(ref);
    }
  });
  it("Rng.int rejects the biased tail and Rng.normal is Marsaglia's polar method", () => {
    const ref = refXoshiro(9n, 400);
    let i = 0;
    const n = 3_000_000_000; // limit = 2^32 - (2^32 mod n) = n: about 30 % of words are rejected
    const expectInts: number[] = [];
    while (expectInts.length < 20) {
      const u = ref[i++];
      if (u < n) expectInts.push(u % n);
    }
    const r = new Rng(9);
    expect(expectInts.map(() => r.int(n))).toEqual(expectInts);
    // Normals from the stream right after: pairs of 53-bit uniforms mapped to [-1, 1).
    const uni = (): number => {
      const v = ((ref[i] >>> 5) * 67108864 + (ref[i + 1] >>> 6)) / 2 ** 53;
      i += 2;
      return v;
    };
    const expectNormals: number[] = [];
    while (expectNormals.length < 10) {
      const u = 2 * uni() - 1;
      const v = 2 * uni() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        expectNormals.push(u * f, v * f);
      }
    }
    expect(expectNormals.map(() => r.normal())).toEqual(expectNormals);
  });
});
