import {
  CodeStore,
  checkK,
  checkQueries,
  checkRadius,
  type HammingIndex,
  type RangeSearchResult,
  type SearchResult,
  takeSmallest,
} from "./base";
import { type BinaryCodes, checkBits } from "./codes";
import { KIND_FLAT, saveIndex, serializeIndex } from "./io";
import { type Backend, createScanner, type Scanner } from "./kernel";

/** Options shared by the index constructors. */
export interface IndexOptions {
  /** Force the distance kernel ("wasm" default where available, else "js"). */
  backend?: Backend;
}

/** Exact brute-force index: scans every code with the popcount kernel (FAISS IndexBinaryFlat). */
export class FlatIndex implements HammingIndex {
  readonly bits: number;
  /** @internal The packed database codes, grown by `add`. */
  protected readonly store: CodeStore;
  /** @internal The popcount kernel the scans run on. */
  protected scanner: Scanner;
  private readonly forced: Backend | undefined;
  private synced = false;

  /** An empty flat index for `bits`-bit codes. */
  constructor(bits: number, options: IndexOptions = {}) {
    checkBits(bits);
    this.bits = bits;
    this.store = new CodeStore(bits);
    this.scanner = createScanner(options.backend);
    this.forced = options.backend;
  }

  get size(): number {
    return this.store.n;
  }
  get spec(): string {
    return "Flat";
  }
  get backend(): Backend {
    return this.scanner.backend;
  }

  add(codes: BinaryCodes): void {
    this.store.add(codes);
    if (codes.n > 0) this.synced = false;
  }

  reset(): void {
    this.store.reset();
    this.synced = false;
  }

  codes(): BinaryCodes {
    return this.store.snapshot();
  }

  /** @internal Hands the stored codes to the kernel (once per change) and returns it. */
  protected sync(): Scanner {
    if (!this.synced) {
      try {
        this.scanner.setDatabase(this.store.view(), this.store.n, this.store.w);
      } catch (e) {
        // WebAssembly memory cannot grow that far (4 GiB limit): use the JS kernel unless forced
        if (this.scanner.backend !== "wasm" || this.forced === "wasm") throw e;
        this.scanner = createScanner("js");
        this.scanner.setDatabase(this.store.view(), this.store.n, this.store.w);
      }
      this.synced = true;
    }
    return this.scanner;
  }

  /** Distances from query `qi` to every stored code (no copy of the database per call). */
  distances(queries: BinaryCodes, qi: number, out?: Uint16Array): Uint16Array {
    checkQueries(queries, this.bits);
    if (!Number.isInteger(qi) || qi < 0 || qi >= queries.n) {
      throw new RangeError(`query index ${String(qi)} out of range [0, ${queries.n})`);
    }
    const res = out ?? new Uint16Array(this.size);
    if (res.length < this.size) {
      throw new RangeError(`out has length ${res.length}, needs at least size = ${this.size}`);
    }
    this.sync().distances(queries.words, qi * this.store.w, res);
    return res;
  }

  search(queries: BinaryCodes, k: number): SearchResult {
    checkQueries(queries, this.bits);
    checkK(k);
    const kk = Math.min(k, this.size);
    const nq = queries.n;
    const indices = new Int32Array(nq * kk);
    const distances = new Int32Array(nq * kk);
    if (kk > 0) {
      const sc = this.sync();
      const starts = new Int32Array(this.bits + 2);
      const w = this.store.w;
      for (let q0 = 0; q0 < nq; q0 += sc.batch) {
        const res = sc.knn(queries.words, q0 * w, Math.min(sc.batch, nq - q0), kk, this.bits);
        for (let i = 0; i < res.length; i++) {
          const r = res[i];
          const off = (q0 + i) * kk;
          takeSmallest(
            r.indices,
            r.distances,
            r.count,
            kk,
            this.bits,
            starts,
            indices,
            distances,
            off,
          );
        }
      }
    }
    return { n: nq, k: kk, indices, distances };
  }

  rangeSearch(queries: BinaryCodes, radius: number): RangeSearchResult {
    checkQueries(queries, this.bits);
    checkRadius(radius, this.bits);
    const nq = queries.n;
    const lims = new Uint32Array(nq + 1);
    const parts: [Int32Array, Int32Array][] = [];
    const sc = this.sync();
    const starts = new Int32Array(this.bits + 2);
    const w = this.store.w;
    let total = 0;
    for (let qi = 0; qi < nq; qi++) {
      const r = sc.range(queries.words, qi * w, radius);
      const pi = new Int32Array(r.count);
      const pd = new Int32Array(r.count);
      takeSmallest(r.indices, r.distances, r.count, r.count, this.bits, starts, pi, pd, 0);
      parts.push([pi, pd]);
      total += r.count;
      lims[qi + 1] = total;
    }
    return { n: nq, lims, ...concatParts(parts, total) };
  }

  serialize(): Uint8Array {
    return serializeIndex(this.kind(), this.bits, this.params(), this.store);
  }

  save(path: string): void {
    saveIndex(path, this.serialize());
  }

  /** Kind code stored in the file header. */
  protected kind(): number {
    return KIND_FLAT;
  }

  /** Kind-specific parameter stored in the file header. */
  protected params(): number {
    return 0;
  }
}

/** Concatenate per-query result parts into one CSR pair of arrays. */
export function concatParts(
  parts: [Int32Array, Int32Array][],
  total: number,
): { indices: Int32Array; distances: Int32Array } {
  const indices = new Int32Array(total);
  const distances = new Int32Array(total);
  let off = 0;
  for (const [pi, pd] of parts) {
    indices.set(pi, off);
    distances.set(pd, off);
    off += pi.length;
  }
  return { indices, distances };
}
