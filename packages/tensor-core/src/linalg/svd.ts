// Thin singular value decomposition by one-sided Jacobi (Hestenes) rotations: accurate for the
// small and medium matrices the methods need (ITQ rotations, Procrustes), O(sweeps · m · n²).

import {
  checkFinite,
  checkMatrix,
  LinalgError,
  type Matrix64,
  type MatrixLike,
  transpose,
} from "./dense";

/** A = U·diag(S)·Vᵀ with U m×r and V n×r (r = min(m, n)) orthonormal columns, S descending ≥ 0. */
export interface SvdResult {
  readonly U: Matrix64;
  readonly S: Float64Array;
  readonly V: Matrix64;
}

// Rows of `w` (r rows of length m) are the columns being orthogonalised; `v` (r rows of length n)
// accumulates the same rotations. Returns the number of sweeps.
function jacobiSweeps(w: Float64Array, r: number, m: number, v: Float64Array, n: number): number {
  const eps = 2.220446049250313e-16;
  let fro = 0;
  for (let i = 0; i < r * m; i++) fro += w[i] * w[i];
  // Columns this small are numerically zero: rotating them only churns rounding noise.
  const negligible = fro * (eps * r) ** 2;
  // Convergence: columns count as orthogonal once |<a,b>| <= m·eps·|a||b| (the usual one-sided
  // Jacobi tolerance); a bare eps can keep rotating rounding noise forever on larger matrices.
  const tol = Math.max(m, 1) * eps;
  for (let sweep = 1; sweep <= 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < r - 1; p++) {
      const wp = p * m;
      for (let q = p + 1; q < r; q++) {
        const wq = q * m;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const a = w[wp + i];
          const b = w[wq + i];
          alpha += a * a;
          beta += b * b;
          gamma += a * b;
        }
        if (gamma === 0 || alpha <= negligible || beta <= negligible) continue;
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const a = w[wp + i];
          const b = w[wq + i];
          w[wp + i] = c * a - s * b;
          w[wq + i] = s * a + c * b;
        }
        const vp = p * n;
        const vq = q * n;
        for (let i = 0; i < n; i++) {
          const a = v[vp + i];
          const b = v[vq + i];
          v[vp + i] = c * a - s * b;
          v[vq + i] = s * a + c * b;
        }
      }
    }
    if (!rotated) return sweep;
  }
  throw new LinalgError("svd: one-sided Jacobi did not converge in 60 sweeps");
}

// Make rows [from, r) of `u` (each of length m) orthonormal to all other rows (Gram–Schmidt on
// unit vectors): completes the basis where singular values are zero.
function completeBasis(u: Float64Array, r: number, m: number, zero: boolean[]): void {
  let e = 0;
  for (let t = 0; t < r; t++) {
    if (!zero[t]) continue;
    for (; e < m; e++) {
      const cand = new Float64Array(m);
      cand[e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let o = 0; o < r; o++) {
          if (o === t || (zero[o] && o > t)) continue;
          let d = 0;
          for (let i = 0; i < m; i++) d += u[o * m + i] * cand[i];
          for (let i = 0; i < m; i++) cand[i] -= d * u[o * m + i];
        }
      }
      let nrm = 0;
      for (let i = 0; i < m; i++) nrm += cand[i] * cand[i];
      nrm = Math.sqrt(nrm);
      if (nrm > 1e-8) {
        for (let i = 0; i < m; i++) u[t * m + i] = cand[i] / nrm;
        e++;
        break;
      }
    }
  }
}

/** Thin SVD of a dense m×n matrix: U (m×r), S (r, descending), V (n×r), r = min(m, n). */
export function svd(a: MatrixLike): SvdResult {
  checkMatrix(a, "svd: A");
  checkFinite(a, "svd: A");
  const { rows: m, cols: n } = a;
  if (m < n) {
    const t = svd(transpose(a));
    return { U: t.V, S: t.S, V: t.U };
  }
  const r = n;
  // w rows = columns of A.
  const w = transpose(a).data;
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  if (r > 0) jacobiSweeps(w, r, m, v, n);
  const norms = new Float64Array(r);
  let maxNorm = 0;
  for (let t = 0; t < r; t++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += w[t * m + i] ** 2;
    norms[t] = Math.sqrt(s);
    maxNorm = Math.max(maxNorm, norms[t]);
  }
  const order = Array.from({ length: r }, (_, t) => t).sort((x, y) => norms[y] - norms[x]);
  const S = new Float64Array(r);
  const ut = new Float64Array(r * m);
  const vt = new Float64Array(r * n);
  const zero: boolean[] = [];
  const tiny = maxNorm * Math.max(m, n) * 2.220446049250313e-16;
  for (let k = 0; k < r; k++) {
    const t = order[k];
    const s = norms[t];
    const isZero = !(s > tiny);
    S[k] = isZero ? 0 : s;
    zero.push(isZero);
    if (!isZero) for (let i = 0; i < m; i++) ut[k * m + i] = w[t * m + i] / s;
    for (let i = 0; i < n; i++) vt[k * n + i] = v[t * n + i];
  }
  if (zero.some((z) => z)) completeBasis(ut, r, m, zero);
  return {
    U: transpose({ rows: r, cols: m, data: ut }),
    S,
    V: transpose({ rows: r, cols: n, data: vt }),
  };
}

/**
 * Orthogonal Procrustes: the orthogonal R (n×n) minimising ‖A·R − B‖_F for A, B of shape m×n,
 * i.e. R = U·Vᵀ from svd(AᵀB) = U·S·Vᵀ.
 */
export function orthogonalProcrustes(a: MatrixLike, b: MatrixLike): Matrix64 {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new LinalgError(
      `orthogonalProcrustes: A is ${a.rows}x${a.cols} but B is ${b.rows}x${b.cols}`,
    );
  }
  const n = a.cols;
  const m = a.rows;
  const c = new Float64Array(n * n);
  for (let r = 0; r < m; r++) {
    const base = r * n;
    for (let i = 0; i < n; i++) {
      const x = a.data[base + i];
      if (x === 0) continue;
      const ci = i * n;
      for (let j = 0; j < n; j++) c[ci + j] += x * b.data[base + j];
    }
  }
  const { U, V } = svd({ rows: n, cols: n, data: c });
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += U.data[i * n + k] * V.data[j * n + k];
      out[i * n + j] = s;
    }
  return { rows: n, cols: n, data: out };
}
