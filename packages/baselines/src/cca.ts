// Regularised canonical correlation analysis, as in Gong's `cca.m` (ITQ release): covariances of
// centred features with `reg·I` added to both auto-covariance diagonals, then the generalised
// eigenproblem Cxy·Cyy⁻¹·Cyx·w = r²·Cxx·w.

import {
  centerRows,
  cholesky,
  covariance,
  crossCovariance,
  generalizedSymmetricEigen,
  gram,
  LinalgError,
  type Matrix64,
  type MatrixLike,
  matmul,
  solveLowerInPlace,
  solveUpperTransposedInPlace,
  transpose,
} from "@cmh/tensor-core";

/** Options for {@link fitCca}. */
export interface CcaOptions {
  /** Ridge added to the diagonals of Cxx and Cyy (default 1e-4, Gong's value). */
  readonly regularization?: number;
  /** Number of canonical pairs to keep (default min(dx, dy)). */
  readonly components?: number;
  /**
   * When set, pairs whose correlation is at or below this value are dropped (the result then has
   * fewer than `components` pairs: the usable rank); when unset, such a pair is an error.
   */
  readonly minCorrelation?: number;
}

/** A fitted CCA: projections `wx` (dx×c) and `wy` (dy×c), canonical correlations descending. */
export interface CcaModel {
  readonly meanX: Float64Array;
  readonly meanY: Float64Array;
  /** dx×c, columns Cxx-orthonormal (wᵀ·Cxx·w = 1). */
  readonly wx: Matrix64;
  /** dy×c, columns Cyy-orthonormal, signs paired with wx (wxᵢᵀ·Cxy·wyᵢ = rᵢ > 0). */
  readonly wy: Matrix64;
  /** Canonical correlations r₁ ≥ r₂ ≥ … (of the regularised problem). */
  readonly correlations: Float64Array;
}

/**
 * Fit regularised CCA between paired rows of X (n×dx) and Y (n×dy). Solves on the smaller side
 * and maps to the other with wy = Cyy⁻¹·Cyx·wx / r (so paired directions have positive correlation).
 */
export function fitCca(x: MatrixLike, y: MatrixLike, options: CcaOptions = {}): CcaModel {
  if (x.rows !== y.rows) {
    throw new LinalgError(`fitCca: X has ${x.rows} rows but Y has ${y.rows}; rows must be paired`);
  }
  if (x.rows < 2) throw new LinalgError(`fitCca: need at least 2 paired rows, got ${x.rows}`);
  const reg = options.regularization ?? 1e-4;
  if (!(reg >= 0) || !Number.isFinite(reg)) {
    throw new LinalgError(`fitCca: regularization must be a finite number >= 0, got ${reg}`);
  }
  const maxC = Math.min(x.cols, y.cols);
  let c = options.components ?? maxC;
  if (!Number.isInteger(c) || c < 1 || c > maxC) {
    throw new LinalgError(
      `fitCca: components must be an integer in [1, min(dx, dy) = ${maxC}], got ${c} (dx = ${x.cols}, dy = ${y.cols})`,
    );
  }
  if (y.cols < x.cols) {
    // Solve on the smaller side, then swap back.
    const t = fitCca(y, x, {
      regularization: reg,
      components: c,
      minCorrelation: options.minCorrelation,
    });
    return { meanX: t.meanY, meanY: t.meanX, wx: t.wy, wy: t.wx, correlations: t.correlations };
  }
  const { cov: cxx, mean: meanX } = covariance(x);
  const { cov: cyy, mean: meanY } = covariance(y);
  const { cov: cxy } = crossCovariance(x, y);
  const dx = x.cols;
  const dy = y.cols;
  for (let i = 0; i < dx; i++) cxx.data[i * dx + i] += reg;
  for (let i = 0; i < dy; i++) cyy.data[i * dy + i] += reg;
  // M = Cxy·Cyy⁻¹·Cyx = TᵀT with T = Ly⁻¹·Cyx (Cyy = Ly·Lyᵀ): one triangular solve, one Gram.
  const Ly = cholesky(cyy);
  const t = transpose(cxy); // Cyx, dy×dx
  solveLowerInPlace(Ly, t.data, dx);
  const m = gram(t);
  const { values, vectors } = generalizedSymmetricEigen(m, cxx);
  let correlations = new Float64Array(c);
  for (let k = 0; k < c; k++) correlations[k] = Math.sqrt(Math.max(0, values[dx - 1 - k]));
  const minR = options.minCorrelation;
  if (minR !== undefined) {
    if (!(minR >= 0) || !Number.isFinite(minR)) {
      throw new LinalgError(`fitCca: minCorrelation must be a finite number >= 0, got ${minR}`);
    }
    let kept = 0;
    while (kept < c && correlations[kept] > minR) kept++;
    c = kept;
    correlations = correlations.slice(0, c);
  }
  const wx = new Float64Array(dx * c);
  for (let k = 0; k < c; k++) {
    const src = dx - 1 - k; // descending
    for (let i = 0; i < dx; i++) wx[i * c + k] = vectors.data[src * dx + i];
  }
  // wy = Cyy⁻¹·Cyx·wx / r = Ly⁻ᵀ·(T·wx) / r.
  const wy = matmul(t, { rows: dx, cols: c, data: wx });
  solveUpperTransposedInPlace(Ly, wy.data, c);
  for (let k = 0; k < c; k++) {
    const r = correlations[k];
    if (!(r > 1e-10)) {
      throw new LinalgError(
        `fitCca: canonical correlation ${k + 1} of ${c} is ${r} (no shared signal left); use fewer components`,
      );
    }
    for (let i = 0; i < dy; i++) wy.data[i * c + k] /= r;
  }
  return { meanX, meanY, wx: { rows: dx, cols: c, data: wx }, wy, correlations };
}

/** Project rows onto CCA directions: (X − mean)·W (n×c, float64). */
export function ccaTransform(mean: Float64Array, w: Matrix64, x: MatrixLike): Matrix64 {
  if (x.cols !== w.rows) {
    throw new LinalgError(
      `ccaTransform: input has ${x.cols} columns, the projection expects ${w.rows}`,
    );
  }
  return matmul(centerRows(x, mean), w);
}
