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

let pop16: Uint8Array | undefined;

/** Popcounts of all 16-bit values (64 KiB, built on first use): two look-ups per 32-bit word. */
export function pop16Table(): Uint8Array {
  if (!pop16) {
    pop16 = new Uint8Array(65536);
    for (let i = 1; i < 65536; i++) pop16[i] = (i & 1) + pop16[i >>> 1];
  }
  return pop16;
}

/**
 * Plain-JS kernel: distances from the query words at `q[qOff..qOff+w)` to database codes
 * `start..end` of `db`, written to `out[start..end)` (16-bit popcount table look-ups).
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
  const T = pop16Table();
  if (w === 1) {
    const q0 = q[qOff];
    for (let j = start; j < end; j++) {
      const x = q0 ^ db[j];
      out[j] = T[x & 0xffff] + T[x >>> 16];
    }
  } else if (w === 2) {
    const q0 = q[qOff];
    const q1 = q[qOff + 1];
    for (let j = start, p = start * 2; j < end; j++, p += 2) {
      const x = q0 ^ db[p];
      const y = q1 ^ db[p + 1];
      out[j] = T[x & 0xffff] + T[x >>> 16] + T[y & 0xffff] + T[y >>> 16];
    }
  } else if (w === 4) {
    const q0 = q[qOff];
    const q1 = q[qOff + 1];
    const q2 = q[qOff + 2];
    const q3 = q[qOff + 3];
    for (let j = start, p = start * 4; j < end; j++, p += 4) {
      const x = q0 ^ db[p];
      const y = q1 ^ db[p + 1];
      const z = q2 ^ db[p + 2];
      const u = q3 ^ db[p + 3];
      out[j] =
        T[x & 0xffff] +
        T[x >>> 16] +
        T[y & 0xffff] +
        T[y >>> 16] +
        T[z & 0xffff] +
        T[z >>> 16] +
        T[u & 0xffff] +
        T[u >>> 16];
    }
  } else {
    for (let j = start, p = start * w; j < end; j++, p += w) {
      let d = 0;
      for (let t = 0; t < w; t++) {
        const x = q[qOff + t] ^ db[p + t];
        d += T[x & 0xffff] + T[x >>> 16];
      }
      out[j] = d;
    }
  }
}
