// Principal component analysis on dense rows: mean + top-k covariance eigenvectors.

import {
  abtKernel,
  centerRows,
  checkFinite,
  checkMatrix,
  columnMeans,
  gram,
  LinalgError,
  type Matrix64,
  type MatrixLike,
  transpose,
} from "./dense";
import { symmetricEigen } from "./eigen";
import { gaussianSource } from "./random";
import { svd } from "./svd";

/** A fitted PCA: `components` is k×d (row i = i-th principal axis, unit length). */
export interface PcaModel {
  readonly mean: Float64Array;
  readonly components: Matrix64;
  /** Variance along each component (covariance eigenvalues, divided by n−1), descending. */
  readonly variances: Float64Array;
}

/** Options for {@link fitPca}. */
export interface PcaOptions {
  /** Subtract the column means first (default true). */
  readonly center?: boolean;
  /**
   * "exact" (default): full eigendecomposition of the d×d covariance (or n×n Gram); O(min(n,d)³).
   * "randomized": Halko–Martinsson–Tropp range finder with power iterations, O(n·d·(k+oversample))
   * per pass and no centred copy of X; approximate, for large d (e.g. 4,096) and small k.
   */
  readonly method?: "exact" | "randomized";
  /** Extra random directions of the randomized method (default 10). */
  readonly oversample?: number;
  /** Power iterations of the randomized method (default 4). */
  readonly powerIterations?: number;
  /** Seed of the randomized method's test matrix (default 1). */
  readonly seed?: number;
}

/**
 * Fit PCA: the top-k eigenvectors of the covariance of X's rows. Uses the d×d covariance when
 * d ≤ n and the n×n Gram matrix of the centred rows otherwise (same components, cheaper).
 */
export function fitPca(x: MatrixLike, k: number, options: PcaOptions = {}): PcaModel {
  checkMatrix(x, "fitPca: X");
  checkFinite(x, "fitPca: X");
  const { rows: n, cols: d } = x;
  if (n < 2) throw new LinalgError(`fitPca: need at least 2 rows, got ${n}`);
  if (!Number.isInteger(k) || k < 1 || k > Math.min(n, d)) {
    throw new LinalgError(
      `fitPca: k must be an integer in [1, min(rows, cols) = ${Math.min(n, d)}], got ${k}`,
    );
  }
  const center = options.center ?? true;
  const mean = center ? columnMeans(x) : new Float64Array(d);
  const method = options.method ?? "exact";
  if (method === "randomized") return randomizedPca(x, k, mean, options);
  if (method !== "exact") {
    throw new LinalgError(`fitPca: method must be "exact" or "randomized", got ${method}`);
  }
  const xc = centerRows(x, mean);
  const comps = new Float64Array(k * d);
  const variances = new Float64Array(k);
  if (d <= n) {
    const { values, vectors } = symmetricEigen(gram(xc));
    for (let i = 0; i < k; i++) {
      const src = d - 1 - i;
      variances[i] = Math.max(0, values[src]) / (n - 1);
      comps.set(vectors.data.subarray(src * d, src * d + d), i * d);
    }
  } else {
    // K = Xc Xcᵀ (n×n); if K u = λ u then v = Xcᵀ u / √λ is a unit covariance eigenvector.
    const K = new Float64Array(n * n);
    abtKernel(xc.data, n, xc.data, n, d, K);
    const { values, vectors } = symmetricEigen({ rows: n, cols: n, data: K });
    for (let i = 0; i < k; i++) {
      const src = n - 1 - i;
      const lam = Math.max(0, values[src]);
      variances[i] = lam / (n - 1);
      const out = comps.subarray(i * d, i * d + d);
      for (let r = 0; r < n; r++) {
        const u = vectors.data[src * n + r];
        if (u === 0) continue;
        const base = r * d;
        for (let j = 0; j < d; j++) out[j] += u * xc.data[base + j];
      }
      let nrm = 0;
      for (let j = 0; j < d; j++) nrm += out[j] * out[j];
      nrm = Math.sqrt(nrm);
      if (nrm > 0) for (let j = 0; j < d; j++) out[j] /= nrm;
    }
  }
  return { mean, components: { rows: k, cols: d, data: comps }, variances };
}

/** Project rows onto a fitted PCA: (X − mean)·componentsᵀ, an n×k float64 matrix. */
export function pcaTransform(model: PcaModel, x: MatrixLike): Matrix64 {
  checkMatrix(x, "pcaTransform: X");
  const d = model.components.cols;
  if (x.cols !== d) {
    throw new LinalgError(`pcaTransform: X has ${x.cols} columns, the PCA was fitted on ${d}`);
  }
  const xc = centerRows(x, model.mean);
  const k = model.components.rows;
  const out = new Float64Array(x.rows * k);
  abtKernel(xc.data, x.rows, model.components.data, k, d, out);
  return { rows: x.rows, cols: k, data: out };
}

// (X − 1·μᵀ)·M for M (d×l, row-major): n×l.
function centredTimes(x: MatrixLike, mean: Float64Array, m: Float64Array, l: number): Float64Array {
  const { rows: n, cols: d } = x;
  const mt = transpose({ rows: d, cols: l, data: m }).data; // l×d
  const out = new Float64Array(n * l);
  abtKernel(x.data, n, mt, l, d, out);
  const shift = new Float64Array(l); // μᵀ·M
  for (let i = 0; i < d; i++) {
    const mu = mean[i];
    if (mu === 0) continue;
    for (let j = 0; j < l; j++) shift[j] += mu * m[i * l + j];
  }
  for (let r = 0; r < n; r++) for (let j = 0; j < l; j++) out[r * l + j] -= shift[j];
  return out;
}

// (X − 1·μᵀ)ᵀ·Y for Y (n×l): d×l.
function centredTransposeTimes(
  x: MatrixLike,
  mean: Float64Array,
  y: Float64Array,
  l: number,
): Float64Array {
  const { rows: n, cols: d, data } = x;
  const out = new Float64Array(d * l);
  const colSum = new Float64Array(l);
  for (let r = 0; r < n; r++) {
    const xb = r * d;
    const yb = r * l;
    for (let j = 0; j < l; j++) colSum[j] += y[yb + j];
    for (let i = 0; i < d; i++) {
      const v = data[xb + i];
      if (v === 0) continue;
      const ob = i * l;
      for (let j = 0; j < l; j++) out[ob + j] += v * y[yb + j];
    }
  }
  for (let i = 0; i < d; i++) {
    const mu = mean[i];
    if (mu === 0) continue;
    for (let j = 0; j < l; j++) out[i * l + j] -= mu * colSum[j];
  }
  return out;
}

function orthonormalColumns(a: Float64Array, rows: number, cols: number): Float64Array {
  return svd({ rows, cols, data: a }).U.data;
}

function randomizedPca(
  x: MatrixLike,
  k: number,
  mean: Float64Array,
  options: PcaOptions,
): PcaModel {
  const { rows: n, cols: d } = x;
  const l = Math.min(n, d, k + (options.oversample ?? 10));
  const q = options.powerIterations ?? 4;
  if (!Number.isInteger(q) || q < 0) {
    throw new LinalgError(`fitPca: powerIterations must be an integer >= 0, got ${q}`);
  }
  const g = gaussianSource(options.seed ?? 1);
  const omega = new Float64Array(d * l);
  for (let i = 0; i < omega.length; i++) omega[i] = g();
  // Range finder: Q spans (Xc·Xcᵀ)^q · Xc·Ω.
  let Q = orthonormalColumns(centredTimes(x, mean, omega, l), n, l);
  for (let it = 0; it < q; it++) {
    const Z = orthonormalColumns(centredTransposeTimes(x, mean, Q, l), d, l);
    Q = orthonormalColumns(centredTimes(x, mean, Z, l), n, l);
  }
  // B = Qᵀ·Xc (l×d) = (Xcᵀ·Q)ᵀ; its top right singular vectors are the components.
  const Bt = centredTransposeTimes(x, mean, Q, l); // d×l
  const { S, V } = svd({ rows: l, cols: d, data: transpose({ rows: d, cols: l, data: Bt }).data });
  // svd of B (l×d): V is d×l with columns = right singular vectors.
  const comps = new Float64Array(k * d);
  const variances = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    variances[i] = (S[i] * S[i]) / (n - 1);
    for (let j = 0; j < d; j++) comps[i * d + j] = V.data[j * l + i];
  }
  return { mean, components: { rows: k, cols: d, data: comps }, variances };
}
