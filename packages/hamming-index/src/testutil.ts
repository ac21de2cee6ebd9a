import type { BinaryCodes } from "./codes";

/** Deterministic 32-bit PRNG (mulberry32) for tests and benchmarks. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** `n` uniformly random codes of `bits` bits. */
export function randomCodes(n: number, bits: number, seed: number): BinaryCodes {
  const r = rng(seed);
  const w = (bits + 31) >>> 5;
  const words = new Uint32Array(n * w);
  for (let i = 0; i < words.length; i++) words[i] = r();
  const rem = bits & 31;
  if (rem) for (let j = 0; j < n; j++) words[j * w + w - 1] &= (1 << rem) - 1;
  return { n, bits, words };
}

/**
 * Clustered codes: `centres` random centres, each code a random centre with every bit flipped with
 * probability `flip`.
 */
export function clusteredCodes(
  n: number,
  bits: number,
  centres: number,
  flip: number,
  seed: number,
): BinaryCodes {
  const r = rng(seed);
  const c = randomCodes(centres, bits, seed ^ 0x9e3779b9);
  const w = (bits + 31) >>> 5;
  const words = new Uint32Array(n * w);
  const thr = Math.floor(flip * 2 ** 32);
  for (let j = 0; j < n; j++) {
    const k = r() % centres;
    for (let t = 0; t < w; t++) words[j * w + t] = c.words[k * w + t];
    for (let i = 0; i < bits; i++) if (r() < thr) words[j * w + (i >>> 5)] ^= 1 << (i & 31);
  }
  return { n, bits, words };
}
