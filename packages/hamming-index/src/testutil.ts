import type { BinaryCodes } from "./codes";
import { mulberry32Words } from "./prng";

/** Deterministic 32-bit PRNG (mulberry32 words) for tests and benchmarks. */
export const rng = mulberry32Words;

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
