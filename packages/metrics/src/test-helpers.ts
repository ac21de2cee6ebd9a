// Test-only helpers (not exported from the package): seeded random codes and labels, kept as
// plain bit / label arrays so the naive reference in the tests never touches packed words.
import { type BinaryCodes, mulberry32 } from "@cmh/hamming-index";

/** Seeded PRNG (mulberry32) returning floats in [0, 1). */
export const rng = mulberry32;

/** Codes as rows of 0/1 bits plus their packed form (built bit by bit, layout of codes.ts). */
export interface TestCodes {
  bitRows: Uint8Array[];
  codes: BinaryCodes;
}

/** Pack rows of 0/1 bits, one bit at a time (independent of the package's packers). */
export function fromBitRows(bitRows: Uint8Array[], bits: number): TestCodes {
  const w = Math.ceil(bits / 32);
  const words = new Uint32Array(bitRows.length * w);
  bitRows.forEach((row, j) => {
    for (let i = 0; i < bits; i++) if (row[i]) words[j * w + (i >>> 5)] |= 1 << (i & 31);
  });
  return { bitRows, codes: { n: bitRows.length, bits, words } };
}

/**
 * `n` random codes; with `pool` set, each code is one of `pool` random prototypes (forcing ties),
 * optionally with each bit flipped with probability `flip`.
 */
export function randomCodes(
  r: () => number,
  n: number,
  bits: number,
  pool?: number,
  flip = 0,
): TestCodes {
  const fresh = () => Uint8Array.from({ length: bits }, () => (r() < 0.5 ? 1 : 0));
  const protos = pool ? Array.from({ length: pool }, fresh) : [];
  const rows = Array.from({ length: n }, () => {
    if (!pool) return fresh();
    const row = Uint8Array.from(protos[Math.floor(r() * pool)]);
    for (let i = 0; i < bits; i++) if (r() < flip) row[i] ^= 1;
    return row;
  });
  return fromBitRows(rows, bits);
}

/** Random multi-hot labels: each label present with probability `density`. */
export function randomMultiHot(
  r: () => number,
  rows: number,
  cols: number,
  density: number,
): { rows: number; cols: number; data: Uint8Array } {
  const data = new Uint8Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = r() < density ? 1 : 0;
  return { rows, cols, data };
}
