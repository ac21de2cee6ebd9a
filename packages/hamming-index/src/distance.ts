import { type BinaryCodes, popcount32 } from "./codes";

/** Throw unless query index `qi` is valid and both code sets have the same bit length. */
export function checkPair(queries: BinaryCodes, qi: number, database: BinaryCodes): void {
  if (queries.bits !== database.bits) {
    throw new RangeError(
      `bit length mismatch: queries have ${queries.bits} bits, database has ${database.bits}`,
    );
  }
  if (!Number.isInteger(qi) || qi < 0 || qi >= queries.n) {
    throw new RangeError(`query index ${String(qi)} out of range [0, ${queries.n})`);
  }
}

/** Hamming distance between code `i` of `a` and code `j` of `b` (same bit length). */
export function hammingDistance(a: BinaryCodes, i: number, b: BinaryCodes, j: number): number {
  checkPair(a, i, b);
  if (!Number.isInteger(j) || j < 0 || j >= b.n) {
    throw new RangeError(`code index ${String(j)} out of range [0, ${b.n})`);
  }
  const w = (a.bits + 31) >>> 5;
  const aw = a.words;
  const bw = b.words;
  let d = 0;
  for (let t = 0, p = i * w, q = j * w; t < w; t++) d += popcount32(aw[p + t] ^ bw[q + t]);
  return d;
}

/**
 * Plain-JS kernel: distances from the query words at `q[qOff..qOff+w)` to database codes
 * `start..end` of `db`, written to `out[start..end)`.
 */
export function distancesJs(
  q: Uint32Array,
  qOff: number,
  db: Uint32Array,
  w: number,
  start: number,
  end: number,
  out: Uint16Array | Uint32Array,
): void {
  if (w === 1) {
    const q0 = q[qOff];
    for (let j = start; j < end; j++) out[j] = popcount32(q0 ^ db[j]);
  } else if (w === 2) {
    const q0 = q[qOff];
    const q1 = q[qOff + 1];
    for (let j = start, p = start * 2; j < end; j++, p += 2) {
      out[j] = popcount32(q0 ^ db[p]) + popcount32(q1 ^ db[p + 1]);
    }
  } else if (w === 4) {
    const q0 = q[qOff];
    const q1 = q[qOff + 1];
    const q2 = q[qOff + 2];
    const q3 = q[qOff + 3];
    for (let j = start, p = start * 4; j < end; j++, p += 4) {
      out[j] =
        popcount32(q0 ^ db[p]) +
        popcount32(q1 ^ db[p + 1]) +
        popcount32(q2 ^ db[p + 2]) +
        popcount32(q3 ^ db[p + 3]);
    }
  } else {
    for (let j = start, p = start * w; j < end; j++, p += w) {
      let d = 0;
      for (let t = 0; t < w; t++) d += popcount32(q[qOff + t] ^ db[p + t]);
      out[j] = d;
    }
  }
}
