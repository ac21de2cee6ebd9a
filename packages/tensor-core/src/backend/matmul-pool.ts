/**
 * A worker_threads pool that splits large rank-2 WASM matrix products by output rows. tfjs's
 * threaded WASM build cannot start in Node (it spawns Blob-URL web workers), so each worker here
 * loads its own single-threaded tfjs WASM backend; the main thread computes its share with the
 * same kernel and waits for the workers with `Atomics.wait`. Every output row is computed by the
 * same XNNPack GEMM over the same k order, so results do not depend on the thread count (tested).
 */
import { createRequire } from "node:module";
import { availableParallelism, cpus } from "node:os";
import { Worker } from "node:worker_threads";

/** Products below this many multiply-adds run on the main thread alone. */
export const POOL_MIN_MACS = 1 << 24;

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const tf = require(workerData.core);
require(workerData.wasm);
tf.enableProdMode();
tf.setBackend("wasm").then(
  (ok) => parentPort.postMessage({ ready: ok && tf.getBackend() === "wasm" }),
  (e) => parentPort.postMessage({ ready: false, error: String(e) }),
);
parentPort.on("message", (m) => {
  const { a, b, c, flag, slot, r0, r1, k, n } = m;
  try {
    const rows = r1 - r0;
    const out = tf.tidy(() => {
      const ta = tf.tensor2d(new Float32Array(a, r0 * k * 4, rows * k), [rows, k]);
      const tb = tf.tensor2d(new Float32Array(b, 0, k * n), [k, n]);
      return tf.matMul(ta, tb);
    });
    new Float32Array(c, r0 * n * 4, rows * n).set(out.dataSync());
    out.dispose();
    Atomics.store(flag, slot, 1);
  } catch (e) {
    Atomics.store(flag, slot, 2);
  }
  Atomics.notify(flag, slot);
});
`;

interface PoolState {
  workers: Worker[];
  size: number;
}

let pool: PoolState | undefined;
let pooledCount = 0;

/** How many products the pool has split so far (for tests and benchmarks). */
export function pooledMatMulCalls(): number {
  return pooledCount;
}
let starting: Promise<void> | undefined;

/**
 * The thread count requested by `CMH_THREADS`; default 1 (pool off): on the shared 2-core
 * development machine the pool cost 10-70% more CPU per product and gave no wall-clock gain (see
 * the README's Speed section). `CMH_THREADS=0` or "auto" means min(available cores, 4).
 */
export function defaultThreads(): number {
  const env = process.env.CMH_THREADS;
  const cores = typeof availableParallelism === "function" ? availableParallelism() : cpus().length;
  if (env !== undefined && env.trim() !== "") {
    if (env.trim().toLowerCase() === "auto" || env.trim() === "0") {
      return Math.max(1, Math.min(cores, 4));
    }
    const v = Number(env);
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(
        `CMH_THREADS must be a positive integer, 0 or "auto", got ${JSON.stringify(env)}`,
      );
    }
    return v;
  }
  return 1;
}

/** Threads used for large WASM products (main thread included); 1 when no pool runs. */
export function matMulThreads(): number {
  return pool ? pool.size : 1;
}

/**
 * Start `threads - 1` workers (no-op for 1, or when a pool of that size already runs). Workers are
 * unref'd: they never keep the process alive.
 */
export async function startMatMulPool(threads: number): Promise<void> {
  if (starting) await starting;
  if (pool && pool.size === threads) return;
  await stopMatMulPool();
  if (threads <= 1) return;
  const req = createRequire(import.meta.url);
  const workerData = {
    core: req.resolve("@tensorflow/tfjs-core"),
    wasm: req.resolve("@tensorflow/tfjs-backend-wasm"),
  };
  const workers: Worker[] = [];
  starting = (async () => {
    const ready = Array.from({ length: threads - 1 }, () => {
      // The worker source is CommonJS: drop a parent's --input-type (e.g. `node --input-type=module -e`).
      const execArgv = process.execArgv.filter((x) => !x.startsWith("--input-type"));
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData, execArgv });
      workers.push(w);
      return new Promise<void>((resolve, reject) => {
        w.once("message", (m: { ready: boolean; error?: string }) =>
          m.ready ? resolve() : reject(new Error(`matMul worker failed: ${m.error ?? "no wasm"}`)),
        );
        w.once("error", reject);
      });
    });
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    for (const w of workers) w.unref();
    pool = { workers, size: threads };
  })();
  try {
    await starting;
  } finally {
    starting = undefined;
  }
}

/** Terminate the pool's workers (later products run on the main thread only). */
export async function stopMatMulPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  buffers = [];
  if (p) await Promise.all(p.workers.map((w) => w.terminate()));
}

// Shared buffers reused between calls (allocating and faulting in fresh pages each call costs
// more system time than the copies); grown when a larger product comes. Dropped with the pool.
let buffers: (SharedArrayBuffer | undefined)[] = [];
function shared(slot: number, bytes: number): SharedArrayBuffer {
  const cur = buffers[slot];
  if (cur && cur.byteLength >= bytes) return cur;
  const next = new SharedArrayBuffer(Math.max(bytes, 64));
  buffers[slot] = next;
  return next;
}

/**
 * Each thread gets at least this many rows: a worker copies and packs all of B per call, which is
 * ~12/rows of its GEMM time (measured ~2x CPU at 64 rows a thread), so thin products stay whole.
 */
export const POOL_MIN_ROWS = 256;

/**
 * Row ranges: up to `parts` nearly equal contiguous blocks of `m` rows (multiples of 8), none
 * under `POOL_MIN_ROWS` rows unless there is only one.
 */
export function splitRows(m: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  const use = Math.max(1, Math.min(parts, Math.floor(m / POOL_MIN_ROWS)));
  const step = Math.max(8, Math.ceil(m / use / 8) * 8);
  for (let r = 0; r < m; r += step) out.push([r, Math.min(m, r + step)]);
  return out;
}

/**
 * C[m,n] = A[m,k]·B[k,n] with the rows split across the pool; `mainPart(r0, r1, out)` computes rows
 * [r0, r1) on this thread (the caller's own kernel; `a` and `b` are copied before it runs, so it
 * may grow the WASM heap). Returns the workers' rows (row-major, to be written at `offset` of C),
 * or undefined (nothing done) when the pool is off or the product is small.
 */
export function pooledMatMul(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  mainPart: (r0: number, r1: number) => void,
): { rest: Float32Array; offset: number } | undefined {
  const p = pool;
  if (!p || m * k * n < POOL_MIN_MACS) return undefined;
  const ranges = splitRows(m, p.size);
  if (ranges.length < 2) return undefined;
  pooledCount++;
  const workerRanges = ranges.slice(1);
  const aRows = workerRanges[0][0];
  const sa = shared(0, m * k * 4);
  new Float32Array(sa, aRows * k * 4, (m - aRows) * k).set(a.subarray(aRows * k, m * k));
  const sb = shared(1, k * n * 4);
  new Float32Array(sb, 0, k * n).set(b.subarray(0, k * n));
  const sc = shared(2, m * n * 4);
  const flag = new Int32Array(shared(3, 4 * workerRanges.length), 0, workerRanges.length);
  flag.fill(0);
  workerRanges.forEach(([r0, r1], slot) => {
    p.workers[slot].postMessage({ a: sa, b: sb, c: sc, flag, slot, r0, r1, k, n });
  });
  mainPart(ranges[0][0], ranges[0][1]);
  let failed = false;
  for (let slot = 0; slot < workerRanges.length; slot++) {
    while (Atomics.load(flag, slot) === 0) Atomics.wait(flag, slot, 0);
    if (Atomics.load(flag, slot) !== 1) failed = true;
  }
  if (failed) throw new Error("a matMul worker failed");
  return { rest: new Float32Array(sc, aRows * n * 4, (m - aRows) * n), offset: aRows * n };
}
