// A few smallest eigenpairs of a large sparse symmetric positive semi-definite matrix (e.g. a graph
// Laplacian): block Krylov (block Lanczos) with full re-orthogonalisation and thick restarts on the
// shifted operator σI − L, whose largest eigenpairs are L's smallest.

import { abtKernel, LinalgError, type Matrix64 } from "./dense";
import { symmetricEigen } from "./eigen";
import { gaussianSource } from "./random";
import { type CsrMatrix, csrMatVec, csrToDense } from "./sparse";

/** A symmetric linear operator given by its product: `apply(x, y)` writes y = A·x. */
export interface SymmetricOperator {
  readonly n: number;
  /** Write y = A·x (x and y have length n). */
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

  // Basis rows Q[0..m) and their products B·q, contiguous (row i at i·n), so that projections
  // stream the basis once per block instead of once per vector.
  const Qs = new Float64Array(maxBasis * n);
  const BQs = new Float64Array(maxBasis * n);
  let m = 0;
  // H[i][j] = q_i · B q_j, stored densely in a maxBasis² array.
  const H = new Float64Array(maxBasis * maxBasis);
  const CHUNK = 512;

  // W (cnt rows of length n) −= Cᵀ·Q[0..m) with C = Q[0..m)·Wᵀ; two passes (block CGS2).
  const projectOut = (W: Float64Array, cnt: number): void => {
    if (m === 0 || cnt === 0) return;
    const C = new Float64Array(m * cnt);
    for (let pass = 0; pass < 2; pass++) {
      abtKernel(Qs, m, W, cnt, n, C);
      for (let c0 = 0; c0 < n; c0 += CHUNK) {
        const c1 = Math.min(n, c0 + CHUNK);
        for (let i = 0; i < m; i++) {
          const qi = i * n;
          for (let j = 0; j < cnt; j++) {
            const f = C[i * cnt + j];
            if (f === 0) continue;
            const wj = j * n;
            for (let t = c0; t < c1; t++) W[wj + t] -= f * Qs[qi + t];
          }
        }
      }
    }
  };
  const randomRows = (cnt: number): Float64Array[] =>
    Array.from({ length: cnt }, () => {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = rand();
      return v;
    });
  // Orthonormalise candidates against the basis and each other and append up to `limit` of them
  // (with their B-products and H entries); dependent candidates are dropped and replaced by
  // random vectors up to the block size. Returns the appended row range [from, to).
  const addBlock = (cands: Float64Array[], limit: number): [number, number] => {
    const from = m;
    const room = Math.min(limit, maxBasis - m);
    const fill = Math.min(b, room);
    let pending = cands;
    for (let attempt = 0; attempt < 4 && m - from < room && pending.length > 0; attempt++) {
      const cnt = pending.length;
      const W = new Float64Array(cnt * n);
      const norm0 = new Float64Array(cnt);
      for (let j = 0; j < cnt; j++) {
        W.set(pending[j], j * n);
        norm0[j] = Math.sqrt(dot(pending[j], pending[j]));
      }
      const base = m;
      projectOut(W, cnt);
      for (let j = 0; j < cnt && m - from < room; j++) {
        if (norm0[j] === 0) continue;
        const w = W.subarray(j * n, j * n + n);
        for (let pass = 0; pass < 2; pass++) {
          for (let i = base; i < m; i++) {
            const q = Qs.subarray(i * n, i * n + n);
            axpy(-dot(q, w), q, w);
          }
        }
        const nrm = Math.sqrt(dot(w, w));
        if (nrm <= 1e-10 * norm0[j]) continue;
        const inv = 1 / nrm;
        const row = m * n;
        for (let t = 0; t < n; t++) Qs[row + t] = w[t] * inv;
        m++;
      }
      pending = m - from < fill ? randomRows(fill - (m - from)) : [];
    }
    for (let j = from; j < m; j++)
      applyB(Qs.subarray(j * n, j * n + n), BQs.subarray(j * n, j * n + n));
    const cnt = m - from;
    if (cnt > 0) {
      const hc = new Float64Array(m * cnt);
      abtKernel(Qs, m, BQs.subarray(from * n), cnt, n, hc);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < cnt; j++) {
          const h = hc[i * cnt + j];
          H[i * maxBasis + from + j] = h;
          H[(from + j) * maxBasis + i] = h;
        }
    }
    return [from, m];
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
  let [from, to] = addBlock([...start, ...randomRows(b)], Math.max(b, start.length));
  let restarts = 0;
  let converged = false;
  let keep = 0;
  let X = new Float64Array(0);
  for (;;) {
    if (options.signal?.aborted)
      throw options.signal.reason ?? new Error("smallestEigenpairs: aborted");
    // Expand the Krylov basis block by block: next candidates are B applied to the last block.
    while (m < maxBasis && to > from) {
      const cands: Float64Array[] = [];
      for (let j = from; j < to; j++) cands.push(BQs.slice(j * n, j * n + n));
      [from, to] = addBlock(cands, b);
    }
    // Rayleigh–Ritz on span(Q): Ritz vectors X = Yᵀ·Q and B·X = Yᵀ·BQ, streamed in chunks.
    const Hm = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) Hm[i * m + j] = H[i * maxBasis + j];
    const eig = symmetricEigen({ rows: m, cols: m, data: Hm });
    keep = Math.min(nKeep, m);
    const ritzVals = new Float64Array(keep);
    const Y = new Float64Array(keep * m);
    for (let t = 0; t < keep; t++) {
      const src = m - 1 - t; // largest θ first
      ritzVals[t] = eig.values[src];
      Y.set(eig.vectors.data.subarray(src * m, src * m + m), t * m);
    }
    X = new Float64Array(keep * n);
    const BX = new Float64Array(keep * n);
    for (let c0 = 0; c0 < n; c0 += CHUNK) {
      const c1 = Math.min(n, c0 + CHUNK);
      for (let i = 0; i < m; i++) {
        const qi = i * n;
        for (let t = 0; t < keep; t++) {
          const f = Y[t * m + i];
          if (f === 0) continue;
          const xt = t * n;
          for (let c = c0; c < c1; c++) {
            X[xt + c] += f * Qs[qi + c];
            BX[xt + c] += f * BQs[qi + c];
          }
        }
      }
    }
    const resid = new Float64Array(keep);
    for (let t = 0; t < keep; t++) {
      let s2 = 0;
      const theta = ritzVals[t];
      for (let i = t * n; i < t * n + n; i++) {
        const r = BX[i] - theta * X[i];
        s2 += r * r;
      }
      resid[t] = Math.sqrt(s2);
    }
    let allConv = true;
    for (let t = 0; t < k; t++) if (!(resid[t] <= tol * sigma)) allConv = false;
    if (allConv || restarts >= maxRestarts || m >= n) {
      converged = allConv || m >= n;
      break;
    }
    restarts++;
    // Thick restart: keep the Ritz vectors, continue from their residuals (worst first).
    Qs.set(X);
    BQs.set(BX);
    m = keep;
    H.fill(0);
    const hk = new Float64Array(keep * keep);
    abtKernel(Qs, keep, BQs, keep, n, hk);
    for (let i = 0; i < keep; i++)
      for (let j = 0; j < keep; j++)
        H[i * maxBasis + j] = 0.5 * (hk[i * keep + j] + hk[j * keep + i]);
    const order = Array.from({ length: keep }, (_, t) => t).sort((u, v) => resid[v] - resid[u]);
    const cands = order.slice(0, b).map((t) => {
      const r = new Float64Array(n);
      for (let i = 0; i < n; i++) r[i] = BX[t * n + i] - ritzVals[t] * X[t * n + i];
      return r;
    });
    [from, to] = addBlock(cands, b);
  }
  // Eigenvalues of L as Rayleigh quotients xᵀLx (accurate near 0), ascending.
  const values = new Float64Array(k);
  const vectors = new Float64Array(k * n);
  const residuals = new Float64Array(k);
  const lx = new Float64Array(n);
  for (let t = 0; t < k; t++) {
    const x = X.subarray(t * n, t * n + n);
    applyL(x, lx);
    matvecs++;
    values[t] = dot(x, lx);
    vectors.set(x, t * n);
    let s = 0;
    for (let i = 0; i < n; i++) s += (lx[i] - values[t] * x[i]) ** 2;
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
