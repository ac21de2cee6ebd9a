import { type BinaryCodes, validateCodes } from "./codes";
import type { Backend } from "./kernel";

/**
 * k-NN result, row-major `n x k`: row `i` holds the `k` nearest database indices for query `i`,
 * ascending distance, ties by ascending database index. `k` is `min(requested k, size)`.
 */
export interface SearchResult {
  /** Number of queries. */
  readonly n: number;
  /** Results per query: the requested k, or the index size when that is smaller. */
  readonly k: number;
  /** Database indices, `n * k`. */
  readonly indices: Int32Array;
  /** Hamming distances, `n * k`. */
  readonly distances: Int32Array;
}

/**
 * Range-search result in CSR form: the results of query `i` are `indices[lims[i]..lims[i+1])`
 * and `distances[...]`, ascending distance, ties by ascending database index.
 */
export interface RangeSearchResult {
  /** Number of queries. */
  readonly n: number;
  /** `n + 1` offsets into `indices` / `distances`. */
  readonly lims: Uint32Array;
  /** Database indices. */
  readonly indices: Int32Array;
  /** Hamming distances. */
  readonly distances: Int32Array;
}

/** The common interface of every index (FAISS `IndexBinary`-like). */
export interface HammingIndex {
  /** Code length in bits. */
  readonly bits: number;
  /** Number of codes added. */
  readonly size: number;
  /** Index spec string, e.g. "Flat" or "MIH4" (what benchmarks record). */
  readonly spec: string;
  /** Distance kernel in use. */
  readonly backend: Backend;
  /** Append codes (same bit length); they get indices `size .. size + codes.n - 1`. */
  add(codes: BinaryCodes): void;
  /** Exact k nearest neighbours of every query (see `SearchResult`). */
  search(queries: BinaryCodes, k: number): SearchResult;
  /** Every database code within Hamming distance `radius` (0..bits) of each query. */
  rangeSearch(queries: BinaryCodes, radius: number): RangeSearchResult;
  /** Remove all codes. */
  reset(): void;
  /** A copy of the stored codes. */
  codes(): BinaryCodes;
  /** Serialise to the documented on-disk format. */
  serialize(): Uint8Array;
  /** Write atomically (temp file + rename) in the documented on-disk format. */
  save(path: string): void;
}

/** Throw unless `k` is a positive integer. */
export function checkK(k: number): void {
  if (typeof k !== "number" || !Number.isInteger(k) || k <= 0) {
    throw new RangeError(
      `k must be a positive integer, got ${typeof k === "string" ? `the string ${JSON.stringify(k)} (pass a number)` : String(k)}`,
    );
  }
}

/** Throw unless `radius` is an integer in 0..bits. */
export function checkRadius(radius: number, bits: number): void {
  if (typeof radius !== "number" || !Number.isInteger(radius) || radius < 0 || radius > bits) {
    throw new RangeError(
      `radius must be an integer from 0 to bits = ${bits}, got ${String(radius)}`,
    );
  }
}

/** Validate query codes against an index's bit length. */
export function checkQueries(queries: BinaryCodes, bits: number): void {
  validateCodes(queries, "queries");
  if (queries.bits !== bits) {
    throw new RangeError(
      `bit length mismatch: queries have ${queries.bits} bits, the index holds ${bits}-bit codes`,
    );
  }
}

/**
 * Write the first `k` of candidates (`idx[0..count)` in ascending index order, distances `dist`)
 * after a stable sort by distance into `outI[off..off+k)` / `outD[off..off+k)`.
 */
export function takeSmallest(
  idx: ArrayLike<number>,
  dist: ArrayLike<number>,
  count: number,
  k: number,
  bits: number,
  starts: Int32Array,
  outI: Int32Array,
  outD: Int32Array,
  off: number,
): void {
  starts.fill(0, 0, bits + 2);
  for (let t = 0; t < count; t++) starts[dist[t] + 1]++;
  for (let d = 1; d <= bits + 1; d++) starts[d] += starts[d - 1];
  for (let t = 0; t < count; t++) {
    const d = dist[t];
    const pos = starts[d]++;
    if (pos < k) {
      outI[off + pos] = idx[t];
      outD[off + pos] = d;
    }
  }
}

/** Growable code storage shared by the index implementations. */
export class CodeStore {
  words: Uint32Array;
  n = 0;
  readonly w: number;
  constructor(readonly bits: number) {
    this.w = (bits + 31) >>> 5;
    this.words = new Uint32Array(0);
  }
  add(codes: BinaryCodes): void {
    validateCodes(codes, "codes");
    if (codes.bits !== this.bits) {
      throw new RangeError(
        `bit length mismatch: adding ${codes.bits}-bit codes to an index of ${this.bits}-bit codes`,
      );
    }
    const need = (this.n + codes.n) * this.w;
    if (need > this.words.length) {
      const grown = new Uint32Array(Math.max(need, this.words.length * 2));
      grown.set(this.words.subarray(0, this.n * this.w));
      this.words = grown;
    }
    this.words.set(codes.words, this.n * this.w);
    this.n += codes.n;
  }
  reset(): void {
    this.words = new Uint32Array(0);
    this.n = 0;
  }
  view(): Uint32Array {
    return this.words.subarray(0, this.n * this.w);
  }
  snapshot(): BinaryCodes {
    return { n: this.n, bits: this.bits, words: this.words.slice(0, this.n * this.w) };
  }
}
