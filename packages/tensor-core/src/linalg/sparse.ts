// Compressed sparse row (CSR) matrices: construction from triplets and kNN graphs, transpose,
// symmetrisation, products, degrees and graph Laplacians.

import { LinalgError, type Matrix64 } from "./dense";
import type { KnnGraph } from "./knn";

/** A sparse matrix in CSR form; row i's entries are `indices/values[indptr[i] .. indptr[i+1])`, columns ascending. */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

/** Number of stored entries of a CSR matrix. */
export function csrNnz(a: CsrMatrix): number {
  return a.indptr[a.rows];
}

/**
 * Build a CSR matrix from (row, col, value) triplets; duplicate positions are summed, columns of
 * each row sorted ascending. Explicit zeros are kept only when `keepZeros` is set.
 */
export function csrFromCoo(
  rows: number,
  cols: number,
  rowIdx: ArrayLike<number>,
  colIdx: ArrayLike<number>,
  vals: ArrayLike<number>,
  keepZeros = false,
): CsrMatrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new LinalgError(`csrFromCoo: bad shape ${rows}x${cols}`);
  }
  const m = rowIdx.length;
  if (colIdx.length !== m || vals.length !== m) {
    throw new LinalgError(
      `csrFromCoo: rowIdx, colIdx and vals must have equal lengths, got ${m}, ${colIdx.length}, ${vals.length}`,
    );
  }
  const counts = new Int32Array(rows + 1);
  for (let t = 0; t < m; t++) {
    const r = rowIdx[t];
    const c = colIdx[t];
    if (
      !(r >= 0 && r < rows && Number.isInteger(r)) ||
      !(c >= 0 && c < cols && Number.isInteger(c))
    ) {
      throw new LinalgError(
        `csrFromCoo: entry ${t} at (${r}, ${c}) is outside the ${rows}x${cols} matrix`,
      );
    }
    const v = vals[t];
    if (v - v !== 0) throw new LinalgError(`csrFromCoo: non-finite value ${v} at entry ${t}`);
    counts[r + 1]++;
  }
  for (let r = 0; r < rows; r++) counts[r + 1] += counts[r];
  const pos = counts.slice(0, rows);
  const ci = new Int32Array(m);
  const cv = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    const p = pos[rowIdx[t]]++;
    ci[p] = colIdx[t];
    cv[p] = vals[t];
  }
  // Sort each row by column and merge duplicates.
  const indptr = new Int32Array(rows + 1);
  const outI = new Int32Array(m);
  const outV = new Float64Array(m);
  let nnz = 0;
  const order: number[] = [];
  for (let r = 0; r < rows; r++) {
    const s = counts[r];
    const e = counts[r + 1];
    order.length = 0;
    for (let p = s; p < e; p++) order.push(p);
    order.sort((u, v) => ci[u] - ci[v]);
    let last = -1;
    for (const p of order) {
      if (ci[p] === last) outV[nnz - 1] += cv[p];
      else {
        outI[nnz] = ci[p];
        outV[nnz] = cv[p];
        nnz++;
        last = ci[p];
      }
    }
    if (!keepZeros) {
      // Drop exact zeros produced by the row (including cancellations).
      let w = indptr[r];
      for (let p = indptr[r]; p < nnz; p++) {
        if (outV[p] !== 0) {
          outI[w] = outI[p];
          outV[w] = outV[p];
          w++;
        }
      }
      nnz = w;
    }
    indptr[r + 1] = nnz;
  }
  return { rows, cols, indptr, indices: outI.slice(0, nnz), values: outV.slice(0, nnz) };
}

/**
 * Directed kNN adjacency as an n×n CSR matrix: entry (i, j) for each neighbour j of i, weighted by
 * `weight(value, i, j)` (default 1; the graph's similarity or distance is passed as `value`).
 */
export function csrFromKnn(
  graph: KnnGraph,
  weight: (value: number, i: number, j: number) => number = () => 1,
): CsrMatrix {
  const { n, k, indices, values } = graph;
  const rowIdx = new Int32Array(n * k);
  const w = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const p = i * k + t;
      rowIdx[p] = i;
      w[p] = weight(values[p], i, indices[p]);
    }
  }
  return csrFromCoo(n, n, rowIdx, indices, w);
}

/** Transpose of a CSR matrix. */
export function csrTranspose(a: CsrMatrix): CsrMatrix {
  const { rows, cols, indptr, indices, values } = a;
  const nnz = indptr[rows];
  const tp = new Int32Array(cols + 1);
  for (let p = 0; p < nnz; p++) tp[indices[p] + 1]++;
  for (let c = 0; c < cols; c++) tp[c + 1] += tp[c];
  const pos = tp.slice(0, cols);
  const ti = new Int32Array(nnz);
  const tv = new Float64Array(nnz);
  for (let r = 0; r < rows; r++) {
    for (let p = indptr[r]; p < indptr[r + 1]; p++) {
      const q = pos[indices[p]]++;
      ti[q] = r;
      tv[q] = values[p];
    }
  }
  return { rows: cols, cols: rows, indptr: tp, indices: ti, values: tv };
}

/** How {@link symmetrizeCsr} combines A(i,j) and A(j,i); a missing entry counts as 0. */
export type SymmetrizeMode = "mean" | "max" | "min" | "sum";

/**
 * Symmetric matrix from a square A: "mean" = (A+Aᵀ)/2 (GMC's Z̃), "max" (union of kNN lists),
 * "min" (mutual kNN), "sum" = A+Aᵀ.
 */
export function symmetrizeCsr(a: CsrMatrix, mode: SymmetrizeMode = "mean"): CsrMatrix {
  if (a.rows !== a.cols)
    throw new LinalgError(`symmetrizeCsr: matrix must be square, got ${a.rows}x${a.cols}`);
  if (mode !== "mean" && mode !== "max" && mode !== "min" && mode !== "sum") {
    throw new LinalgError(`symmetrizeCsr: mode must be "mean", "max", "min" or "sum", got ${mode}`);
  }
  const t = csrTranspose(a);
  const n = a.rows;
  const indptr = new Int32Array(n + 1);
  const cap = 2 * a.indptr[n];
  const oi = new Int32Array(cap);
  const ov = new Float64Array(cap);
  let nnz = 0;
  for (let r = 0; r < n; r++) {
    let p = a.indptr[r];
    const pe = a.indptr[r + 1];
    let q = t.indptr[r];
    const qe = t.indptr[r + 1];
    while (p < pe || q < qe) {
      let c: number;
      let x = 0;
      let y = 0;
      const cp = p < pe ? a.indices[p] : n;
      const cq = q < qe ? t.indices[q] : n;
      if (cp === cq) {
        c = cp;
        x = a.values[p++];
        y = t.values[q++];
      } else if (cp < cq) {
        c = cp;
        x = a.values[p++];
      } else {
        c = cq;
        y = t.values[q++];
      }
      const v =
        mode === "mean"
          ? 0.5 * (x + y)
          : mode === "sum"
            ? x + y
            : mode === "max"
              ? Math.max(x, y)
              : Math.min(x, y);
      if (v !== 0) {
        oi[nnz] = c;
        ov[nnz] = v;
        nnz++;
      }
    }
    indptr[r + 1] = nnz;
  }
  return { rows: n, cols: n, indptr, indices: oi.slice(0, nnz), values: ov.slice(0, nnz) };
}

/** y = A·x for a CSR matrix (writes into `y` when given). */
export function csrMatVec(a: CsrMatrix, x: ArrayLike<number>, y?: Float64Array): Float64Array {
  if (x.length !== a.cols)
    throw new LinalgError(`csrMatVec: x has length ${x.length}, matrix has ${a.cols} columns`);
  const out = y ?? new Float64Array(a.rows);
  const { indptr, indices, values } = a;
  for (let r = 0; r < a.rows; r++) {
    let s = 0;
    for (let p = indptr[r]; p < indptr[r + 1]; p++) s += values[p] * x[indices[p]];
    out[r] = s;
  }
  return out;
}

/** Row sums of a CSR matrix (the degrees of a weighted graph). */
export function csrRowSums(a: CsrMatrix): Float64Array {
  const out = new Float64Array(a.rows);
  for (let r = 0; r < a.rows; r++) {
    let s = 0;
    for (let p = a.indptr[r]; p < a.indptr[r + 1]; p++) s += a.values[p];
    out[r] = s;
  }
  return out;
}

/** Dense copy of a CSR matrix (for small matrices and tests). */
export function csrToDense(a: CsrMatrix): Matrix64 {
  const out = new Float64Array(a.rows * a.cols);
  for (let r = 0; r < a.rows; r++) {
    for (let p = a.indptr[r]; p < a.indptr[r + 1]; p++)
      out[r * a.cols + a.indices[p]] += a.values[p];
  }
  return { rows: a.rows, cols: a.cols, data: out };
}

/** Options for {@link laplacian}. */
export interface LaplacianOptions {
  /** false (default): L = D − W; true: L = I − D^{-1/2} W D^{-1/2} (isolated nodes get L_ii = 0). */
  readonly normalized?: boolean;
}

/**
 * Graph Laplacian of a symmetric, non-negative weighted adjacency W (CSR, any self-loops are
 * included in the degree): unnormalised D − W or symmetric normalised I − D^{-1/2} W D^{-1/2}.
 */
export function laplacian(w: CsrMatrix, options: LaplacianOptions = {}): CsrMatrix {
  if (w.rows !== w.cols)
    throw new LinalgError(`laplacian: adjacency must be square, got ${w.rows}x${w.cols}`);
  const n = w.rows;
  const deg = csrRowSums(w);
  for (let p = 0; p < w.indptr[n]; p++) {
    if (w.values[p] < 0)
      throw new LinalgError(`laplacian: negative weight ${w.values[p]} at entry ${p}`);
  }
  const normalized = options.normalized ?? false;
  const isq = new Float64Array(n);
  if (normalized) for (let i = 0; i < n; i++) isq[i] = deg[i] > 0 ? 1 / Math.sqrt(deg[i]) : 0;
  const indptr = new Int32Array(n + 1);
  const cap = w.indptr[n] + n;
  const oi = new Int32Array(cap);
  const ov = new Float64Array(cap);
  let nnz = 0;
  for (let r = 0; r < n; r++) {
    let diagDone = false;
    const diagVal = normalized ? (deg[r] > 0 ? 1 : 0) : deg[r];
    for (let p = w.indptr[r]; p < w.indptr[r + 1]; p++) {
      const c = w.indices[p];
      if (!diagDone && c >= r) {
        oi[nnz] = r;
        ov[nnz] = diagVal;
        if (c === r) {
          ov[nnz] -= normalized ? w.values[p] * isq[r] * isq[r] : w.values[p];
          nnz++;
          diagDone = true;
          continue;
        }
        nnz++;
        diagDone = true;
      }
      oi[nnz] = c;
      ov[nnz] = normalized ? -w.values[p] * isq[r] * isq[c] : -w.values[p];
      nnz++;
    }
    if (!diagDone) {
      oi[nnz] = r;
      ov[nnz] = diagVal;
      nnz++;
    }
    indptr[r + 1] = nnz;
  }
  return { rows: n, cols: n, indptr, indices: oi.slice(0, nnz), values: ov.slice(0, nnz) };
}
