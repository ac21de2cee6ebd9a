/**
 * Packed binary codes.
 *
 * Layout (fixed, documented, relied on by the on-disk format): code `j` occupies
 * `wordsPerCode(bits) = ceil(bits / 32)` consecutive 32-bit words starting at
 * `words[j * wordsPerCode]`; bit `i` of code `j` is bit `i & 31` (least significant first) of word
 * `words[j * wordsPerCode + (i >>> 5)]`. Padding bits above `bits` in the last word are always 0.
 * A set bit means +1 (or 1); a clear bit means -1 (or 0).
 */
export interface BinaryCodes {
  /** Number of codes. */
  readonly n: number;
  /** Bits per code (8..1024). */
  readonly bits: number;
  /** Packed words, `n * ceil(bits / 32)` of them. */
  readonly words: Uint32Array;
}
