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
} from "./dense";
import { symmetricEigen } from "./eigen";

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
