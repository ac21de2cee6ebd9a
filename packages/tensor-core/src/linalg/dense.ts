// Dense row-major helpers on Float64Array / Float32Array: products, Gram and covariance matrices,
// Cholesky and linear solves. Blocked so that the working set of the inner loops stays in cache.
import { matrixProblem } from "@cmh/datasets";

/** A typed float array accepted by the linalg tools. */
export type FloatArray = Float32Array | Float64Array;

/** A dense row-major matrix view: `data[i * cols + j]` is entry (i, j). */
export interface MatrixLike {
  readonly rows: number;
  readonly cols: number;
  readonly data: FloatArray;
}

/** A dense row-major float64 matrix, the result type of the linalg tools. */
export interface Matrix64 {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Error thrown by the linalg tools on bad input (shapes, non-finite values, not definite). */
export class LinalgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LinalgError";
  }
}

/** Check that `m` is a well-formed dense matrix; `what` names it in the error. */
export function checkMatrix(m: MatrixLike, what = "matrix"): void {
  const p = matrixProblem(m, { float64: true, finite: false });
  if (p) throw new LinalgError(`${what}: ${p.message}`);
}

/** Throw if any entry of `m` is NaN or ±Infinity, naming the first one by row and column. */
export function checkFinite(m: MatrixLike, what = "matrix"): void {
  const p = matrixProblem(m, { float64: true });
  if (p) throw new LinalgError(`${what}: ${p.message}`);
}

/** Build a Matrix64 (copying `data` into a new Float64Array when given). */
export function matrix64(rows: number, cols: number, data?: ArrayLike<number>): Matrix64 {
  const out = new Float64Array(rows * cols);
  if (data !== undefined) {
    if (data.length !== rows * cols) {
      throw new LinalgError(`matrix64: got ${data.length} values for a ${rows}x${cols} matrix`);
    }
    out.set(data);
  }
  return { rows, cols, data: out };
}

/** The n×n identity matrix. */
export function identity(n: number): Matrix64 {
  const m = matrix64(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** Transpose of a dense matrix (float64 result). */
export function transpose(a: MatrixLike): Matrix64 {
  const { rows, cols, data } = a;
  const out = new Float64Array(rows * cols);
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) {
        const base = i * cols;
        for (let j = j0; j < j1; j++) out[j * rows + i] = data[base + j];
      }
    }
  }
  return { rows: cols, cols: rows, data: out };
}

const K_BLOCK = 256;
const J_BLOCK = 64;

/**
 * Core kernel: `out[i*ldo + j] (+)= Σ_k A[i*d + k] · B[j*d + k]` for i < a, j < b (A·Bᵀ with both
 * operands row-major, rows of length d). Register-blocked 2×4 and tiled over k and j.
 */
export function abtKernel(
  A: FloatArray,
  a: number,
  B: FloatArray,
  b: number,
  d: number,
  out: FloatArray,
  ldo: number = b,
  accumulate = false,
): void {
  if (!accumulate) {
    for (let i = 0; i < a; i++) out.fill(0, i * ldo, i * ldo + b);
  }
  for (let k0 = 0; k0 < d; k0 += K_BLOCK) {
    const k1 = Math.min(d, k0 + K_BLOCK);
    for (let j0 = 0; j0 < b; j0 += J_BLOCK) {
      const j1 = Math.min(b, j0 + J_BLOCK);
      let i = 0;
      for (; i + 1 < a; i += 2) {
        const ai0 = i * d;
        const ai1 = ai0 + d;
        let j = j0;
        for (; j + 3 < j1; j += 4) {
          const b0 = j * d;
          const b1 = b0 + d;
          const b2 = b1 + d;
          const b3 = b2 + d;
          let s00 = 0;
          let s01 = 0;
          let s02 = 0;
          let s03 = 0;
          let s10 = 0;
          let s11 = 0;
          let s12 = 0;
          let s13 = 0;
          for (let k = k0; k < k1; k++) {
            const x0 = A[ai0 + k];
            const x1 = A[ai1 + k];
            const y0 = B[b0 + k];
            const y1 = B[b1 + k];
            const y2 = B[b2 + k];
            const y3 = B[b3 + k];
            s00 += x0 * y0;
            s01 += x0 * y1;
            s02 += x0 * y2;
            s03 += x0 * y3;
            s10 += x1 * y0;
            s11 += x1 * y1;
            s12 += x1 * y2;
            s13 += x1 * y3;
          }
          const o0 = i * ldo + j;
          const o1 = o0 + ldo;
          out[o0] += s00;
          out[o0 + 1] += s01;
          out[o0 + 2] += s02;
          out[o0 + 3] += s03;
          out[o1] += s10;
          out[o1 + 1] += s11;
          out[o1 + 2] += s12;
          out[o1 + 3] += s13;
        }
        for (; j < j1; j++) {
          const bj = j * d;
          let s0 = 0;
          let s1 = 0;
          for (let k = k0; k < k1; k++) {
            const y = B[bj + k];
            s0 += A[ai0 + k] * y;
            s1 += A[ai1 + k] * y;
          }
          out[i * ldo + j] += s0;
          out[(i + 1) * ldo + j] += s1;
        }
      }
      for (; i < a; i++) {
        const ai = i * d;
        for (let j = j0; j < j1; j++) {
          const bj = j * d;
          let s = 0;
          for (let k = k0; k < k1; k++) s += A[ai + k] * B[bj + k];
          out[i * ldo + j] += s;
        }
      }
    }
  }
}

/** A·Bᵀ for row-major A (m×d) and B (n×d); float64 m×n result. */
export function matmulABt(a: MatrixLike, b: MatrixLike): Matrix64 {
  if (a.cols !== b.cols) {
    throw new LinalgError(
      `matmulABt: A is ${a.rows}x${a.cols} but B is ${b.rows}x${b.cols}; need equal cols`,
    );
  }
  const out = new Float64Array(a.rows * b.rows);
  abtKernel(a.data, a.rows, b.data, b.rows, a.cols, out);
  return { rows: a.rows, cols: b.rows, data: out };
}

/** Matrix product A·B (float64 result); A is m×k, B is k×n. */
export function matmul(a: MatrixLike, b: MatrixLike): Matrix64 {
  if (a.cols !== b.rows) {
    throw new LinalgError(
      `matmul: A is ${a.rows}x${a.cols} and B is ${b.rows}x${b.cols}; inner sizes differ`,
    );
  }
  // Small right operands: a direct i-k-j loop beats the transpose.
  if (b.cols <= 8) {
    const m = a.rows;
    const k = a.cols;
    const n = b.cols;
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      const oi = i * n;
      for (let p = 0; p < k; p++) {
        const x = a.data[i * k + p];
        if (x === 0) continue;
        const bp = p * n;
        for (let j = 0; j < n; j++) out[oi + j] += x * b.data[bp + j];
      }
    }
    return { rows: m, cols: n, data: out };
  }
  return matmulABt(a, transpose(b));
}

/** Aᵀ·B for A (n×p) and B (n×q), both row-major; float64 p×q result. */
export function matmulAtB(a: MatrixLike, b: MatrixLike): Matrix64 {
  if (a.rows !== b.rows) {
    throw new LinalgError(
      `matmulAtB: A is ${a.rows}x${a.cols} and B is ${b.rows}x${b.cols}; need equal rows`,
    );
  }
  return matmulABt(transpose(a), transpose(b));
}

/** Fraction of non-zero entries of a dense array (stops counting early once above `stopAbove`). */
export function density(data: FloatArray, stopAbove = 1): number {
  const n = data.length;
  if (n === 0) return 0;
  const limit = stopAbove * n;
  let nz = 0;
  for (let i = 0; i < n; i++) {
    if (data[i] !== 0 && ++nz > limit) return nz / n;
  }
  return nz / n;
}

/** Below this fraction of non-zeros, Gram products use the sparse (skip-zeros) path. */
const SPARSE_DENSITY = 0.1;

/** Gram matrix XᵀX (d×d, float64, exactly symmetric) of a row-major n×d matrix; fast for sparse X too. */
export function gram(x: MatrixLike): Matrix64 {
  const d = x.cols;
  const n = x.rows;
  const out = new Float64Array(d * d);
  if (density(x.data, SPARSE_DENSITY) < SPARSE_DENSITY) {
    // Row by row over the non-zeros only (bag-of-words, one-hot...): O(Σ nnz_row²).
    const idx = new Int32Array(d);
    for (let r = 0; r < n; r++) {
      const base = r * d;
      let m = 0;
      for (let j = 0; j < d; j++) if (x.data[base + j] !== 0) idx[m++] = j;
      for (let a = 0; a < m; a++) {
        const i = idx[a];
        const xi = x.data[base + i];
        const oi = i * d;
        for (let b = a; b < m; b++) {
          const j = idx[b];
          out[oi + j] += xi * x.data[base + j];
        }
      }
    }
  } else {
    const xt = transpose(x);
    // Upper triangle block by block, then mirror.
    const B = 64;
    const tile = new Float64Array(B * B);
    for (let i0 = 0; i0 < d; i0 += B) {
      const bi = Math.min(B, d - i0);
      for (let j0 = i0; j0 < d; j0 += B) {
        const bj = Math.min(B, d - j0);
        abtKernel(xt.data.subarray(i0 * n), bi, xt.data.subarray(j0 * n), bj, n, tile, bj);
        for (let i = 0; i < bi; i++) {
          for (let j = 0; j < bj; j++) out[(i0 + i) * d + j0 + j] = tile[i * bj + j];
        }
      }
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) out[i * d + j] = out[j * d + i];
  return { rows: d, cols: d, data: out };
}

/** XᵀY (p×q, float64) for row-major X (n×p) and Y (n×q); skips zeros when either is sparse. */
export function crossGram(x: MatrixLike, y: MatrixLike): Matrix64 {
  if (x.rows !== y.rows) {
    throw new LinalgError(
      `crossGram: X is ${x.rows}x${x.cols} and Y is ${y.rows}x${y.cols}; need equal rows`,
    );
  }
  const n = x.rows;
  const p = x.cols;
  const q = y.cols;
  const sparseX = density(x.data, SPARSE_DENSITY) < SPARSE_DENSITY;
  const sparseY = density(y.data, SPARSE_DENSITY) < SPARSE_DENSITY;
  if (!sparseX && !sparseY) return matmulAtB(x, y);
  const out = new Float64Array(p * q);
  if (sparseY) {
    // out[:, j] += y_rj · x_r for each non-zero y_rj: accumulate into the transpose, then flip.
    const outT = new Float64Array(q * p);
    for (let r = 0; r < n; r++) {
      const yb = r * q;
      const xb = r * p;
      for (let j = 0; j < q; j++) {
        const v = y.data[yb + j];
        if (v === 0) continue;
        const ob = j * p;
        for (let i = 0; i < p; i++) outT[ob + i] += v * x.data[xb + i];
      }
    }
    for (let j = 0; j < q; j++) for (let i = 0; i < p; i++) out[i * q + j] = outT[j * p + i];
  } else {
    for (let r = 0; r < n; r++) {
      const yb = r * q;
      const xb = r * p;
      for (let i = 0; i < p; i++) {
        const v = x.data[xb + i];
        if (v === 0) continue;
        const ob = i * q;
        for (let j = 0; j < q; j++) out[ob + j] += v * y.data[yb + j];
      }
    }
  }
  return { rows: p, cols: q, data: out };
}

/** Column means of a row-major matrix (float64). */
export function columnMeans(x: MatrixLike): Float64Array {
  const { rows, cols, data } = x;
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) mean[j] += data[base + j];
  }
  if (rows > 0) for (let j = 0; j < cols; j++) mean[j] /= rows;
  return mean;
}

/** Subtract `mean` from every row; returns a new float64 matrix. */
export function centerRows(x: MatrixLike, mean: ArrayLike<number>): Matrix64 {
  const { rows, cols, data } = x;
  if (mean.length !== cols) {
    throw new LinalgError(
      `centerRows: mean has ${mean.length} entries, matrix has ${cols} columns`,
    );
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) out[base + j] = data[base + j] - mean[j];
  }
  return { rows, cols, data: out };
}

/** Options for {@link covariance}. */
export interface CovarianceOptions {
  /** Subtract column means first (default true). */
  readonly center?: boolean;
  /** Divide by n−ddof (default 1, like MATLAB `cov` and numpy `ddof=1`). */
  readonly ddof?: number;
}

/** Covariance matrix of the rows of X (d×d float64) and the column means used. */
export function covariance(
  x: MatrixLike,
  options: CovarianceOptions = {},
): { cov: Matrix64; mean: Float64Array } {
  checkMatrix(x, "covariance: X");
  const center = options.center ?? true;
  const ddof = options.ddof ?? 1;
  const n = x.rows;
  if (n - ddof <= 0) {
    throw new LinalgError(`covariance: need more than ddof=${ddof} rows, got ${n}`);
  }
  const mean = center ? columnMeans(x) : new Float64Array(x.cols);
  const s = 1 / (n - ddof);
  if (center && density(x.data, SPARSE_DENSITY) < SPARSE_DENSITY) {
    // Keep the zeros: (XᵀX − n·μμᵀ)/(n − ddof).
    const g = gram(x);
    const d = x.cols;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++)
        g.data[i * d + j] = (g.data[i * d + j] - n * mean[i] * mean[j]) * s;
    return { cov: g, mean };
  }
  const g = gram(center ? centerRows(x, mean) : x);
  for (let i = 0; i < g.data.length; i++) g.data[i] *= s;
  return { cov: g, mean };
}

/** Cross-covariance (X−μx)ᵀ(Y−μy)/(n−ddof) (p×q) of paired rows, with both column means. */
export function crossCovariance(
  x: MatrixLike,
  y: MatrixLike,
  options: CovarianceOptions = {},
): { cov: Matrix64; meanX: Float64Array; meanY: Float64Array } {
  checkMatrix(x, "crossCovariance: X");
  checkMatrix(y, "crossCovariance: Y");
  const n = x.rows;
  const ddof = options.ddof ?? 1;
  const center = options.center ?? true;
  if (y.rows !== n) throw new LinalgError(`crossCovariance: X has ${n} rows but Y has ${y.rows}`);
  if (n - ddof <= 0)
    throw new LinalgError(`crossCovariance: need more than ddof=${ddof} rows, got ${n}`);
  const meanX = center ? columnMeans(x) : new Float64Array(x.cols);
  const meanY = center ? columnMeans(y) : new Float64Array(y.cols);
  const g = crossGram(x, y);
  const p = x.cols;
  const q = y.cols;
  const s = 1 / (n - ddof);
  for (let i = 0; i < p; i++)
    for (let j = 0; j < q; j++)
      g.data[i * q + j] = (g.data[i * q + j] - n * meanX[i] * meanY[j]) * s;
  return { cov: g, meanX, meanY };
}

/**
 * Cholesky factor of a symmetric positive-definite matrix: lower-triangular L with A = L·Lᵀ
 * (upper part zero). Throws a LinalgError naming the pivot when A is not positive definite.
 */
export function cholesky(a: MatrixLike): Matrix64 {
  checkMatrix(a, "cholesky: A");
  const n = a.rows;
  if (a.cols !== n) throw new LinalgError(`cholesky: A must be square, got ${a.rows}x${a.cols}`);
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const li = i * n;
    for (let j = 0; j <= i; j++) {
      const lj = j * n;
      let s = a.data[li + j];
      for (let k = 0; k < j; k++) s -= L[li + k] * L[lj + k];
      if (i === j) {
        if (!(s > 0)) {
          throw new LinalgError(
            `cholesky: matrix is not positive definite (pivot ${i} is ${s}); add a ridge to the diagonal`,
          );
        }
        L[li + i] = Math.sqrt(s);
      } else {
        L[li + j] = s / L[lj + j];
      }
    }
  }
  return { rows: n, cols: n, data: L };
}

/** Solve L·X = B in place for lower-triangular L (n×n) and B (n×m, row-major). */
export function solveLowerInPlace(L: Matrix64, b: Float64Array, m: number): void {
  const n = L.rows;
  const l = L.data;
  for (let i = 0; i < n; i++) {
    const bi = i * m;
    for (let k = 0; k < i; k++) {
      const f = l[i * n + k];
      if (f === 0) continue;
      const bk = k * m;
      for (let j = 0; j < m; j++) b[bi + j] -= f * b[bk + j];
    }
    const inv = 1 / l[i * n + i];
    for (let j = 0; j < m; j++) b[bi + j] *= inv;
  }
}

/** Solve Lᵀ·X = B in place for lower-triangular L (n×n) and B (n×m, row-major). */
export function solveUpperTransposedInPlace(L: Matrix64, b: Float64Array, m: number): void {
  const n = L.rows;
  const l = L.data;
  for (let i = n - 1; i >= 0; i--) {
    const bi = i * m;
    for (let k = i + 1; k < n; k++) {
      const f = l[k * n + i];
      if (f === 0) continue;
      const bk = k * m;
      for (let j = 0; j < m; j++) b[bi + j] -= f * b[bk + j];
    }
    const inv = 1 / l[i * n + i];
    for (let j = 0; j < m; j++) b[bi + j] *= inv;
  }
}

/** Solve A·X = B given the Cholesky factor L of A (B: n×m, or a vector of length n). */
export function choleskySolve(L: Matrix64, b: MatrixLike | ArrayLike<number>): Matrix64 {
  const n = L.rows;
  const isMat = (b as MatrixLike).rows !== undefined && (b as MatrixLike).data !== undefined;
  const m = isMat ? (b as MatrixLike).cols : 1;
  const src = isMat ? (b as MatrixLike).data : (b as ArrayLike<number>);
  const rows = isMat ? (b as MatrixLike).rows : src.length;
  if (rows !== n)
    throw new LinalgError(`choleskySolve: factor is ${n}x${n} but B has ${rows} rows`);
  const x = Float64Array.from(src as ArrayLike<number>);
  solveLowerInPlace(L, x, m);
  solveUpperTransposedInPlace(L, x, m);
  return { rows: n, cols: m, data: x };
}

/**
 * Solve A·X = B for a square A by LU with partial pivoting (B: n×m matrix or a length-n vector).
 * Throws when A is singular to working precision.
 */
export function solve(a: MatrixLike, b: MatrixLike | ArrayLike<number>): Matrix64 {
  checkMatrix(a, "solve: A");
  const n = a.rows;
  if (a.cols !== n) throw new LinalgError(`solve: A must be square, got ${a.rows}x${a.cols}`);
  const isMat = (b as MatrixLike).rows !== undefined && (b as MatrixLike).data !== undefined;
  const m = isMat ? (b as MatrixLike).cols : 1;
  const src = isMat ? (b as MatrixLike).data : (b as ArrayLike<number>);
  const rows = isMat ? (b as MatrixLike).rows : src.length;
  if (rows !== n) throw new LinalgError(`solve: A is ${n}x${n} but B has ${rows} rows`);
  const lu = Float64Array.from(a.data);
  const x = Float64Array.from(src as ArrayLike<number>);
  let maxAbs = 0;
  for (let i = 0; i < lu.length; i++) maxAbs = Math.max(maxAbs, Math.abs(lu[i]));
  const tiny = maxAbs * n * 2.220446049250313e-16;
  for (let c = 0; c < n; c++) {
    let p = c;
    let best = Math.abs(lu[c * n + c]);
    for (let r = c + 1; r < n; r++) {
      const v = Math.abs(lu[r * n + c]);
      if (v > best) {
        best = v;
        p = r;
      }
    }
    if (!(best > tiny)) throw new LinalgError(`solve: matrix is singular (pivot ${c} is ${best})`);
    if (p !== c) {
      for (let j = 0; j < n; j++) {
        const t = lu[c * n + j];
        lu[c * n + j] = lu[p * n + j];
        lu[p * n + j] = t;
      }
      for (let j = 0; j < m; j++) {
        const t = x[c * m + j];
        x[c * m + j] = x[p * m + j];
        x[p * m + j] = t;
      }
    }
    const inv = 1 / lu[c * n + c];
    for (let r = c + 1; r < n; r++) {
      const f = lu[r * n + c] * inv;
      if (f === 0) continue;
      lu[r * n + c] = f;
      for (let j = c + 1; j < n; j++) lu[r * n + j] -= f * lu[c * n + j];
      for (let j = 0; j < m; j++) x[r * m + j] -= f * x[c * m + j];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const f = lu[i * n + k];
      if (f === 0) continue;
      for (let j = 0; j < m; j++) x[i * m + j] -= f * x[k * m + j];
    }
    const inv = 1 / lu[i * n + i];
    for (let j = 0; j < m; j++) x[i * m + j] *= inv;
  }
  return { rows: n, cols: m, data: x };
}
