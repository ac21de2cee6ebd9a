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

/** Smallest supported code length in bits. */
export const MIN_BITS = 8;
/** Largest supported code length in bits. */
export const MAX_BITS = 1024;

/** How `packCodes` reads its input values. */
export type PackFrom = "sign" | "pm1" | "01";

/** Throw unless `bits` is an integer in [MIN_BITS, MAX_BITS]. */
export function checkBits(bits: number, what = "bits"): void {
  if (!Number.isInteger(bits) || bits < MIN_BITS || bits > MAX_BITS) {
    throw new RangeError(
      `${what} must be an integer from ${MIN_BITS} to ${MAX_BITS}, got ${String(bits)}`,
    );
  }
}

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${String(n)}`);
  }
}

/** Number of 32-bit words per packed code: `ceil(bits / 32)`. */
export function wordsPerCode(bits: number): number {
  checkBits(bits);
  return (bits + 31) >>> 5;
}

/** Mask of the valid bits in the last word of a code (all ones when bits % 32 === 0). */
export function lastWordMask(bits: number): number {
  const r = bits & 31;
  return r === 0 ? 0xffffffff : (1 << r) - 1;
}

/**
 * Build a `BinaryCodes` from existing words (validated: length and zero padding), or all-zero codes
 * when `words` is omitted.
 */
export function createCodes(n: number, bits: number, words?: Uint32Array): BinaryCodes {
  checkCount(n, "n");
  const w = wordsPerCode(bits);
  const codes = { n, bits, words: words ?? new Uint32Array(n * w) };
  if (words) validateCodes(codes);
  return codes;
}

/**
 * Throw a clear error unless `codes` is a well-formed `BinaryCodes` (integer n, bits in range,
 * a Uint32Array of exactly `n * wordsPerCode(bits)` words, padding bits clear).
 */
export function validateCodes(codes: BinaryCodes, what = "codes"): void {
  if (codes === null || typeof codes !== "object") {
    throw new TypeError(`${what} must be a BinaryCodes object { n, bits, words }`);
  }
  checkCount(codes.n, `${what}.n`);
  checkBits(codes.bits, `${what}.bits`);
  if (!(codes.words instanceof Uint32Array)) {
    throw new TypeError(`${what}.words must be a Uint32Array`);
  }
  const w = (codes.bits + 31) >>> 5;
  if (codes.words.length !== codes.n * w) {
    throw new RangeError(
      `${what}.words has ${codes.words.length} words, expected n * ceil(bits / 32) = ${codes.n} * ${w} = ${codes.n * w}`,
    );
  }
  const mask = lastWordMask(codes.bits);
  if (mask !== 0xffffffff) {
    const inv = ~mask >>> 0;
    const words = codes.words;
    for (let j = 0, p = w - 1; j < codes.n; j++, p += w) {
      if ((words[p] & inv) !== 0) {
        throw new RangeError(
          `${what}: code ${j} has padding bits set above bit ${codes.bits} (padding must be 0)`,
        );
      }
    }
  }
}

/**
 * Pack `n` codes of `bits` values each (row-major `values[j * bits + i]`) into `BinaryCodes`.
 * `from: "sign"` (default): x > 0 -> 1, otherwise 0 (NaN rejected); `"pm1"`: values must be exactly
 * -1 or +1; `"01"`: values must be exactly 0 or 1.
 */
export function packCodes(
  values: ArrayLike<number>,
  n: number,
  bits: number,
  options: { from?: PackFrom } = {},
): BinaryCodes {
  checkCount(n, "n");
  checkBits(bits);
  const from = options.from ?? "sign";
  if (from !== "sign" && from !== "pm1" && from !== "01") {
    throw new RangeError(`from must be "sign", "pm1" or "01", got ${JSON.stringify(from)}`);
  }
  if (values.length !== n * bits) {
    throw new RangeError(
      `values has length ${values.length}, expected n * bits = ${n} * ${bits} = ${n * bits}`,
    );
  }
  const w = (bits + 31) >>> 5;
  const words = new Uint32Array(n * w);
  for (let j = 0; j < n; j++) {
    const base = j * bits;
    const wb = j * w;
    for (let i = 0; i < bits; i++) {
      const x = values[base + i];
      let bit: number;
      if (from === "sign") {
        if (Number.isNaN(x))
          throw new RangeError(`values[${base + i}] is NaN (code ${j}, bit ${i})`);
        bit = x > 0 ? 1 : 0;
      } else if (from === "pm1") {
        if (x === 1) bit = 1;
        else if (x === -1) bit = 0;
        else
          throw new RangeError(
            `values[${base + i}] = ${String(x)} (code ${j}, bit ${i}): expected -1 or 1 for from: "pm1"`,
          );
      } else {
        if (x === 1) bit = 1;
        else if (x === 0) bit = 0;
        else
          throw new RangeError(
            `values[${base + i}] = ${String(x)} (code ${j}, bit ${i}): expected 0 or 1 for from: "01"`,
          );
      }
      if (bit) words[wb + (i >>> 5)] |= 1 << (i & 31);
    }
  }
  return { n, bits, words };
}

/** Unpack codes to row-major ±1 values (`Int8Array`, n * bits). */
export function unpackCodes(codes: BinaryCodes, to: "pm1"): Int8Array;
/** Unpack codes to row-major {0,1} values (`Uint8Array`, n * bits). */
export function unpackCodes(codes: BinaryCodes, to: "01"): Uint8Array;
/** Unpack codes to row-major ±1 (`"pm1"`, default) or {0,1} (`"01"`) values. */
export function unpackCodes(codes: BinaryCodes, to?: "pm1" | "01"): Int8Array | Uint8Array;
export function unpackCodes(codes: BinaryCodes, to: "pm1" | "01" = "pm1"): Int8Array | Uint8Array {
  validateCodes(codes);
  if (to !== "pm1" && to !== "01") {
    throw new RangeError(`to must be "pm1" or "01", got ${JSON.stringify(to)}`);
  }
  const { n, bits, words } = codes;
  const w = (bits + 31) >>> 5;
  const out = to === "pm1" ? new Int8Array(n * bits) : new Uint8Array(n * bits);
  const zero = to === "pm1" ? -1 : 0;
  for (let j = 0; j < n; j++) {
    const base = j * bits;
    const wb = j * w;
    for (let i = 0; i < bits; i++) {
      out[base + i] = (words[wb + (i >>> 5)] >>> (i & 31)) & 1 ? 1 : zero;
    }
  }
  return out;
}

/** Bit `i` (0-based) of code `j`, as 0 or 1. */
export function getBit(codes: BinaryCodes, j: number, i: number): 0 | 1 {
  if (!Number.isInteger(j) || j < 0 || j >= codes.n) {
    throw new RangeError(`code index ${String(j)} out of range [0, ${codes.n})`);
  }
  if (!Number.isInteger(i) || i < 0 || i >= codes.bits) {
    throw new RangeError(`bit index ${String(i)} out of range [0, ${codes.bits})`);
  }
  const w = (codes.bits + 31) >>> 5;
  return ((codes.words[j * w + (i >>> 5)] >>> (i & 31)) & 1) as 0 | 1;
}

/** Number of set bits in the low 32 bits of `x`. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Concatenate code sets of the same bit length into one. */
export function concatCodes(parts: readonly BinaryCodes[]): BinaryCodes {
  if (parts.length === 0) throw new RangeError("concatCodes needs at least one BinaryCodes");
  const bits = parts[0].bits;
  let n = 0;
  parts.forEach((p, idx) => {
    validateCodes(p, `parts[${idx}]`);
    if (p.bits !== bits) {
      throw new RangeError(`concatCodes: parts[${idx}] has ${p.bits} bits, parts[0] has ${bits}`);
    }
    n += p.n;
  });
  const w = (bits + 31) >>> 5;
  const words = new Uint32Array(n * w);
  let off = 0;
  for (const p of parts) {
    words.set(p.words, off);
    off += p.words.length;
  }
  return { n, bits, words };
}

/** Codes `start` (inclusive) to `end` (exclusive), copied. */
export function sliceCodes(codes: BinaryCodes, start = 0, end = codes.n): BinaryCodes {
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(end) ||
    start < 0 ||
    end > codes.n ||
    start > end
  ) {
    throw new RangeError(
      `sliceCodes: range [${String(start)}, ${String(end)}) is not within [0, ${codes.n}]`,
    );
  }
  const w = (codes.bits + 31) >>> 5;
  return { n: end - start, bits: codes.bits, words: codes.words.slice(start * w, end * w) };
}

/** Codes at the given indices (in that order, repeats allowed), copied. */
export function selectCodes(codes: BinaryCodes, indices: ArrayLike<number>): BinaryCodes {
  const w = (codes.bits + 31) >>> 5;
  const words = new Uint32Array(indices.length * w);
  for (let t = 0; t < indices.length; t++) {
    const j = indices[t];
    if (!Number.isInteger(j) || j < 0 || j >= codes.n) {
      throw new RangeError(
        `selectCodes: indices[${t}] = ${String(j)} out of range [0, ${codes.n})`,
      );
    }
    words.set(codes.words.subarray(j * w, j * w + w), t * w);
  }
  return { n: indices.length, bits: codes.bits, words };
}
