import {
  checkK,
  checkQueries,
  checkRadius,
  type RangeSearchResult,
  type SearchResult,
  takeSmallest,
} from "./base";
import { type BinaryCodes, popcount32 } from "./codes";
import { concatParts, FlatIndex, type IndexOptions } from "./flat";
import { KIND_MIH } from "./io";

/** Options of `MultiIndexHashing`. */
export interface MihOptions extends IndexOptions {
  /**
   * Number of substrings m (each at most 32 bits, so m >= ceil(bits / 32)). Omitted or 0: chosen
   * when the tables are built as round(bits / log2(size)), clamped to [ceil(bits / 32), bits].
   */
  m?: number;
  /**
   * Answer a query by the flat scan when probing would cost more (default true). Results are
   * identical either way; `false` forces pure multi-index hashing (for tests and measurements).
   */
  scanFallback?: boolean;
}

/** One substring's hash table: CSR buckets of database indices (ascending within a bucket). */
interface SubTable {
  start: number;
  len: number;
  /** Direct addressing: bucket of key `v` is `ids[offsets[v]..offsets[v+1])`. */
  direct: boolean;
  offsets: Uint32Array;
  ids: Uint32Array;
  /** The codes in bucket order (`codes[p * w ..]` is code `ids[p]`), read sequentially. */
  codes: Uint32Array;
  /** Hashed (open addressing, linear probing): slot -> key and bucket number (-1 empty). */
  slotKey: Uint32Array;
  slotBucket: Int32Array;
  shift: number;
}

/** Bits `start .. start+len-1` (len <= 32) of the code whose words begin at `base`. */
function extract(words: Uint32Array, base: number, start: number, len: number): number {
  const wi = base + (start >>> 5);
  const sh = start & 31;
  let v = words[wi] >>> sh;
  if (sh + len > 32) v |= words[wi + 1] << (32 - sh);
  return len === 32 ? v >>> 0 : (v & ((1 << len) - 1)) >>> 0;
}

function binom(n: number, r: number): number {
  if (r < 0 || r > n) return 0;
  let c = 1;
  for (let i = 1; i <= r; i++) c = (c * (n - r + i)) / i;
  return c;
}

/** Cost of one bucket look-up and of one candidate check, in units of one code of a flat scan. */
const KEY_COST = 500;
const CAND_COST = 2;

/** Per-query probing state: kept codes and, for k-NN, the distance bound. */
interface Found {
  idx: Uint32Array;
  dist: Uint16Array;
  n: number;
  /** k for k-NN, 0 for range search. */
  k: number;
  /** Keep codes with distance <= lim. */
  lim: number;
  /** Kept codes per distance (k-NN). */
  counts: Int32Array;
  /** Kept codes with distance < lim (k-NN). */
  below: number;
}

function newFound(n: number, bits: number): Found {
  return {
    idx: new Uint32Array(n),
    dist: new Uint16Array(n),
    n: 0,
    k: 0,
    lim: bits,
    counts: new Int32Array(bits + 1),
    below: 0,
  };
}

const hashKey = (key: number, shift: number) => Math.imul(key, 0x9e3779b1) >>> shift;

/**
 * Exact k-NN and range search by multi-index hashing (Norouzi, Punjani & Fleet, "Fast Exact Search
 * in Hamming Space with Multi-Index Hashing"): codes are cut into m substrings, each indexed by a
 * hash table; a query probes the buckets within increasing substring radius r and verifies every
 * candidate with its full distance. After radius r of substrings 0..i, every code within full
 * distance m*r + i has been seen (pigeonhole), which decides when the k nearest are final.
 * When probing would cost more than a scan (e.g. random codes, large radius), that query falls back
 * to the flat scan; results are identical to `FlatIndex` in every case.
 */
export class MultiIndexHashing extends FlatIndex {
  private readonly mOpt: number;
  private readonly scanFallback: boolean;
  private tables: SubTable[] | null = null;
  private mEff = 0;
  private stamp = 0;
  private visited = new Uint32Array(0);
  /** Queries answered by hashing / by falling back to the scan, since construction. */
  readonly stats = { hashed: 0, scanned: 0 };

  /** An empty MIH index for `bits`-bit codes with `m` substrings (or automatic m). */
  constructor(bits: number, options: MihOptions = {}) {
    super(bits, options);
    const m = options.m ?? 0;
    if (!Number.isInteger(m) || m < 0 || m > bits) {
      throw new RangeError(
        `m must be an integer from 1 to bits = ${bits} (or 0 for automatic), got ${String(m)}`,
      );
    }
    if (m > 0 && Math.ceil(bits / m) > 32) {
      throw new RangeError(
        `m = ${m} gives ${Math.ceil(bits / m)}-bit substrings; substrings are at most 32 bits, so m must be >= ${Math.ceil(bits / 32)} for ${bits} bits`,
      );
    }
    this.mOpt = m;
    this.scanFallback = options.scanFallback ?? true;
  }

  /** Number of substrings in use (the automatic choice is made when tables are built). */
  get m(): number {
    return this.mOpt > 0 ? this.mOpt : this.mEff || this.autoM();
  }

  override get spec(): string {
    return this.mOpt > 0 ? `MIH${this.mOpt}` : "MIH";
  }

  private autoM(): number {
    const lg = Math.log2(Math.max(this.size, 2));
    const lo = Math.ceil(this.bits / 32);
    return Math.min(this.bits, Math.max(lo, Math.round(this.bits / lg)));
  }

  override add(codes: BinaryCodes): void {
    super.add(codes);
    if (codes.n > 0) this.tables = null;
  }

  override reset(): void {
    super.reset();
    this.tables = null;
  }

  protected override kind(): number {
    return KIND_MIH;
  }

  protected override params(): number {
    return this.mOpt;
  }

  private build(): SubTable[] {
    if (this.tables) return this.tables;
    const m = this.m;
    this.mEff = m;
    const { bits } = this;
    const n = this.size;
    const w = this.store.w;
    const words = this.store.words;
    const tables: SubTable[] = [];
    const base = Math.floor(bits / m);
    const extra = bits % m;
    let start = 0;
    const keys = new Uint32Array(n);
    for (let i = 0; i < m; i++) {
      const len = base + (i < extra ? 1 : 0);
      for (let j = 0; j < n; j++) keys[j] = extract(words, j * w, start, len);
      const direct = len <= 24 && 2 ** len <= Math.max(8 * n, 1024);
      let offsets: Uint32Array;
      let slotKey = new Uint32Array(0);
      let slotBucket = new Int32Array(0);
      let shift = 0;
      let bucketOf: Uint32Array;
      if (direct) {
        offsets = new Uint32Array(2 ** len + 1);
        bucketOf = keys;
      } else {
        let lg = 4;
        while (2 ** lg < 2 * n) lg++;
        shift = 32 - lg;
        slotKey = new Uint32Array(2 ** lg);
        slotBucket = new Int32Array(2 ** lg).fill(-1);
        const mask = 2 ** lg - 1;
        bucketOf = new Uint32Array(n);
        let nb = 0;
        for (let j = 0; j < n; j++) {
          const key = keys[j];
          let s = hashKey(key, shift);
          while (slotBucket[s] !== -1 && slotKey[s] !== key) s = (s + 1) & mask;
          if (slotBucket[s] === -1) {
            slotBucket[s] = nb++;
            slotKey[s] = key;
          }
          bucketOf[j] = slotBucket[s];
        }
        offsets = new Uint32Array(nb + 1);
      }
      for (let j = 0; j < n; j++) offsets[bucketOf[j] + 1]++;
      for (let b = 1; b < offsets.length; b++) offsets[b] += offsets[b - 1];
      const fill = offsets.slice(0, offsets.length - 1);
      const ids = new Uint32Array(n);
      for (let j = 0; j < n; j++) ids[fill[bucketOf[j]]++] = j;
      const codes = new Uint32Array(n * w);
      for (let p = 0, o = 0; p < n; p++) {
        for (let u = 0, s = ids[p] * w; u < w; u++) codes[o++] = words[s + u];
      }
      tables.push({ start, len, direct, offsets, ids, codes, slotKey, slotBucket, shift });
      start += len;
    }
    this.tables = tables;
    if (this.visited.length < n) this.visited = new Uint32Array(n);
    this.stamp = 0;
    return tables;
  }

  private bucket(t: SubTable, key: number): number {
    if (t.direct) return key;
    const mask = t.slotKey.length - 1;
    let s = hashKey(key, t.shift);
    for (;;) {
      const b = t.slotBucket[s];
      if (b === -1) return -1;
      if (t.slotKey[s] === key) return b;
      s = (s + 1) & mask;
    }
  }

  private nextStamp(): number {
    if (++this.stamp === 0xffffffff) {
      this.visited.fill(0);
      this.stamp = 1;
    }
    return this.stamp;
  }

  /**
   * Probe substring table `t` at exactly radius `r` around the query's substring. Each code in
   * the probed buckets is checked with its full distance and kept (once) when within `f.lim`;
   * for k-NN (`f.k > 0`) `f.lim` then shrinks to the k-th smallest kept distance. Returns the
   * number of codes checked.
   */
  private probe(
    t: SubTable,
    qkey: number,
    r: number,
    q: Uint32Array,
    qOff: number,
    f: Found,
  ): number {
    const w = this.store.w;
    const visited = this.visited;
    const stamp = this.stamp;
    const { offsets, ids, codes, len } = t;
    const q0 = q[qOff];
    const q1 = w > 1 ? q[qOff + 1] : 0;
    let touched = 0;
    const visit = (key: number) => {
      const b = this.bucket(t, key >>> 0);
      if (b < 0) return;
      const e = offsets[b + 1];
      touched += e - offsets[b];
      for (let p = offsets[b]; p < e; p++) {
        const o = p * w;
        let d: number;
        if (w === 1) d = popcount32(q0 ^ codes[o]);
        else if (w === 2) d = popcount32(q0 ^ codes[o]) + popcount32(q1 ^ codes[o + 1]);
        else {
          d = 0;
          for (let u = 0; u < w; u++) d += popcount32(q[qOff + u] ^ codes[o + u]);
        }
        if (d > f.lim) continue;
        const j = ids[p];
        if (visited[j] === stamp) continue;
        visited[j] = stamp;
        f.idx[f.n] = j;
        f.dist[f.n] = d;
        f.n++;
        if (f.k > 0) {
          f.counts[d]++;
          if (d < f.lim) f.below++;
          while (f.lim > 0 && f.below >= f.k) {
            f.lim--;
            f.below -= f.counts[f.lim];
          }
        }
      }
    };
    const rec = (key: number, from: number, left: number) => {
      if (left === 0) {
        visit(key);
        return;
      }
      for (let b = from; b <= len - left; b++) rec(key ^ (1 << b), b + 1, left - 1);
    };
    rec(qkey, 0, r);
    return touched;
  }

  /** Estimated cost (in code-scan units) of probing radius r of table t (uniform buckets). */
  private probeCost(t: SubTable, r: number): number {
    return binom(t.len, r) * (KEY_COST + (CAND_COST * this.size) / 2 ** t.len);
  }

  override search(queries: BinaryCodes, k: number): SearchResult {
    checkQueries(queries, this.bits);
    checkK(k);
    const kk = Math.min(k, this.size);
    const nq = queries.n;
    const indices = new Int32Array(nq * kk);
    const distances = new Int32Array(nq * kk);
    if (kk === 0) return { n: nq, k: kk, indices, distances };
    const tables = this.build();
    const m = tables.length;
    const n = this.size;
    const bits = this.bits;
    const w = this.store.w;
    const found = newFound(n, bits);
    const starts = new Int32Array(bits + 2);
    const qkeys = new Uint32Array(m);
    const maxLen = Math.max(...tables.map((t) => t.len));
    const budget = this.scanFallback ? n / 4 : Number.POSITIVE_INFINITY;
    const toScan: number[] = [];
    for (let qi = 0; qi < nq; qi++) {
      const qOff = qi * w;
      for (let i = 0; i < m; i++)
        qkeys[i] = extract(queries.words, qOff, tables[i].start, tables[i].len);
      this.nextStamp();
      found.n = 0;
      found.k = kk;
      found.lim = bits;
      found.below = 0;
      found.counts.fill(0);
      let spent = 0;
      let done = false;
      let scanned = false;
      for (let r = 0; r <= maxLen && !done; r++) {
        for (let i = 0; i < m; i++) {
          const t = tables[i];
          if (r <= t.len) {
            // give up on hashing (exact scan instead) once it would cost more than a scan
            if (spent + this.probeCost(t, r) > budget) {
              scanned = true;
              done = true;
              break;
            }
            const touched = this.probe(t, qkeys[i], r, queries.words, qOff, found);
            spent += binom(t.len, r) * KEY_COST + touched * CAND_COST;
          }
          // every code within m*r + i has been seen: are the k nearest among those?
          if (found.below + found.counts[found.lim] >= kk && found.lim <= m * r + i) {
            done = true;
            break;
          }
        }
      }
      if (scanned) {
        this.stats.scanned++;
        toScan.push(qi);
      } else {
        this.stats.hashed++;
        this.writeSorted(found, kk, indices, distances, qi * kk);
      }
    }
    // queries left to the scan go through the flat kernel together (batched passes)
    if (toScan.length > 0) {
      const sc = this.sync();
      const qw = new Uint32Array(sc.batch * w);
      for (let s = 0; s < toScan.length; s += sc.batch) {
        const part = toScan.slice(s, s + sc.batch);
        part.forEach((qi, i) => {
          qw.set(queries.words.subarray(qi * w, qi * w + w), i * w);
        });
        const res = sc.knn(qw, 0, part.length, kk, bits);
        res.forEach((r, i) => {
          const off = part[i] * kk;
          takeSmallest(r.indices, r.distances, r.count, kk, bits, starts, indices, distances, off);
        });
      }
    }
    return { n: nq, k: kk, indices, distances };
  }

  /** Write the `k` smallest found (distance, index) pairs, ascending, at `off`. */
  private writeSorted(
    found: Found,
    k: number,
    outI: Int32Array,
    outD: Int32Array,
    off: number,
  ): void {
    let c = 0;
    for (let t = 0; t < found.n; t++) if (found.dist[t] <= found.lim) c++;
    const keys = new Float64Array(c);
    c = 0;
    for (let t = 0; t < found.n; t++) {
      if (found.dist[t] <= found.lim) keys[c++] = found.dist[t] * 4294967296 + found.idx[t];
    }
    keys.sort();
    for (let t = 0; t < k; t++) {
      const d = Math.floor(keys[t] / 4294967296);
      outD[off + t] = d;
      outI[off + t] = keys[t] - d * 4294967296;
    }
  }

  override rangeSearch(queries: BinaryCodes, radius: number): RangeSearchResult {
    checkQueries(queries, this.bits);
    checkRadius(radius, this.bits);
    const nq = queries.n;
    if (this.size === 0) return super.rangeSearch(queries, radius);
    const tables = this.build();
    const m = tables.length;
    const n = this.size;
    const bits = this.bits;
    const w = this.store.w;
    const rmax = Math.floor(radius / m);
    let cost = 0;
    for (const t of tables)
      for (let r = 0; r <= Math.min(rmax, t.len); r++) cost += this.probeCost(t, r);
    if (this.scanFallback && cost > n / 4) {
      this.stats.scanned += nq;
      return super.rangeSearch(queries, radius);
    }
    this.stats.hashed += nq;
    const found = newFound(n, bits);
    found.lim = radius;
    const lims = new Uint32Array(nq + 1);
    const parts: [Int32Array, Int32Array][] = [];
    let total = 0;
    for (let qi = 0; qi < nq; qi++) {
      const qOff = qi * w;
      this.nextStamp();
      found.n = 0;
      for (let r = 0; r <= rmax; r++) {
        for (const t of tables) {
          if (r <= t.len) {
            this.probe(
              t,
              extract(queries.words, qOff, t.start, t.len),
              r,
              queries.words,
              qOff,
              found,
            );
          }
        }
      }
      const pi = new Int32Array(found.n);
      const pd = new Int32Array(found.n);
      this.writeSorted(found, found.n, pi, pd, 0);
      parts.push([pi, pd]);
      total += found.n;
      lims[qi + 1] = total;
    }
    return { n: nq, lims, ...concatParts(parts, total) };
  }
}
