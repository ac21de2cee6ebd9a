// Pairwise cosine similarities and k-nearest-neighbour graphs computed block by block: the n×n
// similarity matrix is never materialised, only one block of inner products at a time.

import {
  abtKernel,
  checkFinite,
  checkMatrix,
  LinalgError,
  type Matrix64,
  type MatrixLike,
} from "./dense";

/**
 * Computes the block of inner products A·Bᵀ (row-major a.rows × b.rows) for two row blocks of the
 * same width. Plug in a faster one (e.g. a TensorFlow.js `matMul`) through {@link KnnOptions.product}.
 */
export type BlockProduct = (a: MatrixLike, b: MatrixLike) => Float32Array | Float64Array;

/** The default pure-JS {@link BlockProduct} (blocked, register-tiled loops; float64 result). */
export const jsBlockProduct: BlockProduct = (a, b) => {
  const out = new Float64Array(a.rows * b.rows);
  abtKernel(a.data, a.rows, b.data, b.rows, a.cols, out);
  return out;
};

function rowSquaredNorms(x: MatrixLike): Float64Array {
  const { rows, cols, data } = x;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const base = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[base + j];
      s += v * v;
    }
    out[i] = s;
  }
  return out;
}

function inverseNorms(sq: Float64Array): Float64Array {
  const out = new Float64Array(sq.length);
  for (let i = 0; i < sq.length; i++) out[i] = sq[i] > 0 ? 1 / Math.sqrt(sq[i]) : 0;
  return out;
}

/**
 * Cosine similarities between the rows of A and the rows of B (B defaults to A), as an
 * a.rows × b.rows float64 matrix. Rows of zero norm have similarity 0 with everything.
 */
export function pairwiseCosine(
  a: MatrixLike,
  b: MatrixLike = a,
  product: BlockProduct = jsBlockProduct,
): Matrix64 {
  checkMatrix(a, "pairwiseCosine: A");
  checkMatrix(b, "pairwiseCosine: B");
  if (a.cols !== b.cols) {
    throw new LinalgError(`pairwiseCosine: A has ${a.cols} columns but B has ${b.cols}`);
  }
  const ia = inverseNorms(rowSquaredNorms(a));
  const ib = b === a ? ia : inverseNorms(rowSquaredNorms(b));
  const p = product(a, b);
  const out = p instanceof Float64Array ? p : Float64Array.from(p);
  const m = b.rows;
  for (let i = 0; i < a.rows; i++) {
    const s = ia[i];
    const base = i * m;
    for (let j = 0; j < m; j++) out[base + j] *= s * ib[j];
  }
  return { rows: a.rows, cols: m, data: out };
}

/** Distance or similarity used by {@link knnGraph}. */
export type KnnMetric = "cosine" | "euclidean" | "sqeuclidean";

/** Options for {@link knnGraph}. */
export interface KnnOptions {
  /** Neighbours per row. */
  readonly k: number;
  /** "cosine" (similarity, default), "euclidean" or "sqeuclidean" (distance). */
  readonly metric?: KnnMetric;
  /** Whether row i may be its own neighbour (default false: self excluded). */
  readonly includeSelf?: boolean;
  /** Rows per block (default 1024); a block product is blockSize² numbers. */
  readonly blockSize?: number;
  /** Block inner-product routine (default {@link jsBlockProduct}). */
  readonly product?: BlockProduct;
  /** Called after each block pair with (done, total) block pairs. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Aborting stops between blocks with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A k-nearest-neighbour graph: row i's neighbours are `indices[i*k .. i*k+k)`, best first. */
export interface KnnGraph {
  readonly n: number;
  readonly k: number;
  readonly metric: KnnMetric;
  /** Neighbour indices, n×k row-major, best first (ties: smaller index first). */
  readonly indices: Int32Array;
  /** Cosine similarities (descending) or distances (ascending), aligned with `indices`. */
  readonly values: Float32Array;
}

/**
 * k nearest neighbours of every row of X among all rows of X, computed blockwise: only one
 * blockSize×blockSize block of inner products exists at a time, and each block pair (I ≤ J) is
 * computed once and used for both I's and J's rows. Memory O(n·k + blockSize²) besides X.
 */
export function knnGraph(x: MatrixLike, options: KnnOptions): KnnGraph {
  checkMatrix(x, "knnGraph: X");
  checkFinite(x, "knnGraph: X");
  const n = x.rows;
  const d = x.cols;
  const k = options.k;
  const metric = options.metric ?? "cosine";
  const includeSelf = options.includeSelf ?? false;
  const bs = options.blockSize ?? 1024;
  const product = options.product ?? jsBlockProduct;
  if (metric !== "cosine" && metric !== "euclidean" && metric !== "sqeuclidean") {
    throw new LinalgError(
      `knnGraph: metric must be "cosine", "euclidean" or "sqeuclidean", got ${metric}`,
    );
  }
  const maxK = includeSelf ? n : n - 1;
  if (!Number.isInteger(k) || k < 1 || k > maxK) {
    throw new LinalgError(
      `knnGraph: k must be an integer in [1, ${maxK}] for ${n} rows (includeSelf=${includeSelf}), got ${k}`,
    );
  }
  if (!Number.isInteger(bs) || bs < 1)
    throw new LinalgError(`knnGraph: blockSize must be a positive integer, got ${bs}`);
  const cosine = metric === "cosine";
  const sq = rowSquaredNorms(x);
  const inv = cosine ? inverseNorms(sq) : sq;

  // Per-row min-heaps of size k on a score where larger is better (root = worst kept).
  const hs = new Float64Array(n * k).fill(Number.NEGATIVE_INFINITY);
  const hi = new Int32Array(n * k).fill(-1);
  const count = new Int32Array(n);

  // "a is worse than b": lower score, or equal score and larger index.
  const push = (row: number, s: number, j: number): void => {
    const base = row * k;
    let c = count[row];
    if (c < k) {
      // Sift up.
      let pos = c;
      count[row] = ++c;
      while (pos > 0) {
        const parent = (pos - 1) >> 1;
        const ps = hs[base + parent];
        const pj = hi[base + parent];
        if (ps < s || (ps === s && pj > j)) break; // parent already worse: stop
        hs[base + pos] = ps;
        hi[base + pos] = pj;
        pos = parent;
      }
      hs[base + pos] = s;
      hi[base + pos] = j;
      return;
    }
    const rs = hs[base];
    if (s < rs || (s === rs && j > hi[base])) return; // not better than the worst kept
    // Replace root, sift down.
    let pos = 0;
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= k) break;
      let w = l;
      let ws = hs[base + l];
      let wj = hi[base + l];
      const r = l + 1;
      if (r < k) {
        const rs2 = hs[base + r];
        const rj = hi[base + r];
        if (rs2 < ws || (rs2 === ws && rj > wj)) {
          w = r;
          ws = rs2;
          wj = rj;
        }
      }
      if (s < ws || (s === ws && j > wj)) break; // new item worse than both children
      hs[base + pos] = ws;
      hi[base + pos] = wj;
      pos = w;
    }
    hs[base + pos] = s;
    hi[base + pos] = j;
  };

  const nb = Math.ceil(n / bs);
  const total = (nb * (nb + 1)) / 2;
  let done = 0;
  for (let bi = 0; bi < nb; bi++) {
    const i0 = bi * bs;
    const i1 = Math.min(n, i0 + bs);
    const a: MatrixLike = { rows: i1 - i0, cols: d, data: x.data.subarray(i0 * d, i1 * d) };
    for (let bj = bi; bj < nb; bj++) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error("knnGraph: aborted");
      const j0 = bj * bs;
      const j1 = Math.min(n, j0 + bs);
      const b: MatrixLike = { rows: j1 - j0, cols: d, data: x.data.subarray(j0 * d, j1 * d) };
      const p = product(a, b);
      const w = j1 - j0;
      if (p.length !== a.rows * w) {
        throw new LinalgError(
          `knnGraph: block product returned ${p.length} values, expected ${a.rows}x${w}`,
        );
      }
      const diag = bi === bj;
      for (let i = i0; i < i1; i++) {
        const base = (i - i0) * w;
        const ii = inv[i];
        const rowBase = i * k;
        for (let j = j0; j < j1; j++) {
          if (diag && j < i) continue; // each unordered pair once within a diagonal block
          const dot = p[base + j - j0];
          let s: number;
          if (cosine) s = dot * ii * inv[j];
          else {
            const d2 = ii + inv[j] - 2 * dot;
            s = d2 > 0 ? -d2 : 0;
          }
          if (j === i) {
            if (includeSelf) push(i, s, i);
            continue;
          }
          // Fast rejection against each row's current worst.
          if (count[i] < k || s > hs[rowBase] || (s === hs[rowBase] && j < hi[rowBase]))
            push(i, s, j);
          const jb = j * k;
          if (count[j] < k || s > hs[jb] || (s === hs[jb] && i < hi[jb])) push(j, s, i);
        }
      }
      done++;
      options.onProgress?.(done, total);
    }
  }

  // Sort each row best first.
  const indices = new Int32Array(n * k);
  const values = new Float32Array(n * k);
  const order = new Array<number>(k);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    for (let t = 0; t < k; t++) order[t] = t;
    order.sort((u, v) => {
      const su = hs[base + u];
      const sv = hs[base + v];
      return su !== sv ? sv - su : hi[base + u] - hi[base + v];
    });
    for (let t = 0; t < k; t++) {
      const s = hs[base + order[t]];
      indices[base + t] = hi[base + order[t]];
      values[base + t] = cosine
        ? s
        : metric === "euclidean"
          ? Math.sqrt(Math.max(0, -s))
          : Math.max(0, -s);
    }
  }
  return { n, k, metric, indices, values };
}
