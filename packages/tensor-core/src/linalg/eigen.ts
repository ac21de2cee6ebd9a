// Symmetric eigendecomposition: Householder tridiagonalisation + implicit QL (EISPACK tred2/tql2,
// as in JAMA), and the generalised symmetric-definite problem A v = λ B v via Cholesky of B.
//
// The eigenvector matrix is kept transposed (row j = eigenvector j) so that every O(n³) loop of
// tred2/tql2 runs over contiguous memory.

import {
  checkFinite,
  checkMatrix,
  cholesky,
  LinalgError,
  type Matrix64,
  type MatrixLike,
  solveLowerInPlace,
  solveUpperTransposedInPlace,
  transpose,
} from "./dense";

/** Eigenvalues (ascending) and eigenvectors: row i of `vectors` is the eigenvector for `values[i]`. */
export interface EigenResult {
  readonly values: Float64Array;
  /** n×n row-major; row i is the (unit or B-normalised) eigenvector for `values[i]`. */
  readonly vectors: Matrix64;
}

function checkSquare(a: MatrixLike, what: string): number {
  checkMatrix(a, what);
  if (a.rows !== a.cols) throw new LinalgError(`${what}: must be square, got ${a.rows}x${a.cols}`);
  checkFinite(a, what);
  return a.rows;
}

/**
 * Eigen-decomposition of a real symmetric matrix (only the lower triangle is read): eigenvalues
 * ascending and orthonormal eigenvectors (rows of `vectors`).
 */
export function symmetricEigen(a: MatrixLike): EigenResult {
  const n = checkSquare(a, "symmetricEigen: A");
  // W = Vᵀ; initially V = A, and A is symmetric, so W holds A with W[j*n+k] = V[k][j] = A[k][j].
  const W = new Float64Array(n * n);
  const src = a.data;
  for (let k = 0; k < n; k++) {
    for (let j = 0; j <= k; j++) {
      const v = src[k * n + j];
      W[j * n + k] = v;
      W[k * n + j] = v;
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: { rows: 0, cols: 0, data: W } };
  tred2(n, W, d, e);
  tql2(n, W, d, e);
  return { values: d, vectors: { rows: n, cols: n, data: W } };
}

// V[r][c] is W[c*n + r] throughout.
function tred2(n: number, W: Float64Array, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = W[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = W[j * n + i - 1];
        W[j * n + i] = 0;
        W[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        W[i * n + j] = f; // V[j][i]
        const wj = j * n;
        g = e[j] + W[wj + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const v = W[wj + k]; // V[k][j]
          g += v * d[k];
          e[k] += v * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const wj = j * n;
        for (let k = j; k <= i - 1; k++) W[wj + k] -= f * e[k] + g * d[k];
        d[j] = W[wj + i - 1];
        W[wj + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate transformations.
  for (let i = 0; i < n - 1; i++) {
    W[i * n + n - 1] = W[i * n + i];
    W[i * n + i] = 1;
    const h = d[i + 1];
    const wi1 = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = W[wi1 + k] / h;
      for (let j = 0; j <= i; j++) {
        const wj = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += W[wi1 + k] * W[wj + k];
        for (let k = 0; k <= i; k++) W[wj + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) W[wi1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = W[j * n + n - 1];
    W[j * n + n - 1] = 0;
  }
  W[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

function tql2(n: number, W: Float64Array, d: Float64Array, e: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2.220446049250313e-16;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) {
          throw new LinalgError(
            `symmetricEigen: QL iteration did not converge for eigenvalue ${l}`,
          );
        }
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          // Rotate rows i and i+1 of W (columns of V).
          const wi = i * n;
          const wi1 = wi + n;
          for (let k = 0; k < n; k++) {
            const hk = W[wi1 + k];
            const vk = W[wi + k];
            W[wi1 + k] = s * vk + c * hk;
            W[wi + k] = c * vk - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  // Sort ascending (selection sort on values, swapping rows of W).
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      const wi = i * n;
      const wk = k * n;
      for (let j = 0; j < n; j++) {
        const t = W[wi + j];
        W[wi + j] = W[wk + j];
        W[wk + j] = t;
      }
    }
  }
}

/**
 * Generalised symmetric-definite eigenproblem A v = λ B v (A symmetric, B symmetric positive
 * definite): eigenvalues ascending, eigenvectors B-orthonormal (vᵢᵀ B vⱼ = δᵢⱼ) as rows.
 */
export function generalizedSymmetricEigen(a: MatrixLike, b: MatrixLike): EigenResult {
  const n = checkSquare(a, "generalizedSymmetricEigen: A");
  checkSquare(b, "generalizedSymmetricEigen: B");
  if (b.rows !== n) {
    throw new LinalgError(`generalizedSymmetricEigen: A is ${n}x${n} but B is ${b.rows}x${b.cols}`);
  }
  const L = cholesky(b);
  // C = L⁻¹ A L⁻ᵀ: M = L⁻¹ A, then C = L⁻¹ Mᵀ (A symmetric).
  const M = Float64Array.from(a.data);
  solveLowerInPlace(L, M, n);
  const Mt = transpose({ rows: n, cols: n, data: M });
  solveLowerInPlace(L, Mt.data, n);
  const C = Mt.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (C[i * n + j] + C[j * n + i]);
      C[i * n + j] = v;
      C[j * n + i] = v;
    }
  }
  const { values, vectors } = symmetricEigen(Mt);
  // v = L⁻ᵀ y for each eigenvector y (columns of Y = vectorsᵀ).
  const Y = transpose(vectors);
  solveUpperTransposedInPlace(L, Y.data, n);
  return { values, vectors: transpose(Y) };
}
