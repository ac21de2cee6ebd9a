import type { BinaryCodes } from "./codes";
import { checkPair, distancesJs } from "./distance";
import { KERNEL_WASM_BASE64 } from "./kernel-wasm";

/** Which distance kernel runs: WebAssembly (`i64.popcnt`) or plain JavaScript. */
export type Backend = "wasm" | "js";

/** Candidates found by a scan: `count` indices (ascending) and their distances. */
export interface ScanResult {
  count: number;
  indices: Uint32Array;
  distances: Uint16Array;
}

/**
 * A database of packed codes held by a scan kernel. `knn` returns the candidates from which the k
 * nearest (ties by index) are the first k after a stable sort by distance; `range` returns every
 * code within the radius. Returned arrays are views valid until the next call.
 */
export interface Scanner {
  readonly backend: Backend;
  /** Replace the database (copied). */
  setDatabase(words: Uint32Array, n: number, w: number): void;
  /** Distances from the query at `q[qOff..]` to every code, into `out[0..n)`. */
  distances(q: Uint32Array, qOff: number, out: Uint16Array | Uint32Array): void;
  /** Queries the scanner handles in one `knn` call (at least 1). */
  readonly batch: number;
  /**
   * One-pass k-NN candidate scan (see kernel.wat for the rule) for `nq <= batch` queries at
   * `q[qOff..]`; one result per query.
   */
  knn(q: Uint32Array, qOff: number, nq: number, k: number, bits: number): ScanResult[];
  /** Codes within Hamming distance `r`, in index order. */
  range(q: Uint32Array, qOff: number, r: number): ScanResult;
}

// Minimal WebAssembly typings (the shared tsconfig has no DOM lib; @types/node's are partial).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (mod: WasmModule, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let wasmModule: WasmModule | null | undefined;

function decodeBase64(s: string): Uint8Array {
  const g = globalThis as {
    Buffer?: { from(s: string, e: string): Uint8Array };
    atob?: (s: string) => string;
  };
  if (g.Buffer) return new Uint8Array(g.Buffer.from(s, "base64"));
  const bin = g.atob!(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The compiled kernel module, or null when WebAssembly (with bulk memory) is unavailable. */
export function wasmKernelModule(): WasmModule | null {
  if (wasmModule === undefined) {
    try {
      wasmModule = WA ? new WA.Module(decodeBase64(KERNEL_WASM_BASE64)) : null;
    } catch {
      wasmModule = null;
    }
  }
  return wasmModule;
}

/** Whether the WebAssembly kernel can run here. */
export function wasmAvailable(): boolean {
  return wasmKernelModule() !== null;
}

type DistFn = (q: number, db: number, n: number, w: number, out: number) => void;
type KnnFn = (
  q: number,
  nq: number,
  db: number,
  n: number,
  w: number,
  k: number,
  bits: number,
  counts: number,
  ci: number,
  cd: number,
  state: number,
) => void;
type RangeFn = (
  q: number,
  db: number,
  n: number,
  w: number,
  r: number,
  ci: number,
  cd: number,
) => number;

const align = (x: number) => (x + 63) & ~63;
const PAGE = 65536;

class WasmScanner implements Scanner {
  readonly backend = "wasm" as const;
  private readonly memory: WasmMemory;
  private readonly exp: Record<string, unknown>;
  private n = 0;
  private w = 1;
  private suffix = "1";
  batch = 1;
  private offQ = 0;
  private offState = 0;
  private offCounts = 0;
  private offCi = 0;
  private offCd = 0;
  private offOut = 0;
  constructor(mod: WasmModule) {
    const inst = new WA!.Instance(mod, {});
    this.exp = inst.exports as Record<string, unknown>;
    this.memory = this.exp.memory as WasmMemory;
    this.setDatabase(new Uint32Array(0), 0, 1);
  }

  setDatabase(words: Uint32Array, n: number, w: number): void {
    // queries per k-NN call: up to 8, keeping the candidate buffers (6 bytes per code per query)
    // within 64 MiB
    const batch = Math.max(1, Math.min(8, Math.floor((64 << 20) / Math.max(1, n * 6))));
    const offQ = align(n * w * 4);
    const offState = align(offQ + batch * w * 4);
    const offCounts = align(offState + batch * 12);
    const offCi = align(offCounts + batch * 1025 * 4);
    const offCd = align(offCi + batch * n * 4);
    const offOut = align(offCd + batch * n * 2);
    const total = align(offOut + n * 4);
    if (total > this.memory.buffer.byteLength) {
      const pages = Math.ceil((total - this.memory.buffer.byteLength) / PAGE);
      this.memory.grow(pages); // throws RangeError when the engine cannot grow
    }
    new Uint32Array(this.memory.buffer, 0, n * w).set(words.subarray(0, n * w));
    Object.assign(this, { n, w, batch, offQ, offState, offCounts, offCi, offCd, offOut });
    this.suffix = w === 1 || w === 2 || w === 4 ? String(w) : "g";
  }

  private putQuery(q: Uint32Array, qOff: number, nq = 1): void {
    const len = nq * this.w;
    new Uint32Array(this.memory.buffer, this.offQ, len).set(q.subarray(qOff, qOff + len));
  }

  distances(q: Uint32Array, qOff: number, out: Uint16Array | Uint32Array): void {
    this.putQuery(q, qOff);
    (this.exp[`dist_${this.suffix}`] as DistFn)(this.offQ, 0, this.n, this.w, this.offOut);
    const view = new Uint16Array(this.memory.buffer, this.offOut, this.n);
    if (out instanceof Uint16Array) out.set(view);
    else for (let i = 0; i < this.n; i++) out[i] = view[i];
  }

  knn(q: Uint32Array, qOff: number, nq: number, k: number, bits: number): ScanResult[] {
    if (nq > this.batch)
      throw new RangeError(`knn: ${nq} queries exceed the batch of ${this.batch}`);
    this.putQuery(q, qOff, nq);
    (this.exp[`knn_${this.suffix}`] as KnnFn)(
      this.offQ,
      nq,
      0,
      this.n,
      this.w,
      k,
      bits,
      this.offCounts,
      this.offCi,
      this.offCd,
      this.offState,
    );
    const buf = this.memory.buffer;
    const state = new Uint32Array(buf, this.offState, nq * 3);
    const out: ScanResult[] = [];
    for (let i = 0; i < nq; i++) {
      const count = state[i * 3 + 2];
      out.push({
        count,
        indices: new Uint32Array(buf, this.offCi + i * this.n * 4, count),
        distances: new Uint16Array(buf, this.offCd + i * this.n * 2, count),
      });
    }
    return out;
  }

  range(q: Uint32Array, qOff: number, r: number): ScanResult {
    this.putQuery(q, qOff);
    const count = (this.exp[`range_${this.suffix}`] as RangeFn)(
      this.offQ,
      0,
      this.n,
      this.w,
      r,
      this.offCi,
      this.offCd,
    );
    return this.result(count);
  }

  private result(count: number): ScanResult {
    const buf = this.memory.buffer;
    return {
      count,
      indices: new Uint32Array(buf, this.offCi, count),
      distances: new Uint16Array(buf, this.offCd, count),
    };
  }
}

class JsScanner implements Scanner {
  readonly backend = "js" as const;
  private db = new Uint32Array(0);
  private n = 0;
  private w = 1;
  private ci = new Uint32Array(0);
  private cd = new Uint16Array(0);
  private counts = new Int32Array(1025);

  setDatabase(words: Uint32Array, n: number, w: number): void {
    this.db = words.slice(0, n * w);
    this.n = n;
    this.w = w;
    if (this.ci.length < n) {
      this.ci = new Uint32Array(n);
      this.cd = new Uint16Array(n);
    }
  }

  distances(q: Uint32Array, qOff: number, out: Uint16Array | Uint32Array): void {
    distancesJs(q, qOff, this.db, this.w, 0, this.n, out);
  }

  private readonly block = new Uint16Array(4096);
  readonly batch = 1;

  knn(q: Uint32Array, qOff: number, nq: number, k: number, bits: number): ScanResult[] {
    if (nq !== 1) throw new RangeError(`knn: ${nq} queries exceed the batch of 1`);
    return [this.knn1(q, qOff, k, bits)];
  }

  private knn1(q: Uint32Array, qOff: number, k: number, bits: number): ScanResult {
    const counts = this.counts;
    counts.fill(0, 0, bits + 1);
    const { ci, cd, block } = this;
    let lim = bits + 1;
    let below = 0;
    let nc = 0;
    for (let s = 0; s < this.n; s += block.length) {
      const e = Math.min(this.n, s + block.length);
      distancesJs(q, qOff, this.db.subarray(s * this.w, e * this.w), this.w, 0, e - s, block);
      for (let j = s; j < e; j++) {
        const d = block[j - s];
        if (d < lim) {
          ci[nc] = j;
          cd[nc] = d;
          nc++;
          counts[d]++;
          below++;
          while (below >= k) {
            lim--;
            below -= counts[lim];
          }
        }
      }
    }
    return { count: nc, indices: ci.subarray(0, nc), distances: cd.subarray(0, nc) };
  }

  range(q: Uint32Array, qOff: number, r: number): ScanResult {
    const { ci, cd, block } = this;
    let nc = 0;
    for (let s = 0; s < this.n; s += block.length) {
      const e = Math.min(this.n, s + block.length);
      distancesJs(q, qOff, this.db.subarray(s * this.w, e * this.w), this.w, 0, e - s, block);
      for (let j = s; j < e; j++) {
        const d = block[j - s];
        if (d <= r) {
          ci[nc] = j;
          cd[nc] = d;
          nc++;
        }
      }
    }
    return { count: nc, indices: ci.subarray(0, nc), distances: cd.subarray(0, nc) };
  }
}

/**
 * A new scanner: the WebAssembly kernel unless `backend` is "js" or WebAssembly is unavailable
 * (asking for "wasm" where it is unavailable throws).
 */
export function createScanner(backend?: Backend): Scanner {
  if (backend !== undefined && backend !== "wasm" && backend !== "js") {
    throw new RangeError(`backend must be "wasm" or "js", got ${JSON.stringify(backend)}`);
  }
  if (backend === "js") return new JsScanner();
  const mod = wasmKernelModule();
  if (mod) return new WasmScanner(mod);
  if (backend === "wasm") throw new Error("WebAssembly is not available in this runtime");
  return new JsScanner();
}

/** Below this many database codes `hammingDistances` uses the JS kernel (no copy into wasm). */
const WASM_MIN_N = 4096;
let shared: Scanner | undefined;

/**
 * Distances from query `qi` of `queries` to every code of `database`, into `out` (allocated as a
 * `Uint16Array` of length `database.n` when omitted; must have at least `database.n` entries).
 */
export function hammingDistances<T extends Uint16Array | Uint32Array = Uint16Array>(
  queries: BinaryCodes,
  qi: number,
  database: BinaryCodes,
  out?: T,
): T {
  checkPair(queries, qi, database);
  const n = database.n;
  const w = (database.bits + 31) >>> 5;
  if (database.words.length !== n * w) {
    throw new RangeError(`database.words has ${database.words.length} words, expected ${n * w}`);
  }
  const res = (out ?? new Uint16Array(n)) as T;
  if (!(res instanceof Uint16Array || res instanceof Uint32Array)) {
    throw new TypeError("out must be a Uint16Array or Uint32Array");
  }
  if (res.length < n) {
    throw new RangeError(`out has length ${res.length}, needs at least database.n = ${n}`);
  }
  if (n >= WASM_MIN_N && wasmAvailable()) {
    shared ??= createScanner("wasm");
    shared.setDatabase(database.words, n, w);
    shared.distances(queries.words, qi * w, res);
    shared.setDatabase(new Uint32Array(0), 0, 1);
  } else {
    distancesJs(queries.words, qi * w, database.words, w, 0, n, res);
  }
  return res;
}
