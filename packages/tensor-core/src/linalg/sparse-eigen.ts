// A few smallest eigenpairs of a large sparse symmetric positive semi-definite matrix (e.g. a graph
// Laplacian): block Krylov (block Lanczos) with full re-orthogonalisation and thick restarts on the
// shifted operator σI − L, whose largest eigenpairs are L's smallest.

import { LinalgError, type Matrix64 } from "./dense";
import { symmetricEigen } from "./eigen";
import { gaussianSource } from "./random";
import { type CsrMatrix, csrMatVec, csrToDense } from "./sparse";

/** A symmetric linear operator given by its product: `apply(x, y)` writes y = A·x. */
export interface SymmetricOperator {
  readonly n: number;
  apply(x: Float64Array, y: Float64Array): void;
}

/** Options for {@link smallestEigenpairs}. */
export interface SmallestEigenOptions {
  /** Residual tolerance ‖Lx − λx‖ ≤ tol·σ (default 1e-9). */
  readonly tol?: number;
  /** Upper bound on L's largest eigenvalue; default: Gershgorin bound for a CSR matrix (required for operators). */
  readonly shift?: number;
  /** Vectors added per Krylov step (default k, at most 16): must be ≥ the multiplicity you need resolved. */
  readonly blockSize?: number;
  /** Largest basis before a thick restart (default max(2k + 10·blockSize, 60), at most n). */
  readonly maxBasis?: number;
  /** Maximum restart cycles (default 500). */
  readonly maxRestarts?: number;
  /** Seed of the random start block (default 1). */
  readonly seed?: number;
  /** "auto" (dense below 600 rows), "dense" or "krylov". */
  readonly method?: "auto" | "dense" | "krylov";
  /** Aborting stops between restarts with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Warm start: approximate eigenvectors as rows (r×n), e.g. the previous solve's `vectors`. */
  readonly start?: Matrix64;
}

/** Result of {@link smallestEigenpairs}: ascending eigenvalues, eigenvectors as rows (k×n). */
export interface SmallestEigenResult {
  readonly values: Float64Array;
  readonly vectors: Matrix64;
  /** ‖L x_i − λ_i x_i‖ for each returned pair. */
  readonly residuals: Float64Array;
  /** Restart cycles used (0 for the dense path). */
  readonly restarts: number;
  /** Matrix–vector products used. */
  readonly matvecs: number;
  readonly converged: boolean;
}

function isCsr(a: CsrMatrix | SymmetricOperator): a is CsrMatrix {
  return (a as CsrMatrix).indptr !== undefined;
}

/** Gershgorin upper bound max_i Σ_j |A_ij| on the spectrum of a symmetric CSR matrix. */
export function gershgorinBound(a: CsrMatrix): number {
  let best = 0;
  for (let r = 0; r < a.rows; r++) {
    let s = 0;
    for (let p = a.indptr[r]; p < a.indptr[r + 1]; p++) s += Math.abs(a.values[p]);
    if (s > best) best = s;
  }
  return best;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  const n = a.length;
  let i = 0;
  let s1 = 0;
  for (; i + 1 < n; i += 2) {
    s += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
  }
  if (i < n) s += a[i] * b[i];
  return s + s1;
}

function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

/**
 * The k smallest eigenvalues (ascending) and orthonormal eigenvectors of a sparse symmetric PSD
 * matrix L (CSR, or an operator with an explicit `shift` ≥ λ_max). Multiple eigenvalues (e.g. one 0
 * per connected component) are resolved up to the block size.
 */
export function smallestEigenpairs(
  l: CsrMatrix | SymmetricOperator,
  k: number,
  options: SmallestEigenOptions = {},
): SmallestEigenResult {
  const n = isCsr(l) ? l.rows : l.n;
  if (isCsr(l) && l.rows !== l.cols) {
    throw new LinalgError(`smallestEigenpairs: matrix must be square, got ${l.rows}x${l.cols}`);
  }
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new LinalgError(`smallestEigenpairs: k must be an integer in [1, ${n}], got ${k}`);
  }
  const method = options.method ?? "auto";
  if (method === "dense" || (method === "auto" && n <= 600)) {
    if (!isCsr(l)) throw new LinalgError("smallestEigenpairs: the dense method needs a CSR matrix");
    const { values, vectors } = symmetricEigen(csrToDense(l));
    const vals = values.slice(0, k);
    const vecs = vectors.data.slice(0, k * n);
    const res = new Float64Array(k);
    const y = new Float64Array(n);
    for (let i = 0; i < k; i++) {
      const x = vecs.subarray(i * n, i * n + n);
      csrMatVec(l, x, y);
      let s = 0;
      for (let t = 0; t < n; t++) s += (y[t] - vals[i] * x[t]) ** 2;
      res[i] = Math.sqrt(s);
    }
    return {
      values: vals,
      vectors: { rows: k, cols: n, data: vecs },
      residuals: res,
      restarts: 0,
      matvecs: k,
      converged: true,
    };
  }
  const applyL: (x: Float64Array, y: Float64Array) => void = isCsr(l)
    ? (x, y) => {
        csrMatVec(l, x, y);
      }
    : (x, y) => l.apply(x, y);
  const sigma = options.shift ?? (isCsr(l) ? gershgorinBound(l) : Number.NaN);
  if (!(sigma > 0) || !Number.isFinite(sigma)) {
    throw new LinalgError(
      `smallestEigenpairs: shift must be a positive upper bound on the largest eigenvalue, got ${options.shift}`,
    );
  }
  const tol = options.tol ?? 1e-9;
  const b = Math.max(1, Math.min(options.blockSize ?? Math.min(k, 16), n));
  const maxBasis = Math.min(
    n,
    Math.max(options.maxBasis ?? Math.max(2 * k + 10 * b, 60), k + 2 * b),
  );
  const nKeep = Math.min(maxBasis - b, Math.max(k + b, 2 * k));
  const maxRestarts = options.maxRestarts ?? 500;
  const rand = gaussianSource(options.seed ?? 1);
  let matvecs = 0;
  // B·x = σx − L·x.
  const tmp = new Float64Array(n);
  const applyB = (x: Float64Array, y: Float64Array): void => {
    applyL(x, tmp);
    matvecs++;
    for (let i = 0; i < n; i++) y[i] = sigma * x[i] - tmp[i];
  };

  const Q: Float64Array[] = [];
  const BQ: Float64Array[] = [];
  // H[i][j] = q_i · B q_j, stored densely in a maxBasis² array.
  const H = new Float64Array(maxBasis * maxBasis);

  // Orthonormalise v against Q (two passes of classical Gram–Schmidt). Returns false if v ∈ span(Q).
  const orthonormalise = (v: Float64Array): boolean => {
    const n0 = Math.sqrt(dot(v, v));
    if (n0 === 0) return false;
    for (let pass = 0; pass < 2; pass++) {
      for (const q of Q) axpy(-dot(q, v), q, v);
    }
    const n1 = Math.sqrt(dot(v, v));
    if (n1 <= 1e-10 * n0) return false;
    const inv = 1 / n1;
    for (let i = 0; i < n; i++) v[i] *= inv;
    return true;
  };
  const randomVector = (): Float64Array => {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = rand();
    return v;
  };
  const addVector = (v: Float64Array): void => {
    const bv = new Float64Array(n);
    applyB(v, bv);
    const m = Q.length;
    Q.push(v);
    BQ.push(bv);
    for (let i = 0; i <= m; i++) {
      const h = dot(Q[i], bv);
      H[i * maxBasis + m] = h;
      H[m * maxBasis + i] = h;
    }
  };
  // Add candidate block vectors (orthonormalised); rank deficiencies are filled with random vectors.
  const addBlock = (cands: Float64Array[], limit = b): Float64Array[] => {
    const added: Float64Array[] = [];
    for (const c of cands) {
      if (Q.length >= maxBasis || added.length >= limit) break;
      if (orthonormalise(c)) {
        addVector(c);
        added.push(c);
      }
    }
    let guard = 0;
    while (added.length < b && Q.length < maxBasis && guard++ < 10 * b) {
      const r = randomVector();
      if (orthonormalise(r)) {
        addVector(r);
        added.push(r);
      }
    }
    return added;
  };

  const start: Float64Array[] = [];
  if (options.start) {
    const st = options.start;
    if (st.cols !== n) {
      throw new LinalgError(
        `smallestEigenpairs: start has ${st.cols} columns, the matrix has ${n} rows`,
      );
    }
    for (let r = 0; r < Math.min(st.rows, maxBasis - b); r++) {
      start.push(Float64Array.from(st.data.subarray(r * n, r * n + n)));
    }
  }
  let block = addBlock(
    [...start, ...Array.from({ length: b }, randomVector)],
    Math.max(b, start.length),
  );
  let restarts = 0;
  let converged = false;
  let ritzVals = new Float64Array(0);
  let X: Float64Array[] = [];
  let BX: Float64Array[] = [];
  let resid = new Float64Array(0);
  for (;;) {
    if (options.signal?.aborted)
      throw options.signal.reason ?? new Error("smallestEigenpairs: aborted");
    // Expand the Krylov basis block by block: next candidates are B applied to the last block.
    while (Q.length < maxBasis && block.length > 0) {
      const cands = block.map((v) => {
        const idx = Q.indexOf(v);
        return Float64Array.from(BQ[idx]);
      });
      block = addBlock(cands);
    }
    // Rayleigh–Ritz on span(Q).
    const m = Q.length;
    const Hm = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) Hm[i * m + j] = H[i * maxBasis + j];
    const eig = symmetricEigen({ rows: m, cols: m, data: Hm });
    const keep = Math.min(nKeep, m);
    ritzVals = new Float64Array(keep);
    X = [];
    BX = [];
    resid = new Float64Array(keep);
    for (let t = 0; t < keep; t++) {
      const src = m - 1 - t; // largest θ first
      const theta = eig.values[src];
      ritzVals[t] = theta;
      const y = eig.vectors.data.subarray(src * m, src * m + m);
      const x = new Float64Array(n);
      const bx = new Float64Array(n);
      for (let j = 0; j < m; j++) {
        const c = y[j];
        if (c === 0) continue;
        axpy(c, Q[j], x);
        axpy(c, BQ[j], bx);
      }
      X.push(x);
      BX.push(bx);
      let s = 0;
      for (let i = 0; i < n; i++) {
        const r = bx[i] - theta * x[i];
        s += r * r;
      }
      resid[t] = Math.sqrt(s);
    }
    let allConv = true;
    for (let t = 0; t < k; t++) if (!(resid[t] <= tol * sigma)) allConv = false;
    if (allConv || restarts >= maxRestarts || m >= n) {
      converged = allConv || m >= n;
      break;
    }
    restarts++;
    // Thick restart: keep the Ritz vectors, continue from their residuals (worst first).
    Q.length = 0;
    BQ.length = 0;
    H.fill(0);
    for (let t = 0; t < keep; t++) {
      const idx = Q.length;
      Q.push(X[t]);
      BQ.push(BX[t]);
      for (let i = 0; i <= idx; i++) {
        const h = dot(Q[i], BX[t]);
        H[i * maxBasis + idx] = h;
        H[idx * maxBasis + i] = h;
      }
    }
    const order = Array.from({ length: keep }, (_, t) => t).sort((u, v) => resid[v] - resid[u]);
    const cands = order.slice(0, b).map((t) => {
      const r = new Float64Array(n);
      for (let i = 0; i < n; i++) r[i] = BX[t][i] - ritzVals[t] * X[t][i];
      return r;
    });
    block = addBlock(cands);
  }
  // Eigenvalues of L as Rayleigh quotients xᵀLx (accurate near 0), ascending.
  const values = new Float64Array(k);
  const vectors = new Float64Array(k * n);
  const residuals = new Float64Array(k);
  const lx = new Float64Array(n);
  for (let t = 0; t < k; t++) {
    applyL(X[t], lx);
    matvecs++;
    values[t] = dot(X[t], lx);
    vectors.set(X[t], t * n);
    let s = 0;
    for (let i = 0; i < n; i++) s += (lx[i] - values[t] * X[t][i]) ** 2;
    residuals[t] = Math.sqrt(s);
  }
  return {
    values,
    vectors: { rows: k, cols: n, data: vectors },
    residuals,
    restarts,
    matvecs,
    converged,
  };
}
