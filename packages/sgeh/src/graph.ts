// SGEH's offline stage: the unified sparse affinity graph Z of GMC (Wang et al., TKDE 2020) for two
// views, solved exactly on the kNN lists (spec §4). Memory O(m·p): the per-view graphs S^H, the fused
// graph Z and the Laplacian are sparse; only c+1 smallest eigenpairs of the Laplacian are computed.

import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  autoBlockProduct,
  type BlockProduct,
  type CsrMatrix,
  checkTrainingRows,
  csrFromCoo,
  HasherError,
  jsBlockProduct,
  knnGraph,
  laplacian,
  type Matrix64,
  projectSimplex,
  smallestEigenpairs,
  symmetrizeCsr,
  tfBlockProduct,
} from "@cmh/tensor-core";
import type { SGEHConfig } from "./config";

const EPS = 2.220446049250313e-16; // MATLAB eps, as in GMC

/** Options of the GMC graph solver. */
export interface GraphOptions {
  /** Neighbours per row of each view graph S^H (the spec's p; GMC keeps p+1 feature neighbours). */
  readonly p: number;
  /** Number of connected components the rank constraint aims at (c). */
  readonly c: number;
  /** Alternating iterations (GMC NITER = 20). */
  readonly iterations: number;
  /** Initial rank-constraint weight λ (GMC: 1). */
  readonly lambda?: number;
  /** Zero threshold of the λ rule (GMC: 1e-10). */
  readonly zeroTol?: number;
  /** Z-score each sample (row) before the distances (GMC normData = 1; default true). */
  readonly normalize?: boolean;
  /** Block inner products for the kNN search (default tensor-core's `autoBlockProduct`: tf matMul, or the JS kernel on the pure-JS backend). */
  readonly product?: BlockProduct;
  /** Rows per kNN block (default 1024). */
  readonly blockSize?: number;
  readonly signal?: AbortSignal;
  /** Progress messages (iteration, λ, eigenvalues). */
  readonly log?: (msg: string) => void;
}

/** Sorted feature neighbours of one view: row i's p+1 nearest (self excluded), ascending distance. */
export interface ViewNeighbours {
  readonly m: number;
  /** p+1 per row. */
  readonly k: number;
  readonly indices: Int32Array;
  /** Squared Euclidean distances (float64), ascending per row. */
  readonly dist: Float64Array;
}

/** One GMC iteration's record. */
export interface GraphIteration {
  readonly iteration: number;
  readonly lambda: number;
  readonly weights: readonly number[];
  /** The c+1 smallest Laplacian eigenvalues after the D-step. */
  readonly eigenvalues: readonly number[];
}

/** Result of {@link solveGraph}. */
export interface UnifiedGraph {
  readonly m: number;
  /** Fused row-stochastic graph Z (CSR, no diagonal). */
  readonly z: CsrMatrix;
  /** Final view weights w^I, w^T. */
  readonly weights: readonly number[];
  readonly lambda: number;
  /** Iterations run (≤ options.iterations; fewer when the λ rule stopped at exactly c components). */
  readonly iterations: number;
  /** True when the λ rule stopped with exactly c near-zero eigenvalues. */
  readonly converged: boolean;
  /** Connected components of (Z + Zᵀ)/2. */
  readonly components: number;
  readonly history: readonly GraphIteration[];
  /** Seconds: kNN search and the GMC loop. */
  readonly seconds: { readonly knn: number; readonly solve: number };
}

/**
 * Z-score each row across its columns (GMC normData; statistics in float64, stored as float32 to
 * halve the memory at m = 20,000 × 4,096); a constant row becomes 0.
 */
export function zscoreRows(x: Matrix): Matrix {
  const { rows, cols, data } = x;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const b = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += data[b + j];
    const mean = s / cols;
    let v = 0;
    for (let j = 0; j < cols; j++) v += (data[b + j] - mean) ** 2;
    // MATLAB std (n − 1), as GMC's zscore.
    let sd = cols > 1 ? Math.sqrt(v / (cols - 1)) : 0;
    if (!(sd > 0)) sd = EPS;
    for (let j = 0; j < cols; j++) out[b + j] = (data[b + j] - mean) / sd;
  }
  return { rows, cols, data: out };
}

/**
 * The p+1 nearest rows of every row (self excluded) by squared Euclidean distance, found blockwise
 * (never an m×m matrix) and then re-measured in float64 arithmetic and re-sorted.
 */
export function viewNeighbours(
  x: Matrix,
  p: number,
  options: Pick<GraphOptions, "product" | "blockSize" | "signal"> = {},
): ViewNeighbours {
  const m = x.rows;
  const k = p + 1;
  if (!Number.isInteger(p) || p < 1 || k > m - 1) {
    throw new HasherError(
      `SGEH graph: p must be an integer in [1, ${m - 2}] for ${m} training rows (p+1 neighbours are kept), got ${p}`,
    );
  }
  const g = knnGraph(x, {
    k,
    metric: "sqeuclidean",
    product: options.product ?? autoBlockProduct,
    blockSize: options.blockSize ?? 1024,
    signal: options.signal,
  });
  const d = x.cols;
  const dist = new Float64Array(m * k);
  const indices = new Int32Array(m * k);
  const order = new Array<number>(k);
  const tmp = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    const bi = i * d;
    for (let t = 0; t < k; t++) {
      const j = g.indices[i * k + t];
      const bj = j * d;
      let s = 0;
      for (let c = 0; c < d; c++) {
        const v = x.data[bi + c] - x.data[bj + c];
        s += v * v;
      }
      tmp[t] = s;
      order[t] = t;
    }
    order.sort((u, v) => tmp[u] - tmp[v] || g.indices[i * k + u] - g.indices[i * k + v]);
    for (let t = 0; t < k; t++) {
      dist[i * k + t] = tmp[order[t]];
      indices[i * k + t] = g.indices[i * k + order[t]];
    }
  }
  return { m, k, indices, dist };
}

/**
 * S-step of GMC (paper Eq. 18; Eq. 4 when w = 0): writes row values aligned with the view's p+1
 * neighbours into `out` (the (p+1)-th is 0). `zAt(t)` is Z_i at the t-th neighbour.
 */
export function sRow(
  dist: ArrayLike<number>,
  zAt: ArrayLike<number> | null,
  w: number,
  out: Float64Array,
  clip = true,
): Float64Array {
  const k = dist.length;
  const p = k - 1;
  const dLast = dist[p];
  const zLast = zAt ? zAt[p] : 0;
  let sumD = 0;
  let sumZ = 0;
  for (let h = 0; h < p; h++) {
    sumD += dist[h];
    if (zAt) sumZ += zAt[h];
  }
  const den = p * dLast - sumD + 2 * w * sumZ - 2 * p * w * zLast;
  for (let t = 0; t < k; t++) {
    const num = dLast - dist[t] + 2 * w * ((zAt ? zAt[t] : 0) - zLast);
    const v = num / (den + EPS);
    out[t] = clip ? Math.max(v, 0) : v;
  }
  return out;
}

/** Per-row sparse storage with a fixed capacity per row. */
interface RowSparse {
  readonly cap: number;
  readonly len: Int32Array;
  readonly cols: Int32Array;
  readonly vals: Float64Array;
}

function rowSparse(m: number, cap: number): RowSparse {
  return {
    cap,
    len: new Int32Array(m),
    cols: new Int32Array(m * cap),
    vals: new Float64Array(m * cap),
  };
}

/** CSR of a RowSparse (columns sorted by csrFromCoo). */
function toCsr(m: number, z: RowSparse): CsrMatrix {
  let nnz = 0;
  for (let i = 0; i < m; i++) nnz += z.len[i];
  const ri = new Int32Array(nnz);
  const ci = new Int32Array(nnz);
  const v = new Float64Array(nnz);
  let q = 0;
  for (let i = 0; i < m; i++) {
    for (let t = 0; t < z.len[i]; t++) {
      ri[q] = i;
      ci[q] = z.cols[i * z.cap + t];
      v[q] = z.vals[i * z.cap + t];
      q++;
    }
  }
  return csrFromCoo(m, m, ri, ci, v);
}

/** Connected components of the graph with an edge wherever a symmetric CSR has a positive entry. */
export function countComponents(a: CsrMatrix): number {
  const n = a.rows;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r];
    while (parent[x] !== r) {
      const nx = parent[x];
      parent[x] = r;
      x = nx;
    }
    return r;
  };
  let comps = n;
  for (let i = 0; i < n; i++) {
    for (let q = a.indptr[i]; q < a.indptr[i + 1]; q++) {
      if (!(a.values[q] > 0)) continue;
      const ra = find(i);
      const rb = find(a.indices[q]);
      if (ra !== rb) {
        parent[ra] = rb;
        comps--;
      }
    }
  }
  return comps;
}

/** The Laplacian Deg(Z̃) − Z̃ of Z̃ = (Z + Zᵀ)/2. */
export function zLaplacian(z: CsrMatrix): CsrMatrix {
  return laplacian(symmetrizeCsr(z, "mean"));
}

/** View weight of the w-step: w = 1 / (2‖Z − S‖_F) (eps when the norm is 0). */
export function viewWeight(frobeniusNorm: number): number {
  return 1 / (2 * Math.max(frobeniusNorm, EPS));
}

/** The GMC solver's state: neighbour lists, view graphs S^H, the fused graph Z and scratch space. */
interface GmcState {
  readonly m: number;
  /** p+1 neighbours kept per row and view. */
  readonly k: number;
  readonly nbrs: readonly ViewNeighbours[];
  /** S^H aligned with the neighbour lists (m × k per view). */
  readonly S: Float64Array[];
  readonly Z: RowSparse;
  /** Dense row of Z values (reset after use). */
  readonly zRow: Float64Array;
  /** Marks for the union supports. */
  readonly mark: Int32Array;
  stamp: number;
}

/** Load row i of Z into the dense scratch row. */
function loadZRow(g: GmcState, i: number): void {
  const { Z, zRow } = g;
  for (let t = 0; t < Z.len[i]; t++) zRow[Z.cols[i * Z.cap + t]] = Z.vals[i * Z.cap + t];
}

/** Reset the dense scratch row after `loadZRow(g, i)`. */
function clearZRow(g: GmcState, i: number): void {
  const { Z, zRow } = g;
  for (let t = 0; t < Z.len[i]; t++) zRow[Z.cols[i * Z.cap + t]] = 0;
}

/** Set row i's support of Z to the union of the views' supports of S^H; returns its size. */
function unionSupport(g: GmcState, i: number): number {
  const { Z, nbrs, S, mark, k } = g;
  let n = 0;
  g.stamp++;
  const base = i * Z.cap;
  for (let v = 0; v < nbrs.length; v++) {
    const nb = nbrs[v];
    for (let t = 0; t < k; t++) {
      if (!(S[v][i * k + t] > 0)) continue;
      const j = nb.indices[i * k + t];
      if (mark[j] === g.stamp) continue;
      mark[j] = g.stamp;
      Z.cols[base + n++] = j;
    }
  }
  Z.len[i] = n;
  return n;
}

/** Initial state: the CLR view graphs S^H (paper Eq. 4) and Z = their mean, row-normalised. */
function initialGraphs(nbrs: readonly ViewNeighbours[], m: number, k: number): GmcState {
  const V = nbrs.length;
  const S = nbrs.map((nb) => {
    const s = new Float64Array(m * k);
    for (let i = 0; i < m; i++)
      sRow(nb.dist.subarray(i * k, i * k + k), null, 0, s.subarray(i * k, i * k + k));
    return s;
  });
  const g: GmcState = {
    m,
    k,
    nbrs,
    S,
    Z: rowSparse(m, V * k),
    zRow: new Float64Array(m),
    mark: new Int32Array(m).fill(-1),
    stamp: 0,
  };
  const { Z, zRow } = g;
  for (let i = 0; i < m; i++) {
    const n = unionSupport(g, i);
    const base = i * Z.cap;
    for (let t = 0; t < n; t++) Z.vals[base + t] = 0;
    for (let v = 0; v < V; v++) {
      for (let t = 0; t < k; t++) zRow[nbrs[v].indices[i * k + t]] += S[v][i * k + t] / V;
    }
    let sum = 0;
    for (let t = 0; t < n; t++) {
      const j = Z.cols[base + t];
      Z.vals[base + t] = zRow[j];
      sum += zRow[j];
    }
    for (let v = 0; v < V; v++) for (let t = 0; t < k; t++) zRow[nbrs[v].indices[i * k + t]] = 0;
    if (sum > 0) for (let t = 0; t < n; t++) Z.vals[base + t] /= sum;
  }
  return g;
}

/** GMC step 1 (paper Eq. 18): fix Z, D, w and update every view graph S^H. */
function sStep(g: GmcState, w: readonly number[]): void {
  const { m, k, nbrs, S, zRow } = g;
  const zAt = new Float64Array(k);
  const sTmp = new Float64Array(k);
  for (let v = 0; v < nbrs.length; v++) {
    const nb = nbrs[v];
    for (let i = 0; i < m; i++) {
      loadZRow(g, i);
      for (let t = 0; t < k; t++) zAt[t] = zRow[nb.indices[i * k + t]];
      clearZRow(g, i);
      sRow(nb.dist.subarray(i * k, i * k + k), zAt, w[v], sTmp);
      S[v].set(sTmp, i * k);
    }
  }
}

/** GMC step 2 (paper Eq. 21): the view weights w^H = 1/(2‖Z − S^H‖_F), written into `w`. */
function wStep(g: GmcState, w: number[]): void {
  const { m, k, nbrs, S, Z, zRow } = g;
  // ‖Z − S^H‖²_F = ΣZ² + ΣS² − 2ΣZ·S.
  for (let v = 0; v < nbrs.length; v++) {
    let f = 0;
    const nb = nbrs[v];
    for (let i = 0; i < m; i++) {
      loadZRow(g, i);
      for (let t = 0; t < Z.len[i]; t++) f += Z.vals[i * Z.cap + t] ** 2;
      for (let t = 0; t < k; t++) {
        const s = S[v][i * k + t];
        f += s * s - 2 * s * zRow[nb.indices[i * k + t]];
      }
      clearZRow(g, i);
    }
    w[v] = viewWeight(Math.sqrt(Math.max(f, 0)));
  }
}

/**
 * GMC step 3 (paper Eqs. 22–23): each row of Z is the simplex projection of the views' mean of
 * S^H − λ/(2V·w^H)·‖D_i − D_j‖² on the union of the S^H supports.
 */
function zStep(
  g: GmcState,
  w: readonly number[],
  lambda: number,
  D: Matrix64,
  nd: number,
  q: Float64Array,
  proj: Float64Array,
): void {
  const { m, k, nbrs, S, Z, zRow } = g;
  const V = nbrs.length;
  for (let i = 0; i < m; i++) {
    const n = unionSupport(g, i);
    const base = i * Z.cap;
    // position of each candidate column
    for (let t = 0; t < n; t++) zRow[Z.cols[base + t]] = t + 1; // 1-based slot
    q.fill(0, 0, n);
    for (let v = 0; v < V; v++) {
      const nb = nbrs[v];
      const coef = lambda / (2 * V * w[v]); // = λ/(4w) for two views
      // q^H = S^H − coef·dD, averaged over views
      for (let t = 0; t < n; t++) {
        const j = Z.cols[base + t];
        let dd = 0;
        for (let r = 0; r < nd; r++) {
          const a = D.data[r * m + i] - D.data[r * m + j];
          dd += a * a;
        }
        proj[t] = -coef * dd;
      }
      for (let t = 0; t < k; t++) {
        const s = S[v][i * k + t];
        if (!(s > 0)) continue;
        const slot = zRow[nb.indices[i * k + t]];
        if (slot > 0) proj[slot - 1] += s;
      }
      for (let t = 0; t < n; t++) q[t] += proj[t] / V;
    }
    for (let t = 0; t < n; t++) zRow[Z.cols[base + t]] = 0;
    if (n > 0) projectSimplex(q.subarray(0, n), 1, Z.vals.subarray(base, base + n));
  }
}

/**
 * GMC step 4: the c+1 smallest eigenpairs of the Laplacian of (Z + Zᵀ)/2 (warm-started from the
 * previous D); the first c eigenvectors are the embedding D.
 */
function dStep(g: GmcState, c: number, signal?: AbortSignal, start?: Matrix64) {
  const L = zLaplacian(toCsr(g.m, g.Z));
  return smallestEigenpairs(L, c + 1, {
    start,
    seed: 1,
    signal,
    tol: 1e-10,
    maxRestarts: 2000,
  });
}

/**
 * GMC's λ rule (its code, not the paper): "grow" (λ·2) while fewer than c eigenvalues are ≈ 0,
 * "shrink" (λ/2, keep the previous D) when more than c are, "stop" at exactly c components.
 */
export function lambdaRule(
  eigenvalues: readonly number[],
  c: number,
  zeroTol: number,
): "grow" | "shrink" | "stop" {
  const sumC = eigenvalues.slice(0, c).reduce((a, b) => a + b, 0);
  const sumC1 = sumC + eigenvalues[c];
  if (sumC > zeroTol) return "grow";
  if (sumC1 < zeroTol) return "shrink";
  return "stop";
}

/**
 * Solve GMC's unified graph for two views (spec §4.1): CLR initial graphs, then NITER rounds of
 * S-step, w-step, Z-step (simplex projection on the union support) and D-step (c smallest
 * eigenvectors of the sparse Laplacian), with GMC's λ rule.
 */
export function solveGraph(views: readonly Matrix[], options: GraphOptions): UnifiedGraph {
  const { p, c, iterations } = options;
  if (views.length < 1) throw new HasherError("SGEH graph: need at least one view");
  const m = views[0].rows;
  for (const v of views) {
    if (v.rows !== m)
      throw new HasherError(`SGEH graph: views have ${v.rows} and ${m} rows; they must be paired`);
  }
  if (!Number.isInteger(c) || c < 1 || c >= m)
    throw new HasherError(`SGEH graph: c must be an integer in [1, ${m - 1}], got ${c}`);
  if (!Number.isInteger(iterations) || iterations < 0)
    throw new HasherError(`SGEH graph: iterations must be an integer >= 0, got ${iterations}`);
  const log = options.log ?? (() => {});
  const zr = options.zeroTol ?? 1e-10;
  const V = views.length;
  const k = p + 1;
  const t0 = performance.now();
  const nbrs = views.map((x) =>
    viewNeighbours(options.normalize === false ? x : zscoreRows(x), p, options),
  );
  const tKnn = (performance.now() - t0) / 1000;

  const g = initialGraphs(nbrs, m, k);
  let e = dStep(g, c, options.signal);
  let D = e.vectors; // (c+1)×m; the first c rows are the embedding
  let lambda = options.lambda ?? 1;
  const w = new Array<number>(V).fill(1 / V);
  const history: GraphIteration[] = [];
  let converged = false;
  let iter = 0;
  const q = new Float64Array(V * k);
  const proj = new Float64Array(V * k);

  for (iter = 1; iter <= iterations; iter++) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error("SGEH graph: aborted");
    sStep(g, w);
    wStep(g, w);
    zStep(g, w, lambda, D, c, q, proj);
    const prevD = D;
    e = dStep(g, c, options.signal, D);
    D = e.vectors;
    const ev = Array.from(e.values);
    history.push({ iteration: iter, lambda, weights: [...w], eigenvalues: ev });
    log(
      `GMC iter ${iter}: λ=${lambda} w=[${w.map((x) => x.toPrecision(4))}] ev=[${ev.map((x) => x.toExponential(2))}]`,
    );
    const rule = lambdaRule(ev, c, zr);
    if (rule === "grow") lambda *= 2;
    else if (rule === "shrink") {
      lambda /= 2;
      D = prevD;
    } else {
      converged = true;
      break;
    }
  }
  const z = toCsr(m, g.Z);
  const comps = countComponents(symmetrizeCsr(z, "mean"));
  return {
    m,
    z,
    weights: [...w],
    lambda,
    iterations: Math.min(iter, iterations),
    converged,
    components: comps,
    history,
    seconds: { knn: tKnn, solve: (performance.now() - t0) / 1000 - tKnn },
  };
}

/** Directed edge list (i, j, Z_ij) of the non-zeros of Z (the reference loader's `SIMI_train`). */
export interface EdgeList {
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly weight: Float64Array;
}

/** The non-zero entries of Z (diagonal excluded) as an edge list. */
export function edgesOf(z: CsrMatrix): EdgeList {
  let n = 0;
  for (let i = 0; i < z.rows; i++)
    for (let q = z.indptr[i]; q < z.indptr[i + 1]; q++)
      if (z.values[q] > 0 && z.indices[q] !== i) n++;
  const from = new Int32Array(n);
  const to = new Int32Array(n);
  const weight = new Float64Array(n);
  let t = 0;
  for (let i = 0; i < z.rows; i++) {
    for (let q = z.indptr[i]; q < z.indptr[i + 1]; q++) {
      if (z.values[q] > 0 && z.indices[q] !== i) {
        from[t] = i;
        to[t] = z.indices[q];
        weight[t] = z.values[q];
        t++;
      }
    }
  }
  return { from, to, weight };
}

/** What the graph stage produced (available after fit as `graphReport`). */
export interface GraphReport {
  readonly m: number;
  readonly neighbours: number;
  readonly clusters: number;
  readonly edges: number;
  readonly components: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly lambda: number;
  readonly weights: readonly number[];
  readonly knnSeconds: number;
  readonly solveSeconds: number;
  /** True when the graph was reused from an earlier fit (`cacheGraph`); the seconds are its original cost. */
  readonly cached: boolean;
}

/** The graph stage's output for training: Z, its edge list and the report. */
export interface GraphStage {
  readonly graph: UnifiedGraph;
  readonly edges: EdgeList;
  readonly report: GraphReport;
}

/** Graphs of earlier fits, by training image array, keyed by the graph settings. */
const graphCache = new WeakMap<Float32Array, Map<string, UnifiedGraph>>();
/** The text array each cached graph was built with (a hit needs both arrays to match). */
const textArrayOf = new WeakMap<UnifiedGraph, Float32Array>();

/** The graph settings of a config that `solveGraph` reads. */
export type GraphConfig = Pick<
  SGEHConfig,
  | "neighbours"
  | "clusters"
  | "graphIterations"
  | "graphLambda"
  | "normalizeFeatures"
  | "knnBlock"
  | "knnProduct"
  | "cacheGraph"
>;

/**
 * Solve the unified graph Z of a training set (spec §4) with a config's settings, or reuse the
 * graph of an earlier fit on the same arrays and settings (`cacheGraph`).
 */
export function unifiedGraph(
  train: CrossModalSet,
  c: GraphConfig,
  signal?: AbortSignal,
): { graph: UnifiedGraph; cached: boolean } {
  const m = train.image.rows;
  checkTrainingRows(
    "SGEH",
    m,
    c.neighbours + 2,
    `config.neighbours = ${c.neighbours}: each pair keeps its ${c.neighbours + 1} nearest other pairs`,
  );
  checkTrainingRows(
    "SGEH",
    m,
    c.clusters + 1,
    `config.clusters = ${c.clusters}: the graph needs more pairs than components`,
  );
  const key = JSON.stringify([
    train.text.data.length,
    c.neighbours,
    c.clusters,
    c.graphIterations,
    c.graphLambda,
    c.normalizeFeatures,
  ]);
  const byKey = graphCache.get(train.image.data);
  const hit = c.cacheGraph ? byKey?.get(key) : undefined;
  if (hit && textArrayOf.get(hit) === train.text.data) return { graph: hit, cached: true };
  const g = solveGraph([train.image, train.text], {
    p: c.neighbours,
    c: c.clusters,
    iterations: c.graphIterations,
    lambda: c.graphLambda,
    normalize: c.normalizeFeatures,
    blockSize: c.knnBlock,
    product:
      c.knnProduct === "tf"
        ? tfBlockProduct
        : c.knnProduct === "js"
          ? jsBlockProduct
          : autoBlockProduct,
    signal,
  });
  if (c.cacheGraph) {
    const map = byKey ?? new Map<string, UnifiedGraph>();
    map.set(key, g);
    graphCache.set(train.image.data, map);
    textArrayOf.set(g, train.text.data);
  }
  return { graph: g, cached: false };
}

/**
 * The offline stage of SGEH (paper §2.2 and §2.5 steps 1–4): Z of the training set, its edge list
 * (the batches' population) and the report. Throws when Z has no edge.
 */
export function graphStage(train: CrossModalSet, c: GraphConfig, signal?: AbortSignal): GraphStage {
  const { graph, cached } = unifiedGraph(train, c, signal);
  const edges = edgesOf(graph.z);
  if (edges.from.length === 0) throw new HasherError("SGEH: the unified graph has no edges");
  const report: GraphReport = {
    m: train.image.rows,
    neighbours: c.neighbours,
    clusters: c.clusters,
    edges: edges.from.length,
    components: graph.components,
    iterations: graph.iterations,
    converged: graph.converged,
    lambda: graph.lambda,
    weights: graph.weights,
    knnSeconds: graph.seconds.knn,
    solveSeconds: graph.seconds.solve,
    cached,
  };
  return { graph, edges, report };
}

/** Membership test for the edges of a CSR graph: `(i, j) => Z_ij is stored`. */
export function edgeLookup(z: CsrMatrix): (i: number, j: number) => boolean {
  return (i, j) => {
    for (let q = z.indptr[i]; q < z.indptr[i + 1]; q++) if (z.indices[q] === j) return true;
    return false;
  };
}
